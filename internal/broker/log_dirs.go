package broker

// DescribeLogDirs, versions 1-5: each log dir with the size of every
// partition it holds (all, or those asked for), and from v4 the dir's
// total and usable bytes (statfs). Offset lag is 0: a single replica is
// never behind itself; no dir is cordoned (v5, KIP-1066). An offline dir
// (failed with an I/O error) answers KAFKA_STORAGE_ERROR and no partitions.
//
// A failed dir takes only its own partitions offline, as Kafka's
// LogDirFailureChannel: an I/O error from a partition's log (a produce
// append, a fetch read other than out of range) or from the storage
// Manager's background flush or checkpoint writes marks its dir offline, closes the dir's logs, and produce and fetch answer
// KAFKA_STORAGE_ERROR for those partitions while the rest keep serving.

import (
	"errors"
	"io/fs"
	"syscall"

	"github.com/gofka/gofka/internal/storage"
	"github.com/gofka/gofka/internal/storage/checkpoint"

	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func (n *Node) handleDescribeLogDirs(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.DescribeLogDirsRequest)
	resp := r.ResponseKind().(*kmsg.DescribeLogDirsResponse)
	resp.SetVersion(req.Version)
	if !n.authorizeCluster(req, opDescribe) {
		resp.ErrorCode = kerr.ClusterAuthorizationFailed.Code
		reply.Send(resp)
		return
	}
	want := wantedPartitions(r.Topics)
	byDir := make(map[string]map[string][]kmsg.DescribeLogDirsResponseDirTopicPartition)
	for _, p := range n.parts.all() {
		if want != nil && !want[p.tp.Topic][p.tp.Partition] || p.offline.Load() {
			continue
		}
		dir := n.logs.DirOf(p.tp)
		if byDir[dir] == nil {
			byDir[dir] = make(map[string][]kmsg.DescribeLogDirsResponseDirTopicPartition)
		}
		dp := kmsg.NewDescribeLogDirsResponseDirTopicPartition()
		dp.Partition, dp.Size = p.tp.Partition, p.log.Size()
		byDir[dir][p.tp.Topic] = append(byDir[dir][p.tp.Topic], dp)
	}
	for _, dir := range n.cfg.LogDirs {
		d := describeDir(dir, byDir[dir])
		if !n.logs.DirOnline(dir) {
			d = kmsg.NewDescribeLogDirsResponseDir()
			d.Dir, d.ErrorCode, d.TotalBytes, d.UsableBytes = dir, kerr.KafkaStorageError.Code, -1, -1
		}
		resp.Dirs = append(resp.Dirs, d)
	}
	reply.Send(resp)
}

// wantedPartitions is nil for "all topics".
func wantedPartitions(ts []kmsg.DescribeLogDirsRequestTopic) map[string]map[int32]bool {
	if ts == nil {
		return nil
	}
	out := make(map[string]map[int32]bool)
	for _, t := range ts {
		out[t.Topic] = make(map[int32]bool)
		for _, p := range t.Partitions {
			out[t.Topic][p] = true
		}
	}
	return out
}

func describeDir(dir string, topics map[string][]kmsg.DescribeLogDirsResponseDirTopicPartition) kmsg.DescribeLogDirsResponseDir {
	d := kmsg.NewDescribeLogDirsResponseDir()
	d.Dir = dir
	d.TotalBytes, d.UsableBytes = -1, -1
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		d.ErrorCode = kerr.KafkaStorageError.Code
	} else {
		d.TotalBytes = int64(st.Blocks) * int64(st.Bsize) // Bsize is uint32 on darwin
		d.UsableBytes = int64(st.Bavail) * int64(st.Bsize)
	}
	for name, parts := range topics {
		dt := kmsg.NewDescribeLogDirsResponseDirTopic()
		dt.Topic, dt.Partitions = name, parts
		d.Topics = append(d.Topics, dt)
	}
	return d
}

// checkDirFailure takes p's log dir offline when err is an I/O error
// (not a closed log or a bad offset).
func (n *Node) checkDirFailure(p *partition, err error) {
	var pe *fs.PathError
	var errno syscall.Errno
	if errors.Is(err, storage.ErrClosed) || !errors.As(err, &pe) && !errors.As(err, &errno) {
		return
	}
	if dir := n.logs.DirOf(p.tp); dir != "" {
		n.failLogDir(dir)
	}
}

// failLogDir takes dir offline; onDirOffline flags its partitions.
func (n *Node) failLogDir(dir string) { n.logs.MarkDirOffline(dir) }

// onDirOffline is the storage Manager's OnDirOffline: whichever I/O error
// took dir offline (produce, fetch, a background flush or checkpoint),
// its partitions answer KAFKA_STORAGE_ERROR from now on.
func (n *Node) onDirOffline(dir string, tps []checkpoint.TopicPartition) {
	offline := map[checkpoint.TopicPartition]bool{}
	for _, tp := range tps {
		offline[tp] = true
	}
	for _, p := range n.parts.all() {
		if offline[p.tp] {
			p.offline.Store(true)
		}
	}
	n.log.Error("log dir offline: its partitions answer KAFKA_STORAGE_ERROR", "dir", dir)
}
