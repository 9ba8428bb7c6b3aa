package cleaner

import (
	"testing"

	"github.com/gofka/gofka/internal/record"
)

// FuzzFilterBatch runs the cleaner's per-batch filter on arbitrary batch
// bytes with a valid header: it must return an error or batches that
// parse, never panic.
func FuzzFilterBatch(f *testing.F) {
	f.Add(build(f, 1000, []rec{kv("a", "1"), tomb("b")}, batchOpts{}))
	f.Add(build(f, 1000, []rec{kv("a", "1")}, batchOpts{pid: 3, txn: true, codec: record.CodecZstd}))
	f.Add(marker(f, 1000, 3, true))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := record.ParseHeader(b)
		if err != nil || h.Size() > len(b) {
			return
		}
		b = b[:h.Size()]
		c := New(Config{DedupeBufferSize: 24 * 64}, Source{})
		w := c.newWorker()
		w.sizeMap(1).Put([]byte("a"), 5)
		ps := &pass{w: w, pol: Policy{DeleteRetentionMs: 10}, p: &plan{}, nowMs: 2000, txn: newTxnScan(),
			scan: 1 << 40, txnData: map[int64]bool{}, l: nil}
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("panic: %v", r)
			}
		}()
		out, err := ps.filterBatch(nil, b, &h)
		if err != nil {
			return
		}
		if err := record.Split(out, func(nb []byte) error { _, err := record.ParseHeader(nb); return err }); err != nil {
			t.Fatalf("filtered output does not frame: %v", err)
		}
	})
}
