package wire

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// TestKgoRoundTrip drives the server with franz-go's client: its first
// ApiVersions (v5, above the served v4) takes the KIP-511 path, then
// ApiVersions v4 and Metadata succeed.
func TestKgoRoundTrip(t *testing.T) {
	var unsupported atomic.Int32
	h := &testHandler{}
	h.fn = func(req *Request, reply Reply) {
		if req.Unsupported {
			unsupported.Add(1)
		}
		h.answerDefault(req, reply)
	}
	_, addr := startServer(t, Config{}, h)
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	resp, err := cl.Request(ctx, kmsg.NewPtrApiVersionsRequest())
	if err != nil {
		t.Fatal(err)
	}
	av := resp.(*kmsg.ApiVersionsResponse)
	if av.ErrorCode != 0 || len(av.ApiKeys) != len(testVersions) {
		t.Fatalf("ApiVersions: error %d, %d keys", av.ErrorCode, len(av.ApiKeys))
	}
	mresp, err := cl.Request(ctx, kmsg.NewPtrMetadataRequest())
	if err != nil {
		t.Fatal(err)
	}
	if md := mresp.(*kmsg.MetadataResponse); len(md.Brokers) != 1 || md.Brokers[0].NodeID != 1 {
		t.Fatalf("Metadata brokers: %+v", md.Brokers)
	}
	if unsupported.Load() == 0 {
		t.Fatal("kgo's ApiVersions v5 did not reach the handler as Unsupported")
	}
}

// TestKIP511 sends ApiVersions above the served max: the handler sees
// Unsupported with no body, and the v0 error answer reaches the client.
func TestKIP511(t *testing.T) {
	got := make(chan Request, 1)
	h := &testHandler{fn: func(req *Request, reply Reply) {
		got <- *req
		answerApiVersions(req, reply)
	}}
	_, addr := startServer(t, Config{}, h)
	c := dial(t, addr)
	req := kmsg.NewPtrApiVersionsRequest()
	req.ClientSoftwareName = "x"
	writeRequest(t, c, req, 99, 7)
	resp := kmsg.NewPtrApiVersionsResponse()
	readResponse(t, c, 7, resp, 0, false)
	if resp.ErrorCode != 35 || len(resp.ApiKeys) != 1 || resp.ApiKeys[0].MaxVersion != 4 {
		t.Fatalf("response: error %d keys %+v", resp.ErrorCode, resp.ApiKeys)
	}
	r := <-got
	if !r.Unsupported || r.Msg != nil || r.Version != 99 || r.ClientIDString() != "wire-test" {
		t.Fatalf("request: unsupported %v msg %v version %d client %q", r.Unsupported, r.Msg, r.Version, r.ClientIDString())
	}
	apiVersionsRoundTrip(t, c, 8) // the connection stays usable
}

// TestInOrderRandomDelays replies from timers with random delays; responses
// must still come back in request order.
func TestInOrderRandomDelays(t *testing.T) {
	h := &testHandler{fn: func(req *Request, reply Reply) {
		d := time.Duration(rand.IntN(2000)) * time.Microsecond
		time.AfterFunc(d, func() { answerApiVersions(req, reply) })
	}}
	_, addr := startServer(t, Config{MaxInFlight: 16}, h)
	c := dial(t, addr)
	const n = 300
	go func() {
		for i := range n {
			if _, err := c.Write(frameOf(kmsg.NewPtrApiVersionsRequest(), 3, int32(i))); err != nil {
				return
			}
		}
	}()
	for i := range n {
		readResponse(t, c, int32(i), kmsg.NewPtrApiVersionsResponse(), 3, false)
	}
}

// TestInOrderReversed parks a batch of requests and replies in reverse
// order from another goroutine.
func TestInOrderReversed(t *testing.T) {
	const n = 50
	var mu sync.Mutex
	var parked []func()
	h := &testHandler{fn: func(req *Request, reply Reply) {
		mu.Lock()
		defer mu.Unlock()
		parked = append(parked, func() { answerApiVersions(req, reply) })
		if len(parked) == n {
			go func(fs []func()) {
				for i := len(fs) - 1; i >= 0; i-- {
					fs[i]()
				}
			}(parked)
		}
	}}
	_, addr := startServer(t, Config{}, h)
	c := dial(t, addr)
	var frames []byte
	for i := range n {
		frames = append(frames, frameOf(kmsg.NewPtrApiVersionsRequest(), 3, int32(i))...)
	}
	if _, err := c.Write(frames); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		readResponse(t, c, int32(i), kmsg.NewPtrApiVersionsResponse(), 3, false)
	}
}

// TestSkipKeepsOrder interleaves acks=0 produces (skipped) with parked
// Metadata requests answered out of order.
func TestSkipKeepsOrder(t *testing.T) {
	var seen []int16
	var mu sync.Mutex
	h := &testHandler{}
	h.fn = func(req *Request, reply Reply) {
		mu.Lock()
		seen = append(seen, req.Key)
		mu.Unlock()
		if req.Key == 0 {
			if req.Msg.(*kmsg.ProduceRequest).Acks != 0 {
				t.Error("produce acks != 0")
			}
			reply.Skip()
			return
		}
		time.AfterFunc(time.Duration(rand.IntN(1000))*time.Microsecond, func() { reply.Send(h.metadata()) })
	}
	_, addr := startServer(t, Config{}, h)
	c := dial(t, addr)
	var frames []byte
	var want []int32
	for i := range int32(60) {
		if i%3 == 0 {
			want = append(want, i)
			frames = append(frames, frameOf(kmsg.NewPtrMetadataRequest(), 12, i)...)
			continue
		}
		p := kmsg.NewPtrProduceRequest()
		p.Acks = 0
		frames = append(frames, frameOf(p, 9, i)...)
	}
	if _, err := c.Write(frames); err != nil {
		t.Fatal(err)
	}
	for _, corr := range want {
		readResponse(t, c, corr, kmsg.NewPtrMetadataResponse(), 12, true)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 60 {
		t.Fatalf("handler saw %d requests, want 60", len(seen))
	}
}

// TestCloseReply closes the connection after earlier responses.
func TestCloseReply(t *testing.T) {
	var reason atomic.Value
	h := &testHandler{fn: func(req *Request, reply Reply) {
		if req.CorrelationID == 2 {
			reply.Close(errors.New("test close"))
			reason.Store(true)
			return
		}
		answerApiVersions(req, reply)
	}}
	srv, addr := startServer(t, Config{}, h)
	c := dial(t, addr)
	var frames []byte
	for i := range int32(4) {
		frames = append(frames, frameOf(kmsg.NewPtrApiVersionsRequest(), 3, i)...)
	}
	if _, err := c.Write(frames); err != nil {
		t.Fatal(err)
	}
	readResponse(t, c, 0, kmsg.NewPtrApiVersionsResponse(), 3, false)
	readResponse(t, c, 1, kmsg.NewPtrApiVersionsResponse(), 3, false)
	expectClosed(t, c)
	waitFor(t, "connection removed", func() bool { return srv.NumConns() == 0 })
}

// TestReplyTwiceIgnored checks a second reply is dropped, not written.
func TestReplyTwiceIgnored(t *testing.T) {
	h := &testHandler{fn: func(req *Request, reply Reply) {
		answerApiVersions(req, reply)
		reply.Skip()
		reply.Send(kmsg.NewPtrApiVersionsResponse())
	}}
	_, addr := startServer(t, Config{}, h)
	c := dial(t, addr)
	apiVersionsRoundTrip(t, c, 1)
	apiVersionsRoundTrip(t, c, 2)
}

// TestBadRequestsClose covers requests that must close the connection
// while another connection keeps working.
func TestBadRequestsClose(t *testing.T) {
	raw := func(key, version int16) []byte {
		return []byte{0, 0, 0, 10, byte(key >> 8), byte(key), byte(version >> 8), byte(version), 0, 0, 0, 1, 0xff, 0xff}
	}
	tests := []struct {
		name  string
		frame []byte
	}{
		{"unknown key", raw(9999, 0)},
		{"key not served", raw(19, 5)}, // CreateTopics
		{"version too high", rawVersion(frameOf(kmsg.NewPtrMetadataRequest(), 12, 1), 14)},
		{"version too low", frameOf(kmsg.NewPtrProduceRequest(), 2, 1)},
		{"negative version", raw(3, -1)},
		{"ApiVersions below min", raw(18, -1)},
		{"truncated header", []byte{0, 0, 0, 3, 0, 18, 0}},
		{"truncated client id", []byte{0, 0, 0, 12, 0, 18, 0, 0, 0, 0, 0, 1, 0, 9, 'a', 'b'}},
		{"truncated body", raw(3, 1)},
		{"bad header tags", []byte{0, 0, 0, 11, 0, 3, 0, 12, 0, 0, 0, 1, 0xff, 0xff, 0xff}},
	}
	h := &testHandler{}
	srv, addr := startServer(t, Config{}, h)
	good := dial(t, addr)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, addr)
			if _, err := c.Write(tt.frame); err != nil {
				t.Fatal(err)
			}
			expectClosed(t, c)
			apiVersionsRoundTrip(t, good, int32(i))
		})
	}
	waitFor(t, "bad connections removed", func() bool { return srv.NumConns() == 1 })
}

// rawVersion rewrites the api version of an encoded request frame.
func rawVersion(frame []byte, v int16) []byte {
	frame[6], frame[7] = byte(v>>8), byte(v)
	return frame
}

// TestHandlerPanicClosesOnlyItsConn recovers a handler panic.
func TestHandlerPanicClosesOnlyItsConn(t *testing.T) {
	h := &testHandler{fn: func(req *Request, reply Reply) {
		if req.CorrelationID == 666 {
			panic("boom")
		}
		answerApiVersions(req, reply)
	}}
	_, addr := startServer(t, Config{}, h)
	good, bad := dial(t, addr), dial(t, addr)
	writeRequest(t, bad, kmsg.NewPtrApiVersionsRequest(), 3, 666)
	expectClosed(t, bad)
	apiVersionsRoundTrip(t, good, 1)
}

// TestIdleTimeout closes an idle connection but not a busy one.
func TestIdleTimeout(t *testing.T) {
	h := &testHandler{}
	srv, addr := startServer(t, Config{IdleTimeout: 50 * time.Millisecond}, h)
	c := dial(t, addr)
	apiVersionsRoundTrip(t, c, 1)
	expectClosed(t, c)
	waitFor(t, "idle connection removed", func() bool { return srv.NumConns() == 0 })
}

// TestIdleTimeoutWhileParked keeps a connection whose request is parked
// longer than the idle timeout.
func TestIdleTimeoutWhileParked(t *testing.T) {
	release := make(chan Reply, 1)
	h := &testHandler{fn: func(req *Request, reply Reply) { release <- reply }}
	_, addr := startServer(t, Config{IdleTimeout: 20 * time.Millisecond}, h)
	c := dial(t, addr)
	writeRequest(t, c, kmsg.NewPtrApiVersionsRequest(), 3, 1)
	reply := <-release
	// Nothing to poll for: the test is that the connection survives
	// several idle timeouts while its request is parked.
	time.Sleep(100 * time.Millisecond)
	answerApiVersions(&Request{Key: 18, Version: 3}, reply)
	readResponse(t, c, 1, kmsg.NewPtrApiVersionsResponse(), 3, false)
}

// TestCloseWithParkedReplies closes the server while replies are parked,
// then completes them: nothing panics and no goroutine leaks.
func TestCloseWithParkedReplies(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	parked := make(chan Reply, 100)
	h := &testHandler{fn: func(req *Request, reply Reply) { parked <- reply }}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(Config{}, h)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	var conns []interface{ Close() error }
	for i := range 3 {
		c := dial(t, ln.Addr().String())
		conns = append(conns, c)
		for j := range 5 {
			writeRequest(t, c, kmsg.NewPtrApiVersionsRequest(), 3, int32(i*10+j))
		}
	}
	waitFor(t, "15 parked requests", func() bool { return len(parked) == 15 })
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve after Close: %v", err)
	}
	if srv.NumConns() != 0 {
		t.Fatalf("%d conns after Close", srv.NumConns())
	}
	close(parked)
	i := 0
	for r := range parked {
		switch i % 3 {
		case 0:
			answerApiVersions(&Request{Key: 18, Version: 3}, r)
		case 1:
			r.SendPartsDone([]Part{{Bytes: []byte{1}}}, func(err error) {
				if !errors.Is(err, ErrConnClosed) {
					t.Errorf("done(%v), want ErrConnClosed", err)
				}
			})
		default:
			r.Skip()
		}
		i++
	}
	for _, c := range conns {
		_ = c.Close()
	}
}

// TestInlineRepliesMixed pipelines requests whose handlers reply on the
// reader goroutine (small replies the reader writes itself, replies over
// maxInlineReply it leaves to the writer goroutine) or later on another
// goroutine: every reply arrives, in request order.
func TestInlineRepliesMixed(t *testing.T) {
	big := kmsg.NewPtrApiVersionsResponse()
	for i := range maxInlineReply / 4 {
		k := kmsg.NewApiVersionsResponseApiKey()
		k.ApiKey = int16(i)
		big.ApiKeys = append(big.ApiKeys, k)
	}
	h := &testHandler{fn: func(req *Request, reply Reply) {
		switch req.CorrelationID % 3 {
		case 0:
			answerApiVersions(req, reply)
		case 1:
			reply.Send(big)
		default:
			time.AfterFunc(time.Duration(rand.IntN(500))*time.Microsecond, func() { answerApiVersions(req, reply) })
		}
	}}
	_, addr := startServer(t, Config{MaxInFlight: 8}, h)
	c := dial(t, addr)
	const n = 90
	go func() {
		for i := range n {
			if _, err := c.Write(frameOf(kmsg.NewPtrApiVersionsRequest(), 3, int32(i))); err != nil {
				return
			}
		}
	}()
	for i := range n {
		resp := kmsg.NewPtrApiVersionsResponse()
		readResponse(t, c, int32(i), resp, 3, false)
		want := len(testVersions)
		if i%3 == 1 {
			want = len(big.ApiKeys)
		}
		if len(resp.ApiKeys) != want {
			t.Fatalf("reply %d: %d keys, want %d", i, len(resp.ApiKeys), want)
		}
	}
}
