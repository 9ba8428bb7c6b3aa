package broker

// AlterReplicaLogDirs, versions 1-2: moves hosted partitions to another
// log dir of this node while the node keeps serving. Kafka copies through
// a "-future" replica that catches up in the background and then swaps;
// so does Gofka (storage.Manager.MoveLog): with the partition's cleaning
// paused, it copies the log to <dir>/<topic>-<partition>-future while the
// partition keeps serving produce and fetch, then stops it briefly under
// its append lock, copies the rest, renames and reopens it there. Requests
// during that swap get retriable NOT_LEADER_OR_FOLLOWER. Unlike Kafka the
// response is sent once the move is done. LOG_DIR_NOT_FOUND for a dir that is not in log.dirs,
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
	denied := !n.authorizeCluster(req, opAlter)
	for _, d := range r.Dirs {
		for _, t := range d.Topics {
			rt := kmsg.NewAlterReplicaLogDirsResponseTopic()
			rt.Topic = t.Topic
			for _, part := range t.Partitions {
				rp := kmsg.NewAlterReplicaLogDirsResponseTopicPartition()
				rp.Partition = part
				if denied {
					rp.ErrorCode = kerr.ClusterAuthorizationFailed.Code
				} else if err := n.moveReplica(t.Topic, part, d.Dir); err != nil {
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
	_, err := n.logs.MoveLog(p.tp, dir)
	if n.logs.Get(p.tp) != p.log {
		n.replacePartition(p)
	}
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

// replacePartition drops p, whose log was swapped, and reopens the
// partition on the Manager's current log. Requests that reach p meanwhile
// get its log's ErrClosed, answered with a retriable error.
func (n *Node) replacePartition(p *partition) {
	n.parts.update(func(m map[string][]*partition) {
		ps := append([]*partition(nil), m[p.tp.Topic]...)
		if int(p.tp.Partition) < len(ps) && ps[p.tp.Partition] == p {
			ps[p.tp.Partition] = nil
		}
		m[p.tp.Topic] = ps
	})
	n.reconcile(n.meta.Current())
}
