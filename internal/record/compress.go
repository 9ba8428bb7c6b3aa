package record

import (
	"fmt"
	"io"
	"slices"
)

// MaxDecompressed bounds how large one compressed records section may
// inflate, so that a small malicious batch (a zip bomb) cannot exhaust
// memory. Decompress, Iterate, Validate and Recompress read it on every
// call; set it only at startup.
var MaxDecompressed = 256 << 20

// Compress appends src compressed with c to dst (which may be nil), in the
// format Kafka and its clients use: gzip (RFC 1952), snappy in xerial
// framing as the Java client writes it, lz4 frames with independent 64 KiB
// blocks as Kafka's Lz4BlockOutputStream writes them, zstd frames.
// CodecNone appends src as is.
func Compress(dst []byte, c Codec, src []byte) ([]byte, error) {
	switch c {
	case CodecNone:
		return append(dst, src...), nil
	case CodecGzip:
		return gzipCompress(dst, src)
	case CodecSnappy:
		return snappyCompress(dst, src), nil
	case CodecLZ4:
		return lz4Compress(dst, src)
	case CodecZstd:
		return zstdCompress(dst, src), nil
	}
	return dst, fmt.Errorf("record: compress: unknown codec %d", int8(c))
}

// Decompress appends src decompressed with c to dst (which may be nil).
// Snappy accepts both xerial-framed streams and raw snappy blocks. Output
// beyond MaxDecompressed bytes is refused with an error matching
// ErrTooLarge; malformed input gives an error matching ErrCorrupt.
func Decompress(dst []byte, c Codec, src []byte) ([]byte, error) {
	return decompress(dst, c, src, MaxDecompressed)
}

// decompress is Decompress with an explicit limit on the appended size.
func decompress(dst []byte, c Codec, src []byte, limit int) ([]byte, error) {
	switch c {
	case CodecNone:
		if len(src) > limit {
			return dst, tooLargef("%d bytes over limit %d", len(src), limit)
		}
		return append(dst, src...), nil
	case CodecGzip:
		return gzipDecompress(dst, src, limit)
	case CodecSnappy:
		return snappyDecompress(dst, src, limit)
	case CodecLZ4:
		return lz4Decompress(dst, src, limit)
	case CodecZstd:
		return zstdDecompress(dst, src, limit)
	}
	return dst, corruptf("unknown compression codec %d", int8(c))
}

// appendWriter is an io.Writer appending to a byte slice, so that stream
// encoders can write straight into the caller's dst.
type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// readBounded appends everything r yields to dst, refusing more than
// limit bytes. It reads into dst's spare capacity, growing it
// geometrically, and never asks r for more than limit+1 bytes.
func readBounded(dst []byte, r io.Reader, limit int, c Codec) ([]byte, error) {
	start := len(dst)
	for {
		got := len(dst) - start
		if got > limit {
			return dst[:start], tooLargef("%s: decompressed size over limit %d", c, limit)
		}
		if len(dst) == cap(dst) {
			dst = slices.Grow(dst, min(max(got, 4<<10), limit+1-got))
		}
		room := dst[len(dst):min(cap(dst), len(dst)+limit+1-got)]
		n, err := r.Read(room)
		dst = dst[:len(dst)+n]
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return dst[:start], codecErr(c, err)
		}
	}
}
