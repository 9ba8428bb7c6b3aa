package metadata

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// Journal is a durable, ordered log of metadata record batches. FileJournal is the
// local implementation; the Raft-replicated metadata log will implement it later.
type Journal interface {
	// Append durably (fsync) writes one atomic batch of records and returns the offset of
	// its last record. Offsets count records from 0.
	Append(recs []Record) (lastOffset int64, err error)
	Close() error
}

// journalFile is the name of FileJournal's file inside its directory.
const journalFile = "journal"

// FileJournal is a Journal kept in one local file of framed batches:
//
//	length     uint32  bytes after this field
//	crc        uint32  CRC-32C (Castagnoli) of everything after this field
//	baseOffset int64   offset of the batch's first record
//	count      int32   number of records (at least 1)
//	records    count × (uvarint size, EncodeRecord bytes at the record's HighestVersion)
//
// All integers are big-endian. A batch is written with one write and an fsync, so after a
// crash the file holds whole batches followed at most by one torn batch, which
// OpenFileJournal truncates.
type FileJournal struct {
	mu struct {
		sync.Mutex
		f      *os.File
		size   int64 // bytes of complete batches; the next batch is written here
		next   int64 // offset of the next record
		broken error // set when a failed write could not be undone
	}
}

var _ Journal = (*FileJournal)(nil)

// OpenFileJournal opens or creates dir/journal, replays every complete batch through fn
// in order (fn gets the offset of the batch's last record, ready for Image.Apply), then
// truncates a torn or CRC-corrupt tail and is ready for Append. A batch with a valid CRC
// that does not decode, and any error from fn, fail the open.
func OpenFileJournal(dir string, fn func(offset int64, recs []Record) error) (*FileJournal, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("metadata: journal: %w", err)
	}
	path := filepath.Join(dir, journalFile)
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("metadata: journal: %w", err)
	}
	if errors.Is(statErr, os.ErrNotExist) {
		if err := syncDir(dir); err != nil {
			f.Close()
			return nil, err
		}
	}
	j := &FileJournal{}
	j.mu.f = f
	if err := j.recover(fn); err != nil {
		f.Close()
		return nil, err
	}
	return j, nil
}

// recover replays the file and truncates whatever follows the last complete batch.
func (j *FileJournal) recover(fn func(int64, []Record) error) error {
	f := j.mu.f
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("metadata: journal: %w", err)
	}
	good, next, err := replay(f, st.Size(), fn)
	if err != nil {
		return err
	}
	if good < st.Size() {
		if err := f.Truncate(good); err != nil {
			return fmt.Errorf("metadata: journal: truncate torn tail: %w", err)
		}
		if err := f.Sync(); err != nil {
			return fmt.Errorf("metadata: journal: %w", err)
		}
	}
	j.mu.size, j.mu.next = good, next
	return nil
}

// Append implements Journal. An empty batch writes nothing and returns the offset of
// the last record already in the journal (-1 when there is none).
func (j *FileJournal) Append(recs []Record) (int64, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	switch {
	case j.mu.f == nil:
		return 0, ErrClosed
	case j.mu.broken != nil:
		return 0, j.mu.broken
	case len(recs) == 0:
		return j.mu.next - 1, nil
	}
	buf := encodeBatch(nil, j.mu.next, recs)
	if err := j.writeLocked(buf); err != nil {
		return 0, err
	}
	j.mu.size += int64(len(buf))
	j.mu.next += int64(len(recs))
	return j.mu.next - 1, nil
}

// writeLocked writes and syncs one batch at the end of the journal, undoing a partial write.
func (j *FileJournal) writeLocked(buf []byte) error {
	f := j.mu.f
	_, err := f.WriteAt(buf, j.mu.size)
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		return nil
	}
	err = fmt.Errorf("metadata: journal append: %w", err)
	if terr := f.Truncate(j.mu.size); terr != nil {
		j.mu.broken = fmt.Errorf("%w (undo failed: %v)", err, terr)
	}
	return err
}

// NextOffset returns the offset the next appended record will get.
func (j *FileJournal) NextOffset() int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.mu.next
}

// Close closes the journal file; later Appends return ErrClosed.
func (j *FileJournal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.mu.f == nil {
		return ErrClosed
	}
	err := j.mu.f.Close()
	j.mu.f = nil
	if err != nil {
		return fmt.Errorf("metadata: journal close: %w", err)
	}
	return nil
}

// syncDir fsyncs a directory so a newly created file's entry is durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("metadata: journal: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("metadata: journal: sync dir: %w", err)
	}
	return nil
}
