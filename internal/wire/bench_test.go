package wire

import (
	"encoding/binary"
	"io"
	"net"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// benchHandler answers every request with one prebuilt ApiVersions
// response; Handle runs on the single connection's reader goroutine, so
// sharing it is safe.
func benchHandler() *testHandler {
	resp := kmsg.NewPtrApiVersionsResponse()
	for key, v := range testVersions {
		k := kmsg.NewApiVersionsResponseApiKey()
		k.ApiKey, k.MinVersion, k.MaxVersion = key, v[0], v[1]
		resp.ApiKeys = append(resp.ApiKeys, k)
	}
	return &testHandler{fn: func(_ *Request, reply Reply) { reply.Send(resp) }}
}

// readRaw reads one response frame into buf, allocation-free.
func readRaw(c net.Conn, buf []byte) error {
	if _, err := io.ReadFull(c, buf[:4]); err != nil {
		return err
	}
	n := binary.BigEndian.Uint32(buf)
	_, err := io.ReadFull(c, buf[:n])
	return err
}

// BenchmarkSmallResponsePipelined measures the server's per-request cost
// (allocations per request) for a small request and response, with the
// client pipelining requests.
func BenchmarkSmallResponsePipelined(b *testing.B) {
	_, addr := startServer(b, Config{}, benchHandler())
	c := dial(b, addr)
	frame := frameOf(kmsg.NewPtrApiVersionsRequest(), 3, 1)
	b.ReportAllocs()
	b.ResetTimer()
	go func() {
		for range b.N {
			if _, err := c.Write(frame); err != nil {
				return
			}
		}
	}()
	buf := make([]byte, 4096)
	for range b.N {
		if err := readRaw(c, buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSmallResponseRoundTrip measures one request at a time.
func BenchmarkSmallResponseRoundTrip(b *testing.B) {
	_, addr := startServer(b, Config{}, benchHandler())
	c := dial(b, addr)
	frame := frameOf(kmsg.NewPtrApiVersionsRequest(), 3, 1)
	buf := make([]byte, 4096)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := c.Write(frame); err != nil {
			b.Fatal(err)
		}
		if err := readRaw(c, buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseRequest measures header and body decoding alone.
func BenchmarkParseRequest(b *testing.B) {
	frame := body(frameOf(kmsg.NewPtrMetadataRequest(), 12, 1))
	b.ReportAllocs()
	for range b.N {
		if _, err := ParseRequest(frame, servedVersions); err != nil {
			b.Fatal(err)
		}
	}
}
