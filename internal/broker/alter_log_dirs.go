package broker

// AlterReplicaLogDirs, versions 1-2: moves hosted partitions to another
// log dir of this node while the node keeps serving. Kafka copies through
// a "-future" replica that catches up in the background and then swaps;
// Gofka pauses the partition's cleaning, takes the partition out of
// service (clients get retriable NOT_LEADER_OR_FOLLOWER /
// UNKNOWN_TOPIC_OR_PARTITION and retry), copies it to
// <dir>/<topic>-<partition>-future, renames it and reopens it there
// (storage.Manager.MoveLog), so the partition is unavailable for the
// copy's duration. LOG_DIR_NOT_FOUND for a dir that is not in log.dirs,
// KAFKA_STORAGE_ERROR for an offline dir, UNKNOWN_TOPIC_OR_PARTITION
// (Kafka: REPLICA_NOT_AVAILABLE) for a partition not hosted here.

import (
	"errors"

	"github.com/gofka/gofka/internal/storage"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func (n *Node) handleAlterReplicaLogDirs(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.AlterReplicaLogDirsRequest)
	resp := r.ResponseKind().(*kmsg.AlterReplicaLogDirsResponse)
	resp.SetVersion(req.Version)
	for _, d := range r.Dirs {
		for _, t := range d.Topics {
			rt := kmsg.NewAlterReplicaLogDirsResponseTopic()
			rt.Topic = t.Topic
			for _, part := range t.Partitions {
				rp := kmsg.NewAlterReplicaLogDirsResponseTopicPartition()
				rp.Partition = part
				if err := n.moveReplica(t.Topic, part, d.Dir); err != nil {
					rp.ErrorCode = err.Code
				}
				rt.Partitions = append(rt.Partitions, rp)
			}
			resp.Topics = append(resp.Topics, rt)
		}
	}
	reply.Send(resp)
}

// moveReplica moves one hosted partition to dir.
func (n *Node) moveReplica(topic string, idx int32, dir string) *kerr.Error {
	if !contains(n.cfg.LogDirs, dir) {
		return kerr.LogDirNotFound
	}
	if !n.logs.DirOnline(dir) {
		return kerr.KafkaStorageError
	}
	p := n.parts.get(topic, idx)
	if p == nil || p.offline.Load() {
		return kerr.UnknownTopicOrPartition
	}
	if n.logs.DirOf(p.tp) == dir {
		return nil
	}
	resume := n.pauseCleaning(p.log)
	defer resume()
	n.parts.update(func(m map[string][]*partition) {
		ps := append([]*partition(nil), m[topic]...)
		if int(idx) < len(ps) && ps[idx] == p {
			ps[idx] = nil
		}
		m[topic] = ps
	})
	_, err := n.logs.MoveLog(p.tp, dir)
	n.reconcile(n.meta.Current()) // reopens the partition where it now is
	switch {
	case errors.Is(err, storage.ErrMoving):
		return kerr.ReplicaNotAvailable
	case err != nil:
		n.log.Error("move partition", "partition", p.tp.String(), "dir", dir, "err", err)
		return kerr.KafkaStorageError
	}
	n.log.Info("moved partition", "partition", p.tp.String(), "dir", dir)
	return nil
}
