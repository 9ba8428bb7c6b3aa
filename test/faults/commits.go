package faults

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// GroupCommits runs Consumers members of consumer group Group on Topic,
// committing every 200ms (autocommit), and records each acknowledged
// commit; an observer fetches the group's committed offsets every 100ms
// and records them in order. Stop stops the members, then fetches the
// committed offsets once more.
type GroupCommits struct {
	Seeds     []string
	Topic     string
	Group     string
	Consumers int

	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu struct {
		sync.Mutex
		acked    map[int32]int64
		observed map[int32][]int64
		n        int
		owners   map[ownerKey][]string // members owning a partition in a generation
	}
}

// ownerKey is a partition in a generation of the group.
type ownerKey struct {
	generation int32
	partition  int32
}

// Start starts the members and the observer.
func (g *GroupCommits) Start() error {
	g.mu.acked, g.mu.observed, g.mu.owners = map[int32]int64{}, map[int32][]int64{}, map[ownerKey][]string{}
	ctx, cancel := context.WithCancel(context.Background())
	g.cancel = cancel
	for i := 0; i < g.Consumers; i++ {
		m := &member{g: g, owned: map[int32]bool{}}
		cl, err := kgo.NewClient(append(clientTimeouts(g.Seeds), kgo.ConsumerGroup(g.Group), kgo.ConsumeTopics(g.Topic),
			kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchIsolationLevel(kgo.ReadCommitted()),
			kgo.FetchMaxWait(500*time.Millisecond), kgo.SessionTimeout(6*time.Second),
			kgo.AutoCommitInterval(200*time.Millisecond), kgo.AutoCommitCallback(g.committed),
			kgo.OnPartitionsAssigned(m.assigned), kgo.OnPartitionsRevoked(m.revoked), kgo.OnPartitionsLost(m.revoked))...)
		if err != nil {
			cancel()
			g.wg.Wait()
			return fmt.Errorf("faults: group member: %w", err)
		}
		g.wg.Add(1)
		go g.consume(ctx, cl)
	}
	g.wg.Add(1)
	go g.observe(ctx)
	return nil
}

// committed records the commits a coordinator acknowledged.
func (g *GroupCommits) committed(_ *kgo.Client, req *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse, err error) {
	if err != nil || req == nil || resp == nil {
		return
	}
	sent := map[int32]int64{}
	for _, t := range req.Topics {
		for _, p := range t.Partitions {
			sent[p.Partition] = p.Offset
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			if o, ok := sent[p.Partition]; ok && p.ErrorCode == 0 && t.Topic == g.Topic {
				g.mu.acked[p.Partition] = max(g.mu.acked[p.Partition], o)
				g.mu.n++
			}
		}
	}
}

// member tracks the partitions one member owns, and records them under
// its generation each time it is assigned more.
type member struct {
	g     *GroupCommits
	owned map[int32]bool // only touched by the client's callbacks, which run one at a time
}

func (m *member) assigned(_ context.Context, cl *kgo.Client, added map[string][]int32) {
	for _, p := range added[m.g.Topic] {
		m.owned[p] = true
	}
	id, gen := cl.GroupMetadata()
	m.g.mu.Lock()
	defer m.g.mu.Unlock()
	for p := range m.owned {
		k := ownerKey{gen, p}
		m.g.mu.owners[k] = append(m.g.mu.owners[k], id)
	}
}

func (m *member) revoked(_ context.Context, _ *kgo.Client, gone map[string][]int32) {
	for _, p := range gone[m.g.Topic] {
		delete(m.owned, p)
	}
}

// consume polls until ctx ends; closing the client commits and leaves.
func (g *GroupCommits) consume(ctx context.Context, cl *kgo.Client) {
	defer g.wg.Done()
	defer cl.Close()
	for ctx.Err() == nil {
		cl.PollFetches(ctx)
	}
}

// observe fetches the committed offsets every 100ms until ctx ends.
func (g *GroupCommits) observe(ctx context.Context) {
	defer g.wg.Done()
	cl, err := kgo.NewClient(clientTimeouts(g.Seeds)...)
	if err != nil {
		return
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	for ctx.Err() == nil {
		g.fetch(ctx, adm)
		sleep(ctx, 100*time.Millisecond)
	}
}

// fetch records the committed offsets once; false if the fetch failed.
func (g *GroupCommits) fetch(ctx context.Context, adm *kadm.Client) bool {
	offs, err := adm.FetchOffsets(ctx, g.Group)
	if err != nil || offs.Error() != nil {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	offs.Each(func(o kadm.OffsetResponse) {
		if o.Topic == g.Topic && o.Err == nil && o.At >= 0 {
			g.mu.observed[o.Partition] = append(g.mu.observed[o.Partition], o.At)
		}
	})
	return true
}

// Stop stops the members and the observer, then records the committed
// offsets once more (retrying until ctx ends).
func (g *GroupCommits) Stop(ctx context.Context) error {
	if g.cancel != nil {
		g.cancel()
	}
	g.wg.Wait()
	return retryAdmin(ctx, g.Seeds, func(adm *kadm.Client) error {
		if !g.fetch(ctx, adm) {
			return fmt.Errorf("faults: fetch the offsets of group %s", g.Group)
		}
		return nil
	})
}

// WaitCommitted waits until the group's committed offsets reach ends (the
// group consumed the whole log and committed it once healed).
func (g *GroupCommits) WaitCommitted(ctx context.Context, ends map[int32]int64) error {
	return retryAdmin(ctx, g.Seeds, func(adm *kadm.Client) error {
		offs, err := adm.FetchOffsets(ctx, g.Group)
		if err != nil {
			return err
		}
		for p, end := range ends {
			if o, ok := offs.Lookup(g.Topic, p); !ok || o.Err != nil || o.At < end {
				return fmt.Errorf("faults: group %s committed %v on %s/%d of %d", g.Group, o.At, g.Topic, p, end)
			}
		}
		return nil
	})
}

// Commits returns what was recorded, with ends the partitions' log end
// offsets.
func (g *GroupCommits) Commits(ends map[int32]int64) Commits {
	g.mu.Lock()
	defer g.mu.Unlock()
	c := Commits{Acked: map[int32]int64{}, Observed: map[int32][]int64{}, Ends: ends, N: g.mu.n}
	for p, o := range g.mu.acked {
		c.Acked[p] = o
	}
	for p, os := range g.mu.observed {
		c.Observed[p] = append([]int64(nil), os...)
	}
	for k, ids := range g.mu.owners {
		if slices.Sort(ids); len(slices.Compact(ids)) > 1 {
			c.Shared = append(c.Shared, fmt.Sprintf("generation %d: partition %d owned by %v", k.generation, k.partition, slices.Compact(ids)))
		}
	}
	slices.Sort(c.Shared)
	return c
}

// RunCommitRound runs a round of fault while a group consumes topic name
// and commits: the produce history is checked as in RunRound, and the
// group's commits by CheckCommits against the final log's end offsets.
func (c *Cluster) RunCommitRound(ctx context.Context, name string, f Fault, cfg Round) (Report, error) {
	c.t.Helper()
	cfg.defaults()
	seeds := c.allAddrs()
	if err := c.createTopics(ctx, cfg, name); err != nil {
		return Report{}, err
	}
	load := &Workload{Seeds: seeds, Topic: name, Partitions: cfg.Partitions, Writers: 2, Interval: 5 * time.Millisecond}
	group := &GroupCommits{Seeds: seeds, Topic: name, Group: name, Consumers: 2}
	if err := load.Start(); err != nil {
		return Report{}, err
	}
	if err := group.Start(); err != nil {
		load.Stop()
		return Report{}, err
	}
	defer c.DeleteTopics(ctx, name)
	did, err := c.strike(ctx, f, Target{Topic: name, Group: name}, cfg)
	load.Stop()
	if err != nil {
		_ = group.Stop(ctx)
		return Report{}, err
	}
	settle, cancel := context.WithTimeout(ctx, cfg.Settle)
	defer cancel()
	ferr := load.Final(settle)
	rep := Check(load.History())
	ends := map[int32]int64{}
	for _, r := range load.History().Final {
		ends[r.Partition] = max(ends[r.Partition], r.Offset+1)
	}
	if ferr == nil {
		ferr = group.WaitCommitted(settle, ends)
	}
	gerr := group.Stop(settle)
	if ferr == nil {
		rep.CheckCommits(group.Commits(ends))
	}
	c.t.Logf("%s on group %s: %s: %s", f.Name, name, did, &rep)
	if ferr == nil && rep.Commits == 0 {
		ferr = fmt.Errorf("faults: group %s had no commit acknowledged", name)
	}
	if err := errors.Join(ferr, gerr); err != nil {
		return rep, fmt.Errorf("faults: %s on %s: after healing: %w", f.Name, name, err)
	}
	return rep, nil
}
