package process

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gofka/gofka/test/faults"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestSeparateRolesSurviveKills runs three controller-only and two
// broker-only processes. A broker killed with SIGKILL is fenced and shown
// as such, and unfenced when it comes back; the active controller killed
// with SIGKILL is replaced and changes go on through the brokers; every
// committed change is on both brokers at the end.
func TestSeparateRolesSurviveKills(t *testing.T) {
	c := faults.StartRoles(t, binary, 3, 2, "broker.session.timeout.ms=3000", "broker.heartbeat.interval.ms=500")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	want := map[string]bool{}
	for round := 0; round < iterations(); round++ {
		change(t, ctx, c, 2*round, want)
		c.Kill(5)
		waitFenced(t, ctx, c, 5, true)
		c.Restart(5)
		waitFenced(t, ctx, c, 5, false)
		old, err := c.Leader(ctx)
		if err != nil {
			t.Fatal(err)
		}
		c.Kill(old)
		start := time.Now()
		change(t, ctx, c, 2*round+1, want)
		if took := time.Since(start); took > failoverBound {
			t.Errorf("round %d: changes took %v after the active controller died, more than %v", round, took, failoverBound)
		}
		c.Restart(old)
	}
	for _, id := range []int32{4, 5} {
		expectNodeTopics(t, ctx, c.Node(id).Addr(), want)
	}
}

// waitFenced waits until broker id is registered and fenced (or unfenced),
// as DescribeCluster (with fenced brokers) shows it.
func waitFenced(t *testing.T, ctx context.Context, c *faults.Cluster, id int32, want bool) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var last string
	for ctx.Err() == nil {
		req := kmsg.NewPtrDescribeClusterRequest()
		req.IncludeFencedBrokers = true
		if resp, err := req.RequestWith(ctx, cl); err == nil {
			last = fmt.Sprint(resp.Brokers)
			for _, b := range resp.Brokers {
				if b.NodeID == id && b.IsFenced == want {
					return
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("broker %d never fenced=%v: %s", id, want, last)
}
