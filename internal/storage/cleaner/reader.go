package cleaner

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gofka/gofka/internal/record"
)

// errStopped means the cleaner was closed mid-pass.
var errStopped = errors.New("cleaner: stopped")

// batchReader reads one segment's batches through a reused buffer.
type batchReader struct {
	r      *bufio.Reader
	remain int64
	buf    []byte
	th     *throttler
}

func newBatchReader(r *bufio.Reader, f *os.File, size int64, buf []byte, th *throttler) *batchReader {
	r.Reset(io.NewSectionReader(f, 0, size))
	return &batchReader{r: r, remain: size, buf: buf, th: th}
}

// next returns the next whole batch (valid until the next call) and its
// header, or io.EOF at the end.
func (b *batchReader) next() ([]byte, record.Header, error) {
	var h record.Header
	if b.remain < record.LogOverhead {
		return nil, h, io.EOF
	}
	if cap(b.buf) < record.HeaderSize {
		b.buf = make([]byte, 0, 64<<10)
	}
	b.buf = b.buf[:record.LogOverhead]
	if _, err := io.ReadFull(b.r, b.buf); err != nil {
		return nil, h, fmt.Errorf("cleaner: read batch: %w", err)
	}
	n, err := record.PeekSize(b.buf)
	if err != nil || int64(n) > b.remain {
		return nil, h, fmt.Errorf("cleaner: bad batch size at end of segment: %w", err)
	}
	if cap(b.buf) < n {
		nb := make([]byte, n)
		copy(nb, b.buf)
		b.buf = nb
	}
	b.buf = b.buf[:n]
	if _, err := io.ReadFull(b.r, b.buf[record.LogOverhead:]); err != nil {
		return nil, h, fmt.Errorf("cleaner: read batch: %w", err)
	}
	b.remain -= int64(n)
	if h, err = record.ParseHeader(b.buf); err != nil {
		return nil, h, fmt.Errorf("cleaner: %w", err)
	}
	if !b.th.add(n) {
		return nil, h, errStopped
	}
	return b.buf, h, nil
}
