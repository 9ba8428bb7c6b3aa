package broker

import (
	"context"
	"sync"
	"time"

	"github.com/gofka/gofka/internal/metrics"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// listGroupsKey is the ListGroups API key: group metrics are read only
// when the node serves it.
const listGroupsKey = 16

// groupScrapeTimeout bounds how long a scrape waits for group lag.
const groupScrapeTimeout = 3 * time.Second

// groupLagReader reads groups and their lag at scrape time through the
// Kafka protocol, with a client of the node's own listener: the lag is the
// one kadm (and so `gofka group describe`) computes, whatever the group
// coordinator's internals.
type groupLagReader struct {
	mu sync.Mutex
	cl *kgo.Client
}

func (g *groupLagReader) client(addr string) (*kadm.Client, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cl == nil {
		cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ClientID("gofka-metrics"))
		if err != nil {
			return nil, err
		}
		g.cl = cl
	}
	return kadm.NewClient(g.cl), nil
}

func (g *groupLagReader) close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cl != nil {
		g.cl.Close()
		g.cl = nil
	}
}

// groupStats lists every group with its lag; nil until the node serves
// groups and is ready.
func (n *Node) groupStats() []metrics.GroupStat {
	if n.apis.lookup(listGroupsKey) == nil || !n.observe.ready.Load() {
		return nil
	}
	adm, err := n.observe.lag.client(n.Addr())
	if err != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), groupScrapeTimeout)
	defer cancel()
	listed, err := adm.ListGroups(ctx)
	if err != nil {
		n.log.Debug("metrics: list groups", "err", err)
		return nil
	}
	lags, err := adm.Lag(ctx, listed.Groups()...)
	if err != nil {
		n.log.Debug("metrics: group lag", "err", err)
		return nil
	}
	return groupStatsOf(lags)
}

func groupStatsOf(lags kadm.DescribedGroupLags) []metrics.GroupStat {
	var out []metrics.GroupStat
	for _, g := range lags.Sorted() {
		gs := metrics.GroupStat{Group: g.Group, State: g.State, Members: len(g.Members)}
		for _, l := range g.Lag.Sorted() {
			if l.Err != nil || l.Commit.At < 0 {
				continue
			}
			gs.Lag = append(gs.Lag, metrics.PartitionLag{Topic: l.Topic, Partition: l.Partition, Committed: l.Commit.At, Lag: l.Lag})
		}
		out = append(out, gs)
	}
	return out
}

// partitionStats reads every hosted partition's log at scrape time.
func (n *Node) partitionStats() []metrics.PartitionStat {
	parts := n.parts.all()
	out := make([]metrics.PartitionStat, 0, len(parts))
	topics := make(map[string]bool)
	defer n.observe.reg.KeepTopics(topics)
	for _, p := range parts {
		topics[p.tp.Topic] = true
		l := p.log
		out = append(out, metrics.PartitionStat{
			Topic: p.tp.Topic, Partition: p.tp.Partition,
			SizeBytes: l.Size(), Segments: l.NumSegments(),
			StartOffset: l.LogStartOffset(), EndOffset: l.LogEndOffset(), HighWater: l.HighWatermark(),
		})
	}
	return out
}
