package format

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to every decoder of the reader: none
// may panic. Seeds are the golden files.
func FuzzDecode(f *testing.F) {
	gs, _ := filepath.Glob("testdata/*.golden")
	for _, g := range gs {
		if b, err := os.ReadFile(g); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		decodeLog(b)
		decodeOffsetIndex(b)
		decodeTimeIndex(b)
		decodeTxnIndex(b)
		decodeSnapshot(b)
		decodeCheckpoint(b, 2)
		decodeCheckpoint(b, 3)
		decodePartitionMetadata(b)
		decodeProperties(b)
	})
}
