package controller

// Partition changes as Kafka's PartitionChangeBuilder makes them. Every
// change of a partition's replicas, ISR, eligible leader replicas (ELR,
// KIP-966), leader or recovery state goes through partitionChange.build,
// which completes a reassignment whose adding replicas are all in sync,
// tracks the ELR, elects a leader when the current one cannot stay, and
// returns the PartitionChangeRecord (nil when nothing changes).
//
// Leader election, in Kafka's order: keep a leader that is in the new ISR
// and alive; otherwise the first replica (in replica order) that is in the
// ISR and alive; with an empty ISR and ELR on, the first ELR member that
// is alive (a clean election: KIP-966); only with an unclean election
// asked for, any alive replica, which becomes the whole ISR with
// LeaderRecoveryState RECOVERING.

import (
	"slices"

	"github.com/gofka/gofka/internal/config"
	"github.com/gofka/gofka/internal/metadata"
)

// election is the kind of leader election a change may make.
type election int8

const (
	electOnline    election = iota // keep an eligible leader, else elect from the ISR (or ELR)
	electPreferred                 // move to the first replica when it is eligible
	electUnclean                   // as electOnline, then any alive replica
)

// Leader recovery states (KIP-704).
const (
	recovered  int8 = 0
	recovering int8 = 1
)

// ELRFeature is KIP-966's feature; level 1 turns eligible leader replicas on.
const ELRFeature = "eligible.leader.replicas.version"

// partitionChange is one pending change of a partition: the targets start
// as the partition's current state and are set by the caller before build.
type partitionChange struct {
	img      *metadata.Image
	p        *metadata.PartitionImage
	election election
	elrOn    bool
	minISR   int
	// exclude may not lead (a broker being fenced or shutting down);
	// include may, whatever the image says (a broker being unfenced).
	exclude, include int32
	// uncleanShutdown replicas leave the ELR (they may have lost data).
	uncleanShutdown []int32

	replicas, isr, adding, removing []int32
	elr, lastKnownELR               []int32
	recovery                        int8
}

// newChange starts a change of p with the topic's election policy.
func newChange(img *metadata.Image, p *metadata.PartitionImage, pol topicPolicy) *partitionChange {
	b := &partitionChange{img: img, p: p, elrOn: pol.elr, minISR: pol.minISR, exclude: -1, include: -1,
		replicas: slices.Clone(p.Replicas), isr: slices.Clone(p.ISR),
		adding: slices.Clone(p.AddingReplicas), removing: slices.Clone(p.RemovingReplicas),
		recovery: p.LeaderRecoveryState}
	if pol.unclean {
		b.election = electUnclean
	}
	return b
}

// acceptable reports a broker that may lead: registered, unfenced and not
// shutting down.
func (b *partitionChange) acceptable(id int32) bool {
	switch {
	case id < 0 || id == b.exclude:
		return false
	case id == b.include:
		return true
	}
	br := b.img.Brokers[id]
	return br != nil && !br.Fenced && !br.InControlledShutdown
}

// validLeader reports a replica a clean election may pick.
func (b *partitionChange) validLeader(id int32) bool {
	inISR := slices.Contains(b.isr, id)
	if b.elrOn && len(b.isr) == 0 {
		inISR = slices.Contains(b.elr, id)
	}
	return inISR && b.acceptable(id)
}

// build returns the record of the change, or nil when it changes nothing.
func (b *partitionChange) build() *metadata.PartitionChangeRecord {
	r := metadata.NewPartitionChangeRecord()
	r.TopicID, r.PartitionID = b.p.TopicID, b.p.Partition
	b.completeReassignment()
	b.populateELR()
	if b.shouldElect() {
		b.elect(r)
	}
	if r.Leader == metadata.NoLeaderChange && !containsAll(b.replicas, b.p.Replicas) {
		r.Leader = b.p.Leader // a replica left: fence it with a new leader epoch
	}
	b.recordELR(r)
	if r.ISR == nil && (len(b.isr) > 0 || b.elrOn) && !slices.Equal(b.isr, b.p.ISR) {
		r.ISR = nonNilInts(b.isr)
	}
	b.recordAssignment(r)
	if r.LeaderRecoveryState == metadata.NoLeaderRecoveryStateChange && b.recovery != b.p.LeaderRecoveryState {
		r.LeaderRecoveryState = b.recovery
	}
	if isNoOp(r) {
		return nil
	}
	return r
}

// completeReassignment ends a reassignment once every adding replica is in
// the ISR: the removing replicas leave the replicas and the ISR (unless
// that would empty the ISR).
func (b *partitionChange) completeReassignment() {
	if len(b.adding) == 0 && len(b.removing) == 0 {
		return
	}
	if !containsAll(b.isr, b.adding) {
		return
	}
	isr := without(b.isr, b.removing)
	if len(isr) == 0 {
		return
	}
	b.isr, b.replicas = isr, without(b.replicas, b.removing)
	b.adding, b.removing = nil, nil
}

// populateELR tracks the eligible leader replicas (KIP-966): while the ISR
// is below min.insync.replicas, the replicas that left it stay eligible.
func (b *partitionChange) populateELR() {
	if !b.elrOn || len(b.isr) >= b.minISR {
		b.elr, b.lastKnownELR = nil, nil
		return
	}
	candidates := union(b.p.ISR, b.p.ELR)
	b.elr = without(without(candidates, b.isr), b.uncleanShutdown)
	b.elr = intersect(b.elr, b.replicas)
	b.lastKnownELR = intersect(without(without(union(candidates, b.p.LastKnownELR), b.isr), b.elr), b.replicas)
}

// shouldElect reports whether the current leader cannot stay: it left the
// ISR, is not alive, or a preferred election wants another replica.
func (b *partitionChange) shouldElect() bool {
	switch {
	case !slices.Contains(b.isr, b.p.Leader), !b.acceptable(b.p.Leader):
		return true
	case b.election == electPreferred && len(b.replicas) > 0 && b.p.Leader != b.replicas[0]:
		return true
	}
	return false
}

// elect picks the new leader and writes it into r.
func (b *partitionChange) elect(r *metadata.PartitionChangeRecord) {
	leader, unclean := b.pickLeader()
	if leader == b.p.Leader {
		return
	}
	if slices.Contains(b.elr, leader) {
		b.isr, b.elr = []int32{leader}, without(b.elr, []int32{leader})
	}
	r.Leader = leader
	if unclean {
		r.ISR = []int32{leader}
		b.isr = r.ISR
		if b.p.LeaderRecoveryState != recovering {
			r.LeaderRecoveryState = recovering
		}
	}
}

// canElectLastKnownLeader is Kafka's rule for a partition with nothing
// eligible left: with ELR on, an empty ISR and ELR and one last known
// eligible replica (typically the last leader, out of the ELR after an
// unclean shutdown, and the only replica of an RF=1 topic), that replica
// may lead again once acceptable, as a RECOVERING leader.
func (b *partitionChange) canElectLastKnownLeader() bool {
	return b.elrOn && len(b.isr) == 0 && len(b.elr) == 0 && len(b.lastKnownELR) == 1 && b.acceptable(b.lastKnownELR[0])
}

// pickLeader is Kafka's electLeader: the leader and whether the election
// was unclean; NoLeader when no replica qualifies.
func (b *partitionChange) pickLeader() (int32, bool) {
	if b.election == electPreferred && len(b.replicas) > 0 && b.validLeader(b.replicas[0]) {
		return b.replicas[0], false
	}
	if b.validLeader(b.p.Leader) {
		return b.p.Leader, false
	}
	for _, r := range b.replicas {
		if b.validLeader(r) {
			return r, false
		}
	}
	if b.canElectLastKnownLeader() {
		return b.lastKnownELR[0], true
	}
	if b.election == electUnclean {
		for _, r := range b.replicas {
			if b.acceptable(r) {
				return r, true
			}
		}
	}
	return metadata.NoLeader, false
}

// recordELR writes the ELR fields that changed; an unclean election (or ELR
// off) clears them.
func (b *partitionChange) recordELR(r *metadata.PartitionChangeRecord) {
	if r.ISR != nil || !b.elrOn {
		b.elr, b.lastKnownELR = nil, nil
	}
	if !slices.Equal(b.elr, b.p.ELR) {
		r.EligibleLeaderReplicas = nonNilInts(b.elr)
	}
	if !slices.Equal(b.lastKnownELR, b.p.LastKnownELR) {
		r.LastKnownELR = nonNilInts(b.lastKnownELR)
	}
}

// recordAssignment writes replica, adding and removing changes, with a
// log directory per replica (kept for a replica that stays).
func (b *partitionChange) recordAssignment(r *metadata.PartitionChangeRecord) {
	if !slices.Equal(b.replicas, b.p.Replicas) {
		r.Replicas = b.replicas
		r.Directories = make([]metadata.UUID, len(b.replicas))
		for i, id := range b.replicas {
			r.Directories[i] = metadata.DirectoryMigrating
			if j := slices.Index(b.p.Replicas, id); j >= 0 && j < len(b.p.Directories) {
				r.Directories[i] = b.p.Directories[j]
			}
		}
	}
	if !slices.Equal(b.adding, b.p.AddingReplicas) {
		r.AddingReplicas = nonNilInts(b.adding)
	}
	if !slices.Equal(b.removing, b.p.RemovingReplicas) {
		r.RemovingReplicas = nonNilInts(b.removing)
	}
}

func isNoOp(r *metadata.PartitionChangeRecord) bool {
	return r.ISR == nil && r.Leader == metadata.NoLeaderChange && r.Replicas == nil &&
		r.RemovingReplicas == nil && r.AddingReplicas == nil &&
		r.LeaderRecoveryState == metadata.NoLeaderRecoveryStateChange && r.Directories == nil &&
		r.EligibleLeaderReplicas == nil && r.LastKnownELR == nil
}

// topicPolicy is what elections need of a topic's configs and features.
type topicPolicy struct {
	minISR  int
	unclean bool // unclean.leader.election.enable
	elr     bool // eligible.leader.replicas.version >= 1
}

// policies resolves topic policies once per topic for one operation.
type policies struct {
	c   *Controller
	img *metadata.Image
	m   map[string]topicPolicy
}

func (c *Controller) policies(img *metadata.Image) *policies {
	return &policies{c: c, img: img, m: map[string]topicPolicy{}}
}

func (ps *policies) of(topic string) topicPolicy {
	if p, ok := ps.m[topic]; ok {
		return p
	}
	p := topicPolicy{minISR: 1, elr: ps.img.Features[ELRFeature] >= 1}
	if t, err := config.ResolveTopic(ps.c.layers(ps.img, ps.img.Configs(ResourceTopic, topic))); err == nil {
		p.minISR, p.unclean = int(t.MinInSyncReplicas), t.UncleanLeaderElectionEnable
	}
	ps.m[topic] = p
	return p
}

// change starts a change of p under its topic's policy.
func (ps *policies) change(p *metadata.PartitionImage) *partitionChange {
	return newChange(ps.img, p, ps.of(p.Topic))
}

// Small set operations on replica lists, keeping the order of the first.

func without(a, drop []int32) []int32 {
	var out []int32
	for _, x := range a {
		if !slices.Contains(drop, x) {
			out = append(out, x)
		}
	}
	return out
}

func intersect(a, keep []int32) []int32 {
	var out []int32
	for _, x := range a {
		if slices.Contains(keep, x) {
			out = append(out, x)
		}
	}
	return out
}

// union is a then the members of b not in a, sorted (ELR order is free).
func union(a, b []int32) []int32 {
	out := slices.Clone(a)
	for _, x := range b {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	slices.Sort(out)
	return out
}

func containsAll(a, sub []int32) bool {
	for _, x := range sub {
		if !slices.Contains(a, x) {
			return false
		}
	}
	return true
}

func nonNilInts(a []int32) []int32 {
	if a == nil {
		return []int32{}
	}
	return a
}
