package wire

import (
	"math/bits"
	"sync"
)

// Request frames are read into pooled buffers in power-of-two size classes
// from 4 KiB to 8 MiB; smaller and larger frames are allocated. Only the
// frames of Produce requests go back to the pool, once the handler has
// returned (see Request): they carry the bulk of the bytes a broker reads,
// and the produce handler appends the records before it returns.
const (
	minFrameClass = 12 // 4 KiB
	maxFrameClass = 23 // 8 MiB
	produceKey    = 0
)

var framePools [maxFrameClass + 1]sync.Pool

// frameClass is the pool index for a frame of size bytes, or -1 when
// frames of that size are not pooled.
func frameClass(size int) int {
	if size <= 0 {
		return -1
	}
	c := max(bits.Len(uint(size-1)), minFrameClass)
	if c > maxFrameClass {
		return -1
	}
	return c
}

// getFrame returns a buffer of length size; its contents are undefined.
func getFrame(size int) []byte {
	c := frameClass(size)
	if c < 0 {
		return make([]byte, size)
	}
	if bp, ok := framePools[c].Get().(*[]byte); ok {
		return (*bp)[:size]
	}
	return make([]byte, size, 1<<c)
}

// putFrame returns a frame from getFrame to its pool. The caller must not
// use it (or any slice of it) afterwards.
func putFrame(b []byte) {
	c := frameClass(cap(b))
	if c < 0 || cap(b) != 1<<c {
		return
	}
	b = b[:0]
	framePools[c].Put(&b)
}
