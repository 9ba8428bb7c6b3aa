package integration

import (
	"fmt"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestShareStateAPIs drives the share coordinator APIs (83-87) with
// plain requests: initialize, write, read, summarize, fence and delete
// one share partition's state, also after the node restarts.
func TestShareStateAPIs(t *testing.T) {
	dir := t.TempDir()
	c := gofkatest.Start(t, shareOpts(gofkatest.WithDir(dir))...)
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	topic := [16]byte{9, 9}
	initialize := kmsg.NewPtrInitializeShareGroupStateRequest()
	initialize.GroupID = "sg"
	initialize.Topics = []kmsg.InitializeShareGroupStateRequestTopic{{TopicID: topic,
		Partitions: []kmsg.InitializeShareGroupStateRequestTopicPartition{{Partition: 0, StateEpoch: 1, StartOffset: 10}}}}
	ir, err := initialize.RequestWith(ctxT(t, 10*time.Second), cl)
	if err != nil || ir.Topics[0].Partitions[0].ErrorCode != 0 {
		t.Fatalf("initialize: %v %+v", err, ir)
	}
	write := func(stateEpoch int32, start int64, first, last int64, state int8) int16 {
		w := kmsg.NewPtrWriteShareGroupStateRequest()
		w.GroupID = "sg"
		w.Topics = []kmsg.WriteShareGroupStateRequestTopic{{TopicID: topic, Partitions: []kmsg.WriteShareGroupStateRequestTopicPartition{{
			Partition: 0, StateEpoch: stateEpoch, LeaderEpoch: 2, StartOffset: start,
			StateBatches: []kmsg.WriteShareGroupStateRequestTopicPartitionStateBatch{{FirstOffset: first, LastOffset: last, DeliveryState: state, DeliveryCount: 1}},
		}}}}
		wr, err := w.RequestWith(ctxT(t, 10*time.Second), cl)
		if err != nil {
			t.Fatal(err)
		}
		return wr.Topics[0].Partitions[0].ErrorCode
	}
	if code := write(1, 12, 12, 15, 2); code != 0 {
		t.Fatalf("write: %v", kerr.ErrorForCode(code))
	}
	if code := write(0, -1, 16, 16, 2); code != kerr.FencedStateEpoch.Code {
		t.Fatalf("write at an old state epoch: %v", kerr.ErrorForCode(code))
	}
	if code := write(1, -1, 16, 16, 9); code != kerr.InvalidRequest.Code {
		t.Fatalf("write of a bad delivery state: %v", kerr.ErrorForCode(code))
	}
	check := func(cl *kgo.Client) {
		rd := kmsg.NewPtrReadShareGroupStateRequest()
		rd.GroupID = "sg"
		rd.Topics = []kmsg.ReadShareGroupStateRequestTopic{{TopicID: topic, Partitions: []kmsg.ReadShareGroupStateRequestTopicPartition{{Partition: 0, LeaderEpoch: -1}}}}
		rr, err := rd.RequestWith(ctxT(t, 10*time.Second), cl)
		if err != nil {
			t.Fatal(err)
		}
		p := rr.Topics[0].Partitions[0]
		if p.ErrorCode != 0 || p.StateEpoch != 1 || p.StartOffset != 12 || len(p.StateBatches) != 1 || p.StateBatches[0].LastOffset != 15 {
			t.Fatalf("read: %+v", p)
		}
		sum := kmsg.NewPtrReadShareGroupStateSummaryRequest()
		sum.GroupID = "sg"
		sum.Topics = []kmsg.ReadShareGroupStateSummaryRequestTopic{{TopicID: topic, Partitions: []kmsg.ReadShareGroupStateSummaryRequestTopicPartition{{Partition: 0, LeaderEpoch: 1}}}}
		sr, err := sum.RequestWith(ctxT(t, 10*time.Second), cl)
		if err != nil || sr.Topics[0].Partitions[0].ErrorCode != kerr.FencedLeaderEpoch.Code {
			t.Fatalf("summary at an old leader epoch: %v %+v", err, sr)
		}
	}
	check(cl)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c2 := gofkatest.Start(t, shareOpts(gofkatest.WithDir(dir))...)
	cl2, err := kgo.NewClient(kgo.SeedBrokers(c2.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl2.Close()
	check(cl2) // replayed from __share_group_state
	del := kmsg.NewPtrDeleteShareGroupStateRequest()
	del.GroupID = "sg"
	del.Topics = []kmsg.DeleteShareGroupStateRequestTopic{{TopicID: topic, Partitions: []kmsg.DeleteShareGroupStateRequestTopicPartition{{Partition: 0}}}}
	if dr, err := del.RequestWith(ctxT(t, 10*time.Second), cl2); err != nil || dr.Topics[0].Partitions[0].ErrorCode != 0 {
		t.Fatalf("delete: %v %+v", err, dr)
	}
	rd := kmsg.NewPtrReadShareGroupStateRequest()
	rd.GroupID = "sg"
	rd.Topics = []kmsg.ReadShareGroupStateRequestTopic{{TopicID: topic, Partitions: []kmsg.ReadShareGroupStateRequestTopicPartition{{Partition: 0, LeaderEpoch: -1}}}}
	rr, err := rd.RequestWith(ctxT(t, 10*time.Second), cl2)
	if err != nil || rr.Topics[0].Partitions[0].StartOffset != -1 {
		t.Fatalf("read after delete: %v %+v", err, rr)
	}
}

// TestShareFeatureLevels: ApiVersions finalizes group.version and
// share.version at 1 and advertises every share API.
func TestShareFeatureLevels(t *testing.T) {
	c := gofkatest.Start(t, shareOpts()...)
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	resp, err := kmsg.NewPtrApiVersionsRequest().RequestWith(ctxT(t, 10*time.Second), cl)
	if err != nil {
		t.Fatal(err)
	}
	finalized := map[string]int16{}
	for _, f := range resp.FinalizedFeatures {
		finalized[f.Name] = f.MaxVersionLevel
	}
	if finalized["group.version"] != 1 || finalized["share.version"] != 1 {
		t.Errorf("finalized features %v, want group.version and share.version at 1", finalized)
	}
	served := map[int16]bool{}
	for _, k := range resp.ApiKeys {
		served[k.ApiKey] = true
	}
	for _, key := range []int16{76, 77, 78, 79, 83, 84, 85, 86, 87, 90, 91, 92} {
		if !served[key] {
			t.Errorf("API %d not advertised", key)
		}
	}
}

// TestShareGroupNamespace: a share group's id cannot be used by a
// consumer group and the other way round.
func TestShareGroupNamespace(t *testing.T) {
	c := gofkatest.Start(t, shareOpts()...)
	createTopic(t, c.Addr(), "ns", 1)
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	hb := kmsg.NewPtrShareGroupHeartbeatRequest()
	hb.GroupID, hb.MemberID, hb.SubscribedTopicNames = "shared-name", "m1", []string{"ns"}
	if r, err := hb.RequestWith(ctxT(t, 10*time.Second), cl); err != nil || r.ErrorCode != 0 {
		t.Fatalf("share join: %v %+v", err, r)
	}
	cg := kmsg.NewPtrConsumerGroupHeartbeatRequest()
	cg.Group, cg.MemberID, cg.MemberEpoch, cg.RebalanceTimeoutMillis, cg.SubscribedTopicNames = "shared-name", "c1", 0, 5000, []string{"ns"}
	if r, err := cg.RequestWith(ctxT(t, 10*time.Second), cl); err != nil || r.ErrorCode != kerr.GroupIDNotFound.Code {
		t.Fatalf("consumer heartbeat on a share group: %v %+v", err, r)
	}
	cg.Group = "consumer-name"
	if r, err := cg.RequestWith(ctxT(t, 10*time.Second), cl); err != nil || r.ErrorCode != 0 {
		t.Fatalf("consumer join: %v %+v", err, r)
	}
	hb.GroupID = "consumer-name"
	if r, err := hb.RequestWith(ctxT(t, 10*time.Second), cl); err != nil || r.ErrorCode != kerr.GroupIDNotFound.Code {
		t.Fatalf("share heartbeat on a consumer group: %v %+v", err, r)
	}
}

// TestShareGroupConfigs: share-group configs set with
// IncrementalAlterConfigs on the GROUP resource are described with their
// source and applied: share.auto.offset.reset=earliest over the broker's
// latest, and the group's lock duration.
func TestShareGroupConfigs(t *testing.T) {
	c := gofkatest.Start(t, shareOpts(gofkatest.WithConfig("gofka.share.auto.offset.reset", "latest"))...)
	createTopic(t, c.Addr(), "gc", 1)
	produceN(t, c.Addr(), "gc", 0, 5)
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	alter := func(kv ...string) (int16, error) {
		req := kmsg.NewPtrIncrementalAlterConfigsRequest()
		res := kmsg.NewIncrementalAlterConfigsRequestResource()
		res.ResourceType, res.ResourceName = kmsg.ConfigResourceTypeGroupConfig, "gc-group"
		for i := 0; i < len(kv); i += 2 {
			res.Configs = append(res.Configs, kmsg.IncrementalAlterConfigsRequestResourceConfig{Name: kv[i], Value: kmsg.StringPtr(kv[i+1])})
		}
		req.Resources = append(req.Resources, res)
		resp, err := req.RequestWith(ctxT(t, 10*time.Second), cl)
		if err != nil {
			return 0, err
		}
		return resp.Resources[0].ErrorCode, nil
	}
	if code, err := alter("share.auto.offset.reset", "sideways"); err != nil || code != kerr.InvalidConfig.Code {
		t.Fatalf("bad value: %v %v", err, kerr.ErrorForCode(code))
	}
	if code, err := alter("share.no.such.config", "1"); err != nil || code != kerr.InvalidConfig.Code {
		t.Fatalf("unknown config: %v %v", err, kerr.ErrorForCode(code))
	}
	if code, err := alter("share.auto.offset.reset", "earliest", "share.record.lock.duration.ms", "2500"); err != nil || code != 0 {
		t.Fatalf("alter: %v %v", err, kerr.ErrorForCode(code))
	}
	dreq := kmsg.NewPtrDescribeConfigsRequest()
	dres := kmsg.NewDescribeConfigsRequestResource()
	dres.ResourceType, dres.ResourceName = kmsg.ConfigResourceTypeGroupConfig, "gc-group"
	dreq.Resources = append(dreq.Resources, dres)
	dresp, err := dreq.RequestWith(ctxT(t, 10*time.Second), cl)
	if err != nil || dresp.Resources[0].ErrorCode != 0 {
		t.Fatalf("describe: %v %+v", err, dresp)
	}
	got := map[string]string{}
	for _, e := range dresp.Resources[0].Configs {
		if e.Value != nil {
			got[e.Name] = fmt.Sprintf("%s/%d", *e.Value, e.Source)
		}
	}
	if got["share.auto.offset.reset"] != "earliest/8" || got["share.record.lock.duration.ms"] != "2500/8" || got["share.isolation.level"] != "read_uncommitted/5" {
		t.Fatalf("described %v", got)
	}
	n, lockMs := rawShareMember(t, c.Addr(), "gc-group", "gc")
	if n != 5 || lockMs != 2500 {
		t.Fatalf("acquired %d records locked for %dms, want 5 for 2500ms", n, lockMs)
	}
	// Deleting the group (once its member timed out) deletes its configs.
	adm := newAdmin(t, c.Addr())
	waitFor(t, 15*time.Second, "group deleted", func() bool {
		dg, err := adm.DeleteGroups(ctxT(t, 5*time.Second), "gc-group")
		return err == nil && dg.Error() == nil
	})
	dresp, err = dreq.RequestWith(ctxT(t, 10*time.Second), cl)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range dresp.Resources[0].Configs {
		if e.Source == 8 {
			t.Errorf("%s still set on the deleted group", e.Name)
		}
	}
}

// TestShareVersionGates: with share.version downgraded to 0, members can
// neither join nor fetch; upgraded again, they can.
func TestShareVersionGates(t *testing.T) {
	c := gofkatest.Start(t, shareOpts()...)
	createTopic(t, c.Addr(), "sv", 1)
	adm := newAdmin(t, c.Addr())
	set := func(level int16, typ int8) {
		res, err := adm.UpdateFeatures(ctxT(t, 10*time.Second), false, kadm.FeatureUpdate{Feature: "share.version", MaxVersionLevel: level, UpgradeType: typ})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if r.Err != nil {
				t.Fatalf("share.version=%d: %v", level, r.Err)
			}
		}
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	join := func() int16 {
		hb := kmsg.NewPtrShareGroupHeartbeatRequest()
		hb.GroupID, hb.MemberID, hb.SubscribedTopicNames = "sv-group", "m1", []string{"sv"}
		r, err := hb.RequestWith(ctxT(t, 10*time.Second), cl)
		if err != nil {
			t.Fatal(err)
		}
		return r.ErrorCode
	}
	set(0, 2)
	waitFor(t, 10*time.Second, "share groups refused", func() bool { return join() == kerr.UnsupportedVersion.Code })
	f := kmsg.NewPtrShareFetchRequest()
	f.GroupID, f.MemberID = kmsg.StringPtr("sv-group"), kmsg.StringPtr("m1")
	if r, err := f.RequestWith(ctxT(t, 10*time.Second), cl); err != nil || r.ErrorCode != kerr.UnsupportedVersion.Code {
		t.Fatalf("share fetch with share.version 0: %v %+v", err, r)
	}
	set(1, 1)
	waitFor(t, 10*time.Second, "share groups served", func() bool { return join() == 0 })
}

// TestShareCoordinatorKey: FindCoordinator answers share-coordinator keys
// (type 2) with this node and refuses malformed ones.
func TestShareCoordinatorKey(t *testing.T) {
	c := gofkatest.Start(t, shareOpts()...)
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	req := kmsg.NewPtrFindCoordinatorRequest()
	req.CoordinatorType, req.CoordinatorKeys = 2, []string{"g:AAAAAAAAAAAAAAAAAAAAAA:0", "nonsense"}
	resp, err := req.RequestWith(ctxT(t, 10*time.Second), cl)
	if err != nil || len(resp.Coordinators) != 2 {
		t.Fatalf("%v %+v", err, resp)
	}
	byKey := map[string]kmsg.FindCoordinatorResponseCoordinator{} // kgo may split the keys and merge the answers in any order
	for _, c := range resp.Coordinators {
		byKey[c.Key] = c
	}
	if ok := byKey["g:AAAAAAAAAAAAAAAAAAAAAA:0"]; ok.ErrorCode != 0 || ok.NodeID < 0 {
		t.Errorf("share key: %+v", ok)
	}
	if bad := byKey["nonsense"]; bad.ErrorCode != kerr.InvalidRequest.Code {
		t.Errorf("malformed share key: %+v", bad)
	}
}
