package group

import (
	"testing"
	"time"

	"github.com/gofka/gofka/internal/record"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// txnCommit sends a TxnOffsetCommit v3 of one offset for producer pid.
func (h *harness) txnCommit(group, member string, gen int32, pid int64, topic string, p int32, off int64) int16 {
	r := kmsg.NewPtrTxnOffsetCommitRequest()
	r.Version = 3
	r.TransactionalID, r.Group, r.ProducerID, r.ProducerEpoch = "tx", group, pid, 0
	r.MemberID, r.Generation = member, gen
	rt := kmsg.NewTxnOffsetCommitRequestTopic()
	rt.Topic = topic
	rt.Partitions = []kmsg.TxnOffsetCommitRequestTopicPartition{{Partition: p, Offset: off, LeaderEpoch: -1}}
	r.Topics = append(r.Topics, rt)
	return h.c.TxnOffsetCommit(r).Topics[0].Partitions[0].ErrorCode
}

// markerBatch is a transaction marker control batch for producer pid.
func markerBatch(pid int64, commit bool) []byte {
	typ := byte(0)
	if commit {
		typ = 1
	}
	b := record.NewBuilder(record.CodecNone, 0, 0)
	b.SetProducer(pid, 0, -1)
	b.SetTransactional(true)
	b.SetControl(true)
	b.Add(record.Record{Key: []byte{0, 0, 0, typ}, Value: []byte{0, 0, 0, 0, 0, 0}})
	batch, err := b.Build(nil)
	if err != nil {
		panic(err)
	}
	return batch
}

// marker writes a transaction marker to the group's partition, as the
// broker does, and tells the coordinator.
func (h *harness) marker(t *testing.T, group string, pid int64, commit bool) {
	t.Helper()
	part := h.c.PartitionFor(group)
	if _, err := h.store.Write(part, markerBatch(pid, commit)); err != nil {
		t.Fatal(err)
	}
	h.c.CompleteTxn(part, pid, commit)
}

// fetchOne fetches one partition's offset (v9, RequireStable as given).
func (h *harness) fetchOne(group, topic string, p int32, stable bool) kmsg.OffsetFetchResponseGroupTopicPartition {
	r := kmsg.NewPtrOffsetFetchRequest()
	r.Version, r.RequireStable = 9, stable
	r.Groups = []kmsg.OffsetFetchRequestGroup{{Group: group, Topics: []kmsg.OffsetFetchRequestGroupTopic{{Topic: topic, Partitions: []int32{p}}}}}
	return h.c.OffsetFetch(r).Groups[0].Topics[0].Partitions[0]
}

// reload replays the store into a fresh coordinator.
func (h *harness) reload(t *testing.T) *harness {
	t.Helper()
	h.c.Close()
	h2 := &harness{clock: h.clock, store: h.store, meta: h.meta}
	h2.c = New(h.c.cfg, h2.clock, h2.store, func() Metadata { return h2.meta })
	if err := h2.c.Load(); err != nil {
		t.Fatal(err)
	}
	return h2
}

func TestTxnOffsetCommitMarkers(t *testing.T) {
	h := newHarness(nil)
	if code := h.commit("g", "", -1, "t", 0, ""); code != 0 { // offset 42
		t.Fatal(kerr.ErrorForCode(code))
	}
	for _, tc := range []struct {
		pid    int64
		off    int64
		commit bool
		want   int64
	}{{7, 100, true, 100}, {8, 200, false, 100}, {9, 300, true, 300}} {
		if code := h.txnCommit("g", "", -1, tc.pid, "t", 0, tc.off); code != 0 {
			t.Fatalf("pid %d: %v", tc.pid, kerr.ErrorForCode(code))
		}
		if p := h.fetchOne("g", "t", 0, true); p.ErrorCode != kerr.UnstableOffsetCommit.Code {
			t.Fatalf("pid %d: stable fetch of a pending offset: %+v", tc.pid, p)
		}
		if p := h.fetchOne("g", "t", 0, false); p.ErrorCode != 0 || p.Offset == tc.off {
			t.Fatalf("pid %d: pending offset visible: %+v", tc.pid, p)
		}
		h.marker(t, "g", tc.pid, tc.commit)
		if p := h.fetchOne("g", "t", 0, true); p.ErrorCode != 0 || p.Offset != tc.want {
			t.Fatalf("pid %d after marker: %+v, want %d", tc.pid, p, tc.want)
		}
	}
	h2 := h.reload(t)
	if p := h2.fetchOne("g", "t", 0, true); p.ErrorCode != 0 || p.Offset != 300 {
		t.Fatalf("after replay: %+v", p)
	}
}

func TestTxnOffsetCommitReplayPending(t *testing.T) {
	h := newHarness(nil)
	if code := h.txnCommit("new", "", -1, 5, "u", 1, 10); code != 0 {
		t.Fatal(kerr.ErrorForCode(code))
	}
	if code := h.txnCommit("aborted", "", -1, 6, "u", 1, 20); code != 0 {
		t.Fatal(kerr.ErrorForCode(code))
	}
	h.marker(t, "aborted", 6, false)
	h2 := h.reload(t)
	if p := h2.fetchOne("new", "u", 1, true); p.ErrorCode != kerr.UnstableOffsetCommit.Code {
		t.Fatalf("open transaction after replay: %+v", p)
	}
	if p := h2.fetchOne("aborted", "u", 1, true); p.ErrorCode != 0 || p.Offset != -1 {
		t.Fatalf("aborted offset after replay: %+v", p)
	}
	// The transaction coordinator finishes the open transaction.
	h2.marker(t, "new", 5, true)
	if p := h2.fetchOne("new", "u", 1, true); p.ErrorCode != 0 || p.Offset != 10 {
		t.Fatalf("committed after restart: %+v", p)
	}
	if len(h2.c.ListGroups(&kmsg.ListGroupsRequest{}).Groups) != 1 {
		t.Fatal("committed transaction did not create its simple group")
	}
}

func TestTxnOffsetCommitValidation(t *testing.T) {
	h := newHarness(nil)
	l, _, gen := stableGroup(t, h, "g")
	for _, tc := range []struct {
		name   string
		member string
		gen    int32
		topic  string
		part   int32
		want   *kerr.Error
	}{
		{"member", l, gen, "t", 0, nil},
		{"no member (v0-2)", "", -1, "t", 0, nil},
		{"old generation", l, gen - 1, "t", 0, kerr.IllegalGeneration},
		{"unknown member", "x", gen, "t", 0, kerr.UnknownMemberID},
		{"unknown topic", l, gen, "nope", 0, kerr.UnknownTopicOrPartition},
		{"bad partition", l, gen, "t", 9, kerr.UnknownTopicOrPartition},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code := h.txnCommit("g", tc.member, tc.gen, 1, tc.topic, tc.part, 5)
			want := int16(0)
			if tc.want != nil {
				want = tc.want.Code
			}
			if code != want {
				t.Fatalf("got %v, want %v", kerr.ErrorForCode(code), tc.want)
			}
		})
	}
	if code := h.txnCommit("missing", "m", 3, 1, "t", 0, 5); code != kerr.IllegalGeneration.Code {
		t.Fatalf("generation of a missing group: %v", kerr.ErrorForCode(code))
	}
	h.store.fenced = true
	if code := h.txnCommit("g", l, gen, 2, "t", 0, 5); code != kerr.InvalidProducerEpoch.Code {
		t.Fatalf("fenced append: %v", kerr.ErrorForCode(code))
	}
}

func TestTxnOffsetKeptFromExpiry(t *testing.T) {
	h := newHarness(func(c *Config) {
		c.OffsetsRetention = time.Hour
		c.RetentionCheckInterval = time.Minute
	})
	if code := h.commit("simple", "", -1, "t", 0, ""); code != 0 {
		t.Fatal(kerr.ErrorForCode(code))
	}
	if code := h.txnCommit("simple", "", -1, 4, "t", 0, 50); code != 0 {
		t.Fatal(kerr.ErrorForCode(code))
	}
	h.clock.Advance(2 * time.Hour)
	if p := h.fetchOne("simple", "t", 0, false); p.Offset != 42 {
		t.Fatalf("offset expired under an open transaction: %+v", p)
	}
	h.marker(t, "simple", 4, true)
	if p := h.fetchOne("simple", "t", 0, true); p.Offset != 50 {
		t.Fatalf("after commit: %+v", p)
	}
}

// TestTxnOffsetCommitConsumerGroup: in a KIP-848 group a transactional
// commit needs a member and its current epoch (a stale epoch is
// ILLEGAL_GENERATION, as Kafka maps STALE_MEMBER_EPOCH for transactions),
// and a commit lands even if the member's epoch moved on before the
// marker.
func TestTxnOffsetCommitConsumerGroup(t *testing.T) {
	h := newHarness(nil)
	a := h.cgHeartbeat("a", 0, nil)
	if a.ErrorCode != 0 || a.MemberEpoch != 1 {
		t.Fatalf("join: %+v", a)
	}
	for _, tc := range []struct {
		member string
		epoch  int32
		want   int16
	}{
		{"a", 0, kerr.IllegalGeneration.Code},
		{"ghost", 1, kerr.UnknownMemberID.Code},
		{"", -1, kerr.UnknownMemberID.Code},
		{"a", 1, 0},
	} {
		if code := h.txnCommit("cg", tc.member, tc.epoch, 3, "t", 0, 77); code != tc.want {
			t.Fatalf("member %q epoch %d: %v", tc.member, tc.epoch, kerr.ErrorForCode(code))
		}
	}
	h.cgHeartbeat("b", 0, nil) // bumps the group epoch before the marker
	h.marker(t, "cg", 3, true)
	if p := h.fetchOne("cg", "t", 0, true); p.ErrorCode != 0 || p.Offset != 77 {
		t.Fatalf("after commit: %+v", p)
	}
}
