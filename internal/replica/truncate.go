package replica

import (
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// truncate asks the leader where each partition's latest epoch ends
// (OffsetForLeaderEpoch, KIP-101/279) and truncates the divergent tail.
func (f *fetcher) truncate(ps []*Partition) error {
	req := kmsg.NewPtrOffsetForLeaderEpochRequest()
	req.SetVersion(4)
	req.ReplicaID = f.m.cfg.NodeID
	idx := map[string]int{}
	asked := map[*Partition]bool{}
	for _, p := range ps {
		epoch, ok := p.log.LatestEpoch()
		if !ok {
			f.truncateWithoutEpochs(p)
			continue
		}
		i, seen := idx[p.tp.Topic]
		if !seen {
			i = len(req.Topics)
			idx[p.tp.Topic] = i
			t := kmsg.NewOffsetForLeaderEpochRequestTopic()
			t.Topic = p.tp.Topic
			req.Topics = append(req.Topics, t)
		}
		rp := kmsg.NewOffsetForLeaderEpochRequestTopicPartition()
		rp.Partition, rp.CurrentLeaderEpoch, rp.LeaderEpoch = p.tp.Partition, p.epoch.Load(), epoch
		req.Topics[i].Partitions = append(req.Topics[i].Partitions, rp)
		asked[p] = true
	}
	if len(asked) == 0 {
		return nil
	}
	resp, err := f.request(req, 30*time.Second)
	if err != nil {
		return err
	}
	for _, t := range resp.(*kmsg.OffsetForLeaderEpochResponse).Topics {
		for _, rp := range t.Partitions {
			for p := range asked {
				if p.tp.Topic == t.Topic && p.tp.Partition == rp.Partition {
					f.applyEpochEnd(p, rp)
				}
			}
		}
	}
	return nil
}

// truncateWithoutEpochs handles a log with no leader epochs: an empty log
// has nothing to truncate; records without epochs (written before epochs
// existed) fall back to the high watermark, as Kafka does.
func (f *fetcher) truncateWithoutEpochs(p *Partition) {
	if p.log.LogEndOffset() > p.log.HighWatermark() {
		if err := f.truncateLocked(p, p.log.HighWatermark()); err != nil {
			f.m.log.Error("truncate replica", "partition", p.tp.String(), "err", err)
			f.delay(p, f.m.cfg.FetchBackoff)
			return
		}
	}
	f.truncated(p)
}

func (f *fetcher) applyEpochEnd(p *Partition, rp kmsg.OffsetForLeaderEpochResponseTopicPartition) {
	if rp.ErrorCode != 0 {
		f.m.log.Debug("OffsetForLeaderEpoch error", "partition", p.tp.String(), "err", kerr.ErrorForCode(rp.ErrorCode))
		f.delay(p, f.m.cfg.FetchBackoff)
		return
	}
	if err := f.truncateTo(p, rp.LeaderEpoch, rp.EndOffset); err != nil {
		f.m.log.Error("truncate replica", "partition", p.tp.String(), "err", err)
		f.delay(p, f.m.cfg.FetchBackoff)
	}
}

// truncateTo truncates p after the leader said where leaderEpoch ends,
// as Kafka's getOffsetTruncationState: to the smaller of the leader's end
// and this log's end of the same epoch. When this log does not know the
// leader's epoch it truncates to the end of its own epoch below and asks
// again.
func (f *fetcher) truncateTo(p *Partition, leaderEpoch int32, leaderEnd int64) error {
	leo := p.log.LogEndOffset()
	var target int64
	done := true
	switch {
	case leaderEnd < 0:
		target = min(p.log.HighWatermark(), leo) // the leader knows no epoch at or below ours
	case leaderEpoch < 0:
		target = min(leaderEnd, leo)
	default:
		epoch, end := p.log.EndOffsetForEpoch(leaderEpoch)
		switch {
		case epoch < 0:
			target = min(leaderEnd, leo)
		case epoch != leaderEpoch:
			target, done = min(end, leo), false
		default:
			target = min(leaderEnd, end, leo)
		}
	}
	if target < leo {
		f.m.log.Info("truncating replica", "partition", p.tp.String(), "from", leo, "to", target,
			"leader_epoch", leaderEpoch, "leader_end", leaderEnd)
	}
	// Even at the log end: epochs this replica started as a leader without
	// appending to them go (else the leader answers DivergingEpoch forever).
	if err := f.truncateLocked(p, target); err != nil {
		return err
	}
	if done {
		f.truncated(p)
	} else {
		f.mu.Lock()
		if s := f.parts[p]; s != nil {
			s.truncating = true
		}
		f.mu.Unlock()
	}
	return nil
}

func (f *fetcher) truncateLocked(p *Partition, offset int64) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fetcher != f || p.leading.Load() {
		return nil
	}
	if err := p.host.Truncate(offset); err != nil {
		return fmt.Errorf("replica: truncate %s to %d: %w", p.tp, offset, err)
	}
	return nil
}

// outOfRange handles OFFSET_OUT_OF_RANGE: a log ahead of the leader's end
// (after an unclean election) is truncated to it; a log behind the
// leader's start restarts there (Kafka's handleOutOfRangeError).
func (f *fetcher) outOfRange(p *Partition, rp *kmsg.FetchResponseTopicPartition) error {
	leaderEnd, err := f.leaderEndOffset(p)
	if err != nil {
		return err
	}
	leo := p.log.LogEndOffset()
	if leaderEnd < leo {
		return f.truncateLocked(p, leaderEnd)
	}
	start := rp.LogStartOffset
	if start < 0 || start <= leo {
		return fmt.Errorf("replica: %s out of range at %d; leader start %d, end %d", p.tp, leo, start, leaderEnd)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fetcher != f || p.leading.Load() {
		return nil
	}
	f.m.log.Info("replica restarts at the leader's log start", "partition", p.tp.String(), "offset", start)
	return p.host.Restart(start)
}

// leaderEndOffset asks the leader for its log end offset (ListOffsets
// LATEST from a replica).
func (f *fetcher) leaderEndOffset(p *Partition) (int64, error) {
	req := kmsg.NewPtrListOffsetsRequest()
	req.SetVersion(4)
	req.ReplicaID = f.m.cfg.NodeID
	t := kmsg.NewListOffsetsRequestTopic()
	t.Topic = p.tp.Topic
	rp := kmsg.NewListOffsetsRequestTopicPartition()
	rp.Partition, rp.CurrentLeaderEpoch, rp.Timestamp = p.tp.Partition, p.epoch.Load(), -1
	t.Partitions = append(t.Partitions, rp)
	req.Topics = append(req.Topics, t)
	resp, err := f.request(req, 30*time.Second)
	if err != nil {
		return 0, err
	}
	r := resp.(*kmsg.ListOffsetsResponse)
	if len(r.Topics) != 1 || len(r.Topics[0].Partitions) != 1 {
		return 0, errors.New("replica: malformed ListOffsets response")
	}
	out := r.Topics[0].Partitions[0]
	if out.ErrorCode != 0 {
		return 0, kerr.ErrorForCode(out.ErrorCode)
	}
	return out.Offset, nil
}
