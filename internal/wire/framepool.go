package wire

import "math/bits"

// Each connection keeps the frame of its last Produce request as a spare
// and reads the next frame into it when it fits, so a producing
// connection reads its record batches without allocating. Frames are
// allocated with their capacity rounded up to a power of two (4 KiB to
// 8 MiB) so that one spare fits the next request of similar size. Only
// Produce frames become spares, once the handler has returned (see
// Request): they carry the bulk of the bytes a broker reads, and the
// produce handler appends the records before it returns. A connection
// holds at most one spare, of at most maxSpare bytes; a shared pool was
// measured to hold several large frames at once and raise the RSS.
const (
	minFrameClass = 12 // 4 KiB
	maxFrameClass = 23 // 8 MiB
	maxSpare      = 1 << maxFrameClass
	produceKey    = 0
)

// frameCap is the capacity to allocate for a frame of size bytes.
func frameCap(size int) int {
	if size <= 0 {
		return 0
	}
	c := max(bits.Len(uint(size-1)), minFrameClass)
	if c > maxFrameClass {
		return size
	}
	return 1 << c
}

// frameBuf returns a buffer of length size for the next frame, the spare
// when it fits; its contents are undefined. Reader goroutine only.
func (c *conn) frameBuf(size int) []byte {
	if cap(c.spare) >= size {
		b := c.spare[:size]
		c.spare = nil
		return b
	}
	return make([]byte, size, frameCap(size))
}

// keepSpare keeps frame for the next read. The caller must not use it (or
// any slice of it) afterwards. Reader goroutine only.
func (c *conn) keepSpare(frame []byte) {
	if cap(frame) <= maxSpare && cap(frame) > cap(c.spare) {
		c.spare = frame[:0]
	}
}
