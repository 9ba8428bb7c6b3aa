// Package metrics checks the broker's Prometheus metrics against what a
// real client sent and received.
package metrics

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// requestCounter counts the requests a client wrote, by API key.
type requestCounter struct{ n [128]atomic.Int64 }

func (c *requestCounter) OnBrokerWrite(_ kgo.BrokerMetadata, key int16, _ int, _, _ time.Duration, err error) {
	if err == nil && key >= 0 && int(key) < len(c.n) {
		c.n[key].Add(1)
	}
}

func TestMetricsAgreeWithTraffic(t *testing.T) {
	c := gofkatest.Start(t, gofkatest.WithConfig("gofka.metrics.listen", "127.0.0.1:0"),
		gofkatest.WithConfig("gofka.pprof.enable", "true"))
	base := "http://" + c.MetricsAddr()
	for _, path := range []string{"/healthz", "/readyz", "/debug/pprof/"} {
		if code := get(t, base+path); code != http.StatusOK {
			t.Fatalf("GET %s: %d", path, code)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var sent requestCounter
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addr()), kgo.DisableIdempotentWrite(), kgo.WithHooks(&sent),
		kgo.ProducerLinger(0), kgo.ConsumeTopics("m"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if _, err := kadm.NewClient(cl).CreateTopic(ctx, 2, 1, nil, "m"); err != nil {
		t.Fatal(err)
	}
	const n = 300
	var valueBytes int
	for i := range n {
		r := &kgo.Record{Topic: "m", Key: []byte(strconv.Itoa(i)), Value: []byte(fmt.Sprintf("value-%d", i))}
		valueBytes += len(r.Value)
		cl.Produce(ctx, r, func(_ *kgo.Record, err error) {
			if err != nil {
				t.Errorf("produce: %v", err)
			}
		})
	}
	if err := cl.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	got := 0
	for got < n {
		fs := cl.PollFetches(ctx)
		if err := fs.Err0(); err != nil {
			t.Fatal(err)
		}
		got += fs.NumRecords()
	}
	// The consumer's own ListOffsets may have met "m" before its partitions
	// were there (UNKNOWN_TOPIC_OR_PARTITION, retried): count from here.
	const unknownListOffsets = `gofka_request_errors_total{error="UNKNOWN_TOPIC_OR_PARTITION",request="ListOffsets"}`
	before := scrapeOnce(t, base)[unknownListOffsets]
	unknownTopicListOffsets(ctx, t, cl)
	produces := sent.n[0].Load()
	m := waitScrape(t, base, func(m scrape) bool {
		return m[`gofka_requests_total{request="Produce"}`] == float64(produces)
	})
	logBytes := m[`gofka_log_size_bytes{partition="0",topic="m"}`] + m[`gofka_log_size_bytes{partition="1",topic="m"}`]
	for _, tt := range []struct {
		series string
		want   float64
	}{
		{`gofka_topic_messages_in_total{topic="m"}`, n},
		{`gofka_topic_messages_out_total{topic="m"}`, n},
		{`gofka_topic_bytes_in_total{topic="m"}`, logBytes},
		{`gofka_topic_bytes_out_total{topic="m"}`, logBytes},
		{`gofka_request_duration_seconds_count{request="Produce"}`, float64(produces)},
		{`gofka_requests_total{request="CreateTopics"}`, float64(sent.n[19].Load())},
		{unknownListOffsets, before + 1},
		{`gofka_log_end_offset{partition="0",topic="m"}` + "+p1", n},
		{`gofka_partitions`, 2},
		{`gofka_controller_active`, 1},
		{`gofka_controller_active_brokers`, 1},
		{`gofka_controller_offline_partitions`, 0},
	} {
		v := m[tt.series]
		if name, ok := strings.CutSuffix(tt.series, "+p1"); ok {
			v = m[name] + m[strings.Replace(name, `partition="0"`, `partition="1"`, 1)]
		}
		if v != tt.want {
			t.Errorf("%s = %v, want %v", tt.series, v, tt.want)
		}
	}
	if logBytes < float64(valueBytes) {
		t.Errorf("log holds %v bytes, less than the %d value bytes sent", logBytes, valueBytes)
	}
	if m[`gofka_connections`] < 1 || m[`gofka_connections_opened_total`] < 1 {
		t.Errorf("connections %v, opened %v; want at least 1", m[`gofka_connections`], m[`gofka_connections_opened_total`])
	}
	if _, ok := m[`go_goroutines`]; !ok {
		t.Error("no Go runtime metrics")
	}
}

// unknownTopicListOffsets sends one ListOffsets for a missing topic, whose
// error the broker must count.
func unknownTopicListOffsets(ctx context.Context, t *testing.T, cl *kgo.Client) {
	t.Helper()
	req := kmsg.NewPtrListOffsetsRequest()
	rt := kmsg.NewListOffsetsRequestTopic()
	rt.Topic = "no-such-topic"
	rp := kmsg.NewListOffsetsRequestTopicPartition()
	rp.Timestamp = -1
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	brokers := cl.DiscoveredBrokers()
	if len(brokers) == 0 {
		t.Fatal("no broker discovered")
	}
	kresp, err := brokers[0].Request(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	resp := kresp.(*kmsg.ListOffsetsResponse)
	if code := resp.Topics[0].Partitions[0].ErrorCode; code != 3 {
		t.Fatalf("ListOffsets error %d, want 3", code)
	}
}

func TestNoListenerByDefault(t *testing.T) {
	if addr := gofkatest.Start(t).MetricsAddr(); addr != "" {
		t.Fatalf("metrics listener %q with gofka.metrics.listen unset", addr)
	}
}

func TestPprofOffByDefault(t *testing.T) {
	c := gofkatest.Start(t, gofkatest.WithConfig("gofka.metrics.listen", "127.0.0.1:0"))
	if code := get(t, "http://"+c.MetricsAddr()+"/debug/pprof/"); code != http.StatusNotFound {
		t.Fatalf("pprof answered %d without gofka.pprof.enable", code)
	}
}

// scrape is one /metrics answer: series (name and labels as printed) to value.
type scrape map[string]float64

func get(t *testing.T, url string) int {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func scrapeOnce(t *testing.T, base string) scrape {
	t.Helper()
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	m := scrape{}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("bad line %q", line)
		}
		m[line[:i]] = v
	}
	return m
}

// waitScrape scrapes until ok holds: the server counts a request once its
// response is written, which the client may see first.
func waitScrape(t *testing.T, base string, ok func(scrape) bool) scrape {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		m := scrapeOnce(t, base)
		if ok(m) || time.Now().After(deadline) {
			return m
		}
		time.Sleep(10 * time.Millisecond)
	}
}
