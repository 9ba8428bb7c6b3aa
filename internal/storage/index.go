package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
)

// Entry sizes of Kafka's index files.
const (
	offsetEntrySize = 8  // int32 relative offset, int32 position
	timeEntrySize   = 12 // int64 timestamp, int32 relative offset
)

// index is one index file (.index or .timeindex): fixed-size big-endian
// entries, kept in memory and written through to the file. The file of the
// active segment is preallocated to maxEntries entries and trimmed to the
// real size when the segment becomes inactive, as Kafka does.
//
// Entries are appended by one writer (under the Log mutex) and read
// lock-free: readers load the entry count before the buffer, and the writer
// stores the entry bytes before publishing the count. A buffer is never
// written below a published count; truncation copies it.
//
// Lookups never touch the file, so an inactive segment's index keeps no
// file open once it is flushed (release): a log holds one open file per
// inactive segment, its .log, as Kafka does. A write reopens it.
//
// Entries reach the file behind the appends, as Kafka's memory-mapped
// indexes do: an append writes them once pendingWriteBytes of them are
// unwritten, and sync, release, resize and trim write the rest first. A
// small Produce request adds an entry to both indexes, and writing each
// cost two pwrite calls per request. A crash may lose unwritten entries
// of segments above the recovery point only (flushTo syncs below it),
// and recovery rebuilds those indexes; a shorter index is only a sparser
// one.
type index struct {
	fmu        sync.Mutex // guards f, written and fileLen: the writer and the flusher use them
	f          *os.File   // nil when released
	path       string
	es         int // entry size
	maxEntries int
	n          atomic.Int64
	buf        atomic.Pointer[[]byte] // len = capacity in bytes
	fileLen    int64                  // current file length
	written    int                    // entries written to the file
}

// indexBytesRead counts the index bytes openIndex read, for tests.
var indexBytesRead atomic.Int64

// pendingWriteBytes is how many bytes of unwritten entries an append lets
// pile up before it writes them.
const pendingWriteBytes = 4 << 10

// openIndex opens or creates the index file at path and reads its entries.
// The entry count is the file length divided by the entry size (rounded
// down); callers sanity-check or rebuild it.
func openIndex(path string, es int, maxBytes int32) (*index, error) {
	return openIndexFile(path, es, maxBytes, true)
}

// openRebuiltIndex opens or creates the index file at path without reading
// it: recovery rebuilds its entries. An active segment's index left by a
// crash is preallocated (segment.index.bytes, 10 MiB by default) and read
// whole it cost tens of milliseconds a partition at every restart.
func openRebuiltIndex(path string, es int, maxBytes int32) (*index, error) {
	return openIndexFile(path, es, maxBytes, false)
}

func openIndexFile(path string, es int, maxBytes int32, read bool) (*index, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("storage: open index: %w", err)
	}
	x := &index{f: f, path: path, es: es, maxEntries: int(maxBytes) / es}
	if !read {
		return x, x.statEmpty()
	}
	data, err := os.ReadFile(path)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("storage: read index: %w", err)
	}
	indexBytesRead.Add(int64(len(data)))
	x.fileLen = int64(len(data))
	n := len(data) / es
	defer func() { x.written = x.count() }()
	for n > 0 && allZero(data[(n-1)*es:n*es]) {
		n-- // unused preallocated space (a crash before the trim)
	}
	buf := make([]byte, n*es)
	copy(buf, data)
	x.buf.Store(&buf)
	x.n.Store(int64(n))
	return x, nil
}

// statEmpty sets an unread index: no entries, the file's length as is.
func (x *index) statEmpty() error {
	st, err := x.f.Stat()
	if err != nil {
		x.f.Close()
		return fmt.Errorf("storage: stat index: %w", err)
	}
	x.fileLen = st.Size()
	buf := []byte{}
	x.buf.Store(&buf)
	return nil
}

// allZero reports whether an entry is all zero bytes: preallocated space.
// Dropping such trailing entries is always safe: a sparser index only
// makes lookups scan more.
func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// entries returns the published entries (read-only).
func (x *index) entries() []byte {
	n := x.n.Load()
	b := *x.buf.Load()
	return b[:int(n)*x.es]
}

// count is the number of entries.
func (x *index) count() int { return int(x.n.Load()) }

// isFull reports whether the offset index has no room left.
func (x *index) isFull() bool { return x.count() >= x.maxEntries }

// appendEntry appends one entry (len es), writing the unwritten entries to
// the file once they reach pendingWriteBytes.
func (x *index) appendEntry(e []byte) error {
	n := x.count()
	off := n * x.es
	b := *x.buf.Load()
	if off+x.es > len(b) {
		b = x.grow(off + x.es)
	}
	copy(b[off:off+x.es], e)
	x.n.Store(int64(n + 1))
	x.fmu.Lock()
	defer x.fmu.Unlock()
	if (n+1-x.written)*x.es < pendingWriteBytes {
		return nil
	}
	return x.writePendingLocked()
}

// writePendingLocked writes the entries not yet in the file; fmu held.
func (x *index) writePendingLocked() error {
	n := x.count()
	if x.written >= n {
		return nil
	}
	f, err := x.fileLocked()
	if err != nil {
		return err
	}
	b := *x.buf.Load()
	from, to := x.written*x.es, n*x.es
	if _, err := f.WriteAt(b[from:to], int64(from)); err != nil {
		return fmt.Errorf("storage: write index %s: %w", x.path, err)
	}
	x.fileLen = max(x.fileLen, int64(to))
	x.written = n
	return nil
}

// grow publishes a copy of the buffer with room for at least need bytes.
func (x *index) grow(need int) []byte {
	old := *x.buf.Load()
	c := 2 * len(old)
	if c < 64*x.es {
		c = 64 * x.es
	}
	for c < need {
		c *= 2
	}
	nb := make([]byte, c)
	copy(nb, old[:x.count()*x.es])
	x.buf.Store(&nb)
	return nb
}

// truncateEntries keeps the first k entries. It copies the buffer so that
// readers of the old entries never see them overwritten.
func (x *index) truncateEntries(k int) {
	if k >= x.count() {
		return
	}
	// Copy every old entry: a reader that loaded the old count before the
	// new buffer still finds the entries it expects.
	old := *x.buf.Load()
	nb := make([]byte, x.count()*x.es)
	copy(nb, old)
	x.n.Store(int64(k))
	x.buf.Store(&nb)
	x.fmu.Lock()
	x.written = min(x.written, k)
	x.fmu.Unlock()
}

// resize sets the file length to the preallocated size (but never below the
// entries it holds).
func (x *index) resize(maxBytes int32) error {
	x.maxEntries = int(maxBytes) / x.es
	x.fmu.Lock()
	defer x.fmu.Unlock()
	size := int64(x.maxEntries * x.es)
	if used := int64(x.count() * x.es); size < used {
		size = used
	}
	return x.setFileLen(size)
}

// trim writes the unwritten entries and cuts the file to its entries.
func (x *index) trim() error {
	x.fmu.Lock()
	defer x.fmu.Unlock()
	return x.setFileLen(int64(x.count() * x.es))
}

// setFileLen writes the unwritten entries and sets the file length; fmu
// held.
func (x *index) setFileLen(size int64) error {
	if err := x.writePendingLocked(); err != nil {
		return err
	}
	if size == x.fileLen {
		return nil
	}
	f, err := x.fileLocked()
	if err != nil {
		return err
	}
	if err := f.Truncate(size); err != nil {
		return fmt.Errorf("storage: resize index %s: %w", x.path, err)
	}
	x.fileLen = size
	return nil
}

// fileLocked returns the open index file, reopening a released one; fmu
// held.
func (x *index) fileLocked() (*os.File, error) {
	if x.f == nil {
		f, err := os.OpenFile(x.path, os.O_RDWR, 0o644)
		if err != nil {
			return nil, fmt.Errorf("storage: reopen index: %w", err)
		}
		x.f = f
	}
	return x.f, nil
}

// renamed records that the file was renamed to path, for a later reopen.
func (x *index) renamed(path string) {
	x.fmu.Lock()
	x.path = path
	x.fmu.Unlock()
}

// sync writes the unwritten entries and fsyncs the index file; a released
// one has nothing unsynced (it is only released after a sync, and a write
// reopens it).
func (x *index) sync() error {
	x.fmu.Lock()
	defer x.fmu.Unlock()
	if x.written < x.count() {
		if err := x.writePendingLocked(); err != nil {
			return err
		}
	}
	if x.f == nil {
		return nil
	}
	return x.f.Sync()
}

// release closes the file until the next write needs it. Closing a file
// closed already (a deleted segment) is not an error.
func (x *index) release() error {
	x.fmu.Lock()
	defer x.fmu.Unlock()
	if x.written < x.count() {
		if err := x.writePendingLocked(); err != nil && !errors.Is(err, os.ErrClosed) {
			return err
		}
	}
	if x.f == nil {
		return nil
	}
	err := x.f.Close()
	x.f = nil
	if errors.Is(err, os.ErrClosed) {
		err = nil
	}
	return err
}

// --- offset index ---

// offsetEntry decodes offset index entry i of e.
func offsetEntry(e []byte, i int) (rel int32, pos int32) {
	p := e[i*offsetEntrySize:]
	return int32(binary.BigEndian.Uint32(p)), int32(binary.BigEndian.Uint32(p[4:]))
}

// lookupOffset returns the position of the largest entry whose relative
// offset is <= rel, or 0 when there is none.
func lookupOffset(e []byte, rel int64) int64 {
	lo, hi := 0, len(e)/offsetEntrySize // find first entry with offset > rel
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if r, _ := offsetEntry(e, m); int64(r) <= rel {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == 0 {
		return 0
	}
	_, pos := offsetEntry(e, lo-1)
	return int64(pos)
}

// lookupPosition returns the largest entry position <= p, or 0.
func lookupPosition(e []byte, p int64) int64 {
	lo, hi := 0, len(e)/offsetEntrySize
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if _, pos := offsetEntry(e, m); int64(pos) <= p {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == 0 {
		return 0
	}
	_, pos := offsetEntry(e, lo-1)
	return int64(pos)
}

// appendOffset adds (offset, position) to an offset index whose segment
// starts at base. Entries must grow strictly, as in Kafka.
func (x *index) appendOffset(base, offset, pos int64) error {
	if x.isFull() {
		return nil
	}
	if e := x.entries(); len(e) > 0 {
		if r, _ := offsetEntry(e, len(e)/offsetEntrySize-1); base+int64(r) >= offset {
			return nil
		}
	}
	var b [offsetEntrySize]byte
	binary.BigEndian.PutUint32(b[:], uint32(offset-base))
	binary.BigEndian.PutUint32(b[4:], uint32(pos))
	return x.appendEntry(b[:])
}

// --- time index ---

// timeEntry decodes time index entry i of e.
func timeEntry(e []byte, i int) (ts int64, rel int32) {
	p := e[i*timeEntrySize:]
	return int64(binary.BigEndian.Uint64(p)), int32(binary.BigEndian.Uint32(p[8:]))
}

// lastTime returns the last time index entry, or (-1, 0) when empty.
func lastTime(e []byte) (ts int64, rel int32) {
	if len(e) == 0 {
		return -1, 0
	}
	return timeEntry(e, len(e)/timeEntrySize-1)
}

// lookupTime returns the relative offset of the largest entry whose
// timestamp is <= ts, or 0 when there is none.
func lookupTime(e []byte, ts int64) int64 {
	lo, hi := 0, len(e)/timeEntrySize
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if t, _ := timeEntry(e, m); t <= ts {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == 0 {
		return 0
	}
	_, rel := timeEntry(e, lo-1)
	return int64(rel)
}

// isTimeFull reports whether the time index is full; like Kafka it keeps
// one slot free for the entry written when the segment becomes inactive.
func (x *index) isTimeFull() bool { return x.count() >= x.maxEntries-1 }

// maybeAppendTime adds (ts, offset) when ts is larger than the last entry's
// timestamp, as Kafka's TimeIndex.maybeAppend does. skipFull allows the
// final entry into the reserved slot.
func (x *index) maybeAppendTime(base, ts, offset int64, skipFull bool) error {
	last, _ := lastTime(x.entries())
	if ts <= last || (!skipFull && x.isTimeFull()) || x.count() >= x.maxEntries {
		return nil
	}
	var b [timeEntrySize]byte
	binary.BigEndian.PutUint64(b[:], uint64(ts))
	binary.BigEndian.PutUint32(b[8:], uint32(offset-base))
	return x.appendEntry(b[:])
}
