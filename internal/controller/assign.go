package controller

import (
	"errors"
	"fmt"
	"sort"

	"github.com/gofka/gofka/internal/metadata"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// maxTopicNameLen is Kafka's limit (249: room for partition and suffixes).
const maxTopicNameLen = 249

// ValidateTopicName checks a topic name as Kafka's Topic.validate does.
func ValidateTopicName(name string) error {
	switch {
	case name == "":
		return errors.New("Topic name is illegal, it can't be empty")
	case name == "." || name == "..":
		return errors.New("Topic name cannot be \".\" or \"..\"")
	case len(name) > maxTopicNameLen:
		return fmt.Errorf("Topic name is illegal, it can't be longer than %d characters, topic name: %s", maxTopicNameLen, name)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return fmt.Errorf("Topic name %q is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'", name)
		}
	}
	return nil
}

// activeBrokers are the brokers new replicas may go to: unfenced and not
// shutting down, sorted by id.
func activeBrokers(img *metadata.Image) []int32 {
	var ids []int32
	for id, b := range img.Brokers {
		if !b.Fenced && !b.InControlledShutdown {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// assignment returns the replica list of every partition of a new topic:
// the manual assignment after validating it, or a round-robin placement.
func (c *Controller) assignment(img *metadata.Image, rt *kmsg.CreateTopicsRequestTopic) ([][]int32, *topicError) {
	if len(rt.ReplicaAssignment) > 0 {
		if rt.NumPartitions != -1 || rt.ReplicationFactor != -1 {
			return nil, errf(kerr.InvalidRequest, "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.")
		}
		return manualAssignment(img, rt.ReplicaAssignment)
	}
	np, rf := rt.NumPartitions, rt.ReplicationFactor
	if np == -1 {
		np = c.static.NumPartitions
	}
	if rf == -1 {
		rf = c.static.DefaultReplicationFactor
	}
	if np <= 0 {
		return nil, errf(kerr.InvalidPartitions, "Number of partitions was set to an invalid non-positive value.")
	}
	if rf <= 0 {
		return nil, errf(kerr.InvalidReplicationFactor, "Replication factor must be larger than 0, or -1 to use the default value.")
	}
	return placeReplicas(img, 0, np, rf)
}

// placeReplicas places partitions first..first+n-1 on the active brokers,
// rf replicas each (place.go).
func placeReplicas(img *metadata.Image, first, n int32, rf int16) ([][]int32, *topicError) {
	brokers := activeBrokers(img)
	if int(rf) > len(brokers) {
		return nil, errf(kerr.InvalidReplicationFactor, "Unable to replicate the partition %d time(s): The target replication factor of %d cannot be reached because only %d broker(s) are registered.", rf, rf, len(brokers))
	}
	racks := make(map[int32]string, len(brokers))
	for _, id := range brokers {
		if r := img.Brokers[id].Rack; r != nil {
			racks[id] = *r
		}
	}
	return Stripe(brokers, racks, first, n, int(rf)), nil
}

func manualAssignment(img *metadata.Image, as []kmsg.CreateTopicsRequestTopicReplicaAssignment) ([][]int32, *topicError) {
	out := make([][]int32, len(as))
	rf := -1
	for _, a := range as {
		if a.Partition < 0 || int(a.Partition) >= len(as) || out[a.Partition] != nil {
			return nil, errf(kerr.InvalidReplicaAssignment, "Partitions must be numbered consecutively from 0 and listed once; got partition %d.", a.Partition)
		}
		if terr := checkReplicas(img, a.Replicas); terr != nil {
			return nil, terr
		}
		if rf != -1 && len(a.Replicas) != rf {
			return nil, errf(kerr.InvalidReplicaAssignment, "All partitions must have the same number of replicas.")
		}
		rf = len(a.Replicas)
		out[a.Partition] = a.Replicas
	}
	return out, nil
}

// checkReplicas validates one partition's manual replica list.
func checkReplicas(img *metadata.Image, replicas []int32) *topicError {
	if len(replicas) == 0 {
		return errf(kerr.InvalidReplicaAssignment, "The manual partition assignment includes an empty replica list.")
	}
	seen := make(map[int32]bool, len(replicas))
	for _, id := range replicas {
		if seen[id] {
			return errf(kerr.InvalidReplicaAssignment, "The manual partition assignment includes the broker %d more than once.", id)
		}
		seen[id] = true
		if b := img.Brokers[id]; b == nil || b.Fenced {
			return errf(kerr.InvalidReplicaAssignment, "The manual partition assignment includes broker %d, but no such broker is registered.", id)
		}
	}
	return nil
}
