package group

import (
	"testing"

	"github.com/gofka/gofka/internal/record"
)

// FuzzReplayBatch feeds arbitrary batches of __consumer_offsets to the
// replay (offset commits, transactional commits and markers among the
// seeds): it may reject them but must not panic.
func FuzzReplayBatch(f *testing.F) {
	h := newHarness(nil)
	h.commit("g", "", -1, "t", 0, "md")
	h.txnCommit("g", "", -1, 7, "t", 1, 5)
	for _, b := range h.store.parts[h.c.PartitionFor("g")] {
		f.Add(b)
	}
	f.Add(markerBatch(7, true))
	rb := record.NewBuilder(record.CodecNone, 0, 0)
	rb.SetControl(true)
	rb.Add(record.Record{Key: []byte{0}})
	if b, err := rb.Build(nil); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, batch []byte) {
		c := New(DefaultConfig(), newFakeClock(), newFakeStore(), func() Metadata { return fakeMeta{"t": 2} })
		c.do(func() { _ = c.replayBatch(0, batch) })
	})
}
