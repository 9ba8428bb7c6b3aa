package record

import (
	"errors"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// zstdEncoders pools encoders at zstd's default level 3, the level
// Kafka's Java client uses. With concurrency 1 and EncodeAll they run no
// goroutines.
var zstdEncoders = sync.Pool{New: func() any {
	e, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1),
		zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithZeroFrames(true))
	if err != nil {
		panic("record: zstd encoder options: " + err.Error()) // constant options
	}
	return e
}}

// zstdCompress appends src as one zstd frame to dst.
func zstdCompress(dst, src []byte) []byte {
	e := zstdEncoders.Get().(*zstd.Encoder)
	dst = e.EncodeAll(src, dst)
	zstdEncoders.Put(e)
	return dst
}

// zstdDecoder is a pooled decoder and the output limit it was built with.
type zstdDecoder struct {
	d     *zstd.Decoder
	limit int
}

var zstdDecoders sync.Pool

// getZstdDecoder returns a pooled decoder bounded by limit, replacing one
// built for another limit.
func getZstdDecoder(limit int) (*zstdDecoder, error) {
	if d, ok := zstdDecoders.Get().(*zstdDecoder); ok {
		if d.limit == limit {
			return d, nil
		}
		d.d.Close()
	}
	d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true),
		zstd.WithDecoderMaxMemory(uint64(max(limit, 1))))
	if err != nil {
		return nil, codecErr(CodecZstd, err)
	}
	return &zstdDecoder{d: d, limit: limit}, nil
}

// zstdDecompress appends the zstd frames in src decompressed to dst. The
// decoder itself refuses output beyond limit (not counting what dst
// already holds): it checks a frame's declared size and window before
// allocating and the running size while decoding.
func zstdDecompress(dst, src []byte, limit int) ([]byte, error) {
	d, err := getZstdDecoder(limit)
	if err != nil {
		return dst, err
	}
	defer zstdDecoders.Put(d)
	out, err := d.d.DecodeAll(src, dst)
	switch {
	case errors.Is(err, zstd.ErrDecoderSizeExceeded), errors.Is(err, zstd.ErrWindowSizeExceeded):
		return dst, tooLargef("zstd: decompressed size or window over limit %d", limit)
	case err != nil:
		return dst, codecErr(CodecZstd, err)
	}
	return out, nil
}
