package broker

import (
	"slices"

	"github.com/gofka/gofka/internal/config"
	"github.com/gofka/gofka/internal/controller"
	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/storage"
	"github.com/gofka/gofka/internal/storage/checkpoint"
)

// reconcile makes the partition set match an image: logs for new
// partitions, deletion for removed topics, leader epochs and configs
// refreshed. It runs on every published image, under the controller's
// commit, so a topic is servable before its creation is acknowledged.
func (n *Node) reconcile(img *metadata.Image) {
	n.parts.update(func(m map[string][]*partition) {
		for name, ps := range m {
			if t := img.Topic(name); t == nil || !sameTopic(t, ps) {
				n.dropTopic(ps)
				delete(m, name)
			}
		}
		img.EachTopic(func(t *metadata.TopicImage) bool {
			m[t.Name] = n.syncTopic(img, t, m[t.Name])
			return true
		})
	})
}

// reconcileDelta is reconcile for the topics a delta names: each applied
// change costs what it changed, not the number of topics. A broker config
// change (defaults of every topic) reconciles everything.
func (n *Node) reconcileDelta(img *metadata.Image, d metadata.Delta) {
	if d.Empty() {
		return
	}
	names := map[string]bool{}
	for _, k := range d.ChangedConfigs {
		if k.Type != metadata.ConfigResourceTopic {
			n.reconcile(img)
			return
		}
		names[k.Name] = true
	}
	for _, t := range d.DeletedTopics {
		names[t.Name] = true
	}
	for _, t := range d.CreatedTopics {
		names[t.Name] = true
	}
	for _, p := range d.ChangedPartitions {
		names[p.Topic] = true
	}
	n.parts.update(func(m map[string][]*partition) {
		for name := range names {
			t := img.Topic(name)
			if ps, ok := m[name]; ok && (t == nil || !sameTopic(t, ps)) {
				n.dropTopic(ps)
				delete(m, name)
			}
			if t != nil {
				m[name] = n.syncTopic(img, t, m[name])
			}
		}
	})
}

func sameTopic(t *metadata.TopicImage, ps []*partition) bool {
	for _, p := range ps {
		if p != nil {
			return p.topicID == [16]byte(t.ID)
		}
	}
	return true
}

func (n *Node) dropTopic(ps []*partition) {
	for _, p := range ps {
		if p != nil {
			n.dropPartition(p)
		}
	}
}

// dropPartition stops replicating p and deletes its log.
func (n *Node) dropPartition(p *partition) {
	n.replicas.Remove(p.rep)
	if err := n.logs.Delete(p.tp); err != nil {
		n.log.Error("delete partition", "partition", p.tp.String(), "err", err)
	}
	p.wake() // parked fetches answer at once (the log is closed)
}

// syncTopic brings one topic's hosted partitions up to date.
func (n *Node) syncTopic(img *metadata.Image, t *metadata.TopicImage, ps []*partition) []*partition {
	cfg, err := n.topicConfig(img, t.Name)
	if err != nil {
		n.log.Error("resolve topic config", "topic", t.Name, "err", err)
		return ps
	}
	// Readers hold the published slice without a lock: change a copy.
	ps = slices.Clone(ps)
	for len(ps) < len(t.Partitions) {
		ps = append(ps, nil)
	}
	for i, pi := range t.Partitions {
		if pi == nil || !hosts(pi, n.nodeID) {
			if ps[i] != nil { // reassigned away: the replica goes
				n.dropPartition(ps[i])
				ps[i] = nil
			}
			continue
		}
		if ps[i] == nil {
			p, err := n.openPartition(t, pi, cfg)
			if err != nil {
				n.log.Error("open partition", "topic", t.Name, "partition", i, "err", err)
				continue
			}
			ps[i] = p
		}
		n.refreshPartition(ps[i], pi, cfg)
	}
	return ps
}

func hosts(pi *metadata.PartitionImage, id int32) bool {
	for _, r := range pi.Replicas {
		if r == id {
			return true
		}
	}
	return false
}

func (n *Node) openPartition(t *metadata.TopicImage, pi *metadata.PartitionImage, cfg *config.Topic) (*partition, error) {
	tp := checkpoint.TopicPartition{Topic: t.Name, Partition: pi.Partition}
	log, err := n.logs.GetOrCreate(tp, checkpoint.UUID(t.ID), storageConfig(cfg))
	if err != nil {
		return nil, err
	}
	prod, err := openProdLog(log)
	if err != nil {
		return nil, err
	}
	prod.st.Expire(n.producerExpiryCutoff()) // not shared yet: no lock
	p := &partition{tp: tp, topicID: [16]byte(t.ID), log: log, prod: prod}
	p.rep = n.replicas.Add(tp, t.ID, p)
	return p, nil
}

// refreshPartition applies a new config and the partition's replication
// state: leader or follower, leader epoch, ISR.
func (n *Node) refreshPartition(p *partition, pi *metadata.PartitionImage, cfg *config.Topic) {
	if old := p.cfg.Swap(cfg); old != nil && storageConfig(old) != storageConfig(cfg) {
		p.log.SetConfig(storageConfig(cfg))
	}
	p.leaderEpoch.Store(pi.LeaderEpoch)
	n.applyThrottles(p, cfg)
	n.replicas.Apply(p.rep, pi)
}

// topicConfig resolves a topic's effective config from the image.
func (n *Node) topicConfig(img *metadata.Image, topic string) (*config.Topic, error) {
	layers := n.brokerLayers(img)
	layers.Topic = img.Configs(controller.ResourceTopic, topic)
	t, err := config.ResolveTopic(layers)
	return &t, err
}

// storageConfigFor gives the storage manager a log's settings at open.
func (n *Node) storageConfigFor(tp checkpoint.TopicPartition) storage.Config {
	cfg, err := n.topicConfig(n.meta.Current(), tp.Topic)
	if err != nil {
		n.log.Error("resolve topic config", "topic", tp.Topic, "err", err)
	}
	return storageConfig(cfg)
}

// deleteStrayLogs removes logs on disk that the metadata does not assign
// to this node (a topic deleted while the node was down).
func (n *Node) deleteStrayLogs() {
	for _, l := range n.logs.Logs() {
		tp := l.TopicPartition()
		if n.parts.get(tp.Topic, tp.Partition) == nil {
			n.log.Info("deleting stray partition", "partition", tp.String())
			if err := n.logs.Delete(tp); err != nil {
				n.log.Error("delete stray partition", "partition", tp.String(), "err", err)
			}
		}
	}
}
