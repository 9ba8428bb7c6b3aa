package storage

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/gofka/gofka/internal/storage/checkpoint"
)

func twoDirManager(t *testing.T) (*Manager, string, string) {
	a, b := t.TempDir(), t.TempDir()
	return openManager(t, managerConfig(a, b), testConfig()), a, b
}

func TestMoveLog(t *testing.T) {
	m, a, b := twoDirManager(t)
	l, err := m.GetOrCreate(testTP, checkpoint.UUID{1}, segConfig())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		mustAppend(t, l, makeBatch(2, int64(1000+i), int64(1000+i), 75), AppendOptions{})
	}
	l.SetHighWatermark(l.LogEndOffset())
	if err := l.DeleteRecordsBefore(6); err != nil {
		t.Fatal(err)
	}
	if m.DirOf(testTP) != a {
		t.Fatalf("created in %s", m.DirOf(testTP))
	}
	nl, err := m.MoveLog(testTP, b)
	if err != nil {
		t.Fatal(err)
	}
	if m.DirOf(testTP) != b || m.Get(testTP) != nl || nl.LogEndOffset() != 20 || nl.LogStartOffset() != 6 {
		t.Fatalf("dir %s leo %d lso %d", m.DirOf(testTP), nl.LogEndOffset(), nl.LogStartOffset())
	}
	if _, err := os.Stat(filepath.Join(a, testTP.String())); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("source left: %v", err)
	}
	if _, err := l.Read(10, 100, 20, true); !errors.Is(err, ErrClosed) {
		t.Fatalf("old log read: %v", err)
	}
	mustAppend(t, nl, makeBatch(1, 2000, 2000, 10), AppendOptions{})
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	m = openManager(t, managerConfig(a, b), testConfig())
	defer m.Close()
	if l := m.Get(testTP); l == nil || m.DirOf(testTP) != b || l.LogEndOffset() != 21 || l.LogStartOffset() != 6 {
		t.Fatalf("after restart: %v in %s", l, m.DirOf(testTP))
	}
}

// TestMoveCrashLeftovers: a crash during a move leaves a -future copy
// (removed) or two whole copies (one kept).
func TestMoveCrashLeftovers(t *testing.T) {
	m, a, b := twoDirManager(t)
	l, _ := m.GetOrCreate(testTP, checkpoint.UUID{1}, segConfig())
	mustAppend(t, l, makeBatch(2, 1000, 1000, 75), AppendOptions{})
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(a, testTP.String())
	if err := copyDir(src, filepath.Join(b, testTP.String()+futureSuffix)); err != nil {
		t.Fatal(err)
	}
	m = openManager(t, managerConfig(a, b), testConfig())
	if m.DirOf(testTP) != a || m.Get(testTP).LogEndOffset() != 2 {
		t.Fatal("lost the source")
	}
	if _, err := os.Stat(filepath.Join(b, testTP.String()+futureSuffix)); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("-future copy left")
	}
	m.Close()
	if err := copyDir(src, filepath.Join(b, testTP.String())); err != nil {
		t.Fatal(err)
	}
	m = openManager(t, managerConfig(a, b), testConfig())
	defer m.Close()
	if m.Get(testTP).LogEndOffset() != 2 || len(m.Logs()) != 1 {
		t.Fatal("duplicate copies not resolved")
	}
}

func TestMarkDirOffline(t *testing.T) {
	m, a, b := twoDirManager(t)
	defer m.Close()
	other := checkpoint.TopicPartition{Topic: "other", Partition: 0}
	la, _ := m.GetOrCreate(testTP, checkpoint.UUID{1}, segConfig())
	lb, _ := m.GetOrCreate(other, checkpoint.UUID{2}, segConfig())
	if m.DirOf(other) != b {
		t.Fatalf("second partition in %s", m.DirOf(other))
	}
	if got := m.MarkDirOffline(a); len(got) != 1 || got[0] != testTP {
		t.Fatalf("offline %v", got)
	}
	if _, err := la.Append(makeBatch(1, 1, 1, 1), AppendOptions{}); !errors.Is(err, ErrClosed) {
		t.Fatalf("append to offline log: %v", err)
	}
	mustAppend(t, lb, makeBatch(1, 1, 1, 1), AppendOptions{})
	if d := m.OfflineDirs(); len(d) != 1 || d[0] != a || m.DirOnline(a) {
		t.Fatalf("offline dirs %v", d)
	}
	l3, err := m.GetOrCreate(checkpoint.TopicPartition{Topic: "new", Partition: 0}, checkpoint.UUID{3}, segConfig())
	if err != nil || l3.Dir() != filepath.Join(b, "new-0") {
		t.Fatalf("new partition: %v", err)
	}
	if err := m.Checkpoint(); err != nil {
		t.Fatal(err)
	}
}
