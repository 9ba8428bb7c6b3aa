package wire

import (
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// Throttler gives the request-quota throttle of a response, asked when a
// handler sends it with Reply.Send.
type Throttler interface {
	// Throttle returns how long the client of req must be throttled for
	// its request rate; it is called on the replying goroutine and must be
	// cheap.
	Throttle(req *Request) time.Duration
}

// Throttle mutes the connection for d: no further request is read from it
// until d has passed (KIP-219: the broker answers at once with the
// throttle time, then stops reading). Handlers call it for responses whose
// throttle time they set themselves (SendParts, Skip); Reply.Send mutes
// for the throttle time in the response. It may be called before the reply
// method, on the same Reply.
func (r Reply) Throttle(d time.Duration) {
	if r.s != nil {
		r.s.c.mute(d)
	}
}

// mute extends the connection's muted period to at least d from now.
func (c *conn) mute(d time.Duration) {
	if d <= 0 {
		return
	}
	until := time.Now().Add(d).UnixNano()
	for {
		cur := c.mutedUntil.Load()
		if cur >= until || c.mutedUntil.CompareAndSwap(cur, until) {
			return
		}
	}
}

// waitUnmuted blocks while the connection is muted, reporting false when
// it closes meanwhile.
func (c *conn) waitUnmuted() bool {
	d := time.Until(time.Unix(0, c.mutedUntil.Load()))
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		c.touch()
		return true
	case <-c.quit:
		return false
	}
}

// throttleResponse raises resp's throttle time to the request-quota
// throttle and mutes the connection for the result.
func (c *conn) throttleResponse(req *Request, resp kmsg.Response) {
	tr, ok := resp.(kmsg.ThrottleResponse)
	if !ok {
		return
	}
	cur, _ := tr.Throttle()
	d := time.Duration(cur) * time.Millisecond
	if th := c.srv.cfg.Throttler; th != nil {
		d = max(d, th.Throttle(req))
	}
	if d <= 0 {
		return
	}
	if st, ok := resp.(kmsg.SetThrottleResponse); ok {
		st.SetThrottle(int32(min(d.Milliseconds(), 1<<31-1)))
	}
	c.mute(d)
}
