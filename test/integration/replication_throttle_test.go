package integration

import (
	"context"
	"crypto/rand"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

const (
	throttleRate  = 256 << 10 // bytes per second
	throttleBytes = 2 << 20   // written to each topic while the follower is down
)

// TestReplicationThrottleFollower: a follower throttled by
// follower.replication.throttled.rate catches up with a throttled
// partition at about the rate, and an unthrottled partition at once.
func TestReplicationThrottleFollower(t *testing.T) {
	testReplicationThrottle(t, "follower")
}

// TestReplicationThrottleLeader: the same with the leader's
// leader.replication.throttled.rate.
func TestReplicationThrottleLeader(t *testing.T) {
	testReplicationThrottle(t, "leader")
}

// testReplicationThrottle stops a follower, writes throttleBytes to a
// throttled and an unthrottled topic, restarts the follower and watches
// both catch up. side is "leader" or "follower": whose rate and list
// throttle it.
func testReplicationThrottle(t *testing.T, side string) {
	c := startObserved(t, "replica.fetch.max.bytes", "65536", "replication.quota.window.num", "2")
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	adm := clusterAdmin(t, c.Addrs()...)
	for _, topic := range []string{"thr", "free"} {
		if _, err := adm.CreateTopic(ctx, 1, 3, nil, topic); err != nil {
			t.Fatal(err)
		}
	}
	pd, follower := leaderAndFollower(t, ctx, adm, "thr")
	throttled, rated := follower, follower
	if side == "leader" {
		throttled, rated = pd.Leader, pd.Leader
	}
	list := fmt.Sprintf("0:%d", throttled)
	if _, err := adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{{Name: side + ".replication.throttled.replicas", Value: &list}}, "thr"); err != nil {
		t.Fatal(err)
	}
	rate := strconv.Itoa(throttleRate)
	res, err := adm.AlterBrokerConfigs(ctx, []kadm.AlterConfig{{Name: side + ".replication.throttled.rate", Value: &rate}}, rated)
	if err == nil {
		err = res[0].Err
	}
	if err != nil {
		t.Fatal(err)
	}

	c.Stop(follower)
	writeRandom(t, ctx, c.Addrs(), "thr", "free")
	leaderSize := logSize(t, c, pd.Leader, "thr")
	var freeSize float64 // the largest copy: the leader's
	for id := int32(1); id <= 3; id++ {
		if id != follower {
			freeSize = max(freeSize, logSize(t, c, id, "free"))
		}
	}
	start := time.Now()
	c.Restart(follower)
	var freeAt time.Duration
	var thrAtFree float64
	for {
		if ctx.Err() != nil {
			t.Fatalf("follower %d: thr %v of %v bytes, free caught up at %v", follower, logSize(t, c, follower, "thr"), leaderSize, freeAt)
		}
		thr := logSize(t, c, follower, "thr")
		if freeAt == 0 && logSize(t, c, follower, "free") >= freeSize {
			freeAt, thrAtFree = time.Since(start), thr
		}
		if thr >= leaderSize && freeAt > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	took := time.Since(start)
	// A first window's worth (2 samples of 1 s: one second of rate) and one
	// fetch go before the throttle bites; the rest at the rate.
	expect := time.Duration(float64(leaderSize-throttleRate-65536) / throttleRate * float64(time.Second))
	t.Logf("%s throttle %d B/s: %.0f bytes caught up in %v (%.0f B/s; expected about %v); the unthrottled partition in %v, when the throttled one had %.0f bytes",
		side, throttleRate, leaderSize, took, leaderSize/took.Seconds(), expect, freeAt, thrAtFree)
	if took < expect/2 {
		t.Errorf("caught up in %v, faster than half the %v the rate allows", took, expect)
	}
	if thrAtFree > leaderSize*0.8 {
		t.Errorf("the unthrottled partition caught up only when the throttled one had %.0f of %.0f bytes", thrAtFree, leaderSize)
	}
}

// writeRandom writes throttleBytes of incompressible 1 KiB records to each
// topic, acknowledged by the leader alone, in batches of 16 KiB (a fetch
// returns at least one whole batch, however large: KIP-74).
func writeRandom(t *testing.T, ctx context.Context, addrs []string, topics ...string) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addrs...), kgo.RequiredAcks(kgo.LeaderAck()), kgo.DisableIdempotentWrite(),
		kgo.ProducerBatchMaxBytes(16<<10)) // small batches: a fetch carries at most replica.fetch.max.bytes
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var rs []*kgo.Record
	for _, topic := range topics {
		for range throttleBytes / 1024 {
			v := make([]byte, 1024)
			rand.Read(v)
			rs = append(rs, &kgo.Record{Topic: topic, Value: v})
		}
	}
	if err := cl.ProduceSync(ctx, rs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

// logSize is a node's log size of partition 0 of topic, 0 while unknown.
func logSize(t *testing.T, c *gofkatest.MultiCluster, id int32, topic string) float64 {
	return nodeMetric(t, c, id, fmt.Sprintf(`gofka_log_size_bytes{partition="0",topic=%q}`, topic))
}
