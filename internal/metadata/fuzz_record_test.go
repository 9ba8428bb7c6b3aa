package metadata

import (
	"reflect"
	"testing"
)

// FuzzDecodeRecord checks DecodeRecord never panics, and that whatever it accepts
// re-encodes to bytes that decode to the same record.
func FuzzDecodeRecord(f *testing.F) {
	f.Add(readHex(f, "topic_record_v0.hex"))
	f.Add(readHex(f, "partition_record_v2.hex"))
	for _, key := range recordAPIKeys {
		rec, _ := NewRecord(key)
		v := rec.HighestVersion()
		f.Add(EncodeRecord(nil, testSample(key, v, false), v))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		rec, v, err := DecodeRecord(b)
		if err != nil {
			return
		}
		again, v2, err := DecodeRecord(EncodeRecord(nil, rec, v))
		if err != nil || v2 != v {
			t.Fatalf("re-decode: %v (version %d vs %d)", err, v2, v)
		}
		if !reflect.DeepEqual(rec, again) {
			t.Fatalf("re-decode differs:\n%+v\n%+v", rec, again)
		}
	})
}
