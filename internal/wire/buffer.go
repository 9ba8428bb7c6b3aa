package wire

import (
	"encoding/binary"
	"sync"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// Pooled response buffers start at poolBufSize and are dropped instead of
// pooled when they grew beyond maxPooledBufSize, so one large response does
// not pin memory forever.
const (
	poolBufSize      = 4 << 10
	maxPooledBufSize = 1 << 20
)

var bufPool = sync.Pool{New: func() any {
	b := make([]byte, 0, poolBufSize)
	return &b
}}

// getBuf returns an empty pooled buffer.
func getBuf() *[]byte {
	bp := bufPool.Get().(*[]byte)
	*bp = (*bp)[:0]
	return bp
}

// putBuf returns bp to the pool unless it grew too large.
func putBuf(bp *[]byte) {
	if bp == nil || cap(*bp) > maxPooledBufSize {
		return
	}
	bufPool.Put(bp)
}

// appendHeader appends a zero size prefix and the response header: the
// correlation id, then an empty tagged-field section for header v1.
func appendHeader(b []byte, corr int32, flexHeader bool) []byte {
	b = append(b, 0, 0, 0, 0)
	b = binary.BigEndian.AppendUint32(b, uint32(corr))
	if flexHeader {
		b = append(b, 0)
	}
	return b
}

// encodeResponse encodes a complete frame (size prefix, header, body) for
// resp into a pooled buffer.
func encodeResponse(corr int32, flexHeader bool, resp kmsg.Response) *[]byte {
	bp := getBuf()
	b := appendHeader(*bp, corr, flexHeader)
	b = resp.AppendTo(b)
	binary.BigEndian.PutUint32(b, uint32(len(b)-4))
	*bp = b
	return bp
}

// encodePartsHeader encodes the size prefix and header of a response whose
// body is parts, into a pooled buffer.
func encodePartsHeader(corr int32, flexHeader bool, parts []Part) *[]byte {
	bp := getBuf()
	b := appendHeader(*bp, corr, flexHeader)
	size := int64(len(b) - 4)
	for i := range parts {
		size += parts[i].Len()
	}
	binary.BigEndian.PutUint32(b, uint32(size))
	*bp = b
	return bp
}
