package broker

// Fetch, versions 4-18, for consumers. Follows Kafka's ReplicaManager
// fetch path: partitions are read in request order from one segment each,
// bounded by PartitionMaxBytes and the response MaxBytes, with at least one
// whole batch from the first partition that has data (KIP-74). Reads stop at
// the high watermark (read_uncommitted) or the last stable offset
// (read_committed). When fewer than MinBytes are ready the request parks
// until an append wakes it or MaxWaitMillis passes (fetch_park.go: no
// goroutine per parked fetch, as Kafka's DelayedFetch). Record bytes go from the
// segment file to the socket by sendfile. Sessions follow KIP-227; v13+
// names topics by id. A consumer's fetch is capped by its
// consumer_byte_rate over one window span, and a fetch that would take it
// over the rate is answered empty with the throttle time (KIP-219).

import (
	"errors"
	"math"
	"time"

	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/quota"
	"github.com/gofka/gofka/internal/storage"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// fetchOp is one Fetch request in progress.
type fetchOp struct {
	n        *Node
	version  int16
	req      *kmsg.FetchRequest
	sess     *fetchSession // nil for sessionless fetches
	sessID   int32
	full     bool // respond with every partition, not only changed ones
	items    []*sessionPartition
	reply    wire.Reply
	deadline time.Time
	denied   map[string]bool // topics without Read (fetch_authz.go)
	client   quota.Client
	quota    bool   // consumer_byte_rate applies (not a follower)
	replica  int32  // the fetching follower's node id, -1 for a consumer
	repEpoch int64  // the follower's broker epoch (KIP-903), -1 before v15
	rack     string // a consumer's client.rack (v11+, KIP-392)
	gen      uint64 // the last read's sum of its partitions' wake generations
}

func (n *Node) handleFetch(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.FetchRequest)
	op := &fetchOp{n: n, version: req.Version, req: r, reply: reply, full: true, client: clientOf(req)}
	op.replica, op.repEpoch = replicaOf(r, req.Version)
	op.quota = op.replica < 0
	if op.replica < 0 && req.Version >= 11 {
		op.rack = r.Rack
	}
	if code := op.bindSession(); code != nil {
		reply.Send(fetchErrorResponse(req.Version, code))
		return
	}
	if code := op.authorize(req); code != nil {
		reply.Send(fetchErrorResponse(req.Version, code))
		return
	}
	op.deadline = n.now().Add(time.Duration(r.MaxWaitMillis) * time.Millisecond)
	topics, bytes, hasErr := op.read()
	if hasErr || bytes >= int(r.MinBytes) || r.MaxWaitMillis <= 0 {
		op.respond(topics)
		return
	}
	op.park(op.gen) // fetch_park.go
}

func fetchErrorResponse(version int16, code *kerr.Error) kmsg.Response {
	resp := kmsg.NewPtrFetchResponse()
	resp.SetVersion(version)
	resp.ErrorCode = code.Code
	return resp
}

// bindSession resolves the request's partitions: from the request alone
// (sessionless, or a new session) or from its incremental session.
func (op *fetchOp) bindSession() *kerr.Error {
	r, cache := op.req, op.n.sessions
	img := op.n.meta.Current()
	resolve := func(name string, id [16]byte) (string, [16]byte) {
		return op.n.resolveTopic(img, op.version >= 13, name, id)
	}
	switch {
	case r.SessionEpoch == sessionEpochFinal:
		if r.SessionID != 0 {
			cache.remove(r.SessionID)
		}
		op.sess = &fetchSession{parts: make(map[sessionKey]*sessionPartition)}
	case r.SessionEpoch == sessionEpochInitial:
		if r.SessionID != 0 {
			cache.remove(r.SessionID)
		}
		op.sess = cache.newSession()
		if op.sess == nil {
			op.sess = &fetchSession{parts: make(map[sessionKey]*sessionPartition)}
		} else {
			op.sessID = op.sess.id
		}
	default:
		s, err := cache.use(r.SessionID, r.SessionEpoch)
		if err != nil {
			return err
		}
		op.sess, op.sessID, op.full = s, s.id, false
	}
	op.sess.mu.Lock()
	defer op.sess.mu.Unlock()
	op.sess.update(r, resolve)
	op.items = append([]*sessionPartition(nil), op.sess.order...)
	return nil
}

// resolveTopic maps a request's topic name (v<13) or id (v13+) to both.
// An unknown id resolves to an empty name.
func (n *Node) resolveTopic(img *metadata.Image, byID bool, name string, id [16]byte) (string, [16]byte) {
	if byID {
		if t := img.TopicByID(metadata.UUID(id)); t != nil {
			return t.Name, id
		}
		return "", id
	}
	if t := img.Topic(name); t != nil {
		return name, [16]byte(t.ID)
	}
	return name, id
}

// read reads every partition once and builds the response topics. It
// reports the total record bytes and whether any partition had an error.
func (op *fetchOp) read() (topics []fetchTopic, total int, hasErr bool) {
	op.sess.mu.Lock()
	defer op.sess.mu.Unlock()
	op.gen = 0
	budget := int(min(int64(op.req.MaxBytes), op.quotaWindowBytes()))
	if budget <= 0 {
		budget = 1
	}
	for _, sp := range op.items {
		fp := op.readPartition(sp, budget, total == 0)
		if fp.errCode != 0 || fp.diverging || fp.hasReadReplica {
			hasErr = true // answered at once, as Kafka does
		}
		total += int(fp.slice.Size)
		budget -= int(fp.slice.Size)
		if !op.full && !sp.changed(&fp) {
			continue
		}
		topics = appendFetchPartition(topics, sp.key, fp)
	}
	return topics, total, hasErr
}

func (sp *sessionPartition) changed(fp *fetchPartition) bool {
	return fp.errCode != 0 || fp.diverging || fp.hasReadReplica || fp.slice.Size > 0 || fp.hw != sp.sentHW || fp.lso != sp.sentLSO || fp.lso0 != sp.sentStart
}

func appendFetchPartition(topics []fetchTopic, k sessionKey, fp fetchPartition) []fetchTopic {
	if l := len(topics); l > 0 && topics[l-1].name == k.topic && topics[l-1].id == k.id {
		topics[l-1].parts = append(topics[l-1].parts, fp)
		return topics
	}
	return append(topics, fetchTopic{name: k.topic, id: k.id, parts: []fetchPartition{fp}})
}

func (op *fetchOp) readPartition(sp *sessionPartition, budget int, minOne bool) fetchPartition {
	fp := fetchPartition{partition: sp.key.partition, hw: -1, lso: -1, lso0: -1}
	if op.denied[sp.key.topic] {
		fp.errCode = kerr.TopicAuthorizationFailed.Code
		return fp
	}
	p := op.n.parts.get(sp.key.topic, sp.key.partition)
	if p == nil {
		fp.errCode = kerr.UnknownTopicOrPartition.Code
		if op.version >= 13 && sp.key.topic == "" {
			fp.errCode = kerr.UnknownTopicID.Code
		}
		return fp
	}
	op.gen += p.gen.Load() // before anything is read (fetch_park.go)
	if p.offline.Load() {
		fp.errCode = kerr.KafkaStorageError.Code
		return fp
	}
	if code := op.checkRole(p, sp); code != nil {
		fp.errCode = code.Code
		fp.leaderID, fp.leaderEpoch = p.rep.Leader(), p.rep.LeaderEpoch()
		fp.sendLeader = fp.leaderID >= 0 && op.version >= 12
		return fp
	}
	if op.replica >= 0 && op.diverges(p, sp, &fp) {
		return fp
	}
	if id, ok := op.preferredReadReplica(p, sp); ok {
		op.redirect(p, &fp, id)
		return fp
	}
	maxOffset, code := op.n.followerFetched(op, p, sp)
	if code != nil {
		fp.errCode = code.Code
		return fp
	}
	fp.hw = p.log.HighWatermark()
	fp.lso = min(fp.hw, p.lastStableOffset())
	fp.lso0 = p.log.LogStartOffset()
	max := int(sp.maxBytes)
	if max > budget {
		max = budget
	}
	if max <= 0 && !minOne || op.leaderHoldsBack(p) {
		return fp
	}
	if op.replica < 0 {
		maxOffset = fp.hw
		if op.req.IsolationLevel == 1 {
			maxOffset = fp.lso
		}
	}
	slice, err := p.log.Read(sp.offset, max, maxOffset, minOne)
	if err != nil {
		fp.errCode = storageErrorCode(err).Code
		op.n.checkDirFailure(p, err) // not for out of range or closed
		return fp
	}
	fp.slice = slice
	if op.req.IsolationLevel == 1 {
		fp.aborted = fetchAborted(p, sp.offset, slice.Size, maxOffset)
	}
	return fp
}

// checkLeaderEpoch compares a client's leader epoch with the partition's,
// as Kafka does for fetch, list offsets and leader-epoch requests.
func checkLeaderEpoch(client, current int32) *kerr.Error {
	switch {
	case client < 0:
		return nil
	case client < current:
		return kerr.FencedLeaderEpoch
	case client > current:
		return kerr.UnknownLeaderEpoch
	}
	return nil
}

func storageErrorCode(err error) *kerr.Error {
	switch {
	case errors.Is(err, storage.ErrOffsetOutOfRange):
		return kerr.OffsetOutOfRange
	case errors.Is(err, storage.ErrClosed):
		return kerr.NotLeaderForPartition
	}
	return kerr.KafkaStorageError
}

// respond records what the response tells the client (for incremental
// sessions) and sends it.
func (op *fetchOp) respond(topics []fetchTopic) {
	throttle := op.recordQuota(topics)
	if throttle > 0 { // over the byte rate: an empty response, as Kafka's throttled fetch
		topics = nil
	}
	op.sess.mu.Lock()
	for _, t := range topics {
		for _, fp := range t.parts {
			if sp := op.sess.parts[sessionKey{topic: t.name, id: t.id, partition: fp.partition}]; sp != nil {
				sp.sentHW, sp.sentLSO, sp.sentStart = fp.hw, fp.lso, fp.lso0
			}
		}
	}
	op.sess.mu.Unlock()
	op.n.observeFetch(topics)
	op.recordReplication(topics)
	op.reply.Throttle(throttle)
	op.reply.SendParts(encodeFetchResponse(op.version, throttleMs(throttle), 0, op.sessID, topics))
}

// replicaOf names the follower that sends a fetch, -1 for a consumer: by
// ReplicaID before v15, by ReplicaState (with its broker epoch) from v15
// (KIP-903).
func replicaOf(r *kmsg.FetchRequest, version int16) (id int32, epoch int64) {
	if version >= 15 {
		return r.ReplicaState.ID, r.ReplicaState.Epoch
	}
	return r.ReplicaID, -1
}

// quotaWindowBytes caps a consumer's fetch at what its byte rate allows in
// one window span (Kafka's getMaxValueInQuotaWindow), so responses shrink
// rather than exceed the quota.
func (op *fetchOp) quotaWindowBytes() int64 {
	if !op.quota {
		return math.MaxInt64
	}
	return op.n.quotas.mgr.MaxValueInWindow(quota.Fetch, op.client, op.n.now())
}

// recordQuota charges the response's record bytes to the consumer's byte
// rate and returns its throttle time, or the request quota's if longer; a
// throttled response is sent empty, so its bytes are taken back.
func (op *fetchOp) recordQuota(topics []fetchTopic) time.Duration {
	mgr := op.n.quotas.mgr
	if !op.quota || !mgr.Active(quota.Fetch) && !mgr.Active(quota.Request) {
		return 0
	}
	size := 0
	for _, t := range topics {
		for i := range t.parts {
			size += int(t.parts[i].slice.Size)
		}
	}
	now := op.n.now()
	d := max(mgr.Record(quota.Fetch, op.client, float64(size), now), mgr.Throttle(quota.Request, op.client, now))
	if d > 0 {
		mgr.Unrecord(quota.Fetch, op.client, float64(size), now)
	}
	return d
}

func (op *fetchOp) partitions() []*partition {
	var out []*partition
	seen := make(map[*partition]bool, len(op.items))
	for _, sp := range op.items {
		if p := op.n.parts.get(sp.key.topic, sp.key.partition); p != nil && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}
