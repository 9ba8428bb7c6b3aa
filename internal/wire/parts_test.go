package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// tempFile writes size random bytes to a temp file and returns it open,
// with its contents.
func tempFile(t testing.TB, size int) (*os.File, []byte) {
	t.Helper()
	data := make([]byte, size)
	r := rand.NewChaCha8([32]byte{1})
	_, _ = r.Read(data)
	path := filepath.Join(t.TempDir(), "segment.log")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f, data
}

// region derives the file region a request's correlation id asks for.
func region(corr int32, fileSize int) (off, n int64) {
	n = int64(1 + (int(corr)*7919)%(256<<10))
	off = int64((int(corr) * 104729) % (fileSize - int(n)))
	return off, n
}

// partsHandler answers every Fetch with bytes, a file region and bytes.
func partsHandler(f *os.File, fileSize int, doneErrs chan<- error) *testHandler {
	return &testHandler{fn: func(req *Request, reply Reply) {
		off, n := region(req.CorrelationID, fileSize)
		parts := []Part{
			{Bytes: []byte("head")},
			{File: f, Off: off, N: n},
			{Bytes: []byte("mid")},
			{Bytes: []byte("-")},
			{File: f, Off: 0, N: 0}, // empty region: nothing sent
			{File: f, Off: off, N: 3},
			{Bytes: []byte("tail")},
		}
		reply.SendPartsDone(parts, func(err error) {
			if doneErrs != nil {
				doneErrs <- err
			}
		})
	}}
}

// wantParts is the body partsHandler sends for corr.
func wantParts(corr int32, data []byte) []byte {
	off, n := region(corr, len(data))
	w := append([]byte("head"), data[off:off+n]...)
	w = append(w, "mid-"...)
	w = append(w, data[off:off+3]...)
	return append(w, "tail"...)
}

// readParts reads one response and checks it is corr's parts body with a
// flexible (v1) response header.
func readParts(t testing.TB, c net.Conn, corr int32, data []byte) {
	b, err := readFrame(c)
	if err != nil {
		t.Errorf("read %d: %v", corr, err)
		return
	}
	if got := int32(binary.BigEndian.Uint32(b)); got != corr || b[4] != 0 {
		t.Errorf("header: corr %d tags %d, want %d 0", got, b[4], corr)
		return
	}
	if !bytes.Equal(b[5:], wantParts(corr, data)) {
		t.Errorf("response %d: body differs (%d bytes, want %d)", corr, len(b[5:]), len(wantParts(corr, data)))
	}
}

func TestSendPartsFileRegion(t *testing.T) {
	f, data := tempFile(t, 1<<20)
	doneErrs := make(chan error, 10)
	_, addr := startServer(t, Config{}, partsHandler(f, len(data), doneErrs))
	c := dial(t, addr)
	for corr := range int32(10) {
		writeRequest(t, c, kmsg.NewPtrFetchRequest(), 12, corr)
		readParts(t, c, corr, data)
	}
	for range 10 {
		if err := <-doneErrs; err != nil {
			t.Fatalf("done: %v", err)
		}
	}
}

// TestSendPartsConcurrentSameFile has two connections pipeline requests
// for different regions of the same *os.File; every byte must match, which
// fails if senders shared the file position.
func TestSendPartsConcurrentSameFile(t *testing.T) {
	f, data := tempFile(t, 4<<20)
	_, addr := startServer(t, Config{MaxInFlight: 8}, partsHandler(f, len(data), nil))
	var wg sync.WaitGroup
	for conn := range int32(2) {
		c := dial(t, addr)
		wg.Go(func() {
			const n = 100
			go func() {
				for i := range int32(n) {
					if _, err := c.Write(frameOf(kmsg.NewPtrFetchRequest(), 12, conn*1000+i)); err != nil {
						return
					}
				}
			}()
			for i := range int32(n) {
				readParts(t, c, conn*1000+i, data)
			}
		})
	}
	wg.Wait()
}

// TestSendPartsShortFileCloses closes the connection when a file region
// runs past the end of the file: a short response would corrupt the
// stream.
func TestSendPartsShortFileCloses(t *testing.T) {
	f, data := tempFile(t, 1000)
	doneErr := make(chan error, 1)
	h := &testHandler{fn: func(req *Request, reply Reply) {
		reply.SendPartsDone([]Part{{File: f, Off: 900, N: 200}}, func(err error) { doneErr <- err })
	}}
	_, addr := startServer(t, Config{}, h)
	c := dial(t, addr)
	writeRequest(t, c, kmsg.NewPtrFetchRequest(), 12, 1)
	b, err := io.ReadAll(c)
	if len(b) != 4+4+1+100 || (err != nil && !isReset(err)) {
		t.Fatalf("read %d bytes, err %v; want the 105-byte short response then close", len(b), err)
	}
	if !bytes.Equal(b[9:], data[900:]) {
		t.Fatal("partial region bytes differ")
	}
	if err := <-doneErr; !errors.Is(err, ErrShortFile) {
		t.Fatalf("done(%v), want ErrShortFile", err)
	}
}

// TestWritePartsFallback covers pread+write for connections sendfile can
// not use (net.Pipe here, TLS in production).
func TestWritePartsFallback(t *testing.T) {
	f, data := tempFile(t, 300<<10)
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	parts := []Part{{Bytes: []byte("x")}, {File: f, Off: 5, N: 200 << 10}, {Bytes: []byte("y")}}
	errc := make(chan error, 1)
	go func() {
		_, err := writeParts(a, []byte("hdr"), parts, nil)
		errc <- err
		a.Close()
	}()
	got, err := io.ReadAll(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	want := append([]byte("hdrx"), data[5:5+200<<10]...)
	want = append(want, 'y')
	if !bytes.Equal(got, want) {
		t.Fatalf("got %d bytes, want %d", len(got), len(want))
	}
	if err := copyFile(io.Discard, f, int64(len(data))-10, 20); !errors.Is(err, ErrShortFile) {
		t.Fatalf("copyFile past EOF: %v, want ErrShortFile", err)
	}
}

// TestWritePartsGathered: a large byte part is written as it is, small
// ones and file regions are gathered, and order is kept.
func TestWritePartsGathered(t *testing.T) {
	f, data := tempFile(t, 100<<10)
	big := bytes.Repeat([]byte("B"), directWriteMin+1)
	parts := []Part{{Bytes: []byte("a")}, {File: f, Off: 1, N: 70 << 10}, {Bytes: big}, {File: f, Off: 0, N: 0}, {Bytes: []byte("z")}}
	var w bytes.Buffer
	if err := writePartsGathered(&w, []byte("hdr"), parts); err != nil {
		t.Fatal(err)
	}
	want := append([]byte("hdra"), data[1:1+70<<10]...)
	want = append(append(want, big...), 'z')
	if !bytes.Equal(w.Bytes(), want) {
		t.Fatalf("got %d bytes, want %d", w.Len(), len(want))
	}
	short := []Part{{File: f, Off: int64(len(data)) - 5, N: 10}}
	if err := writePartsGathered(io.Discard, nil, short); !errors.Is(err, ErrShortFile) {
		t.Fatalf("short file: %v, want ErrShortFile", err)
	}
}
