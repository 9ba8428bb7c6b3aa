package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/record"
	"github.com/gofka/gofka/internal/storage/checkpoint"
)

// copyDir copies the regular files of src into a new directory dst.
func copyDir(src, dst string) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	ents, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if e.Type().IsRegular() {
			if err := copyFile(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// current returns the manager's log of testTP once it differs from old.
func current(m *Manager, old *Log) *Log {
	for {
		if l := m.Get(testTP); l != nil && l != old {
			return l
		}
	}
}

// appendUntil appends one-record batches until stop closes, following the
// log across the move; ErrClosed (the swap) is the only error retried.
// After fastAppends it appends once a millisecond: an unthrottled writer
// on a machine with slow fsyncs outruns the move's copy rounds and fills
// the log with segments (three open files each) until the process runs
// out of files.
func appendUntil(m *Manager, l *Log, stop <-chan struct{}) error {
	const fastAppends = 50_000
	for i := 0; ; i++ {
		if i >= fastAppends {
			time.Sleep(time.Millisecond)
		}
		select {
		case <-stop:
			return nil
		default:
		}
		_, err := l.Append(makeBatch(1, 5000, 5000, 100), AppendOptions{})
		switch {
		case errors.Is(err, ErrClosed):
			l = current(m, l)
		case err != nil:
			return err
		default:
			l.SetHighWatermark(l.LogEndOffset())
		}
	}
}

// readUntil reads the log from offset 0 until it reaches want, following
// the log across the move, and checks every batch follows the last.
func readUntil(m *Manager, l *Log, want <-chan int64) error {
	next, end := int64(0), int64(-1)
	for end < 0 || next < end {
		select {
		case end = <-want:
		default:
		}
		s, err := l.Read(next, 64<<10, l.HighWatermark(), true)
		if errors.Is(err, ErrClosed) {
			l = current(m, l)
			continue
		}
		if err != nil {
			return err
		}
		if next, err = checkSlice(s, next); err != nil {
			return err
		}
	}
	return nil
}

// checkSlice checks the batches of s start at next and returns the
// offset after them.
func checkSlice(s Slice, next int64) (int64, error) {
	if s.Size == 0 {
		return next, nil
	}
	b := make([]byte, s.Size)
	if _, err := s.File.ReadAt(b, s.Pos); err != nil {
		return next, err
	}
	err := record.Split(b, func(batch []byte) error {
		h, err := record.ParseHeader(batch)
		if err == nil && h.BaseOffset != next {
			err = fmt.Errorf("batch at %d, want %d", h.BaseOffset, next)
		}
		next = h.LastOffset() + 1
		return err
	})
	return next, err
}

// TestMoveLogOnline moves a large log while a writer appends and a reader
// reads it: neither sees an error but the swap's ErrClosed, every record
// is in the moved log once, and a Slice of the old log stays readable.
func TestMoveLogOnline(t *testing.T) {
	m, a, b := twoDirManager(t)
	defer m.Close()
	c := testConfig()
	c.SegmentBytes = 256 << 10
	c.FileDeleteDelayMs = 60_000
	l, err := m.GetOrCreate(testTP, checkpoint.UUID{1}, c)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 12_000 {
		mustAppend(t, l, makeBatch(2, int64(1000+i), int64(1000+i), 150), AppendOptions{})
	}
	l.SetHighWatermark(l.LogEndOffset())
	held, err := l.Read(0, 4096, l.HighWatermark(), true)
	if err != nil {
		t.Fatal(err)
	}
	stop, want := make(chan struct{}), make(chan int64, 1)
	written, read := make(chan error, 1), make(chan error, 1)
	go func() { written <- appendUntil(m, l, stop) }()
	go func() { read <- readUntil(m, l, want) }()
	nl, err := m.MoveLog(testTP, b)
	if err != nil {
		close(stop)
		t.Fatalf("move: %v", err) // the reader goroutine never gets want: it ends with the test binary
	}
	mustAppend(t, nl, makeBatch(1, 6000, 6000, 10), AppendOptions{})
	close(stop)
	werr := <-written // the writer's last append is in before the end is read
	end := nl.LogEndOffset()
	nl.SetHighWatermark(end)
	want <- end
	rerr := <-read
	if werr != nil || rerr != nil {
		t.Fatalf("writer %v, reader %v", werr, rerr)
	}
	if m.DirOf(testTP) != b || dirExists(filepath.Join(a, testTP.String())) {
		t.Fatalf("in %s", m.DirOf(testTP))
	}
	if got := batchesIn(t, readSlice(t, held)); len(got) == 0 || got[0][0] != 0 {
		t.Fatalf("held slice: %v", got)
	}
	if next, err := checkSlice(mustRead(t, nl, 0), 0); err != nil || next == 0 {
		t.Fatalf("moved log: %d %v", next, err)
	}
}

func mustRead(t *testing.T, l *Log, off int64) Slice {
	t.Helper()
	s, err := l.Read(off, 1<<30, l.LogEndOffset(), true)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func dirExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
