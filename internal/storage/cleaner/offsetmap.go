package cleaner

import (
	"crypto/md5"
	"encoding/binary"
)

// hashSize is the key hash size (MD5, as Kafka's SkimpyOffsetMap) and
// entrySize a slot: the hash and an 8-byte offset.
const (
	hashSize  = md5.Size
	entrySize = hashSize + 8
)

// OffsetMap maps key hashes to the latest offset seen, in a fixed budget:
// an open-addressing table in one byte slice, with linear probing. Two
// keys with the same MD5 count as one key (as in Kafka). It never grows:
// callers stop adding when Full.
type OffsetMap struct {
	buf        []byte
	slots      int
	entries    int
	maxEntries int
	latest     int64
}

// NewOffsetMap allocates a map using memory bytes, to be filled to
// loadFactor of its slots.
func NewOffsetMap(memory int64, loadFactor float64) *OffsetMap {
	slots := max(int(memory/entrySize), 1)
	return &OffsetMap{
		buf:        make([]byte, slots*entrySize),
		slots:      slots,
		maxEntries: max(int(float64(slots)*loadFactor), 1),
		latest:     -1,
	}
}

// Slots is the number of slots; Len the keys held; Latest the largest
// offset put (-1 when empty).
func (m *OffsetMap) Slots() int       { return m.slots }
func (m *OffsetMap) Len() int         { return m.entries }
func (m *OffsetMap) Latest() int64    { return m.latest }
func (m *OffsetMap) Full() bool       { return m.entries >= m.maxEntries }
func (m *OffsetMap) Capacity() int    { return m.maxEntries }
func (m *OffsetMap) MemoryBytes() int { return len(m.buf) }

// Clear empties the map, keeping its memory. An empty map is left
// untouched, so a fresh map's pages are not faulted in before use.
func (m *OffsetMap) Clear() {
	if m.entries == 0 && m.latest < 0 {
		return
	}
	clear(m.buf)
	m.entries, m.latest = 0, -1
}

// slot finds key's slot, or the empty slot where it would go (-1 when
// the table is full).
func (m *OffsetMap) slot(h *[hashSize]byte) (int, bool) {
	i := int(binary.BigEndian.Uint64(h[:8]) % uint64(m.slots))
	for range m.slots {
		e := m.buf[i*entrySize : i*entrySize+hashSize]
		if string(e) == string(h[:]) {
			return i, true
		}
		if isEmpty(e) {
			return i, false
		}
		if i++; i == m.slots {
			i = 0
		}
	}
	return -1, false
}

func isEmpty(e []byte) bool {
	return binary.BigEndian.Uint64(e) == 0 && binary.BigEndian.Uint64(e[8:]) == 0
}

// Put records offset as key's latest. A new key in a full map is
// dropped (callers check Full before each batch).
func (m *OffsetMap) Put(key []byte, offset int64) {
	h := md5.Sum(key)
	i, found := m.slot(&h)
	if !found {
		if i < 0 {
			return
		}
		copy(m.buf[i*entrySize:], h[:])
		m.entries++
	}
	binary.BigEndian.PutUint64(m.buf[i*entrySize+hashSize:], uint64(offset))
	m.latest = max(m.latest, offset)
}

// Get returns key's latest offset, or -1.
func (m *OffsetMap) Get(key []byte) int64 {
	h := md5.Sum(key)
	i, found := m.slot(&h)
	if !found {
		return -1
	}
	return int64(binary.BigEndian.Uint64(m.buf[i*entrySize+hashSize:]))
}

// keepMapBytes is the largest offset map a worker keeps between passes.
// Larger maps are dropped when their pass ends: a map sized for a big
// dirty range would otherwise stay live and, through GOGC, let the heap
// (and the RSS) grow by as much again before the next collection.
const keepMapBytes = 1 << 20

// mapBytes is the memory for a map of keys keys at loadFactor, within
// budget: Kafka's SkimpyOffsetMap always takes the whole budget; sizing
// it to the dirty range keeps the same capacity for that range.
func mapBytes(keys int64, loadFactor float64, budget int64) int64 {
	slots := int64(float64(keys)/loadFactor) + 1
	return min(max(slots, 64)*entrySize, max(budget, entrySize))
}

// sizeMap gives the worker an empty map with room for keys keys (at most
// its budget), reusing the current one when it is big enough and not
// much bigger.
func (w *worker) sizeMap(keys int64) *OffsetMap {
	need := mapBytes(keys, w.load, w.budget)
	if w.m != nil && int64(w.m.MemoryBytes()) >= need && int64(w.m.MemoryBytes()) <= 4*need {
		w.m.Clear()
		return w.m
	}
	w.m = NewOffsetMap(need, w.load)
	return w.m
}

// dropLargeMap releases a map too large to keep between passes.
func (w *worker) dropLargeMap() {
	if w.m != nil && w.m.MemoryBytes() > keepMapBytes {
		w.m = nil
	}
}
