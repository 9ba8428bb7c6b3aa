package controller

import (
	"errors"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/metadata"

	"github.com/twmb/franz-go/pkg/kerr"
)

// A broker whose heartbeats stop is fenced and loses its leaderships to an
// in-sync replica; its next heartbeat unfences it; a controlled shutdown
// moves its leaderships before it may exit.
func TestBrokerLifecycle(t *testing.T) {
	c, _ := newTestController(t, t.TempDir()) // broker 1 registered
	epochs := map[int32]int64{}
	for id := int32(2); id <= 3; id++ {
		e, err := c.Register(id, metadata.UUID{byte(id)}, []Endpoint{{Name: "PLAINTEXT", Host: "127.0.0.1", Port: 9090 + int(id)}}, nil, -1)
		if err != nil {
			t.Fatal(err)
		}
		epochs[id] = e
	}
	tp := topicReq("t", -1, -1, nil)
	tp.ReplicationFactor = 3
	tp.NumPartitions = 3
	if res := c.CreateTopics(createReq(tp)); res[0].ErrorCode != 0 {
		t.Fatalf("create: %v", kerr.ErrorForCode(res[0].ErrorCode))
	}
	leaderOf := func(p int32) int32 { return c.pub.Current().Partition("t", p).Leader }
	var led []int32
	for p := int32(0); p < 3; p++ {
		if leaderOf(p) == 2 {
			led = append(led, p)
		}
	}
	if len(led) == 0 {
		t.Fatal("broker 2 leads no partition")
	}
	now := time.Now()
	c.now = func() time.Time { return now }
	if err := c.FenceExpired(now, time.Second); err != nil { // first sight of everyone
		t.Fatal(err)
	}
	c.Heartbeat(1, c.pub.Current().Brokers[1].Epoch, c.pub.Current().Offset, false, false)
	c.Heartbeat(3, epochs[3], c.pub.Current().Offset, false, false)
	now = now.Add(2 * time.Second)
	c.Heartbeat(1, c.pub.Current().Brokers[1].Epoch, c.pub.Current().Offset, false, false)
	c.Heartbeat(3, epochs[3], c.pub.Current().Offset, false, false)
	if err := c.FenceExpired(now, time.Second); err != nil {
		t.Fatal(err)
	}
	img := c.pub.Current()
	if !img.Brokers[2].Fenced || img.Brokers[1].Fenced || img.Brokers[3].Fenced {
		t.Fatalf("fenced: 1=%v 2=%v 3=%v", img.Brokers[1].Fenced, img.Brokers[2].Fenced, img.Brokers[3].Fenced)
	}
	for _, p := range led {
		if l := leaderOf(p); l == 2 || l < 0 {
			t.Fatalf("partition %d: leader %d after broker 2 was fenced", p, l)
		}
	}
	if r := c.Heartbeat(2, epochs[2]-1, c.pub.Current().Offset, false, false); r.Err != kerr.StaleBrokerEpoch {
		t.Fatalf("stale epoch: %v", r.Err)
	}
	if r := c.Heartbeat(2, epochs[2], epochs[2]-1, false, false); r.Err != nil || !r.Fenced {
		t.Fatalf("a broker behind its own registration was unfenced: %+v", r)
	}
	if r := c.Heartbeat(2, epochs[2], c.pub.Current().Offset, false, false); r.Err != nil || r.Fenced || c.pub.Current().Brokers[2].Fenced {
		t.Fatalf("heartbeat after fencing: %+v", r)
	}
	// Another incarnation of a live broker is refused; the same one may
	// register again.
	if _, err := c.Register(3, metadata.UUID{99}, nil, nil, -1); !errors.Is(err, ErrDuplicateBroker) {
		t.Fatalf("duplicate node id: got %v", err)
	}
	if e, err := c.Register(3, metadata.UUID{3}, []Endpoint{{Name: "PLAINTEXT", Host: "127.0.0.1", Port: 9093}}, nil, -1); err != nil {
		t.Fatalf("same incarnation: %v", err)
	} else {
		epochs[3] = e
	}
	// Controlled shutdown of broker 3.
	r := c.Heartbeat(3, epochs[3], c.pub.Current().Offset, false, true)
	if r.Err != nil || !r.ShouldShutDown {
		t.Fatalf("controlled shutdown: %+v", r)
	}
	for p := int32(0); p < 3; p++ {
		if leaderOf(p) == 3 {
			t.Fatalf("partition %d still led by 3 after its controlled shutdown", p)
		}
	}
	// A broker that shut down may come back as a new incarnation at once.
	if _, err := c.Register(3, metadata.UUID{98}, nil, nil, -1); err != nil {
		t.Fatalf("new incarnation after a controlled shutdown: %v", err)
	}
}
