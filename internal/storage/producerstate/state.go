package producerstate

import (
	"fmt"
	"math"
	"sort"
)

// MaxBatches is how many batches per producer are remembered for
// duplicate detection: the producer's max.in.flight.requests.per.connection
// limit for idempotence.
const MaxBatches = 5

// NoOffset marks an absent offset.
const NoOffset = int64(-1)

// BatchMeta is the metadata of one appended batch.
type BatchMeta struct {
	FirstSeq, LastSeq       int32
	FirstOffset, LastOffset int64
	Timestamp               int64 // the batch's max timestamp
}

// Entry is one producer's state on this partition.
type Entry struct {
	ProducerID       int64
	Epoch            int16
	Batches          []BatchMeta // oldest first, at most MaxBatches
	CoordinatorEpoch int32
	TxnFirstOffset   int64 // first offset of the ongoing transaction, or NoOffset
	LastTimestamp    int64
}

// LastSeq is the last sequence appended, or -1.
func (e *Entry) LastSeq() int32 {
	if len(e.Batches) == 0 {
		return -1
	}
	return e.Batches[len(e.Batches)-1].LastSeq
}

// Batch describes an incoming producer batch.
type Batch struct {
	ProducerID    int64
	Epoch         int16
	FirstSeq      int32
	LastSeq       int32
	Transactional bool
	MaxTimestamp  int64
}

// AbortedTxn is an aborted transaction as the .txnindex stores it.
type AbortedTxn struct {
	ProducerID       int64
	FirstOffset      int64
	LastOffset       int64 // the abort marker's offset
	LastStableOffset int64
}

// State is one partition's producer state. It is not safe for concurrent
// use.
type State struct {
	producers map[int64]*Entry
	ongoing   map[int64]int64 // producer id -> first offset of its open transaction
	end       int64           // offset after the last batch applied
}

// New returns an empty state at offset start.
func New(start int64) *State {
	return &State{producers: map[int64]*Entry{}, ongoing: map[int64]int64{}, end: start}
}

// End is the offset after the last batch applied (the map end offset).
func (s *State) End() int64 { return s.end }

// SetEnd moves the map end offset, for batches that carry no producer.
func (s *State) SetEnd(off int64) { s.end = max(s.end, off) }

// Get returns the producer's entry, or nil.
func (s *State) Get(pid int64) *Entry { return s.producers[pid] }

// Len is the number of producers.
func (s *State) Len() int { return len(s.producers) }

// Entries returns the producers ordered by id.
func (s *State) Entries() []*Entry {
	out := make([]*Entry, 0, len(s.producers))
	for _, e := range s.producers {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ProducerID < out[j].ProducerID })
	return out
}

// FirstUnstableOffset is the first offset of the oldest ongoing
// transaction, or NoOffset when there is none.
func (s *State) FirstUnstableOffset() int64 {
	first := NoOffset
	for _, off := range s.ongoing {
		if first == NoOffset || off < first {
			first = off
		}
	}
	return first
}

// Check validates an incoming batch against the producer's state, as
// Kafka's ProducerAppendInfo does for client appends. A retried batch that
// is one of the last MaxBatches returns its original metadata as dup and
// must not be appended again.
func (s *State) Check(b Batch) (dup *BatchMeta, err error) {
	e := s.producers[b.ProducerID]
	if e == nil {
		return nil, nil // unknown producers may start at any sequence
	}
	if d := e.findDuplicate(b); d != nil {
		return d, nil
	}
	if b.Epoch < e.Epoch {
		return nil, fmt.Errorf("%w: producer %d epoch %d is older than %d", ErrInvalidProducerEpoch, b.ProducerID, b.Epoch, e.Epoch)
	}
	if err := e.checkTxn(b); err != nil {
		return nil, err
	}
	return nil, e.checkSequence(b)
}

func (e *Entry) findDuplicate(b Batch) *BatchMeta {
	if b.Epoch != e.Epoch {
		return nil
	}
	for i := range e.Batches {
		if e.Batches[i].FirstSeq == b.FirstSeq && e.Batches[i].LastSeq == b.LastSeq {
			d := e.Batches[i]
			return &d
		}
	}
	return nil
}

func (e *Entry) checkTxn(b Batch) error {
	if !b.Transactional && e.TxnFirstOffset != NoOffset {
		return fmt.Errorf("%w: non-transactional batch from producer %d with an ongoing transaction", ErrInvalidTxnState, b.ProducerID)
	}
	return nil
}

func (e *Entry) checkSequence(b Batch) error {
	if b.Epoch != e.Epoch {
		if b.FirstSeq != 0 && e.Epoch >= 0 {
			return fmt.Errorf("%w: producer %d new epoch %d must start at sequence 0, not %d", ErrOutOfOrderSequence, b.ProducerID, b.Epoch, b.FirstSeq)
		}
		return nil
	}
	last := e.LastSeq()
	if last >= 0 && !inSequence(last, b.FirstSeq) {
		return fmt.Errorf("%w: producer %d epoch %d: expected sequence %d, got %d", ErrOutOfOrderSequence, b.ProducerID, b.Epoch, nextSeq(last), b.FirstSeq)
	}
	return nil
}

func inSequence(last, next int32) bool { return next == nextSeq(last) }

func nextSeq(last int32) int32 {
	if last == math.MaxInt32 {
		return 0
	}
	return last + 1
}

// Append records a batch the log stored at [first, last]; it must have
// passed Check (or come from the log during recovery).
func (s *State) Append(b Batch, first, last int64) {
	e := s.producers[b.ProducerID]
	if e == nil {
		e = &Entry{ProducerID: b.ProducerID, Epoch: b.Epoch, CoordinatorEpoch: -1, TxnFirstOffset: NoOffset}
		s.producers[b.ProducerID] = e
	}
	if b.Epoch != e.Epoch {
		e.Epoch, e.Batches = b.Epoch, e.Batches[:0]
	}
	e.Batches = append(e.Batches, BatchMeta{FirstSeq: b.FirstSeq, LastSeq: b.LastSeq, FirstOffset: first, LastOffset: last, Timestamp: b.MaxTimestamp})
	if len(e.Batches) > MaxBatches {
		e.Batches = append(e.Batches[:0], e.Batches[len(e.Batches)-MaxBatches:]...)
	}
	e.LastTimestamp = b.MaxTimestamp
	if b.Transactional && e.TxnFirstOffset == NoOffset {
		e.TxnFirstOffset = first
		s.ongoing[b.ProducerID] = first
	}
	s.end = max(s.end, last+1)
}

// Marker is a transaction marker (control batch) for a producer.
type Marker struct {
	ProducerID       int64
	Epoch            int16
	CoordinatorEpoch int32
	Commit           bool
	Timestamp        int64
}

// CheckMarker validates a marker before it is appended.
func (s *State) CheckMarker(m Marker) error {
	e := s.producers[m.ProducerID]
	if e == nil {
		return nil
	}
	if m.Epoch < e.Epoch {
		return fmt.Errorf("%w: marker for producer %d epoch %d is older than %d", ErrInvalidProducerEpoch, m.ProducerID, m.Epoch, e.Epoch)
	}
	if m.CoordinatorEpoch < e.CoordinatorEpoch {
		return fmt.Errorf("%w: coordinator epoch %d is older than %d", ErrCoordinatorFenced, m.CoordinatorEpoch, e.CoordinatorEpoch)
	}
	return nil
}

// ApplyMarker records a marker stored at offset and ends the producer's
// transaction. For an abort it returns the aborted transaction to index;
// its LastStableOffset is the first unstable offset after it ends.
func (s *State) ApplyMarker(m Marker, offset int64) *AbortedTxn {
	e := s.producers[m.ProducerID]
	if e == nil {
		e = &Entry{ProducerID: m.ProducerID, Epoch: m.Epoch, TxnFirstOffset: NoOffset}
		s.producers[m.ProducerID] = e
	}
	first := e.TxnFirstOffset
	if first == NoOffset {
		first = offset
	}
	if m.Epoch != e.Epoch {
		e.Epoch, e.Batches = m.Epoch, e.Batches[:0]
	}
	e.CoordinatorEpoch, e.TxnFirstOffset, e.LastTimestamp = m.CoordinatorEpoch, NoOffset, m.Timestamp
	delete(s.ongoing, m.ProducerID)
	s.end = max(s.end, offset+1)
	if m.Commit {
		return nil
	}
	lso := s.FirstUnstableOffset()
	if lso == NoOffset {
		lso = offset + 1
	}
	return &AbortedTxn{ProducerID: m.ProducerID, FirstOffset: first, LastOffset: offset, LastStableOffset: lso}
}

// Expire removes producers without an ongoing transaction whose last
// write is older than cutoffMs (producer.id.expiration.ms).
func (s *State) Expire(cutoffMs int64) int {
	n := 0
	for pid, e := range s.producers {
		if e.TxnFirstOffset == NoOffset && e.LastTimestamp < cutoffMs {
			delete(s.producers, pid)
			n++
		}
	}
	return n
}
