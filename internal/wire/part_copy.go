package wire

import (
	"io"
	"net"
	"os"
)

// directWriteMin is the size from which a byte part is written as it is
// instead of being gathered into the copy buffer.
const directWriteMin = 16 << 10

// writePartsGathered writes hdr and parts to a connection sendfile(2)
// cannot serve (TLS): byte parts and file regions are gathered into one
// pooled 64 KiB buffer written with one Write when full, so the TLS layer
// sees few large writes and seals full 16 KiB records. File data is copied
// once, from the page cache into the buffer the TLS layer encrypts from.
func writePartsGathered(w io.Writer, hdr []byte, parts []Part) error {
	bp := copyBufPool.Get().(*[]byte)
	defer copyBufPool.Put(bp)
	g := gather{w: w, buf: (*bp)[:0]}
	g.bytes(hdr)
	for i := range parts {
		p := &parts[i]
		switch {
		case p.File != nil && p.N > 0:
			g.file(p.File, p.Off, p.N)
		case p.File == nil:
			g.bytes(p.Bytes)
		}
	}
	g.flush()
	return g.err
}

// gather is the buffer of writePartsGathered; the first error sticks.
type gather struct {
	w   io.Writer
	buf []byte
	err error
}

func (g *gather) flush() {
	if g.err == nil && len(g.buf) > 0 {
		_, g.err = g.w.Write(g.buf)
	}
	g.buf = g.buf[:0]
}

func (g *gather) bytes(b []byte) {
	if len(b) >= directWriteMin {
		g.flush()
		if g.err == nil {
			_, g.err = g.w.Write(b)
		}
		return
	}
	for len(b) > 0 && g.err == nil {
		if len(g.buf) == cap(g.buf) {
			g.flush()
		}
		n := copy(g.buf[len(g.buf):cap(g.buf)], b)
		g.buf, b = g.buf[:len(g.buf)+n], b[n:]
	}
}

// file reads n bytes at off of f into the buffer, flushing it as it fills.
func (g *gather) file(f *os.File, off, n int64) {
	for n > 0 && g.err == nil {
		if len(g.buf) == cap(g.buf) {
			g.flush()
		}
		room := g.buf[len(g.buf):min(int64(cap(g.buf)), int64(len(g.buf))+n)]
		m, err := f.ReadAt(room, off)
		g.buf = g.buf[:len(g.buf)+m]
		off, n = off+int64(m), n-int64(m)
		if n > 0 && err != nil {
			g.err = err
			if err == io.EOF {
				g.err = ErrShortFile
			}
		}
	}
}

// gathers reports whether writes to nc go through writePartsGathered:
// connections that are not plain sockets, such as TLS.
func gathers(nc net.Conn) bool {
	switch nc.(type) {
	case *net.TCPConn, *net.UnixConn:
		return false
	}
	return true
}
