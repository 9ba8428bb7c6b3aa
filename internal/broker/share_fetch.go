package broker

// ShareFetch (v1-2) and ShareAcknowledge (v1-2), KIP-932: share sessions
// (epoch 0 opens, -1 closes, each other request carries the next epoch),
// acknowledgements piggybacked on fetches or sent alone, and records
// acquired from every partition of the session up to MaxRecords, each
// range locked for group.share.record.lock.duration.ms. Record data is
// whole batches; the client keeps the acquired offsets. A fetch with
// nothing acquired waits up to MaxWaitMillis for appends or released
// locks. v2 (KIP-1222, KIP-1206): renew acknowledgements (type 4) extend
// a lock in a request that fetches nothing (IsRenewAck); the record-limit
// acquire mode needs nothing more, as acquisition never exceeds
// MaxRecords. Reads go up to the high watermark, or with
// gofka.share.isolation.level=read_committed up to the last stable
// offset, the records of aborted transactions archived, never delivered.
// Partitions of topics the principal may not Read answer
// TOPIC_AUTHORIZATION_FAILED, as Kafka: nothing is acquired from them and
// their acknowledgements are not applied.

import (
	"errors"
	"time"

	"github.com/gofka/gofka/internal/record"
	"github.com/gofka/gofka/internal/share"
	"github.com/gofka/gofka/internal/storage/txnindex"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// shareFetchOp is one ShareFetch in progress.
type shareFetchOp struct {
	n        *Node
	req      *wire.Request
	r        *kmsg.ShareFetchRequest
	reply    wire.Reply
	group    string
	member   string
	parts    []share.TP
	acks     map[share.TP]int16 // acknowledgement error codes
	listed   []share.TP         // partitions named in the request
	deadline time.Time
	set      share.GroupSettings // the group's configs
	denied   map[share.TP]bool   // partitions of topics the principal may not Read
}

func (n *Node) handleShareFetch(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.ShareFetchRequest)
	op := &shareFetchOp{n: n, req: req, r: r, reply: reply, acks: map[share.TP]int16{}}
	if err := op.start(); err != nil {
		resp := r.ResponseKind().(*kmsg.ShareFetchResponse)
		resp.ErrorCode = err.Code
		reply.Send(resp)
		return
	}
	if r.ShareSessionEpoch == share.FinalEpoch || r.IsRenewAck {
		if r.ShareSessionEpoch == share.FinalEpoch {
			n.shares.coord.CloseSession(op.group, op.member)
		}
		op.respond(nil)
		return
	}
	got := op.acquire()
	if len(got) > 0 || r.MaxWaitMillis <= 0 {
		op.respond(got)
		return
	}
	op.deadline = n.now().Add(ms(int64(r.MaxWaitMillis)))
	op.park()
}

// start validates the request, applies its session update and its
// acknowledgements.
func (op *shareFetchOp) start() *kerr.Error {
	r := op.r
	if !op.n.sharesEnabled() {
		return kerr.UnsupportedVersion
	}
	if r.GroupID == nil || *r.GroupID == "" || r.MemberID == nil || *r.MemberID == "" {
		return kerr.InvalidRequest
	}
	op.group, op.member = *r.GroupID, *r.MemberID
	op.set = op.n.shares.coord.Settings(op.group)
	u := share.SessionUpdate{Group: op.group, Member: op.member, Epoch: r.ShareSessionEpoch}
	hasAcks := false
	for _, t := range r.Topics {
		for _, p := range t.Partitions {
			tp := share.TP{TopicID: t.TopicID, Partition: p.Partition}
			u.Add = append(u.Add, tp)
			op.listed = append(op.listed, tp)
			hasAcks = hasAcks || len(p.AcknowledgementBatches) > 0
		}
	}
	if hasAcks && r.ShareSessionEpoch == share.InitialEpoch {
		return kerr.InvalidRequest
	}
	if r.IsRenewAck && (r.MaxWaitMillis != 0 || r.MinBytes != 0 || r.MaxBytes != 0 || r.MaxRecords != 0 || r.BatchSize != 0) {
		return kerr.InvalidRequest // a renewal fetches nothing (KIP-1222)
	}
	for _, t := range r.ForgottenTopicsData {
		for _, p := range t.Partitions {
			u.Forget = append(u.Forget, share.TP{TopicID: t.TopicID, Partition: p})
		}
	}
	parts, err := op.n.shares.coord.Session(u)
	if err != nil {
		return err
	}
	op.parts = parts
	op.authorizeTopics()
	for _, t := range r.Topics {
		for _, p := range t.Partitions {
			tp := share.TP{TopicID: t.TopicID, Partition: p.Partition}
			switch {
			case len(p.AcknowledgementBatches) == 0:
			case op.denied[tp]:
				op.acks[tp] = kerr.TopicAuthorizationFailed.Code
			default:
				op.acks[tp] = op.n.shareAck(op.group, op.member, tp, fetchAckBatches(p.AcknowledgementBatches), r.IsRenewAck)
			}
		}
	}
	return nil
}

// authorizeTopics checks Read on the topic of every partition the
// session or the request names, once per topic.
func (op *shareFetchOp) authorizeTopics() {
	img := op.n.meta.Current()
	allowed := map[string]bool{}
	for _, tp := range append(append([]share.TP(nil), op.parts...), op.listed...) {
		t := img.TopicByID(tp.TopicID)
		if t == nil {
			continue
		}
		ok, seen := allowed[t.Name]
		if !seen {
			ok = op.n.authorize(op.req, opRead, resTopic, t.Name)
			allowed[t.Name] = ok
		}
		if !ok {
			if op.denied == nil {
				op.denied = map[share.TP]bool{}
			}
			op.denied[tp] = true
		}
	}
}

func fetchAckBatches(in []kmsg.ShareFetchRequestTopicPartitionAcknowledgementBatch) []share.AckBatch {
	out := make([]share.AckBatch, len(in))
	for i, b := range in {
		out[i] = share.AckBatch{First: b.FirstOffset, Last: b.LastOffset, Types: ackTypes(b.AcknowledgeTypes)}
	}
	return out
}

func ackTypes(in []int8) []share.AckType {
	out := make([]share.AckType, len(in))
	for i, t := range in {
		out[i] = share.AckType(t)
	}
	return out
}

// shareAck applies acknowledgements to one partition and maps the
// outcome to an error code. Renewals (type 4) need a renew request.
func (n *Node) shareAck(groupID, member string, tp share.TP, batches []share.AckBatch, renewOK bool) int16 {
	if !renewOK && hasRenew(batches) {
		return kerr.InvalidRequest.Code
	}
	k := share.Key{Group: groupID, TopicID: tp.TopicID, Partition: tp.Partition}
	err := n.shares.coord.Acknowledge(k, member, batches)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, share.ErrInvalidRecordState):
		return kerr.InvalidRecordState.Code
	case errors.Is(err, share.ErrInvalidRequest):
		return kerr.InvalidRequest.Code
	}
	n.log.Error("share acknowledge", "group", groupID, "err", err)
	return kerr.UnknownServerError.Code
}

func hasRenew(batches []share.AckBatch) bool {
	for _, b := range batches {
		for _, t := range b.Types {
			if t == share.AckRenew {
				return true
			}
		}
	}
	return false
}

// sharePartResult is what one partition answers.
type sharePartResult struct {
	tp       share.TP
	errCode  int16
	leader   int32
	epoch    int32
	data     []byte
	acquired []share.Range
}

// acquire acquires records from the session's partitions, up to
// MaxRecords in all, and returns the partitions that got any or failed.
func (op *shareFetchOp) acquire() []sharePartResult {
	left := int(op.r.MaxRecords)
	if left <= 0 {
		left = 500
	}
	budget := int(op.r.MaxBytes)
	if budget <= 0 {
		budget = 1 << 20
	}
	var out []sharePartResult
	for _, tp := range op.parts {
		if left <= 0 || budget <= 0 {
			break
		}
		res := op.acquireOne(tp, left, budget)
		for _, r := range res.acquired {
			left -= int(r.Last - r.First + 1)
		}
		budget -= len(res.data)
		if res.errCode != 0 || len(res.acquired) > 0 {
			out = append(out, res)
		}
	}
	return out
}

func (op *shareFetchOp) acquireOne(tp share.TP, maxRecords, maxBytes int) sharePartResult {
	res := sharePartResult{tp: tp, leader: -1, epoch: -1}
	if op.denied[tp] {
		res.errCode = kerr.TopicAuthorizationFailed.Code
		return res
	}
	t := op.n.meta.Current().TopicByID(tp.TopicID)
	if t == nil {
		res.errCode = kerr.UnknownTopicID.Code
		return res
	}
	p := op.n.parts.get(t.Name, tp.Partition)
	if p == nil {
		res.errCode = kerr.NotLeaderForPartition.Code
		return res
	}
	if p.offline.Load() {
		res.errCode = kerr.KafkaStorageError.Code
		return res
	}
	res.leader, res.epoch = op.n.nodeID, p.leaderEpoch.Load()
	b := share.Bounds{LogStart: p.log.LogStartOffset(), End: p.log.HighWatermark(), ByTime: func(ts int64) int64 {
		rp := kmsg.ListOffsetsRequestTopicPartition{Partition: tp.Partition, Timestamp: ts}
		if o := op.n.listOffset(t.Name, &rp, debugReplicaID, 0); o.ErrorCode == 0 && o.Offset >= 0 {
			return o.Offset
		}
		return p.log.HighWatermark()
	}}
	committed := op.set.Isolation == "read_committed"
	if committed {
		b.End = min(b.End, p.lastStableOffset())
	}
	read := func(from int64) (share.ReadResult, error) { return readShare(p, from, maxBytes, b.End, committed) }
	k := share.Key{Group: op.group, TopicID: tp.TopicID, Partition: tp.Partition}
	ranges, data, err := op.n.shares.coord.Acquire(k, op.member, maxRecords, b, read)
	if err != nil {
		op.n.log.Error("share fetch", "group", op.group, "topic", t.Name, "partition", tp.Partition, "err", err)
		res.errCode = storageErrorCode(err).Code
		return res
	}
	res.data, res.acquired = data, ranges
	return res
}

// readShare copies whole batches from offset on, with the offset after
// the last one; under read_committed, the records of aborted
// transactions are to be skipped.
func readShare(p *partition, from int64, maxBytes int, end int64, committed bool) (share.ReadResult, error) {
	res := share.ReadResult{UpTo: from}
	sl, err := p.log.Read(from, maxBytes, end, true)
	if err != nil || sl.Size == 0 {
		return res, err
	}
	res.Data = make([]byte, sl.Size)
	if _, err := sl.File.ReadAt(res.Data, sl.Pos); err != nil {
		return res, err
	}
	var aborted *abortedWalk
	if committed {
		aborted = newAbortedWalk(p.abortedTxns(from, end))
	}
	err = record.Split(res.Data, func(b []byte) error {
		h, err := record.ParseHeader(b)
		if err != nil {
			return err
		}
		res.UpTo = h.LastOffset() + 1
		if aborted != nil && aborted.skip(&h) {
			res.Skip = append(res.Skip, share.Range{First: h.BaseOffset, Last: h.LastOffset()})
		}
		return nil
	})
	return res, err
}

// abortedWalk follows aborted transactions through batches in offset
// order, as a read_committed consumer does: a producer's transactional
// batches are aborted from its aborted transaction's first offset until
// its next control batch (the abort marker).
type abortedWalk struct {
	pending []txnindex.Aborted // by first offset
	active  map[int64]bool
}

func newAbortedWalk(list []txnindex.Aborted) *abortedWalk {
	return &abortedWalk{pending: list, active: map[int64]bool{}}
}

func (w *abortedWalk) skip(h *record.Header) bool {
	for len(w.pending) > 0 && w.pending[0].FirstOffset <= h.LastOffset() {
		w.active[w.pending[0].ProducerID] = true
		w.pending = w.pending[1:]
	}
	if h.Control() {
		delete(w.active, h.ProducerID)
		return false
	}
	return h.Transactional() && w.active[h.ProducerID]
}

// park waits for appends on the session's partitions, retrying now and
// then for locks released by time, until something is acquired or the
// wait is over.
func (op *shareFetchOp) park() {
	w := &chanWaiter{ch: make(chan struct{}, 1)}
	parts := op.partitions()
	for _, p := range parts {
		p.addWaiter(w)
	}
	op.n.goAsync(func(quit <-chan struct{}) {
		defer func() {
			for _, p := range parts {
				p.removeWaiter(w)
			}
		}()
		timer := time.NewTimer(time.Until(op.deadline))
		defer timer.Stop()
		poll := time.NewTicker(100 * time.Millisecond)
		defer poll.Stop()
		for {
			select {
			case <-w.ch:
			case <-poll.C:
			case <-timer.C:
				op.respond(op.acquire())
				return
			case <-quit:
				op.reply.Close(errShuttingDown)
				return
			}
			op.n.shares.coord.Touch(op.group, op.member)
			if got := op.acquire(); len(got) > 0 {
				op.respond(got)
				return
			}
		}
	})
}

func (op *shareFetchOp) partitions() []*partition {
	var out []*partition
	img := op.n.meta.Current()
	for _, tp := range op.parts {
		if t := img.TopicByID(tp.TopicID); t != nil {
			if p := op.n.parts.get(t.Name, tp.Partition); p != nil {
				out = append(out, p)
			}
		}
	}
	return out
}
