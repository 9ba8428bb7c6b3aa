package record

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that no codec leaves goroutines behind: pooled zstd and
// lz4 coders must run synchronously.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
