package integration

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// spinMetadata sends Metadata requests as clientID back to back until ctx
// ends and returns how many were answered and the largest throttle time
// seen.
func spinMetadata(ctx context.Context, t *testing.T, addr, clientID string) (n int, maxThrottle int32) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ClientID(clientID))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for ctx.Err() == nil {
		resp, err := kmsg.NewPtrMetadataRequest().RequestWith(ctx, cl)
		if err != nil {
			break
		}
		n++
		maxThrottle = max(maxThrottle, resp.ThrottleMillis)
	}
	return n, maxThrottle
}

// TestQuotaRequestPercentage: a client spinning on Metadata under
// request_percentage=1 (1% of one thread) is throttled, with the throttle
// time in its responses, to a small fraction of the requests an
// unthrottled spinner on the same broker gets answered.
func TestQuotaRequestPercentage(t *testing.T) {
	c := gofkatest.Start(t, gofkatest.WithConfig("quota.window.num", "2"))
	adm := newAdmin(t, c.Addr())
	setQuota(t, adm, quotaEntity("client-id", "spinner"), "request_percentage", 1)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	var slow, fast int
	var throttle int32
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); slow, throttle = spinMetadata(ctx, t, c.Addr(), "spinner") }()
	go func() { defer wg.Done(); fast, _ = spinMetadata(ctx, t, c.Addr(), "free-spinner") }()
	wg.Wait()
	t.Logf("throttled spinner %d requests (max throttle %d ms), unthrottled %d", slow, throttle, fast)
	if throttle <= 0 {
		t.Errorf("no response to the throttled spinner carried a throttle time")
	}
	if slow*5 > fast {
		t.Errorf("throttled spinner got %d requests answered, unthrottled %d: want at most a fifth", slow, fast)
	}
}

// storm connects from 127.0.0.2 to addr from many goroutines, closing
// each connection at once, until it has made at least want connects and
// run at least minDur, or ctx ends; it returns the connects made and how
// long it ran. It stops by count, not by time: a loaded machine makes
// fewer connects a second, and a storm is a storm by its size against
// the rate admitted.
func storm(ctx context.Context, addr string, want int64, minDur time.Duration) (int64, time.Duration) {
	var n atomic.Int64
	start := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}, Timeout: time.Second}
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for ctx.Err() == nil {
				if nc, err := d.DialContext(ctx, "tcp", addr); err == nil {
					_ = nc.Close()
					if n.Add(1) >= want && time.Since(start) >= minDur {
						cancel()
					}
				}
			}
		})
	}
	wg.Wait()
	return n.Load(), time.Since(start)
}

// TestQuotaConnectionStorm: thousands of connects from one address are
// admitted at its connection_creation_rate, while a client on another
// address keeps producing with low latency.
func TestQuotaConnectionStorm(t *testing.T) {
	c := gofkatest.Start(t, gofkatest.WithConfig("quota.window.num", "2"),
		gofkatest.WithConfig("gofka.metrics.listen", "127.0.0.1:0"))
	adm := newAdmin(t, c.Addr())
	const rate = 20
	setQuota(t, adm, quotaEntity("ip", "127.0.0.2"), "connection_creation_rate", rate)
	cl := newClient(t, c.Addr())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := adm.CreateTopic(ctx, 1, 1, nil, "storm"); err != nil {
		t.Fatal(err)
	}
	before := metricValue(t, c.MetricsAddr(), "gofka_connections_opened_total")
	const want = 3000
	var connects int64
	var dur time.Duration
	done := make(chan struct{})
	go func() { defer close(done); connects, dur = storm(ctx, c.Addr(), want, 3*time.Second) }()
	var slowest time.Duration
	produced := 0
	for storming := true; storming; {
		start := time.Now()
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "storm", Value: []byte("still served")}).FirstErr(); err != nil {
			t.Fatalf("produce during the storm: %v", err)
		}
		slowest, produced = max(slowest, time.Since(start)), produced+1
		select {
		case <-done:
			storming = false
		case <-time.After(20 * time.Millisecond):
		}
	}
	admitted := metricValue(t, c.MetricsAddr(), "gofka_connections_opened_total") - before
	t.Logf("storm: %d connects in %v (%.0f/s), %.0f admitted; other client: %d produces, slowest %v",
		connects, dur, float64(connects)/dur.Seconds(), admitted, produced, slowest)
	if connects < want {
		t.Fatalf("the storm made only %d connects in %v: not a storm", connects, dur)
	}
	// one window (1 s) of burst plus the rate over the storm, with slack
	if limit := float64(rate)*(dur.Seconds()+1)*1.25 + 5; admitted > limit || admitted < rate {
		t.Errorf("admitted %.0f connections from the storm, want between %d and %.0f", admitted, rate, limit)
	}
	if slowest > time.Second || produced < 20 {
		t.Errorf("the client on another address: %d produces, slowest %v", produced, slowest)
	}
}

// TestQuotaMaxConnectionsPerIP: max.connections.per.ip refuses a further
// connection from the same address; an override lets 127.0.0.2 have more.
func TestQuotaMaxConnectionsPerIP(t *testing.T) {
	c := gofkatest.Start(t, gofkatest.WithConfig("max.connections.per.ip", "2"),
		gofkatest.WithConfig("max.connections.per.ip.overrides", "127.0.0.2:4"))
	open := func(ip string) int {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: time.Second}
		served := 0
		for range 5 {
			nc, err := d.Dial("tcp", c.Addr())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { nc.Close() })
			if apiVersions(nc) == nil {
				served++
			}
		}
		return served
	}
	if got := open("127.0.0.1"); got != 2 {
		t.Errorf("127.0.0.1: %d of 5 connections served, want 2", got)
	}
	if got := open("127.0.0.2"); got != 4 {
		t.Errorf("127.0.0.2 (override 4): %d of 5 connections served, want 4", got)
	}
}

// apiVersions sends ApiVersions v0 on nc and waits up to a second for the
// answer.
func apiVersions(nc net.Conn) error {
	req := []byte{0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 7, 0, 0}
	_ = nc.SetDeadline(time.Now().Add(time.Second))
	if _, err := nc.Write(req); err != nil {
		return err
	}
	var size [4]byte
	if _, err := nc.Read(size[:]); err != nil {
		return err
	}
	return nil
}

// TestQuotaControllerMutation: a CreateTopics burst beyond
// controller_mutation_rate gets THROTTLING_QUOTA_EXCEEDED, with a throttle
// time, for the topics past the burst, and the topics before it are
// created.
func TestQuotaControllerMutation(t *testing.T) {
	c := gofkatest.Start(t, gofkatest.WithConfig("controller.quota.window.num", "2"))
	adm := newAdmin(t, c.Addr())
	setQuota(t, adm, quotaEntity("client-id", "creator"), "controller_mutation_rate", 2) // burst: 2/s x 2 x 1s = 4
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addr()), kgo.ClientID("creator"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req := kmsg.NewPtrCreateTopicsRequest()
	for i := range 10 {
		rt := kmsg.NewCreateTopicsRequestTopic()
		rt.Topic, rt.NumPartitions, rt.ReplicationFactor = fmt.Sprintf("burst-%d", i), 2, 1
		req.Topics = append(req.Topics, rt)
	}
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		t.Fatal(err)
	}
	created, throttled := 0, 0
	for _, rt := range resp.Topics {
		switch err := kerr.ErrorForCode(rt.ErrorCode); {
		case err == nil:
			created++
		case errors.Is(err, kerr.ThrottlingQuotaExceeded):
			throttled++
		default:
			t.Errorf("%s: %v", rt.Topic, err)
		}
	}
	t.Logf("created %d, throttled %d, throttle %d ms", created, throttled, resp.ThrottleMillis)
	// 4 tokens: two topics of 2, a third into debt, the rest refused
	if created != 3 || throttled != 7 || resp.ThrottleMillis <= 0 {
		t.Errorf("created %d throttled %d throttle %d ms; want 3, 7 and a throttle time", created, throttled, resp.ThrottleMillis)
	}
	// another client is not affected
	if _, err := adm.CreateTopic(ctx, 2, 1, nil, "other-client"); err != nil {
		t.Errorf("another client's CreateTopics: %v", err)
	}
}

// TestQuotaDynamicConnectionConfig: max.connections.per.ip changed
// cluster-wide with IncrementalAlterConfigs applies to new connections
// without a restart.
func TestQuotaDynamicConnectionConfig(t *testing.T) {
	c := gofkatest.Start(t)
	adm := newAdmin(t, c.Addr())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// the admin client's own connection from 127.0.0.1 is one of the two
	one := "2"
	if _, err := adm.AlterBrokerConfigs(ctx, []kadm.AlterConfig{{Name: "max.connections.per.ip", Value: &one}}); err != nil {
		t.Fatal(err)
	}
	served := 0
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		served = 0
		var conns []net.Conn
		for range 3 {
			nc, err := net.Dial("tcp", c.Addr())
			if err != nil {
				t.Fatal(err)
			}
			conns = append(conns, nc)
			if apiVersions(nc) == nil {
				served++
			}
		}
		for _, nc := range conns {
			nc.Close()
		}
		if served <= 1 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if served > 1 {
		t.Fatalf("%d of 3 new connections served with max.connections.per.ip=2 and one open already", served)
	}
}

// TestQuotaListenerCreationRate: max.connection.creation.rate delays
// accepts to the rate: after one window's burst, 10 connections a second.
func TestQuotaListenerCreationRate(t *testing.T) {
	c := gofkatest.Start(t, gofkatest.WithConfig("max.connection.creation.rate", "10"),
		gofkatest.WithConfig("quota.window.num", "2"))
	start := time.Now()
	for range 30 {
		nc, err := net.Dial("tcp", c.Addr())
		if err != nil {
			t.Fatal(err)
		}
		if err := apiVersions(nc); err != nil {
			t.Fatalf("a delayed connection was not served: %v", err)
		}
		nc.Close()
	}
	// 10 in the first window, then 20 more at 10/s
	if el := time.Since(start); el < 1500*time.Millisecond {
		t.Fatalf("30 connections accepted in %v under max.connection.creation.rate=10", el)
	}
}

// TestQuotaMetrics: a throttled client's quota sensors are exported with
// Kafka's names: byte rate, throttle time and the quota in force.
func TestQuotaMetrics(t *testing.T) {
	c := gofkatest.Start(t, gofkatest.WithConfig("gofka.metrics.listen", "127.0.0.1:0"),
		gofkatest.WithConfig("quota.window.num", "2"))
	adm := newAdmin(t, c.Addr())
	setQuota(t, adm, quotaEntity("client-id", "metered"), "producer_byte_rate", 10000)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := adm.CreateTopic(ctx, 1, 1, nil, "metered"); err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addr()), kgo.ClientID("metered"), kgo.ProducerBatchCompression(kgo.NoCompression()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for range 3 {
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "metered", Value: make([]byte, 20000)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	labels := `{client_id="metered",type="Produce",user=""}`
	if v := metricValue(t, c.MetricsAddr(), "gofka_quota_byte_rate"+labels); v <= 10000 {
		t.Errorf("byte rate %v, want above the quota", v)
	}
	if v := metricValue(t, c.MetricsAddr(), "gofka_quota_throttle_time_ms"+labels); v <= 0 {
		t.Errorf("throttle time %v, want positive", v)
	}
	if v := metricValue(t, c.MetricsAddr(), "gofka_quota_limit"+labels); v != 10000 {
		t.Errorf("limit %v, want 10000", v)
	}
}
