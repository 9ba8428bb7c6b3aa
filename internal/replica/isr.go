package replica

import (
	"context"
	"slices"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// alterPartitionVersion is the AlterPartition version sent: topic ids and
// the followers' broker epochs (KIP-903).
const alterPartitionVersion = 3

// maybeExpandISRLocked adds a follower that has caught up: its log end
// offset has reached the high watermark and the start of this leader's
// epoch (Kafka's isFollowerInSync).
func (p *Partition) maybeExpandISRLocked(id int32, f *follower) {
	if p.pending != nil || slices.Contains(p.isr, id) {
		return
	}
	if f.leo < p.log.HighWatermark() || f.leo < p.epochStart {
		return
	}
	p.proposeLocked(append(slices.Clone(p.isr), id))
}

// maybeShrinkISR removes followers that have not caught up within
// replica.lag.time.max.ms (Kafka's getOutOfSyncReplicas).
func (p *Partition) maybeShrinkISR(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.leading.Load() || p.pending != nil {
		return
	}
	leo := p.log.LogEndOffset()
	keep := make([]int32, 0, len(p.isr))
	for _, r := range p.isr {
		f := p.followers[r]
		if r == p.m.cfg.NodeID || f == nil || f.leo == leo || now.Sub(f.caughtUp) <= p.m.cfg.LagTime {
			keep = append(keep, r)
		}
	}
	if len(keep) < len(p.isr) {
		p.m.log.Info("shrinking ISR", "partition", p.tp.String(), "from", p.isr, "to", keep,
			"leo", leo, "hw", p.log.HighWatermark())
		p.m.metrics.isrShrinks.Add(1)
		p.proposeLocked(keep)
	}
}

// proposeLocked sends the controller a new ISR; the high watermark counts
// the added replicas meanwhile. One proposal is in flight at a time.
func (p *Partition) proposeLocked(isr []int32) {
	if len(isr) > len(p.isr) {
		p.m.metrics.isrExpands.Add(1)
		p.m.log.Info("expanding ISR", "partition", p.tp.String(), "from", p.isr, "to", isr)
	}
	p.pending = isr
	req := p.alterRequestLocked(isr)
	epoch, pepoch := p.leaderEpoch, p.partitionEpoch
	p.m.goAsync(func(ctx context.Context) { p.sendAlter(ctx, req, epoch, pepoch) })
}

func (p *Partition) alterRequestLocked(isr []int32) *kmsg.AlterPartitionRequest {
	req := kmsg.NewPtrAlterPartitionRequest()
	req.SetVersion(alterPartitionVersion)
	req.BrokerID, req.BrokerEpoch = p.m.cfg.NodeID, p.m.cfg.BrokerEpoch()
	t := kmsg.NewAlterPartitionRequestTopic()
	t.TopicID = p.id
	t.Topic = p.tp.Topic
	rp := kmsg.NewAlterPartitionRequestTopicPartition()
	rp.Partition, rp.LeaderEpoch, rp.PartitionEpoch = p.tp.Partition, p.leaderEpoch, p.partitionEpoch
	for _, r := range isr {
		e := kmsg.NewAlterPartitionRequestTopicPartitionNewEpochISR()
		e.BrokerID, e.BrokerEpoch = r, -1
		if r == p.m.cfg.NodeID {
			e.BrokerEpoch = req.BrokerEpoch
		} else if f := p.followers[r]; f != nil {
			e.BrokerEpoch = f.brokerEpoch
		}
		rp.NewEpochISR = append(rp.NewEpochISR, e)
		rp.NewISR = append(rp.NewISR, r)
	}
	t.Partitions = append(t.Partitions, rp)
	req.Topics = append(req.Topics, t)
	return req
}

// sendAlter sends one AlterPartition and applies its answer. Whatever
// happens, the proposal ends: a failed one is proposed again by the next
// fetch or shrink check, from the state the metadata gives by then.
func (p *Partition) sendAlter(ctx context.Context, req *kmsg.AlterPartitionRequest, epoch, pepoch int32) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	resp, err := p.m.tr.AlterPartition(ctx, req)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.leaderEpoch != epoch || p.partitionEpoch != pepoch {
		return // the metadata moved on meanwhile and cleared the proposal
	}
	p.pending = nil
	if err != nil {
		p.m.log.Warn("AlterPartition failed", "partition", p.tp.String(), "err", err)
		return
	}
	code := resp.ErrorCode
	var rp *kmsg.AlterPartitionResponseTopicPartition
	if code == 0 && len(resp.Topics) == 1 && len(resp.Topics[0].Partitions) == 1 {
		rp = &resp.Topics[0].Partitions[0]
		code = rp.ErrorCode
	}
	if code != 0 || rp == nil {
		p.m.log.Warn("AlterPartition refused", "partition", p.tp.String(), "err", kerr.ErrorForCode(code))
		return
	}
	if rp.LeaderEpoch != p.leaderEpoch || rp.PartitionEpoch <= p.partitionEpoch {
		return
	}
	p.setISRLocked(rp.ISR, rp.PartitionEpoch)
	if p.maybeAdvanceHWLocked() {
		defer p.host.Wake()
	}
}

func (p *Partition) setISRLocked(isr []int32, partitionEpoch int32) {
	p.isr, p.partitionEpoch = slices.Clone(isr), partitionEpoch
	p.isrLen.Store(int32(len(isr)))
}
