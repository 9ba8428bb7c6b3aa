package metadata

import (
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// replayed is what a journal replay passed to fn.
type replayed struct {
	offsets []int64
	recs    [][]Record
}

func (r *replayed) fn(off int64, recs []Record) error {
	r.offsets = append(r.offsets, off)
	r.recs = append(r.recs, recs)
	return nil
}

func openJournal(t *testing.T, dir string) (*FileJournal, *replayed) {
	t.Helper()
	var r replayed
	j, err := OpenFileJournal(dir, r.fn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j, &r
}

var testBatches = [][]Record{
	{topicRec("a", 1), partRec(1, 0, 1, 2)},
	{&FeatureLevelRecord{Name: MetadataVersionFeature, FeatureLevel: 21}},
	{configRec(ConfigResourceTopic, "a", "k", stringPtr("v")), configRec(ConfigResourceTopic, "a", "j", nil), brokerRec(1, 3)},
}

func TestJournalAppendReplay(t *testing.T) {
	dir := t.TempDir()
	j, r := openJournal(t, dir)
	if len(r.offsets) != 0 || j.NextOffset() != 0 {
		t.Fatal("new journal not empty")
	}
	var want []int64
	for _, b := range testBatches {
		off, err := j.Append(b)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, off)
	}
	if !reflect.DeepEqual(want, []int64{1, 2, 5}) {
		t.Fatalf("offsets %v", want)
	}
	if off, err := j.Append(nil); err != nil || off != 5 {
		t.Fatalf("empty append = %d, %v", off, err)
	}
	j.Close()
	if _, err := j.Append(testBatches[0]); !errors.Is(err, ErrClosed) {
		t.Fatalf("append after close: %v", err)
	}
	j2, r2 := openJournal(t, dir)
	if !reflect.DeepEqual(r2.offsets, want) || j2.NextOffset() != 6 {
		t.Fatalf("replayed offsets %v next %d", r2.offsets, j2.NextOffset())
	}
	for i, recs := range r2.recs {
		if len(recs) != len(testBatches[i]) || !reflect.DeepEqual(recs[0], testBatches[i][0]) {
			t.Fatalf("batch %d: %+v", i, recs)
		}
	}
	im := Empty()
	for i, recs := range r2.recs {
		var err error
		if im, err = im.Apply(r2.offsets[i], recs); err != nil {
			t.Fatal(err)
		}
	}
	if im.Offset != 5 || im.Topic("a") == nil || im.MetadataVersion != 21 || im.Brokers[1] == nil {
		t.Fatalf("image from replay: %+v", im)
	}
}

// writeJournal writes testBatches and returns the file bytes and each batch's end.
func writeJournal(t *testing.T) ([]byte, []int) {
	dir := t.TempDir()
	j, _ := openJournal(t, dir)
	var ends []int
	for _, b := range testBatches {
		if _, err := j.Append(b); err != nil {
			t.Fatal(err)
		}
		ends = append(ends, int(j.mu.size))
	}
	j.Close()
	data, err := os.ReadFile(filepath.Join(dir, journalFile))
	if err != nil {
		t.Fatal(err)
	}
	return data, ends
}

// TestJournalTornTail cuts the journal at every byte and checks recovery keeps exactly the
// complete batches, truncates the rest, and appends correctly afterwards.
func TestJournalTornTail(t *testing.T) {
	data, ends := writeJournal(t)
	for cut := 0; cut <= len(data); cut++ {
		complete, good := 0, 0
		for complete < len(ends) && ends[complete] <= cut {
			good = ends[complete]
			complete++
		}
		dir := t.TempDir()
		path := filepath.Join(dir, journalFile)
		if err := os.WriteFile(path, data[:cut], 0o644); err != nil {
			t.Fatal(err)
		}
		j, r := openJournal(t, dir)
		if len(r.offsets) != complete {
			t.Fatalf("cut %d: replayed %d batches, want %d", cut, len(r.offsets), complete)
		}
		if st, _ := os.Stat(path); st.Size() != int64(good) {
			t.Fatalf("cut %d: size %d after recovery, want %d", cut, st.Size(), good)
		}
		next := j.NextOffset()
		if off, err := j.Append([]Record{&NoOpRecord{}}); err != nil || off != next {
			t.Fatalf("cut %d: append = %d, %v; want %d", cut, off, err, next)
		}
		j.Close()
		_, r2 := openJournal(t, dir)
		if len(r2.offsets) != complete+1 || r2.offsets[complete] != next {
			t.Fatalf("cut %d: after append replayed %v", cut, r2.offsets)
		}
	}
}

func TestJournalCorruptTail(t *testing.T) {
	data, ends := writeJournal(t)
	for _, pos := range []int{ends[1] + 5, ends[1] + 20, len(data) - 1} {
		bad := append([]byte(nil), data...)
		bad[pos] ^= 0x40
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, journalFile), bad, 0o644)
		_, r := openJournal(t, dir)
		if len(r.offsets) != 2 {
			t.Fatalf("flip at %d: replayed %d batches, want 2", pos, len(r.offsets))
		}
	}
}

func TestJournalBadBatches(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"wrong base offset", encodeBatch(nil, 7, testBatches[1])},
		{"unknown record type", func() []byte {
			b := encodeBatch(nil, 0, []Record{&NoOpRecord{}})
			b[batchHeaderSize+2] = 99 // api key of the record
			return fixCRC(b)
		}()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, journalFile), tc.data, 0o644)
			if _, err := OpenFileJournal(dir, (&replayed{}).fn); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("err = %v, want ErrCorrupt", err)
			}
		})
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, journalFile), encodeBatch(nil, 0, testBatches[0]), 0o644)
	boom := errors.New("boom")
	if _, err := OpenFileJournal(dir, func(int64, []Record) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("fn error not returned: %v", err)
	}
}

// fixCRC recomputes the CRC of a single batch after a test edits it.
func fixCRC(b []byte) []byte {
	crc := crcOf(b[8:])
	b[4], b[5], b[6], b[7] = byte(crc>>24), byte(crc>>16), byte(crc>>8), byte(crc)
	return b
}

func crcOf(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }
