package cleaner

import (
	"encoding/binary"
	"errors"
	"io"
	"math"

	"github.com/gofka/gofka/internal/record"
)

// Control record types (the key's second int16), as in Kafka's
// ControlRecordType.
const (
	controlAbort  = 0
	controlCommit = 1
)

// span is an offset range [first, last] of one producer.
type span struct{ first, last int64 }

// txnScan is what the header scan of a cleanable range learns: the
// aborted transactions (the ranges Kafka's .txnindex holds), the first
// offset of a transaction still open at the end of the range, and the
// last batch offset of each producer.
type txnScan struct {
	aborted   map[int64][]span
	open      map[int64]int64 // producer -> first offset of its open transaction
	lastBatch map[int64]int64 // producer -> last offset of its last batch
}

func newTxnScan() *txnScan {
	return &txnScan{aborted: map[int64][]span{}, open: map[int64]int64{}, lastBatch: map[int64]int64{}}
}

// add accounts one batch in offset order.
func (t *txnScan) add(batch []byte, h *record.Header, scratch []byte) ([]byte, error) {
	if h.ProducerID >= 0 {
		t.lastBatch[h.ProducerID] = h.LastOffset()
	}
	if !h.Transactional() {
		return scratch, nil
	}
	first, inTxn := t.open[h.ProducerID]
	if !h.Control() {
		if !inTxn {
			t.open[h.ProducerID] = h.BaseOffset
		}
		return scratch, nil
	}
	typ, scratch, err := controlType(batch, scratch)
	if err != nil {
		return scratch, err
	}
	if inTxn && typ == controlAbort {
		t.aborted[h.ProducerID] = append(t.aborted[h.ProducerID], span{first, h.BaseOffset})
	}
	delete(t.open, h.ProducerID)
	return scratch, nil
}

// firstOpen is the first offset of an open transaction, or MaxInt64.
func (t *txnScan) firstOpen() int64 {
	first := int64(math.MaxInt64)
	for _, off := range t.open {
		first = min(first, off)
	}
	return first
}

// isAborted reports whether a transactional data batch belongs to an
// aborted transaction.
func (t *txnScan) isAborted(h *record.Header) bool {
	for _, s := range t.aborted[h.ProducerID] {
		if h.BaseOffset >= s.first && h.BaseOffset < s.last {
			return true
		}
	}
	return false
}

var errBadControl = errors.New("cleaner: malformed control record")

// controlType reads the type of a control batch's marker.
func controlType(batch, scratch []byte) (int16, []byte, error) {
	typ := int16(-1)
	scratch, err := record.Iterate(batch, scratch, func(_ *record.Header, r *record.Record) error {
		if len(r.Key) < 4 {
			return errBadControl
		}
		typ = int16(binary.BigEndian.Uint16(r.Key[2:]))
		return io.EOF
	})
	if err != nil && !errors.Is(err, io.EOF) {
		return typ, scratch, err
	}
	return typ, scratch, nil
}
