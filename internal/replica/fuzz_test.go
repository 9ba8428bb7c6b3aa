package replica

import (
	"testing"

	"github.com/gofka/gofka/internal/record"
)

// FuzzWholeBatches: whatever bytes a leader sends, wholeBatches returns a
// prefix of them made of complete batches with valid CRCs, or an error,
// and never panics.
func FuzzWholeBatches(f *testing.F) {
	b := record.NewBuilder(record.CodecNone, 0, 1)
	b.Add(record.Record{Value: []byte("value")})
	batch, err := b.Build(nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(batch)
	f.Add(append(append([]byte{}, batch...), batch[:20]...))
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := wholeBatches(in)
		if err != nil {
			return
		}
		if len(out) > len(in) || string(out) != string(in[:len(out)]) {
			t.Fatalf("result is not a prefix of the input")
		}
		if err := record.Split(out, record.CheckCRC); err != nil {
			t.Fatalf("returned bytes do not split into valid batches: %v", err)
		}
	})
}
