package wire

import (
	"io"
	"net"
	"os"
	"sync"
)

// A Part of a response payload: either Bytes, or the N bytes at offset Off
// of File, sent with sendfile(2) where the connection allows it. A Part
// with a non-nil File ignores Bytes.
type Part struct {
	Bytes []byte
	File  *os.File
	Off   int64
	N     int64
}

// Len returns the number of bytes the part contributes to the response.
func (p *Part) Len() int64 {
	if p.File != nil {
		return p.N
	}
	return int64(len(p.Bytes))
}

// copyBufPool holds the buffers of the pread+write fallback.
var copyBufPool = sync.Pool{New: func() any {
	b := make([]byte, 64<<10)
	return &b
}}

// writeParts writes hdr and parts to nc in order: runs of byte parts with
// one writev, file parts with sendfile (or pread+write). vec is scratch
// space reused across calls; the grown scratch is returned.
func writeParts(nc net.Conn, hdr []byte, parts []Part, vec [][]byte) ([][]byte, error) {
	if gathers(nc) {
		return vec, writePartsGathered(nc, hdr, parts)
	}
	vec = append(vec[:0], hdr)
	for i := range parts {
		p := &parts[i]
		if p.File == nil {
			if len(p.Bytes) > 0 {
				vec = append(vec, p.Bytes)
			}
			continue
		}
		if p.N <= 0 {
			continue
		}
		if err := writeVec(nc, vec); err != nil {
			return vec, err
		}
		vec = vec[:0]
		if err := sendFile(nc, p.File, p.Off, p.N); err != nil {
			return vec, err
		}
	}
	return vec, writeVec(nc, vec)
}

// writeVec writes vec with one writev when it holds more than one buffer.
func writeVec(nc net.Conn, vec [][]byte) error {
	defer clear(vec)
	switch len(vec) {
	case 0:
		return nil
	case 1:
		_, err := nc.Write(vec[0])
		return err
	}
	bufs := net.Buffers(vec)
	_, err := bufs.WriteTo(nc)
	return err
}

// copyFile writes n bytes at off of f to w with pread+write, never touching
// f's shared file position.
func copyFile(w io.Writer, f *os.File, off, n int64) error {
	bp := copyBufPool.Get().(*[]byte)
	defer copyBufPool.Put(bp)
	buf := *bp
	for n > 0 {
		chunk := buf[:min(int64(len(buf)), n)]
		m, err := f.ReadAt(chunk, off)
		if m > 0 {
			if _, werr := w.Write(chunk[:m]); werr != nil {
				return werr
			}
			off += int64(m)
			n -= int64(m)
		}
		if n > 0 && err != nil {
			if err == io.EOF {
				return ErrShortFile
			}
			return err
		}
	}
	return nil
}
