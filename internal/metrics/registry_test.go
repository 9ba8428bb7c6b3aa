package metrics

import (
	"fmt"
	"io"
	"math"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
)

func TestCounters(t *testing.T) {
	r := New()
	r.Request(0, 2*time.Millisecond, false)
	r.Request(0, 3*time.Millisecond, true)
	r.Request(-1, time.Millisecond, false) // ignored
	r.TopicIn("a", 10, 1000)
	r.TopicIn("a", 5, 500)
	r.TopicOut("a", 7, 700)
	r.ConnOpened()
	r.ConnOpened()
	r.ConnClosed()
	resp := kmsg.NewPtrProduceResponse()
	resp.Topics = []kmsg.ProduceResponseTopic{{Partitions: []kmsg.ProduceResponseTopicPartition{{ErrorCode: 3}, {ErrorCode: 0}}}}
	r.Response(0, resp)
	for _, tt := range []struct {
		name      string
		got, want float64
	}{
		{"requests", value(t, r.requests.WithLabelValues("Produce")), 2},
		{"closed", value(t, r.requestErrors.WithLabelValues("Produce", "CONNECTION_CLOSED")), 1},
		{"unknown topic", value(t, r.requestErrors.WithLabelValues("Produce", "UNKNOWN_TOPIC_OR_PARTITION")), 1},
		{"bytes in", value(t, r.bytesIn.WithLabelValues("a")), 1500},
		{"messages in", value(t, r.messagesIn.WithLabelValues("a")), 15},
		{"bytes out", value(t, r.bytesOut.WithLabelValues("a")), 700},
		{"messages out", value(t, r.messagesOut.WithLabelValues("a")), 7},
		{"connections", value(t, r.conns), 1},
		{"opened", value(t, r.connsOpened), 2},
	} {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	r.KeepTopics(map[string]bool{"a": true})
	if n := count(r.bytesIn); n != 1 {
		t.Errorf("kept topic has %d series", n)
	}
	r.KeepTopics(nil)
	r.DeleteTopic("a")
	if n := count(r.bytesIn); n != 0 {
		t.Errorf("deleted topic still has %d series", n)
	}
}

func TestSourceAndHandler(t *testing.T) {
	r := New()
	r.AddSource(Source{
		Partitions: func() []PartitionStat {
			return []PartitionStat{{Topic: "t", Partition: 1, SizeBytes: 123, Segments: 2, StartOffset: 4, EndOffset: 9, HighWater: 9}}
		},
		Groups: func() []GroupStat {
			return []GroupStat{{Group: "g", State: "Stable", Members: 1, Lag: []PartitionLag{{Topic: "t", Partition: 1, Committed: 5, Lag: 4}}}}
		},
		Replication: func() ReplicationStat {
			return ReplicationStat{Leaders: 3, UnderReplicated: 2, UnderMinISR: 1, AtMinISR: 1, ISRShrinks: 5, ISRExpands: 6,
				FetcherLag: []FetcherLag{{Topic: "t", Partition: 0, Lag: 7}, {Topic: "u", Partition: 2, Lag: 9}},
				Throttles:  []ThrottleStat{{Side: "leader", Rate: 10, Bound: math.Inf(1)}}}
		},
	})
	srv := httptest.NewServer(r.Handler())
	defer srv.Close()
	res, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, want := range []string{
		`gofka_log_size_bytes{partition="1",topic="t"} 123`,
		`gofka_log_segments{partition="1",topic="t"} 2`,
		`gofka_log_end_offset{partition="1",topic="t"} 9`,
		`gofka_partitions 1`,
		`gofka_consumer_groups{state="Stable"} 1`,
		`gofka_consumer_group_lag{group="g",partition="1",topic="t"} 4`,
		`go_goroutines`,
		`gofka_leader_partitions 3`,
		`gofka_under_replicated_partitions 2`,
		`gofka_under_min_isr_partitions 1`,
		`gofka_at_min_isr_partitions 1`,
		`gofka_offline_replicas 0`,
		`gofka_isr_shrinks_total 5`,
		`gofka_isr_expands_total 6`,
		`gofka_replica_fetcher_lag{partition="2",topic="u"} 9`,
		`gofka_replica_fetcher_max_lag 9`,
		`gofka_replication_throttle_byte_rate{side="leader"} 10`,
		`gofka_replication_throttle_limit{side="leader"} +Inf`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
}

func TestHotPathDoesNotAllocate(t *testing.T) {
	r := New()
	r.TopicIn("t", 1, 1)
	resp := kmsg.NewPtrProduceResponse()
	resp.Topics = []kmsg.ProduceResponseTopic{{Partitions: []kmsg.ProduceResponseTopicPartition{{}}}}
	for name, fn := range map[string]func(){
		"Request":  func() { r.Request(1, time.Millisecond, false) },
		"TopicIn":  func() { r.TopicIn("t", 10, 100) },
		"TopicOut": func() { r.TopicOut("t", 10, 100) },
		"Response": func() { r.Response(0, resp) },
	} {
		if n := testing.AllocsPerRun(100, fn); n != 0 {
			t.Errorf("%s: %v allocs per call", name, n)
		}
	}
}

func TestAPIName(t *testing.T) {
	for key, want := range map[int16]string{0: "Produce", 1: "Fetch", 18: "ApiVersions", 999: "999"} {
		if got := APIName(key); got != want {
			t.Errorf("APIName(%d) = %q, want %q", key, got, want)
		}
	}
}

func TestErrorCodesOfResponses(t *testing.T) {
	for _, tt := range []struct {
		resp kmsg.Response
		want []int16
	}{
		{&kmsg.FetchResponse{ErrorCode: 1}, []int16{1}},
		{&kmsg.MetadataResponse{Topics: []kmsg.MetadataResponseTopic{{ErrorCode: 3}, {}}}, []int16{3, 0}},
		{&kmsg.CreateTopicsResponse{Topics: []kmsg.CreateTopicsResponseTopic{{ErrorCode: 36}}}, []int16{36}},
		{&kmsg.JoinGroupResponse{ErrorCode: 25}, []int16{25}},
		{&kmsg.OffsetFetchResponse{ErrorCode: 0, Groups: []kmsg.OffsetFetchResponseGroup{{ErrorCode: 69}}}, []int16{0, 69}},
		{&kmsg.EndTxnResponse{ErrorCode: 48}, []int16{48}},
		{&kmsg.ApiVersionsResponse{ErrorCode: 35}, []int16{35}},
		{&kmsg.SASLHandshakeResponse{ErrorCode: 33}, nil},
	} {
		var got []int16
		eachErrorCode(tt.resp, func(c int16) { got = append(got, c) })
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%T: codes %v, want %v", tt.resp, got, tt.want)
		}
	}
	if got := errorName(3); got != "UNKNOWN_TOPIC_OR_PARTITION" {
		t.Errorf("errorName(3) = %q", got)
	}
}
