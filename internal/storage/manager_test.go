package storage

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/storage/checkpoint"
)

func managerConfig(dirs ...string) ManagerConfig {
	return ManagerConfig{Dirs: dirs, RetentionCheckInterval: -1, RecoveryCheckpointInterval: -1,
		StartOffsetCheckpointInterval: -1, FlushCheckInterval: -1}
}

func openManager(t *testing.T, c ManagerConfig, lc Config) *Manager {
	t.Helper()
	m, err := OpenManager(c, func(checkpoint.TopicPartition) Config { return lc })
	if err != nil {
		t.Fatalf("OpenManager: %v", err)
	}
	return m
}

// fillManager creates testTP in a manager on dir and appends n two-record
// batches (offsets 2i, 2i+1) across several segments.
func fillManager(t *testing.T, dir string, n int) (*Manager, *Log) {
	m := openManager(t, managerConfig(dir), testConfig())
	l, err := m.GetOrCreate(testTP, checkpoint.UUID{1, 2, 3}, segConfig())
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		mustAppend(t, l, makeBatch(2, int64(1000+i), int64(1000+i), 75), AppendOptions{LeaderEpoch: 4})
	}
	l.SetHighWatermark(l.LogEndOffset())
	return m, l
}

// segConfig holds three 229-byte batches per segment.
func segConfig() Config {
	c := testConfig()
	c.SegmentBytes = 700
	c.IndexIntervalBytes = 200
	return c
}

func TestManagerReopenClean(t *testing.T) {
	dir := t.TempDir()
	m, l := fillManager(t, dir, 10)
	if err := l.DeleteRecordsBefore(7); err != nil {
		t.Fatal(err)
	}
	l.SetHighWatermark(15)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, checkpoint.CleanShutdownFile)); err != nil {
		t.Fatalf("clean shutdown marker: %v", err)
	}
	// Flip a value byte in the last batch: a rescan would truncate it, a
	// clean open only walks headers and keeps it.
	seg := filepath.Join(dir, testTP.String(), "00000000000000000018.log")
	b := fileBytes(t, seg)
	b[len(b)-10] ^= 0xff
	os.WriteFile(seg, b, 0o644)

	m = openManager(t, managerConfig(dir), segConfig())
	defer m.Close()
	l = m.Get(testTP)
	if l == nil || l.LogEndOffset() != 20 || l.LogStartOffset() != 7 || l.HighWatermark() != 15 || l.RecoveryPoint() != 20 {
		t.Fatalf("reopened: %+v", l)
	}
	if l.TopicID() != (checkpoint.UUID{1, 2, 3}) {
		t.Fatalf("topic id %x", l.TopicID())
	}
	if _, err := os.Stat(filepath.Join(dir, checkpoint.CleanShutdownFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("marker not consumed: %v", err)
	}
	if e, _ := l.LatestEpoch(); e != 4 {
		t.Fatalf("epoch %d", e)
	}
}

// crashCopy copies a data dir's files as they are now (a crash) to a new dir.
func crashCopy(t *testing.T, src string) string {
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.Name() == lockFile {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		return os.WriteFile(filepath.Join(dst, rel), fileBytes(t, p), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func TestManagerCrashTornTail(t *testing.T) {
	src := t.TempDir()
	m, _ := fillManager(t, src, 8) // segments 0, 6, 12 (last: batches 12-13, 14-15)
	crashed := crashCopy(t, src)
	m.Close()
	seg := filepath.Join(crashed, testTP.String(), "00000000000000000012.log")
	full := fileBytes(t, seg)
	last := 229
	step := 1
	if testing.Short() {
		step = 19 // TestRecoverTornTailEveryByte covers every byte quickly
	}
	for cut := 0; cut < last; cut += step {
		dir := crashCopy(t, crashed)
		os.WriteFile(filepath.Join(dir, testTP.String(), "00000000000000000012.log"), full[:len(full)-last+cut], 0o644)
		m := openManager(t, managerConfig(dir), segConfig())
		l := m.Get(testTP)
		if l.LogEndOffset() != 14 || l.NumSegments() != 3 {
			t.Fatalf("cut %d: LEO %d segs %d", cut, l.LogEndOffset(), l.NumSegments())
		}
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestManagerCrashCorruptCRC(t *testing.T) {
	src := t.TempDir()
	m, _ := fillManager(t, src, 10)
	dir := crashCopy(t, src)
	m.Close()
	pdir := filepath.Join(dir, testTP.String())
	seg := filepath.Join(pdir, "00000000000000000006.log")
	b := fileBytes(t, seg)
	b[229+100] ^= 1 // inside the second batch (offsets 8-9)
	os.WriteFile(seg, b, 0o644)
	m = openManager(t, managerConfig(dir), segConfig())
	defer m.Close()
	l := m.Get(testTP)
	if l.LogEndOffset() != 8 || l.NumSegments() != 2 || l.Size() != 3*229+229 {
		t.Fatalf("LEO %d segs %d size %d", l.LogEndOffset(), l.NumSegments(), l.Size())
	}
	if got := segFiles(t, pdir, ".log"); !slices.Equal(got, []string{"00000000000000000000.log", "00000000000000000006.log"}) {
		t.Fatalf("files %v", got)
	}
}

func TestManagerRebuildsIndexes(t *testing.T) {
	src := t.TempDir()
	m, l := fillManager(t, src, 10)
	if err := l.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := m.Checkpoint(); err != nil { // recovery point 20: no rescan needed
		t.Fatal(err)
	}
	m.Close()
	pdir := filepath.Join(src, testTP.String())
	idx := filepath.Join(pdir, "00000000000000000000.index")
	tidx := filepath.Join(pdir, "00000000000000000006.timeindex")
	wantIdx, wantTidx := fileBytes(t, idx), fileBytes(t, tidx)
	if len(wantIdx) == 0 || len(wantTidx) == 0 {
		t.Fatal("expected index entries")
	}
	for _, tc := range []struct {
		name  string
		clean bool
	}{{"crash", false}, {"clean", true}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := crashCopy(t, src)
			if !tc.clean {
				os.Remove(filepath.Join(dir, checkpoint.CleanShutdownFile))
			}
			p := filepath.Join(dir, testTP.String())
			os.Remove(filepath.Join(p, "00000000000000000000.index"))
			os.WriteFile(filepath.Join(p, "00000000000000000006.timeindex"), bytes.Repeat([]byte{0xff}, 24), 0o644)
			m := openManager(t, managerConfig(dir), segConfig())
			if l := m.Get(testTP); l.LogEndOffset() != 20 {
				t.Fatalf("LEO %d", l.LogEndOffset())
			}
			if err := m.Close(); err != nil {
				t.Fatal(err)
			}
			if got := fileBytes(t, filepath.Join(p, "00000000000000000000.index")); !bytes.Equal(got, wantIdx) {
				t.Errorf("index %x, want %x", got, wantIdx)
			}
			if got := fileBytes(t, filepath.Join(p, "00000000000000000006.timeindex")); !bytes.Equal(got, wantTidx) {
				t.Errorf("timeindex %x, want %x", got, wantTidx)
			}
		})
	}
}

func TestManagerDirs(t *testing.T) {
	d1, d2 := t.TempDir(), t.TempDir()
	m := openManager(t, managerConfig(d1, d2), testConfig())
	if _, err := OpenManager(managerConfig(d2), nil); !errors.Is(err, ErrDirLocked) {
		t.Fatalf("second manager on a locked dir: %v", err)
	}
	id := checkpoint.UUID{9}
	for p := int32(0); p < 4; p++ {
		if _, err := m.GetOrCreate(checkpoint.TopicPartition{Topic: "t", Partition: p}, id, testConfig()); err != nil {
			t.Fatal(err)
		}
	}
	tp0 := checkpoint.TopicPartition{Topic: "t", Partition: 0}
	if m.DirOf(tp0) != d1 || m.DirOf(checkpoint.TopicPartition{Topic: "t", Partition: 1}) != d2 {
		t.Fatal("partitions not spread over dirs")
	}
	if got, err := checkpoint.ReadPartitionMetadata(filepath.Join(d1, "t-0", checkpoint.PartitionMetadataFile)); err != nil || got != id {
		t.Fatalf("partition.metadata: %x %v", got, err)
	}
	if _, err := m.GetOrCreate(tp0, checkpoint.UUID{8}, testConfig()); !errors.Is(err, ErrTopicIDMismatch) {
		t.Fatalf("topic id mismatch: %v", err)
	}
	if len(m.Logs()) != 4 {
		t.Fatalf("logs %d", len(m.Logs()))
	}
	if err := m.Delete(tp0); err != nil || m.Get(tp0) != nil {
		t.Fatalf("delete: %v", err)
	}
	if ents, _ := os.ReadDir(d1); slices.ContainsFunc(ents, func(e os.DirEntry) bool { return e.Name() == "t-0" }) {
		t.Fatal("partition dir left behind")
	}
	os.MkdirAll(filepath.Join(d2, "t-9.0123456789abcdef0123456789abcdef-delete"), 0o755)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	offs, err := checkpoint.ReadOffsets(filepath.Join(d2, checkpoint.RecoveryPointCheckpointFile))
	if err != nil || len(offs) != 2 {
		t.Fatalf("recovery checkpoint: %v %v", offs, err)
	}
	m = openManager(t, managerConfig(d1, d2), testConfig())
	defer m.Close()
	if len(m.Logs()) != 3 {
		t.Fatalf("reopened logs %d", len(m.Logs()))
	}
	if _, err := os.Stat(filepath.Join(d2, "t-9.0123456789abcdef0123456789abcdef-delete")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("leftover -delete dir not removed")
	}
}

func TestManagerBackground(t *testing.T) {
	dir := t.TempDir()
	clk := newClock()
	c := managerConfig(dir)
	c.RetentionCheckInterval = 5 * time.Millisecond
	c.RecoveryCheckpointInterval = 5 * time.Millisecond
	c.StartOffsetCheckpointInterval = 5 * time.Millisecond
	c.FlushCheckInterval = 5 * time.Millisecond
	c.Now = clk.Now
	lc := segConfig()
	lc.RetentionMs = 1000
	lc.FlushMs = 100
	m := openManager(t, c, lc)
	defer m.Close()
	l, err := m.GetOrCreate(testTP, checkpoint.UUID{}, lc)
	if err != nil {
		t.Fatal(err)
	}
	now := clk.Now().UnixMilli()
	for i := int64(0); i < 7; i++ {
		mustAppend(t, l, makeBatch(1, now+i, now+i, 150), AppendOptions{})
	}
	l.SetHighWatermark(l.LogEndOffset())
	clk.Add(200 * time.Millisecond)
	waitFor(t, func() bool {
		clk.Add(10 * time.Millisecond) // a roll flush may have just reset the flush.ms timer
		return l.RecoveryPoint() == l.LogEndOffset()
	})
	clk.Add(2 * time.Second)
	waitFor(t, func() bool { return l.LogStartOffset() == 7 })
	waitFor(t, func() bool {
		offs, _ := checkpoint.ReadOffsets(filepath.Join(dir, checkpoint.RecoveryPointCheckpointFile))
		return offs[testTP] == 7
	})
}

// waitFor polls cond until it holds or 30 seconds pass (fsyncs on a busy
// machine can be slow).
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(time.Millisecond)
	}
}

// The clean shutdown markers carry the broker epoch to the next start
// (KIP-966); a dir without one (a crash) makes it NoBrokerEpoch.
func TestManagerPreviousBrokerEpoch(t *testing.T) {
	d1, d2 := t.TempDir(), t.TempDir()
	c := managerConfig(d1, d2)
	c.BrokerEpoch = func() int64 { return 42 }
	m := openManager(t, c, segConfig())
	if got := m.PreviousBrokerEpoch(); got != checkpoint.NoBrokerEpoch {
		t.Fatalf("first start: %d", got)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	m = openManager(t, c, segConfig())
	if got := m.PreviousBrokerEpoch(); got != 42 {
		t.Fatalf("after a clean shutdown: %d", got)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(d2, checkpoint.CleanShutdownFile)); err != nil {
		t.Fatal(err)
	}
	m = openManager(t, c, segConfig())
	defer m.Close()
	if got := m.PreviousBrokerEpoch(); got != checkpoint.NoBrokerEpoch {
		t.Fatalf("one dir without a marker: %d", got)
	}
}
