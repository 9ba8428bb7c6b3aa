package txnindex

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/gofka/gofka/internal/storage/producerstate"
)

// Suffix is the index file suffix.
const Suffix = ".txnindex"

// EntrySize is the size of one entry on disk.
const EntrySize = 34

// ErrCorrupt is an index file whose length or version is wrong.
var ErrCorrupt = errors.New("txnindex: corrupt index")

// Aborted is one aborted transaction.
type Aborted = producerstate.AbortedTxn

// Index is a partition's aborted transactions, ordered by last offset.
type Index struct {
	dir string
	mu  sync.RWMutex
	all []Aborted
}

// FileName is the index file for the segment based at base.
func FileName(base int64) string { return fmt.Sprintf("%020d%s", base, Suffix) }

// Encode appends an entry's bytes.
func Encode(b []byte, a Aborted) []byte {
	b = binary.BigEndian.AppendUint16(b, 0)
	b = binary.BigEndian.AppendUint64(b, uint64(a.ProducerID))
	b = binary.BigEndian.AppendUint64(b, uint64(a.FirstOffset))
	b = binary.BigEndian.AppendUint64(b, uint64(a.LastOffset))
	return binary.BigEndian.AppendUint64(b, uint64(a.LastStableOffset))
}

// Decode parses a whole index file.
func Decode(b []byte) ([]Aborted, error) {
	if len(b)%EntrySize != 0 {
		return nil, fmt.Errorf("%w: %d bytes", ErrCorrupt, len(b))
	}
	out := make([]Aborted, 0, len(b)/EntrySize)
	for ; len(b) > 0; b = b[EntrySize:] {
		if v := binary.BigEndian.Uint16(b); v != 0 {
			return nil, fmt.Errorf("%w: version %d", ErrCorrupt, v)
		}
		out = append(out, Aborted{
			ProducerID:       int64(binary.BigEndian.Uint64(b[2:])),
			FirstOffset:      int64(binary.BigEndian.Uint64(b[10:])),
			LastOffset:       int64(binary.BigEndian.Uint64(b[18:])),
			LastStableOffset: int64(binary.BigEndian.Uint64(b[26:])),
		})
	}
	return out, nil
}

// Open loads every .txnindex file in dir, dropping entries whose marker is
// at or after upTo (they are re-indexed when the log is replayed from
// there) and rewriting files that held such entries.
func Open(dir string, upTo int64) (*Index, error) {
	x := &Index{dir: dir}
	bases, err := list(dir)
	if err != nil {
		return nil, err
	}
	for _, base := range bases {
		if err := x.loadFile(base, upTo); err != nil {
			return nil, err
		}
	}
	sort.Slice(x.all, func(i, j int) bool { return x.all[i].LastOffset < x.all[j].LastOffset })
	return x, nil
}

func (x *Index) loadFile(base, upTo int64) error {
	path := filepath.Join(x.dir, FileName(base))
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("txnindex: %w", err)
	}
	b = b[:len(b)-len(b)%EntrySize] // a torn last entry
	es, err := Decode(b)
	if err != nil {
		return fmt.Errorf("txnindex: %s: %w", path, err)
	}
	keep := es[:0]
	for _, e := range es {
		if e.LastOffset < upTo {
			keep = append(keep, e)
		}
	}
	x.all = append(x.all, keep...)
	if len(keep)*EntrySize == len(b) && len(b) > 0 {
		return nil
	}
	return rewrite(path, keep)
}

func rewrite(path string, es []Aborted) error {
	if len(es) == 0 {
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("txnindex: %w", err)
		}
		return nil
	}
	var b []byte
	for _, e := range es {
		b = Encode(b, e)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("txnindex: %w", err)
	}
	return nil
}

func list(dir string) ([]int64, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("txnindex: %w", err)
	}
	var out []int64
	for _, e := range ents {
		stem, ok := strings.CutSuffix(e.Name(), Suffix)
		if !ok || len(stem) != 20 {
			continue
		}
		if off, err := strconv.ParseInt(stem, 10, 64); err == nil {
			out = append(out, off)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}

// Add appends an aborted transaction to the index file of the segment based
// at segBase and to the list.
func (x *Index) Add(segBase int64, a Aborted) error {
	f, err := os.OpenFile(filepath.Join(x.dir, FileName(segBase)), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("txnindex: %w", err)
	}
	_, err = f.Write(Encode(nil, a))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("txnindex: %w", err)
	}
	x.mu.Lock()
	x.all = append(x.all, a)
	x.mu.Unlock()
	return nil
}

// Collect returns the aborted transactions that overlap [from, upTo):
// those whose marker is at or after from and whose first offset is below
// upTo, as Kafka's collectAbortedTransactions does.
func (x *Index) Collect(from, upTo int64) []Aborted {
	x.mu.RLock()
	defer x.mu.RUnlock()
	i := sort.Search(len(x.all), func(i int) bool { return x.all[i].LastOffset >= from })
	var out []Aborted
	for _, a := range x.all[i:] {
		if a.FirstOffset < upTo {
			out = append(out, a)
		}
	}
	return out
}

// Len is the number of aborted transactions held.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.all)
}

// Prune forgets transactions whose marker is below logStart and removes
// the index files of segments that no longer exist (bases not in segs and
// below the oldest of them).
func (x *Index) Prune(logStart int64, segs []int64) error {
	x.mu.Lock()
	i := sort.Search(len(x.all), func(i int) bool { return x.all[i].LastOffset >= logStart })
	x.all = append(x.all[:0:0], x.all[i:]...)
	x.mu.Unlock()
	if len(segs) == 0 {
		return nil
	}
	bases, err := list(x.dir)
	if err != nil {
		return err
	}
	for _, b := range bases {
		if b < segs[0] {
			if err := os.Remove(filepath.Join(x.dir, FileName(b))); err != nil && !os.IsNotExist(err) {
				return fmt.Errorf("txnindex: %w", err)
			}
		}
	}
	return nil
}

// TruncateFrom forgets the transactions whose marker is at or after offset
// (a follower truncating its log) and rewrites the files that held them.
func (x *Index) TruncateFrom(offset int64) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	i := sort.Search(len(x.all), func(i int) bool { return x.all[i].LastOffset >= offset })
	if i == len(x.all) {
		return nil
	}
	x.all = x.all[:i:i]
	bases, err := list(x.dir)
	if err != nil {
		return err
	}
	for _, base := range bases {
		path := filepath.Join(x.dir, FileName(base))
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("txnindex: %w", err)
		}
		es, err := Decode(b[:len(b)-len(b)%EntrySize])
		if err != nil {
			return fmt.Errorf("txnindex: %s: %w", path, err)
		}
		keep := es[:0]
		for _, e := range es {
			if e.LastOffset < offset {
				keep = append(keep, e)
			}
		}
		if len(keep) < len(es) || len(b)%EntrySize != 0 {
			if err := rewrite(path, keep); err != nil {
				return err
			}
		}
	}
	return nil
}
