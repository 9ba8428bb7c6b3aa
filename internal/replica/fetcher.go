package replica

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gofka/gofka/internal/record"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// fetchVersion is the Fetch version followers send: topic ids, the last
// fetched epoch (KIP-320) and the replica state with the broker epoch
// (KIP-903).
const fetchVersion = 15

// fetcher copies the partitions one leader leads to this node, as Kafka's
// ReplicaFetcherThread: truncate first, then fetch in a loop.
type fetcher struct {
	m      *Manager
	leader int32
	idx    int

	mu    sync.Mutex
	parts map[*Partition]*fetchState
	kick  chan struct{}

	ctx    context.Context
	cancel context.CancelFunc
	client Client
}

// fetchState is one partition's progress in a fetcher.
type fetchState struct {
	truncating bool      // OffsetForLeaderEpoch before the next fetch
	delayUntil time.Time // backing off after an error
	inSync     bool      // caught up with the leader's high watermark (throttle.go)
	lag        int64     // the leader's high watermark less the log end, -1 before a fetch
}

func newFetcher(m *Manager, leader int32, idx int) *fetcher {
	ctx, cancel := context.WithCancel(m.ctx)
	return &fetcher{m: m, leader: leader, idx: idx, parts: map[*Partition]*fetchState{},
		kick: make(chan struct{}, 1), ctx: ctx, cancel: cancel}
}

// add starts (or restarts, after a new epoch) copying p: truncation first.
func (f *fetcher) add(p *Partition) {
	f.mu.Lock()
	f.parts[p] = &fetchState{truncating: true, lag: -1}
	f.mu.Unlock()
	select {
	case f.kick <- struct{}{}:
	default:
	}
}

// remove stops copying p and returns how many partitions are left.
func (f *fetcher) remove(p *Partition) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.parts, p)
	return len(f.parts)
}

func (f *fetcher) stop() { f.cancel() }

// snapshot lists the partitions to truncate and to fetch now, and when
// the earliest delayed one is due.
func (f *fetcher) snapshot(now time.Time) (trunc, fetch []*Partition, next time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for p, s := range f.parts {
		switch {
		case now.Before(s.delayUntil):
			if next.IsZero() || s.delayUntil.Before(next) {
				next = s.delayUntil
			}
		case s.truncating:
			trunc = append(trunc, p)
		case f.holdBack(p, s, now):
			if due := now.Add(f.m.cfg.FetchBackoff); next.IsZero() || due.Before(next) {
				next = due
			}
		default:
			fetch = append(fetch, p)
		}
	}
	return trunc, fetch, next
}

// state returns p's state if p still belongs to this fetcher.
func (f *fetcher) state(p *Partition) *fetchState {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.parts[p]
}

func (f *fetcher) delay(p *Partition, d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if s := f.parts[p]; s != nil {
		s.delayUntil = f.m.cfg.Now().Add(d)
	}
}

func (f *fetcher) truncated(p *Partition) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if s := f.parts[p]; s != nil {
		s.truncating = false
	}
}

// run is the fetcher's loop; it ends when the fetcher is stopped.
func (f *fetcher) run(context.Context) {
	defer func() {
		if f.client != nil {
			f.client.Close()
		}
	}()
	for f.ctx.Err() == nil {
		trunc, fetch, next := f.snapshot(f.m.cfg.Now())
		if len(trunc) == 0 && len(fetch) == 0 {
			f.idle(next)
			continue
		}
		var err error
		if len(trunc) > 0 {
			err = f.truncate(trunc)
		}
		if err == nil && len(fetch) > 0 {
			err = f.fetch(fetch)
		}
		if err != nil && f.ctx.Err() == nil {
			f.m.log.Debug("replica fetch failed", "leader", f.leader, "err", err)
			f.dropClient()
			f.sleep(f.m.cfg.FetchBackoff)
		}
	}
}

// idle waits for a partition to be added or a delayed one to be due.
func (f *fetcher) idle(next time.Time) {
	d := time.Hour
	if !next.IsZero() {
		d = max(next.Sub(f.m.cfg.Now()), time.Millisecond)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-f.ctx.Done():
	case <-f.kick:
	case <-t.C:
	}
}

func (f *fetcher) sleep(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-f.ctx.Done():
	case <-t.C:
	}
}

func (f *fetcher) request(req kmsg.Request, timeout time.Duration) (kmsg.Response, error) {
	if f.client == nil {
		c, err := f.m.tr.Dial(f.leader)
		if err != nil {
			return nil, err
		}
		f.client = c
	}
	ctx, cancel := context.WithTimeout(f.ctx, timeout)
	defer cancel()
	return f.client.Request(ctx, req)
}

func (f *fetcher) dropClient() {
	if f.client != nil {
		f.client.Close()
		f.client = nil
	}
}

// fetch sends one Fetch for ps and applies the answer.
func (f *fetcher) fetch(ps []*Partition) error {
	req, epochs := f.fetchRequest(ps)
	resp, err := f.request(req, f.m.cfg.FetchWait+30*time.Second)
	if err != nil {
		return err
	}
	r := resp.(*kmsg.FetchResponse)
	if r.ErrorCode != 0 {
		return fmt.Errorf("replica: fetch from %d: %w", f.leader, kerr.ErrorForCode(r.ErrorCode))
	}
	byID := make(map[[16]byte]map[int32]*Partition, len(ps))
	for _, p := range ps {
		if byID[p.id] == nil {
			byID[p.id] = map[int32]*Partition{}
		}
		byID[p.id][p.tp.Partition] = p
	}
	for i := range r.Topics {
		t := &r.Topics[i]
		for j := range t.Partitions {
			rp := &t.Partitions[j]
			if p := byID[t.TopicID][rp.Partition]; p != nil && f.current(p, epochs[p]) {
				f.apply(p, rp)
			}
		}
	}
	return nil
}

// current reports whether an answer for p, asked at epoch, still counts:
// p is still fetched here, at the same epoch, and not truncating again.
func (f *fetcher) current(p *Partition, epoch int32) bool {
	s := f.state(p)
	return s != nil && !s.truncating && p.epoch.Load() == epoch
}

// fetchRequest builds a sessionless Fetch for ps and notes the leader
// epoch each partition was asked at.
func (f *fetcher) fetchRequest(ps []*Partition) (*kmsg.FetchRequest, map[*Partition]int32) {
	epochs := make(map[*Partition]int32, len(ps))
	cfg := f.m.cfg
	req := kmsg.NewPtrFetchRequest()
	req.SetVersion(fetchVersion)
	req.ReplicaID = cfg.NodeID
	req.ReplicaState.ID, req.ReplicaState.Epoch = cfg.NodeID, cfg.BrokerEpoch()
	req.MaxWaitMillis = int32(cfg.FetchWait / time.Millisecond)
	req.MinBytes, req.MaxBytes = cfg.FetchMinBytes, cfg.FetchResponseMaxBytes
	req.SessionID, req.SessionEpoch = 0, -1
	idx := map[[16]byte]int{}
	for _, p := range ps {
		i, ok := idx[p.id]
		if !ok {
			i = len(req.Topics)
			idx[p.id] = i
			t := kmsg.NewFetchRequestTopic()
			t.Topic, t.TopicID = p.tp.Topic, p.id
			req.Topics = append(req.Topics, t)
		}
		fp := kmsg.NewFetchRequestTopicPartition()
		fp.Partition = p.tp.Partition
		fp.CurrentLeaderEpoch = p.epoch.Load()
		epochs[p] = fp.CurrentLeaderEpoch
		fp.FetchOffset = p.log.LogEndOffset()
		fp.LogStartOffset = p.log.LogStartOffset()
		fp.LastFetchedEpoch = -1
		if e, ok := p.log.LatestEpoch(); ok {
			fp.LastFetchedEpoch = e
		}
		fp.PartitionMaxBytes = cfg.FetchMaxBytes
		req.Topics[i].Partitions = append(req.Topics[i].Partitions, fp)
	}
	return req, epochs
}

// apply handles one partition of a fetch response.
func (f *fetcher) apply(p *Partition, rp *kmsg.FetchResponseTopicPartition) {
	switch err := kerr.ErrorForCode(rp.ErrorCode); {
	case err == nil:
	case errors.Is(err, kerr.OffsetOutOfRange):
		if err := f.outOfRange(p, rp); err != nil {
			f.m.log.Warn("replica out of range", "partition", p.tp.String(), "err", err)
			f.delay(p, f.m.cfg.FetchBackoff)
		}
		return
	default:
		// Not (yet) the leader, a newer or older epoch, an unknown
		// partition: wait for the metadata to catch up.
		f.m.log.Debug("replica fetch error", "partition", p.tp.String(), "err", err)
		f.delay(p, f.m.cfg.FetchBackoff)
		return
	}
	if rp.DivergingEpoch.Epoch >= 0 || rp.DivergingEpoch.EndOffset >= 0 {
		if err := f.truncateTo(p, rp.DivergingEpoch.Epoch, rp.DivergingEpoch.EndOffset); err != nil {
			f.m.log.Error("truncate diverging replica", "partition", p.tp.String(), "err", err)
			f.delay(p, f.m.cfg.FetchBackoff)
		}
		return
	}
	if err := f.appendFetched(p, rp); err != nil {
		f.m.log.Error("append replicated records", "partition", p.tp.String(), "err", err)
		f.delay(p, f.m.cfg.FetchBackoff)
	}
}

// appendFetched appends the whole batches of a response, then moves the
// high watermark and the log start offset after the leader's.
func (f *fetcher) appendFetched(p *Partition, rp *kmsg.FetchResponseTopicPartition) error {
	b, err := wholeBatches(rp.RecordBatches)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fetcher != f || p.leading.Load() || f.state(p) == nil {
		return nil // moved meanwhile
	}
	if len(b) > 0 {
		if err := p.host.AppendReplicated(b); err != nil {
			return err
		}
	}
	f.fetched(p, len(b), rp.HighWatermark)
	log := p.log
	log.SetHighWatermark(min(rp.HighWatermark, log.LogEndOffset()))
	if start := min(rp.LogStartOffset, log.HighWatermark()); start > log.LogStartOffset() {
		if err := log.DeleteRecordsBefore(start); err != nil {
			return fmt.Errorf("replica: follow log start offset %d: %w", start, err)
		}
	}
	p.host.Wake()
	return nil
}

// wholeBatches keeps the complete batches of a fetched record set and
// checks their CRCs; a leader may cut the last batch short.
func wholeBatches(b []byte) ([]byte, error) {
	end := 0
	for end < len(b) {
		size, err := record.PeekSize(b[end:])
		if errors.Is(err, record.ErrShort) || err == nil && end+size > len(b) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("replica: fetched batch at byte %d: %w", end, err)
		}
		if err := record.CheckCRC(b[end : end+size]); err != nil {
			return nil, fmt.Errorf("replica: fetched batch at byte %d: %w", end, err)
		}
		end += size
	}
	return b[:end], nil
}
