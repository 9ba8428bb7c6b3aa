package controller

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/config"
	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/raft"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// newTestController opens a controller on a single-voter quorum in dir,
// replaying whatever its log already holds, with one registered broker.
func newTestController(t *testing.T, dir string) (*Controller, *raft.Node) {
	t.Helper()
	static, err := config.LoadBroker(map[string]string{"log.dirs": dir})
	if err != nil {
		t.Fatal(err)
	}
	pub := metadata.NewPublisher(nil)
	q, err := raft.Start(raft.Config{NodeID: static.NodeID, Dir: dir, ClusterID: "test",
		Voters: []raft.Voter{{ID: static.NodeID, Host: "127.0.0.1", Port: 9093}},
		Tick:   10 * time.Millisecond, SnapshotBytes: 1 << 30, SM: &metadata.Machine{Pub: pub, ClusterID: "test"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := q.WaitLeader(ctx); err != nil {
		t.Fatal(err)
	}
	c := New(q, pub, static, slog.New(slog.DiscardHandler))
	if err := c.Bootstrap(static.NodeID, []Endpoint{{Name: "PLAINTEXT", Host: "127.0.0.1", Port: 9092}}, nil); err != nil {
		t.Fatal(err)
	}
	return c, q
}

func createReq(topics ...kmsg.CreateTopicsRequestTopic) *kmsg.CreateTopicsRequest {
	r := kmsg.NewPtrCreateTopicsRequest()
	r.Topics = topics
	return r
}

func topicReq(name string, parts int32, rf int16, cfg map[string]string) kmsg.CreateTopicsRequestTopic {
	t := kmsg.NewCreateTopicsRequestTopic()
	t.Topic, t.NumPartitions, t.ReplicationFactor = name, parts, rf
	for k, v := range cfg {
		v := v
		t.Configs = append(t.Configs, kmsg.CreateTopicsRequestTopicConfig{Name: k, Value: &v})
	}
	return t
}

func TestCreateTopicsValidation(t *testing.T) {
	c, _ := newTestController(t, t.TempDir())
	manual := topicReq("manual", -1, -1, nil)
	manual.ReplicaAssignment = []kmsg.CreateTopicsRequestTopicReplicaAssignment{{Partition: 0, Replicas: []int32{1}}, {Partition: 1, Replicas: []int32{1}}}
	badManual := topicReq("badmanual", -1, -1, nil)
	badManual.ReplicaAssignment = []kmsg.CreateTopicsRequestTopicReplicaAssignment{{Partition: 0, Replicas: []int32{7}}}
	tests := []struct {
		topic kmsg.CreateTopicsRequestTopic
		code  *kerr.Error
		parts int32
	}{
		{topicReq("ok", 3, 1, map[string]string{"retention.ms": "1000"}), nil, 3},
		{topicReq("defaults", -1, -1, nil), nil, 1},
		{manual, nil, 2},
		{topicReq("bad name!", 1, 1, nil), kerr.InvalidTopicException, 0},
		{topicReq("zero", 0, 1, nil), kerr.InvalidPartitions, 0},
		{topicReq("rf0", 1, 0, nil), kerr.InvalidReplicationFactor, 0},
		{topicReq("rf3", 1, 3, nil), kerr.InvalidReplicationFactor, 0},
		{topicReq("badcfg", 1, 1, map[string]string{"retention.ms": "x"}), kerr.InvalidConfig, 0},
		{topicReq("unknowncfg", 1, 1, map[string]string{"no.such.config": "1"}), kerr.InvalidConfig, 0},
		{badManual, kerr.InvalidReplicaAssignment, 0},
	}
	for _, tt := range tests {
		res := c.CreateTopics(createReq(tt.topic))[0]
		if got := kerr.ErrorForCode(res.ErrorCode); got != errOrNil(tt.code) {
			t.Errorf("%s: error %v, want %v", tt.topic.Topic, got, tt.code)
			continue
		}
		if tt.code != nil {
			if c.pub.Current().Topic(tt.topic.Topic) != nil {
				t.Errorf("%s: topic created despite %v", tt.topic.Topic, tt.code)
			}
			continue
		}
		if got := c.pub.Current().Topic(tt.topic.Topic); got == nil || int32(len(got.Partitions)) != tt.parts {
			t.Errorf("%s: image has %v, want %d partitions", tt.topic.Topic, got, tt.parts)
		}
	}
	if res := c.CreateTopics(createReq(topicReq("ok", 1, 1, nil)))[0]; res.ErrorCode != kerr.TopicAlreadyExists.Code {
		t.Errorf("second create: code %d, want TOPIC_ALREADY_EXISTS", res.ErrorCode)
	}
	dup := c.CreateTopics(createReq(topicReq("d", 1, 1, nil), topicReq("d", 1, 1, nil)))
	if dup[0].ErrorCode != kerr.InvalidRequest.Code || dup[1].ErrorCode != kerr.InvalidRequest.Code {
		t.Errorf("duplicate names: codes %d %d, want INVALID_REQUEST", dup[0].ErrorCode, dup[1].ErrorCode)
	}
}

func errOrNil(e *kerr.Error) error {
	if e == nil {
		return nil
	}
	return e
}

func TestValidateOnlyWritesNothing(t *testing.T) {
	c, _ := newTestController(t, t.TempDir())
	r := createReq(topicReq("v", 2, 1, nil))
	r.ValidateOnly = true
	off := c.pub.Current().Offset
	if res := c.CreateTopics(r)[0]; res.ErrorCode != 0 || res.NumPartitions != 2 {
		t.Fatalf("validate only: %+v", res)
	}
	if c.pub.Current().Offset != off || c.pub.Current().Topic("v") != nil {
		t.Fatal("validateOnly wrote metadata")
	}
}

func TestMetadataSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	c, j := newTestController(t, dir)
	c.CreateTopics(createReq(topicReq("keep", 2, 1, map[string]string{"cleanup.policy": "compact"})))
	c.CreateTopics(createReq(topicReq("gone", 1, 1, nil)))
	del := kmsg.NewPtrDeleteTopicsRequest()
	del.TopicNames = []string{"gone"}
	if res := c.DeleteTopics(del)[0]; res.ErrorCode != 0 {
		t.Fatalf("delete: %d", res.ErrorCode)
	}
	cp := kmsg.NewPtrCreatePartitionsRequest()
	cp.Topics = []kmsg.CreatePartitionsRequestTopic{{Topic: "keep", Count: 5}}
	if res := c.CreatePartitions(cp)[0]; res.ErrorCode != 0 {
		t.Fatalf("create partitions: %d %v", res.ErrorCode, res.ErrorMessage)
	}
	j.Close()

	c2, _ := newTestController(t, dir)
	img := c2.pub.Current()
	if keep := img.Topic("keep"); keep == nil || len(keep.Partitions) != 5 {
		t.Fatalf("after reopen: topic keep = %+v", keep)
	}
	if img.Topic("gone") != nil {
		t.Fatal("deleted topic came back after reopen")
	}
	if v := img.Configs(ResourceTopic, "keep")["cleanup.policy"]; v != "compact" {
		t.Fatalf("config after reopen: %q", v)
	}
}

func TestCreatePartitionsErrors(t *testing.T) {
	c, _ := newTestController(t, t.TempDir())
	c.CreateTopics(createReq(topicReq("t", 3, 1, nil)))
	for _, tt := range []struct {
		topic string
		count int32
		code  *kerr.Error
	}{
		{"t", 2, kerr.InvalidPartitions},
		{"t", 3, kerr.InvalidPartitions},
		{"missing", 4, kerr.UnknownTopicOrPartition},
	} {
		r := kmsg.NewPtrCreatePartitionsRequest()
		r.Topics = []kmsg.CreatePartitionsRequestTopic{{Topic: tt.topic, Count: tt.count}}
		if res := c.CreatePartitions(r)[0]; res.ErrorCode != tt.code.Code {
			t.Errorf("%s to %d: code %d, want %v", tt.topic, tt.count, res.ErrorCode, tt.code)
		}
	}
}

func TestIncrementalAlterConfigs(t *testing.T) {
	c, _ := newTestController(t, t.TempDir())
	c.CreateTopics(createReq(topicReq("t", 1, 1, map[string]string{"retention.ms": "5000"})))
	str := func(s string) *string { return &s }
	steps := []struct {
		changes []ConfigChange
		code    *kerr.Error
		want    map[string]string
	}{
		{[]ConfigChange{{Name: "cleanup.policy", Op: opAppend, Value: str("compact")}}, nil, map[string]string{"retention.ms": "5000", "cleanup.policy": "delete,compact"}},
		{[]ConfigChange{{Name: "cleanup.policy", Op: opSubtract, Value: str("delete")}}, nil, map[string]string{"retention.ms": "5000", "cleanup.policy": "compact"}},
		{[]ConfigChange{{Name: "retention.ms", Op: opDelete}}, nil, map[string]string{"cleanup.policy": "compact"}},
		{[]ConfigChange{{Name: "retention.ms", Op: opAppend, Value: str("1")}}, kerr.InvalidConfig, nil},
		{[]ConfigChange{{Name: "segment.bytes", Op: opSet, Value: str("-5")}}, kerr.InvalidConfig, nil},
		{[]ConfigChange{{Name: "a", Op: opDelete}, {Name: "a", Op: opDelete}}, kerr.InvalidRequest, nil},
	}
	for i, s := range steps {
		res := c.IncrementalAlterConfigs(ResourceTopic, "t", s.changes, false)
		if res.Code != s.code {
			t.Fatalf("step %d: %v %s, want %v", i, res.Code, res.Msg, s.code)
		}
		if s.want == nil {
			continue
		}
		got := c.pub.Current().Configs(ResourceTopic, "t")
		if len(got) != len(s.want) {
			t.Fatalf("step %d: configs %v, want %v", i, got, s.want)
		}
		for k, v := range s.want {
			if got[k] != v {
				t.Fatalf("step %d: %s = %q, want %q", i, k, got[k], v)
			}
		}
	}
	if res := c.AlterConfigs(ResourceTopic, "t", map[string]*string{"segment.ms": str("60000")}, false); res.Code != nil {
		t.Fatalf("alter configs: %v", res.Msg)
	}
	if got := c.pub.Current().Configs(ResourceTopic, "t"); len(got) != 1 || got["segment.ms"] != "60000" {
		t.Fatalf("legacy AlterConfigs must replace the whole set, got %v", got)
	}
	if res := c.AlterConfigs(ResourceTopic, "nope", nil, false); res.Code != kerr.UnknownTopicOrPartition {
		t.Fatalf("alter missing topic: %v", res.Code)
	}
}

// TestBrokerConfigsOfAController: a registered controller's per-broker
// configs may be set (its controller listener's stores, KIP-919), an id
// that names no node may not.
func TestBrokerConfigsOfAController(t *testing.T) {
	c, _ := newTestController(t, t.TempDir())
	v := "/etc/gofka/controller-7.pem"
	set := []ConfigChange{{Name: "listener.name.controller.ssl.keystore.location", Op: opSet, Value: &v}}
	if res := c.IncrementalAlterConfigs(ResourceBroker, "7", set, false); res.Code != kerr.InvalidRequest {
		t.Fatalf("an unknown node: %v %s, want INVALID_REQUEST", res.Code, res.Msg)
	}
	if err := c.RegisterController(7, metadata.UUID{7}, []Endpoint{{Name: "CONTROLLER", Host: "127.0.0.1", Port: 9093}}); err != nil {
		t.Fatal(err)
	}
	if res := c.IncrementalAlterConfigs(ResourceBroker, "7", set, false); res.Code != nil {
		t.Fatalf("a registered controller: %v %s", res.Code, res.Msg)
	}
	if got := c.pub.Current().Configs(ResourceBroker, "7")[set[0].Name]; got != v {
		t.Fatalf("controller 7's keystore config is %q", got)
	}
}
