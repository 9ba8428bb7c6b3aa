package record

import (
	"bytes"
	"sync"

	"github.com/klauspost/compress/gzip"
)

// gzipEncoder is a pooled gzip writer with its output slice.
type gzipEncoder struct {
	w   *gzip.Writer
	out appendWriter
}

var gzipEncoders = sync.Pool{New: func() any {
	e := new(gzipEncoder)
	// Java's GZIPOutputStream uses the default level too.
	e.w, _ = gzip.NewWriterLevel(&e.out, gzip.DefaultCompression)
	return e
}}

// gzipCompress appends src as one gzip member to dst.
func gzipCompress(dst, src []byte) ([]byte, error) {
	e := gzipEncoders.Get().(*gzipEncoder)
	e.out.b = dst
	e.w.Reset(&e.out)
	_, err := e.w.Write(src)
	if err == nil {
		err = e.w.Close()
	}
	dst, e.out.b = e.out.b, nil
	gzipEncoders.Put(e)
	if err != nil {
		return dst, codecErr(CodecGzip, err)
	}
	return dst, nil
}

// gzipDecoder is a pooled gzip reader with the reader of its input.
type gzipDecoder struct {
	r   gzip.Reader
	src bytes.Reader
}

var gzipDecoders = sync.Pool{New: func() any { return new(gzipDecoder) }}

// gzipDecompress appends the gzip stream src (one or more members)
// decompressed to dst.
func gzipDecompress(dst, src []byte, limit int) ([]byte, error) {
	d := gzipDecoders.Get().(*gzipDecoder)
	defer gzipDecoders.Put(d)
	defer d.src.Reset(nil)
	d.src.Reset(src)
	if err := d.r.Reset(&d.src); err != nil {
		return dst, codecErr(CodecGzip, err)
	}
	return readBounded(dst, &d.r, limit, CodecGzip)
}
