package metadata

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzJournalReplay opens a journal over arbitrary file contents: it must never panic,
// and when it opens, the recovered journal must accept an append and replay it.
func FuzzJournalReplay(f *testing.F) {
	var all []byte
	for i, b := range testBatches {
		all = encodeBatch(all, int64(i*10), b)
	}
	f.Add(all)
	f.Add(encodeBatch(nil, 0, testBatches[0]))
	f.Add(encodeBatch(nil, 0, testBatches[0])[:30])
	f.Add([]byte{0, 0, 0, 16, 1, 2, 3, 4})
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, journalFile), data, 0o644); err != nil {
			t.Fatal(err)
		}
		var batches int
		im := Empty()
		j, err := OpenFileJournal(dir, func(off int64, recs []Record) error {
			batches++
			if next, err := im.Apply(off, recs); err == nil {
				im = next
			}
			return nil
		})
		if err != nil {
			return
		}
		next := j.NextOffset()
		if off, err := j.Append([]Record{&NoOpRecord{}}); err != nil || off != next {
			t.Fatalf("append after recovery = %d, %v; want %d", off, err, next)
		}
		j.Close()
		var again int
		j2, err := OpenFileJournal(dir, func(int64, []Record) error { again++; return nil })
		if err != nil || again != batches+1 {
			t.Fatalf("reopen: %v, %d batches, want %d", err, again, batches+1)
		}
		j2.Close()
	})
}
