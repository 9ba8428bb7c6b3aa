package record

import (
	"bytes"
	"encoding/binary"
	"sync"

	"github.com/pierrec/lz4/v4"
)

// Kafka (since KIP-57) writes LZ4 frames as its Lz4BlockOutputStream does:
// independent 64 KiB blocks, no block or content checksums, a correct
// header checksum. Its reader refuses dependent blocks, reserved bits and
// versions other than 1, so lz4Decompress refuses them too.
const lz4Magic = 0x184D2204

// lz4Encoder is a pooled lz4 frame writer with its output slice.
type lz4Encoder struct {
	w   *lz4.Writer
	out appendWriter
}

var lz4Encoders = sync.Pool{New: func() any {
	e := new(lz4Encoder)
	e.w = lz4.NewWriter(&e.out)
	// The options are constants the library accepts.
	_ = e.w.Apply(lz4.BlockSizeOption(lz4.Block64Kb), lz4.ChecksumOption(false),
		lz4.BlockChecksumOption(false), lz4.ConcurrencyOption(1))
	return e
}}

// lz4Compress appends src as one lz4 frame to dst.
func lz4Compress(dst, src []byte) ([]byte, error) {
	e := lz4Encoders.Get().(*lz4Encoder)
	e.out.b = dst
	e.w.Reset(&e.out)
	_, err := e.w.Write(src)
	if err == nil {
		err = e.w.Close()
	}
	dst, e.out.b = e.out.b, nil
	lz4Encoders.Put(e)
	if err != nil {
		return dst, codecErr(CodecLZ4, err)
	}
	return dst, nil
}

// lz4Decoder is a pooled lz4 frame reader with the reader of its input.
type lz4Decoder struct {
	r   *lz4.Reader
	src bytes.Reader
}

var lz4Decoders = sync.Pool{New: func() any {
	d := new(lz4Decoder)
	d.r = lz4.NewReader(&d.src)
	_ = d.r.Apply(lz4.ConcurrencyOption(1))
	return d
}}

// lz4Decompress appends the lz4 frame src decompressed to dst.
func lz4Decompress(dst, src []byte, limit int) ([]byte, error) {
	if err := checkLZ4Frame(src); err != nil {
		return dst, err
	}
	d := lz4Decoders.Get().(*lz4Decoder)
	defer lz4Decoders.Put(d)
	defer d.src.Reset(nil)
	d.src.Reset(src)
	d.r.Reset(&d.src)
	return readBounded(dst, d.r, limit, CodecLZ4)
}

// checkLZ4Frame applies the frame descriptor checks of Kafka's
// Lz4BlockInputStream (FLG and BD) that the decoder library does not.
func checkLZ4Frame(src []byte) error {
	if len(src) < 7 || binary.LittleEndian.Uint32(src) != lz4Magic {
		return corruptf("lz4: not an lz4 frame")
	}
	flg, bd := src[4], src[5]
	switch {
	case flg>>6 != 1:
		return corruptf("lz4: frame version %d", flg>>6)
	case flg&0x20 == 0:
		return corruptf("lz4: dependent blocks are unsupported")
	case flg&0x03 != 0 || bd&0x8f != 0:
		return corruptf("lz4: reserved descriptor bits set")
	case (bd>>4)&7 < 4:
		return corruptf("lz4: block size id %d", (bd>>4)&7)
	}
	return nil
}
