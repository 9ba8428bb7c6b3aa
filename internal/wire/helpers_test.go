package wire

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// testVersions is the version table the fake handler serves.
var testVersions = map[int16][2]int16{
	0:  {3, 13}, // Produce
	1:  {4, 17}, // Fetch
	3:  {0, 13}, // Metadata
	18: {0, 4},  // ApiVersions
}

// testHandler is a fake Handler: fn answers requests, defaulting to
// answerDefault.
type testHandler struct {
	addr string // advertised in Metadata
	fn   func(req *Request, reply Reply)
}

func (h *testHandler) Versions(key int16) (int16, int16, bool) {
	v, ok := testVersions[key]
	return v[0], v[1], ok
}

func (h *testHandler) Handle(req *Request, reply Reply) {
	if h.fn != nil {
		h.fn(req, reply)
		return
	}
	h.answerDefault(req, reply)
}

// answerDefault answers ApiVersions and Metadata and skips everything else.
func (h *testHandler) answerDefault(req *Request, reply Reply) {
	switch req.Key {
	case 18:
		answerApiVersions(req, reply)
	case 3:
		reply.Send(h.metadata())
	default:
		reply.Skip()
	}
}

// answerApiVersions answers ApiVersions. An unsupported version gets
// Kafka's KIP-511 answer: v0, UNSUPPORTED_VERSION and only the ApiVersions
// key's range.
func answerApiVersions(req *Request, reply Reply) {
	resp := kmsg.NewPtrApiVersionsResponse()
	for key, v := range testVersions {
		if req.Unsupported && key != 18 {
			continue
		}
		k := kmsg.NewApiVersionsResponseApiKey()
		k.ApiKey, k.MinVersion, k.MaxVersion = key, v[0], v[1]
		resp.ApiKeys = append(resp.ApiKeys, k)
	}
	if req.Unsupported {
		resp.ErrorCode = 35 // UNSUPPORTED_VERSION
		reply.SendVersion(resp, 0)
		return
	}
	reply.Send(resp)
}

// metadata returns a Metadata response naming this server as broker 1.
func (h *testHandler) metadata() *kmsg.MetadataResponse {
	resp := kmsg.NewPtrMetadataResponse()
	host, port, _ := net.SplitHostPort(h.addr)
	p, _ := strconv.Atoi(port)
	b := kmsg.NewMetadataResponseBroker()
	b.NodeID, b.Host, b.Port = 1, host, int32(p)
	resp.Brokers = append(resp.Brokers, b)
	resp.ControllerID = 1
	return resp
}

// startServer serves h on a loopback port and stops it at test end.
func startServer(t testing.TB, cfg Config, h *testHandler) (*Server, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.addr = ln.Addr().String()
	srv := NewServer(cfg, h)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := srv.Serve(ln); err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	t.Cleanup(func() {
		_ = srv.Close()
		wg.Wait()
	})
	return srv, h.addr
}

// dial connects to addr with a generous deadline so a broken test fails
// instead of hanging.
func dial(t testing.TB, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	t.Cleanup(func() { _ = c.Close() })
	return c
}

var formatter = kmsg.NewRequestFormatter(kmsg.FormatterClientID("wire-test"))

// frameOf encodes req as a complete request frame.
func frameOf(req kmsg.Request, version int16, corr int32) []byte {
	req.SetVersion(version)
	return formatter.AppendRequest(nil, req, corr)
}

// writeRequest writes req to c.
func writeRequest(t testing.TB, c net.Conn, req kmsg.Request, version int16, corr int32) {
	t.Helper()
	if _, err := c.Write(frameOf(req, version, corr)); err != nil {
		t.Fatal(err)
	}
}

// readFrame reads one size-prefixed response frame.
func readFrame(c net.Conn) ([]byte, error) {
	var sz [4]byte
	if _, err := io.ReadFull(c, sz[:]); err != nil {
		return nil, err
	}
	b := make([]byte, binary.BigEndian.Uint32(sz[:]))
	_, err := io.ReadFull(c, b)
	return b, err
}

// readResponse reads one response frame, checks its correlation id and
// decodes it into resp at version; flexHeader says whether the header has
// tagged fields.
func readResponse(t testing.TB, c net.Conn, corr int32, resp kmsg.Response, version int16, flexHeader bool) {
	t.Helper()
	b, err := readFrame(c)
	if err != nil {
		t.Fatalf("read response %d: %v", corr, err)
	}
	if got := int32(binary.BigEndian.Uint32(b)); got != corr {
		t.Fatalf("correlation id %d, want %d", got, corr)
	}
	b = b[4:]
	if flexHeader {
		if b, err = skipTags(b); err != nil {
			t.Fatal(err)
		}
	}
	resp.SetVersion(version)
	if err := resp.ReadFrom(b); err != nil {
		t.Fatalf("decode response %d: %v", corr, err)
	}
}

// expectClosed checks that the server closes c: a read returns EOF or a
// reset, never data.
func expectClosed(t testing.TB, c net.Conn) {
	t.Helper()
	var buf [1]byte
	n, err := c.Read(buf[:])
	if err == nil || n > 0 {
		t.Fatalf("read %d bytes, err %v; want connection closed", n, err)
	}
	if !errors.Is(err, io.EOF) && !isReset(err) {
		t.Fatalf("read error %v; want EOF or reset", err)
	}
}

func isReset(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe) && !oe.Timeout()
}

// waitFor polls cond until it holds or the test times out.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// apiVersionsRoundTrip sends an ApiVersions v3 request on c and checks the
// answer.
func apiVersionsRoundTrip(t testing.TB, c net.Conn, corr int32) {
	t.Helper()
	writeRequest(t, c, kmsg.NewPtrApiVersionsRequest(), 3, corr)
	resp := kmsg.NewPtrApiVersionsResponse()
	readResponse(t, c, corr, resp, 3, false)
	if resp.ErrorCode != 0 || len(resp.ApiKeys) != len(testVersions) {
		t.Fatalf("ApiVersions: error %d, %d keys", resp.ErrorCode, len(resp.ApiKeys))
	}
}

// kmsgApiVersions returns a fresh ApiVersions request.
func kmsgApiVersions() kmsg.Request { return kmsg.NewPtrApiVersionsRequest() }
