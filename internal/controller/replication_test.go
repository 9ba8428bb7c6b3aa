package controller

import (
	"slices"
	"testing"

	"github.com/gofka/gofka/internal/metadata"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// replEnv is a controller with brokers 1..n registered.
type replEnv struct {
	t *testing.T
	c *Controller
}

func newReplEnv(t *testing.T, brokers int32, elr bool) *replEnv {
	t.Helper()
	c, _ := newTestController(t, t.TempDir())
	for id := int32(2); id <= brokers; id++ {
		if _, err := c.Register(id, metadata.UUID{byte(id)}, []Endpoint{{Name: "PLAINTEXT", Host: "127.0.0.1", Port: 9090 + int(id)}}, nil, -1); err != nil {
			t.Fatal(err)
		}
	}
	e := &replEnv{t: t, c: c}
	if elr {
		fl := metadata.NewFeatureLevelRecord()
		fl.Name, fl.FeatureLevel = ELRFeature, 1
		e.commit(fl)
	}
	return e
}

func (e *replEnv) commit(recs ...metadata.Record) {
	e.t.Helper()
	e.c.mu.Lock()
	defer e.c.mu.Unlock()
	if err := e.c.commitLocked(recs); err != nil {
		e.t.Fatal(err)
	}
}

// topic creates a topic with manual assignments.
func (e *replEnv) topic(name string, cfg map[string]string, assign ...[]int32) {
	e.t.Helper()
	rt := topicReq(name, -1, -1, cfg)
	for i, a := range assign {
		rt.ReplicaAssignment = append(rt.ReplicaAssignment, kmsg.CreateTopicsRequestTopicReplicaAssignment{Partition: int32(i), Replicas: a})
	}
	if res := e.c.CreateTopics(createReq(rt)); res[0].ErrorCode != 0 {
		e.t.Fatalf("create %s: %v %v", name, kerr.ErrorForCode(res[0].ErrorCode), *res[0].ErrorMessage)
	}
}

func (e *replEnv) part(topic string, p int32) *metadata.PartitionImage {
	return e.c.pub.Current().Partition(topic, p)
}

// set changes a partition's ISR and leader directly.
func (e *replEnv) set(topic string, p int32, leader int32, isr ...int32) {
	e.t.Helper()
	r := metadata.NewPartitionChangeRecord()
	r.TopicID, r.PartitionID, r.Leader, r.ISR = e.part(topic, p).TopicID, p, leader, isr
	e.commit(r)
}

// fence fences a broker as FenceExpired does.
func (e *replEnv) fence(id int32) {
	e.t.Helper()
	img := e.c.pub.Current()
	f := metadata.NewFenceBrokerRecord()
	f.ID, f.Epoch = id, img.Brokers[id].Epoch
	e.commit(append(e.c.moveLeaders(img, id), f)...)
}

// unfence unfences a broker through its heartbeat.
func (e *replEnv) unfence(id int32) {
	e.t.Helper()
	img := e.c.pub.Current()
	if r := e.c.Heartbeat(id, img.Brokers[id].Epoch, img.Offset, false, false); r.Err != nil || r.Fenced {
		e.t.Fatalf("unfence %d: %+v", id, r)
	}
}

// alter builds a v3 AlterPartition from the partition's leader with the
// current epochs.
func (e *replEnv) alter(topic string, p int32, isr ...int32) *kmsg.AlterPartitionRequest {
	img := e.c.pub.Current()
	pi := img.Partition(topic, p)
	r := kmsg.NewPtrAlterPartitionRequest()
	r.SetVersion(3)
	r.BrokerID = pi.Leader
	if b := img.Brokers[pi.Leader]; b != nil {
		r.BrokerEpoch = b.Epoch
	}
	rp := kmsg.NewAlterPartitionRequestTopicPartition()
	rp.Partition, rp.LeaderEpoch, rp.PartitionEpoch, rp.LeaderRecoveryState = p, pi.LeaderEpoch, pi.PartitionEpoch, pi.LeaderRecoveryState
	for _, id := range isr {
		ep := int64(-1)
		if b := img.Brokers[id]; b != nil {
			ep = b.Epoch
		}
		rp.NewEpochISR = append(rp.NewEpochISR, kmsg.AlterPartitionRequestTopicPartitionNewEpochISR{BrokerID: id, BrokerEpoch: ep})
	}
	r.Topics = []kmsg.AlterPartitionRequestTopic{{TopicID: pi.TopicID, Partitions: []kmsg.AlterPartitionRequestTopicPartition{rp}}}
	return r
}

func partitionCode(resp *kmsg.AlterPartitionResponse) *kerr.Error {
	if resp.ErrorCode != 0 {
		return kerr.ErrorForCode(resp.ErrorCode).(*kerr.Error)
	}
	if c := resp.Topics[0].Partitions[0].ErrorCode; c != 0 {
		return kerr.ErrorForCode(c).(*kerr.Error)
	}
	return nil
}

func TestAlterPartitionValidation(t *testing.T) {
	e := newReplEnv(t, 4, false)
	e.topic("t", nil, []int32{1, 2, 3})
	e.c.Heartbeat(4, e.c.pub.Current().Brokers[4].Epoch, e.c.pub.Current().Offset, false, true) // 4 shutting down
	tests := []struct {
		name   string
		mutate func(r *kmsg.AlterPartitionRequest)
		want   *kerr.Error
	}{
		{"stale broker epoch", func(r *kmsg.AlterPartitionRequest) { r.BrokerEpoch-- }, kerr.StaleBrokerEpoch},
		{"unknown broker", func(r *kmsg.AlterPartitionRequest) { r.BrokerID = 9 }, kerr.StaleBrokerEpoch},
		{"unknown topic id", func(r *kmsg.AlterPartitionRequest) { r.Topics[0].TopicID = [16]byte{1} }, kerr.UnknownTopicID},
		{"unknown partition", func(r *kmsg.AlterPartitionRequest) { r.Topics[0].Partitions[0].Partition = 5 }, kerr.UnknownTopicOrPartition},
		{"not the leader", func(r *kmsg.AlterPartitionRequest) {
			r.BrokerID, r.BrokerEpoch = 2, e.c.pub.Current().Brokers[2].Epoch
		}, kerr.InvalidRequest},
		{"newer leader epoch", func(r *kmsg.AlterPartitionRequest) { r.Topics[0].Partitions[0].LeaderEpoch++ }, kerr.NotController},
		{"newer partition epoch", func(r *kmsg.AlterPartitionRequest) { r.Topics[0].Partitions[0].PartitionEpoch++ }, kerr.NotController},
		{"stale leader epoch", func(r *kmsg.AlterPartitionRequest) { r.Topics[0].Partitions[0].LeaderEpoch-- }, kerr.FencedLeaderEpoch},
		{"stale partition epoch", func(r *kmsg.AlterPartitionRequest) { r.Topics[0].Partitions[0].PartitionEpoch-- }, kerr.InvalidUpdateVersion},
		{"not a replica", func(r *kmsg.AlterPartitionRequest) { addISR(r, 4, -1) }, kerr.InvalidRequest},
		{"duplicate", func(r *kmsg.AlterPartitionRequest) { addISR(r, 2, -1) }, kerr.InvalidRequest},
		{"leader left out", func(r *kmsg.AlterPartitionRequest) {
			r.Topics[0].Partitions[0].NewEpochISR = r.Topics[0].Partitions[0].NewEpochISR[1:]
		}, kerr.InvalidRequest},
		{"recovering with two", func(r *kmsg.AlterPartitionRequest) { r.Topics[0].Partitions[0].LeaderRecoveryState = recovering }, kerr.InvalidRequest},
		{"unknown recovery state", func(r *kmsg.AlterPartitionRequest) { r.Topics[0].Partitions[0].LeaderRecoveryState = 7 }, kerr.InvalidRequest},
		{"stale member epoch", func(r *kmsg.AlterPartitionRequest) { r.Topics[0].Partitions[0].NewEpochISR[1].BrokerEpoch-- }, kerr.IneligibleReplica},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.alter("t", 0, 1, 2)
			tc.mutate(r)
			if got := partitionCode(e.c.AlterPartition(r)); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
	if p := e.part("t", 0); p.PartitionEpoch != 0 || !slices.Equal(p.ISR, []int32{1, 2, 3}) {
		t.Fatalf("a refused change changed the partition: %+v", p)
	}

	// A shrink is accepted: the partition epoch moves, the leader epoch stays.
	resp := e.c.AlterPartition(e.alter("t", 0, 1, 2))
	res := resp.Topics[0].Partitions[0]
	if res.ErrorCode != 0 || res.LeaderID != 1 || res.LeaderEpoch != 0 || res.PartitionEpoch != 1 || !slices.Equal(res.ISR, []int32{1, 2}) {
		t.Fatalf("shrink: %+v", res)
	}
	// Fenced and shutting-down brokers may not join; v2 carries no epochs.
	e.fence(3)
	r := e.alter("t", 0, 1, 2, 3)
	r.SetVersion(2)
	r.Topics[0].Partitions[0].NewISR = []int32{1, 2, 3}
	if got := partitionCode(e.c.AlterPartition(r)); got != kerr.IneligibleReplica {
		t.Fatalf("fenced member: %v", got)
	}
	e.unfence(3)
	r = e.alter("t", 0, 1, 2, 3)
	r.SetVersion(2)
	r.Topics[0].Partitions[0].NewISR = []int32{1, 2, 3}
	if got := partitionCode(e.c.AlterPartition(r)); got != nil {
		t.Fatalf("v2 expand: %v", got)
	}
	if p := e.part("t", 0); !slices.Equal(p.ISR, []int32{1, 2, 3}) {
		t.Fatalf("ISR after expand: %v", p.ISR)
	}
}

func addISR(r *kmsg.AlterPartitionRequest, id int32, epoch int64) {
	p := &r.Topics[0].Partitions[0]
	p.NewEpochISR = append(p.NewEpochISR, kmsg.AlterPartitionRequestTopicPartitionNewEpochISR{BrokerID: id, BrokerEpoch: epoch})
}

// Without ELR a fenced broker leaves every ISR but the last member stays;
// leadership moves to the next in-sync replica in replica order.
func TestFenceLeavesISR(t *testing.T) {
	e := newReplEnv(t, 3, false)
	e.topic("t", nil, []int32{1, 2, 3}, []int32{2, 3, 1})
	e.fence(2)
	p0, p1 := e.part("t", 0), e.part("t", 1)
	if p0.Leader != 1 || !slices.Equal(p0.ISR, []int32{1, 3}) || p0.LeaderEpoch != 0 {
		t.Fatalf("partition 0: %+v", p0)
	}
	if p1.Leader != 3 || !slices.Equal(p1.ISR, []int32{3, 1}) || p1.LeaderEpoch != 1 {
		t.Fatalf("partition 1: %+v", p1)
	}
	e.fence(3)
	e.fence(1)
	p0 = e.part("t", 0)
	if p0.Leader != -1 || !slices.Equal(p0.ISR, []int32{1}) || len(p0.ELR) != 0 {
		t.Fatalf("after fencing all: %+v", p0)
	}
	e.unfence(2) // not in the ISR: stays leaderless
	if p := e.part("t", 0); p.Leader != -1 {
		t.Fatalf("out-of-sync replica elected: %+v", p)
	}
	e.unfence(1)
	if p := e.part("t", 0); p.Leader != 1 {
		t.Fatalf("last ISR member not elected on unfence: %+v", p)
	}
}

// With ELR (KIP-966) and min.insync.replicas=2, replicas that leave an ISR
// below the minimum stay eligible and are elected cleanly when they return.
func TestELR(t *testing.T) {
	e := newReplEnv(t, 3, true)
	e.topic("t", map[string]string{"min.insync.replicas": "2"}, []int32{1, 2, 3})
	e.fence(3) // ISR [1 2] is still at the minimum: no ELR
	if p := e.part("t", 0); !slices.Equal(p.ISR, []int32{1, 2}) || len(p.ELR) != 0 {
		t.Fatalf("after fencing 3: %+v", p)
	}
	e.fence(2)
	if p := e.part("t", 0); !slices.Equal(p.ISR, []int32{1}) || !slices.Equal(p.ELR, []int32{2}) {
		t.Fatalf("after fencing 2: ISR %v ELR %v", p.ISR, p.ELR)
	}
	e.fence(1)
	p := e.part("t", 0)
	if p.Leader != -1 || len(p.ISR) != 0 || !slices.Equal(p.ELR, []int32{1, 2}) {
		t.Fatalf("after fencing 1: leader %d ISR %v ELR %v", p.Leader, p.ISR, p.ELR)
	}
	e.unfence(3) // never eligible
	if p := e.part("t", 0); p.Leader != -1 {
		t.Fatalf("3 elected: %+v", p)
	}
	e.unfence(2)
	p = e.part("t", 0)
	if p.Leader != 2 || !slices.Equal(p.ISR, []int32{2}) || !slices.Equal(p.ELR, []int32{1}) || p.LeaderRecoveryState != recovered {
		t.Fatalf("ELR election: leader %d ISR %v ELR %v state %d", p.Leader, p.ISR, p.ELR, p.LeaderRecoveryState)
	}
	e.unfence(1)
	// The leader takes the others back: at the minimum the ELR empties.
	if got := partitionCode(e.c.AlterPartition(e.alter("t", 0, 2, 1))); got != nil {
		t.Fatal(got)
	}
	if p := e.part("t", 0); !slices.Equal(p.ISR, []int32{2, 1}) || len(p.ELR) != 0 || len(p.LastKnownELR) != 0 {
		t.Fatalf("after expand: %+v", p)
	}
	// A leader's own shrink below the minimum keeps the dropped in the ELR.
	if got := partitionCode(e.c.AlterPartition(e.alter("t", 0, 2))); got != nil {
		t.Fatal(got)
	}
	if p := e.part("t", 0); !slices.Equal(p.ELR, []int32{1}) {
		t.Fatalf("ELR after shrink: %v", p.ELR)
	}
	// Unregistering drops a broker from the ELR.
	if err := e.c.Unregister(1); err != nil {
		t.Fatal(err)
	}
	if p := e.part("t", 0); len(p.ELR) != 0 {
		t.Fatalf("ELR after unregistering 1: %v", p.ELR)
	}
}

// Unclean elections happen only when asked for or allowed by the topic;
// the leader starts RECOVERING and its AlterPartition ends the recovery.
func TestUncleanElection(t *testing.T) {
	e := newReplEnv(t, 3, false)
	e.topic("t", nil, []int32{1, 2, 3})
	e.topic("u", map[string]string{"unclean.leader.election.enable": "true"}, []int32{1, 2, 3})
	e.set("t", 0, 1, 1)
	e.set("u", 0, 1, 1)
	e.fence(1)
	if p := e.part("t", 0); p.Leader != -1 || !slices.Equal(p.ISR, []int32{1}) {
		t.Fatalf("clean topic: %+v", p)
	}
	if p := e.part("u", 0); p.Leader != 2 || !slices.Equal(p.ISR, []int32{2}) || p.LeaderRecoveryState != recovering {
		t.Fatalf("unclean topic: %+v", p)
	}
	resp := e.c.ElectLeaders(electReq(ElectionUnclean, "t", 0))
	if c := resp.Topics[0].Partitions[0].ErrorCode; c != 0 {
		t.Fatalf("unclean ElectLeaders: %v", kerr.ErrorForCode(c))
	}
	p := e.part("t", 0)
	if p.Leader != 2 || !slices.Equal(p.ISR, []int32{2}) || p.LeaderRecoveryState != recovering {
		t.Fatalf("after unclean ElectLeaders: %+v", p)
	}
	if c := e.c.ElectLeaders(electReq(ElectionUnclean, "t", 0)).Topics[0].Partitions[0].ErrorCode; c != kerr.ElectionNotNeeded.Code {
		t.Fatalf("second unclean election: %v", kerr.ErrorForCode(c))
	}
	// The leader may not go back to RECOVERING, nor recover with two.
	r := e.alter("t", 0, 2, 3)
	r.Topics[0].Partitions[0].LeaderRecoveryState = recovering
	if got := partitionCode(e.c.AlterPartition(r)); got != kerr.InvalidRequest {
		t.Fatalf("recovering with two: %v", got)
	}
	r = e.alter("t", 0, 2)
	r.Topics[0].Partitions[0].LeaderRecoveryState = recovered
	if got := partitionCode(e.c.AlterPartition(r)); got != nil {
		t.Fatal(got)
	}
	p = e.part("t", 0)
	if p.LeaderRecoveryState != recovered {
		t.Fatalf("recovery not recorded: %+v", p)
	}
	r = e.alter("t", 0, 2)
	r.Topics[0].Partitions[0].LeaderRecoveryState = recovering
	if got := partitionCode(e.c.AlterPartition(r)); got != kerr.InvalidRequest {
		t.Fatalf("recovered to recovering: %v", got)
	}
	// No replica alive: ELIGIBLE_LEADERS_NOT_AVAILABLE.
	e.fence(2)
	e.fence(3)
	if c := e.c.ElectLeaders(electReq(ElectionUnclean, "t", 0)).Topics[0].Partitions[0].ErrorCode; c != kerr.EligibleLeadersNotAvailable.Code {
		t.Fatalf("nobody alive: %v", kerr.ErrorForCode(c))
	}
}

func electReq(typ int8, topic string, parts ...int32) *kmsg.ElectLeadersRequest {
	r := kmsg.NewPtrElectLeadersRequest()
	r.SetVersion(2)
	r.ElectionType = typ
	if topic != "" {
		r.Topics = []kmsg.ElectLeadersRequestTopic{{Topic: topic, Partitions: parts}}
	}
	return r
}

func TestElectPreferred(t *testing.T) {
	e := newReplEnv(t, 3, false)
	e.topic("t", nil, []int32{1, 2, 3}, []int32{2, 3, 1})
	codes := func(r *kmsg.ElectLeadersResponse) map[int32]int16 {
		m := map[int32]int16{}
		for _, t := range r.Topics {
			for _, p := range t.Partitions {
				m[p.Partition] = p.ErrorCode
			}
		}
		return m
	}
	if got := codes(e.c.ElectLeaders(electReq(ElectionPreferred, "t", 0, 1))); got[0] != kerr.ElectionNotNeeded.Code || got[1] != kerr.ElectionNotNeeded.Code {
		t.Fatalf("preferred leaders already: %v", got)
	}
	if resp := e.c.ElectLeaders(electReq(ElectionPreferred, "")); len(resp.Topics) != 0 {
		t.Fatalf("null topics list answered partitions that need nothing: %+v", resp.Topics)
	}
	if got := codes(e.c.ElectLeaders(electReq(ElectionPreferred, "t", 7))); got[7] != kerr.UnknownTopicOrPartition.Code {
		t.Fatalf("unknown partition: %v", got)
	}
	if resp := e.c.ElectLeaders(electReq(ElectionPreferred, "nope", 0)); resp.Topics[0].Partitions[0].ErrorCode != kerr.UnknownTopicOrPartition.Code {
		t.Fatalf("unknown topic: %+v", resp)
	}
	if resp := e.c.ElectLeaders(electReq(5, "t", 0)); resp.ErrorCode != kerr.InvalidRequest.Code {
		t.Fatalf("bad election type: %+v", resp)
	}
	e.fence(1)
	if p := e.part("t", 0); p.Leader != 2 {
		t.Fatalf("leader after fencing 1: %d", p.Leader)
	}
	if got := codes(e.c.ElectLeaders(electReq(ElectionPreferred, "t", 0))); got[0] != kerr.PreferredLeaderNotAvailable.Code {
		t.Fatalf("preferred fenced: %v", got)
	}
	e.unfence(1)
	// Back but out of the ISR: still not available.
	if got := codes(e.c.ElectLeaders(electReq(ElectionPreferred, "t", 0))); got[0] != kerr.PreferredLeaderNotAvailable.Code {
		t.Fatalf("preferred out of sync: %v", got)
	}
	if got := partitionCode(e.c.AlterPartition(e.alter("t", 0, 2, 3, 1))); got != nil {
		t.Fatal(got)
	}
	before := e.part("t", 0)
	resp := e.c.ElectLeaders(electReq(ElectionPreferred, ""))
	if got := codes(resp); len(got) != 1 || got[0] != 0 {
		t.Fatalf("all partitions: %+v", resp.Topics)
	}
	if p := e.part("t", 0); p.Leader != 1 || p.LeaderEpoch != before.LeaderEpoch+1 {
		t.Fatalf("after preferred election: %+v", p)
	}
}

func TestBalanceLeaders(t *testing.T) {
	e := newReplEnv(t, 3, false)
	e.topic("t", nil, []int32{1, 2, 3}, []int32{2, 3, 1}, []int32{3, 1, 2}, []int32{1, 3, 2})
	e.set("t", 0, 2, 1, 2, 3) // broker 1 prefers 2 partitions, leads 1: 50%
	if n, err := e.c.BalanceLeaders(50); err != nil || n != 0 {
		t.Fatalf("at the limit: %d %v", n, err)
	}
	if n, err := e.c.BalanceLeaders(10); err != nil || n != 1 {
		t.Fatalf("over the limit: %d %v", n, err)
	}
	if p := e.part("t", 0); p.Leader != 1 {
		t.Fatalf("leader not moved back: %+v", p)
	}
	// A preferred replica out of the ISR is left alone.
	e.set("t", 1, 3, 3, 1)
	if n, err := e.c.BalanceLeaders(0); err != nil || n != 0 {
		t.Fatalf("preferred out of sync: %d %v", n, err)
	}
}

func TestControlledShutdownLeavesISR(t *testing.T) {
	e := newReplEnv(t, 3, false)
	e.topic("t", nil, []int32{2, 1, 3})
	img := e.c.pub.Current()
	res := e.c.Heartbeat(2, img.Brokers[2].Epoch, img.Offset, false, true)
	if !res.ShouldShutDown {
		t.Fatalf("heartbeat: %+v", res)
	}
	if p := e.part("t", 0); p.Leader != 1 || !slices.Equal(p.ISR, []int32{1, 3}) {
		t.Fatalf("after controlled shutdown: %+v", p)
	}
}

// A broker that registers again without the epoch of its clean shutdown
// may have lost unflushed records: it leaves every ELR and is not elected
// from it; one that shut down cleanly is.
func TestUncleanShutdownLeavesELR(t *testing.T) {
	e := newReplEnv(t, 3, true)
	e.topic("t", map[string]string{"min.insync.replicas": "3"}, []int32{1, 2, 3})
	e.fence(3)
	e.fence(2)
	e.fence(1)
	if p := e.part("t", 0); p.Leader != -1 || !slices.Equal(p.ELR, []int32{1, 2, 3}) {
		t.Fatalf("after fencing all: %+v", p)
	}
	register := func(id int32, previous int64) {
		t.Helper()
		if _, err := e.c.Register(id, metadata.UUID{byte(id), 1}, []Endpoint{{Name: "PLAINTEXT", Host: "127.0.0.1", Port: 9090 + int(id)}}, nil, previous); err != nil {
			t.Fatal(err)
		}
	}
	register(2, -1)
	if p := e.part("t", 0); p.Leader != -1 || !slices.Equal(p.ELR, []int32{1, 3}) {
		t.Fatalf("after 2 came back uncleanly: leader %d ELR %v", p.Leader, p.ELR)
	}
	register(3, e.c.pub.Current().Brokers[3].Epoch)
	if p := e.part("t", 0); p.Leader != 3 || !slices.Equal(p.ISR, []int32{3}) || !slices.Equal(p.ELR, []int32{1}) {
		t.Fatalf("after 3 came back cleanly: %+v", p)
	}
}

func TestStatsOf(t *testing.T) {
	e := newReplEnv(t, 3, true)
	e.topic("t", map[string]string{"min.insync.replicas": "2"}, []int32{1, 2, 3}, []int32{2, 3, 1})
	e.fence(2)
	e.fence(3)
	s := StatsOf(e.c.pub.Current())
	want := Stats{Topics: 1, Partitions: 2, Imbalanced: 1, WithELR: 2, ActiveBrokers: 1, FencedBrokers: 2}
	if s != want {
		t.Fatalf("stats %+v, want %+v", s, want)
	}
	e.fence(1)
	if s := StatsOf(e.c.pub.Current()); s.Offline != 2 || s.Imbalanced != 0 {
		t.Fatalf("all fenced: %+v", s)
	}
}

// TestUncleanShutdownOfTheOnlyReplica: an RF=1 partition whose broker
// comes back after an unclean shutdown is led by it again, as RECOVERING
// (Kafka's canElectLastKnownLeader): it holds the only copy there is.
func TestUncleanShutdownOfTheOnlyReplica(t *testing.T) {
	e := newReplEnv(t, 3, true)
	e.topic("one", nil, []int32{2})
	e.fence(2)
	if p := e.part("one", 0); p.Leader != -1 {
		t.Fatalf("after fencing the only replica: %+v", p)
	}
	if _, err := e.c.Register(2, metadata.UUID{2, 1}, []Endpoint{{Name: "PLAINTEXT", Host: "127.0.0.1", Port: 9092}}, nil, -1); err != nil {
		t.Fatal(err)
	}
	if p := e.part("one", 0); p.Leader != 2 || !slices.Equal(p.ISR, []int32{2}) || p.LeaderRecoveryState != 1 {
		t.Fatalf("after the only replica came back uncleanly: %+v", p)
	}
}
