package record

import (
	"bytes"
	"encoding/binary"
	"slices"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/snappy"
)

// Kafka's Java client writes snappy through snappy-java's
// SnappyOutputStream ("xerial" framing): a 16-byte header (magic, version
// 1, minimum compatible version 1), then blocks of at most 32 KiB, each a
// big-endian int32 length and a raw snappy block. Its reader also takes a
// bare snappy block, which other clients send.
var xerialMagic = []byte{0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0}

const (
	xerialHeaderSize = 16
	xerialBlockSize  = 32 << 10
)

// snappyCompress appends src in xerial framing to dst.
func snappyCompress(dst, src []byte) []byte {
	dst = append(dst, xerialMagic...)
	dst = binary.BigEndian.AppendUint32(dst, 1)
	dst = binary.BigEndian.AppendUint32(dst, 1)
	for len(src) > 0 {
		n := min(len(src), xerialBlockSize)
		dst = slices.Grow(dst, 4+s2.MaxEncodedLen(n))
		at := len(dst)
		block := s2.EncodeSnappy(dst[at+4:cap(dst)], src[:n])
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(block)))
		dst = dst[:at+4+len(block)]
		src = src[n:]
	}
	return dst
}

// isXerial reports whether src starts with a xerial stream header.
func isXerial(src []byte) bool {
	return len(src) >= xerialHeaderSize && bytes.HasPrefix(src, xerialMagic)
}

// snappyDecompress appends the snappy data src, xerial framed or a raw
// block, decompressed to dst.
func snappyDecompress(dst, src []byte, limit int) ([]byte, error) {
	if !isXerial(src) {
		return snappyBlock(dst, src, limit)
	}
	start := len(dst)
	for len(src) > 0 {
		if isXerial(src) { // snappy-java reads concatenated streams
			src = src[xerialHeaderSize:]
			continue
		}
		if len(src) < 4 {
			return dst[:start], corruptf("snappy: truncated xerial block length")
		}
		n := binary.BigEndian.Uint32(src)
		src = src[4:]
		if uint64(n) > uint64(len(src)) {
			return dst[:start], corruptf("snappy: xerial block of %d bytes with %d left", n, len(src))
		}
		var err error
		if dst, err = snappyBlock(dst, src[:n], limit-(len(dst)-start)); err != nil {
			return dst[:start], err
		}
		src = src[n:]
	}
	return dst, nil
}

// snappyBlock appends one raw snappy block decoded to dst, checking the
// length it declares against limit before allocating. It uses the strict
// decoder: the s2 extensions are not snappy, and Java consumers reject
// them.
func snappyBlock(dst, src []byte, limit int) ([]byte, error) {
	n, err := snappy.DecodedLen(src)
	if err != nil {
		return dst, codecErr(CodecSnappy, err)
	}
	if n > limit {
		return dst, tooLargef("snappy: block declares %d bytes, limit %d", n, limit)
	}
	dst = slices.Grow(dst, n)
	at := len(dst)
	if _, err := snappy.DecodeStrict(dst[at:at+n], src); err != nil {
		return dst, codecErr(CodecSnappy, err)
	}
	return dst[:at+n], nil
}
