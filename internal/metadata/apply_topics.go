package metadata

import "slices"

// Partition change sentinels, as Kafka's PartitionChangeRecord defines them.
const (
	NoLeader                    int32 = -1 // Leader: the partition has no leader
	NoLeaderChange              int32 = -2 // PartitionChangeRecord.Leader: leader unchanged
	NoLeaderRecoveryStateChange int8  = -1 // PartitionChangeRecord.LeaderRecoveryState: unchanged
)

// DirectoryMigrating is Kafka's DirectoryId.MIGRATING: the placeholder log directory
// of replicas whose directory is not known.
var DirectoryMigrating = UUID{15: 2}

func (a *applier) topicBuilder() *pbuilder[string, *TopicImage] {
	if a.topics == nil {
		a.topics = a.next.topics.builder()
	}
	return a.topics
}

func (a *applier) idBuilder() *pbuilder[UUID, string] {
	if a.ids == nil {
		a.ids = a.next.topicIDs.builder()
	}
	return a.ids
}

func (a *applier) topic(name string) *TopicImage {
	if a.topics != nil {
		t, _ := a.topics.get(name)
		return t
	}
	t, _ := a.next.topics.get(name)
	return t
}

func (a *applier) topicName(id UUID) (string, bool) {
	if a.ids != nil {
		return a.ids.get(id)
	}
	return a.next.topicIDs.get(id)
}

func (a *applier) topicRecord(r *TopicRecord) error {
	if name, dup := a.topicName(r.TopicID); dup {
		return inconsistentf("topic %q: id %s already used by topic %q", r.Name, r.TopicID, name)
	}
	if a.topic(r.Name) != nil {
		return inconsistentf("topic %q already exists", r.Name)
	}
	t := &TopicImage{Name: r.Name, ID: r.TopicID}
	a.ownedTopics[t] = true
	a.topicBuilder().set(t.Name, t)
	a.idBuilder().set(t.ID, t.Name)
	return nil
}

// mutableTopic returns the topic with id, copied into the new image on first change.
func (a *applier) mutableTopic(id UUID) (*TopicImage, error) {
	name, ok := a.topicName(id)
	if !ok {
		return nil, inconsistentf("unknown topic id %s", id)
	}
	t := a.topic(name)
	if !a.ownedTopics[t] {
		c := *t
		c.Partitions = slices.Clone(t.Partitions)
		t = &c
		a.ownedTopics[t] = true
		a.topicBuilder().set(name, t)
	}
	return t, nil
}

func (a *applier) partitionRecord(r *PartitionRecord) error {
	if r.PartitionID < 0 {
		return inconsistentf("partition record with id %d", r.PartitionID)
	}
	t, err := a.mutableTopic(r.TopicID)
	if err != nil {
		return err
	}
	for len(t.Partitions) <= int(r.PartitionID) {
		t.Partitions = append(t.Partitions, nil)
	}
	t.Partitions[r.PartitionID] = newPartition(t, r)
	return nil
}

// newPartition builds a partition image from a PartitionRecord.
func newPartition(t *TopicImage, r *PartitionRecord) *PartitionImage {
	p := &PartitionImage{
		Topic:               t.Name,
		TopicID:             t.ID,
		Partition:           r.PartitionID,
		Replicas:            slices.Clone(r.Replicas),
		ISR:                 slices.Clone(r.ISR),
		RemovingReplicas:    slices.Clone(r.RemovingReplicas),
		AddingReplicas:      slices.Clone(r.AddingReplicas),
		ELR:                 slices.Clone(r.EligibleLeaderReplicas),
		LastKnownELR:        slices.Clone(r.LastKnownELR),
		Leader:              r.Leader,
		LeaderEpoch:         r.LeaderEpoch,
		PartitionEpoch:      r.PartitionEpoch,
		LeaderRecoveryState: r.LeaderRecoveryState,
	}
	p.Directories = directoriesOrMigrating(slices.Clone(r.Directories), len(p.Replicas))
	return p
}

// directoriesOrMigrating fills unknown directories with DirectoryMigrating, as Kafka does.
func directoriesOrMigrating(dirs []UUID, replicas int) []UUID {
	if len(dirs) > 0 {
		return dirs
	}
	dirs = make([]UUID, replicas)
	for i := range dirs {
		dirs[i] = DirectoryMigrating
	}
	return dirs
}

func (a *applier) partitionChange(r *PartitionChangeRecord) error {
	name, ok := a.topicName(r.TopicID)
	if !ok {
		return inconsistentf("partition change: unknown topic id %s", r.TopicID)
	}
	t := a.topic(name)
	if r.PartitionID < 0 || int(r.PartitionID) >= len(t.Partitions) || t.Partitions[r.PartitionID] == nil {
		return inconsistentf("partition change: unknown partition %s-%d", name, r.PartitionID)
	}
	t, _ = a.mutableTopic(r.TopicID)
	t.Partitions[r.PartitionID] = t.Partitions[r.PartitionID].merge(r)
	return nil
}

// merge returns p with a PartitionChangeRecord applied, as Kafka's PartitionRegistration.merge:
// null fields are unchanged, a leader change bumps the leader epoch, and every change
// bumps the partition epoch.
func (p *PartitionImage) merge(r *PartitionChangeRecord) *PartitionImage {
	c := *p
	replace(&c.Replicas, r.Replicas)
	replace(&c.ISR, r.ISR)
	replace(&c.RemovingReplicas, r.RemovingReplicas)
	replace(&c.AddingReplicas, r.AddingReplicas)
	replace(&c.ELR, r.EligibleLeaderReplicas)
	replace(&c.LastKnownELR, r.LastKnownELR)
	if r.Directories != nil {
		c.Directories = slices.Clone(r.Directories)
	}
	c.Directories = directoriesOrMigrating(c.Directories, len(c.Replicas))
	if r.Leader != NoLeaderChange {
		c.Leader = r.Leader
		c.LeaderEpoch++
	}
	if r.LeaderRecoveryState != NoLeaderRecoveryStateChange {
		c.LeaderRecoveryState = r.LeaderRecoveryState
	}
	c.PartitionEpoch++
	return &c
}

// replace sets *dst to a copy of v unless v is nil ("no change").
func replace(dst *[]int32, v []int32) {
	if v != nil {
		*dst = slices.Clone(v)
	}
}

// removeTopic deletes a topic, its partitions and its topic configs.
func (a *applier) removeTopic(r *RemoveTopicRecord) error {
	name, ok := a.topicName(r.TopicID)
	if !ok {
		return inconsistentf("remove topic: unknown topic id %s", r.TopicID)
	}
	a.topicBuilder().delete(name)
	a.idBuilder().delete(r.TopicID)
	a.configBuilder().delete(ConfigKey{ConfigResourceTopic, name})
	return nil
}
