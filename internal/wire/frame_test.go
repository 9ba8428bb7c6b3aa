package wire

import (
	"encoding/binary"
	"runtime"
	"testing"
)

// TestBadFramesCloseWithoutAllocating sends frames whose size prefix is
// garbage, huge or negative: each connection closes before a frame buffer
// is allocated, and another connection keeps working.
func TestBadFramesCloseWithoutAllocating(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"http garbage", []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")},
		{"2 GiB", []byte{0x7f, 0xff, 0xff, 0xff, 0, 18, 0, 3}},
		{"negative", []byte{0xff, 0xff, 0xff, 0xfe, 0, 18, 0, 3}},
		{"min int32", []byte{0x80, 0, 0, 0}},
		{"just above max", binary.BigEndian.AppendUint32(nil, DefaultMaxRequestBytes+1)},
		{"tls client hello", []byte{0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03}},
		{"garbage in a small frame", []byte{0, 0, 0, 6, 0xde, 0xad, 0xbe, 0xef, 0xff, 0xff}},
	}
	srv, addr := startServer(t, Config{}, &testHandler{})
	good := dial(t, addr)
	apiVersionsRoundTrip(t, good, 0)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, addr)
			before := totalAlloc()
			if _, err := c.Write(tt.data); err != nil {
				t.Fatal(err)
			}
			expectClosed(t, c)
			waitFor(t, "bad connection removed", func() bool { return srv.NumConns() == 1 })
			if grew := totalAlloc() - before; grew > 512<<10 {
				t.Fatalf("allocated %d bytes while rejecting the frame", grew)
			}
			apiVersionsRoundTrip(t, good, int32(i+1))
		})
	}
}

// totalAlloc returns the cumulative bytes allocated by the process.
func totalAlloc() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.TotalAlloc
}

// TestFrameAtMaxAccepted checks the limit is inclusive, as Kafka's is: a
// frame of exactly MaxRequestBytes is read (and here rejected only for
// its content).
func TestFrameAtMaxAccepted(t *testing.T) {
	got := make(chan int, 1)
	h := &testHandler{fn: func(req *Request, reply Reply) {
		got <- req.Size
		answerApiVersions(req, reply)
	}}
	frame := frameOf(kmsgApiVersions(), 3, 9)
	_, addr := startServer(t, Config{MaxRequestBytes: int32(len(frame) - 4)}, h)
	c := dial(t, addr)
	if _, err := c.Write(frame); err != nil {
		t.Fatal(err)
	}
	if size := <-got; size != len(frame)-4 {
		t.Fatalf("Size %d, want %d", size, len(frame)-4)
	}
}
