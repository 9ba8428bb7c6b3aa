package wire

import (
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// countingObserver records what the server reports.
type countingObserver struct {
	mu                sync.Mutex
	opened, closed    int
	responses         map[int16]int
	done, closedByReq map[int16]int
}

func newCountingObserver() *countingObserver {
	return &countingObserver{responses: map[int16]int{}, done: map[int16]int{}, closedByReq: map[int16]int{}}
}

func (o *countingObserver) ConnOpened() { o.mu.Lock(); o.opened++; o.mu.Unlock() }
func (o *countingObserver) ConnClosed() { o.mu.Lock(); o.closed++; o.mu.Unlock() }
func (o *countingObserver) Response(key int16, _ kmsg.Response) {
	o.mu.Lock()
	o.responses[key]++
	o.mu.Unlock()
}
func (o *countingObserver) RequestDone(key, _ int16, dur time.Duration, closed bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if dur < 0 {
		panic("negative duration")
	}
	o.done[key]++
	if closed {
		o.closedByReq[key]++
	}
}

func (o *countingObserver) get(f func() int) int { o.mu.Lock(); defer o.mu.Unlock(); return f() }

func TestObserverCountsConnsAndRequests(t *testing.T) {
	obs := newCountingObserver()
	h := &testHandler{}
	h.fn = func(req *Request, reply Reply) {
		if req.Key == 0 {
			reply.Close(nil)
			return
		}
		h.answerDefault(req, reply)
	}
	_, addr := startServer(t, Config{Observer: obs}, h)
	c := dial(t, addr)
	apiVersionsRoundTrip(t, c, 1)
	apiVersionsRoundTrip(t, c, 2)
	writeRequest(t, c, kmsg.NewPtrProduceRequest(), 9, 3)
	expectClosed(t, c)
	waitFor(t, "connection closed", func() bool { return obs.get(func() int { return obs.closed }) == 1 })
	for _, tt := range []struct {
		name      string
		got, want int
	}{
		{"opened", obs.get(func() int { return obs.opened }), 1},
		{"ApiVersions responses", obs.get(func() int { return obs.responses[18] }), 2},
		{"ApiVersions done", obs.get(func() int { return obs.done[18] }), 2},
		{"Produce done", obs.get(func() int { return obs.done[0] }), 1},
		{"Produce closed", obs.get(func() int { return obs.closedByReq[0] }), 1},
	} {
		if tt.got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, tt.got, tt.want)
		}
	}
}
