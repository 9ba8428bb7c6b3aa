package broker

// The group coordinator's view of the node: appends to and replays of
// __consumer_offsets partitions (group.Store) and the topics in the
// current metadata image (group.Metadata).

import (
	"errors"
	"fmt"
	"time"

	"github.com/gofka/gofka/internal/group"
	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/record"
	"github.com/gofka/gofka/internal/storage"
)

// errNoPartition reports an append to a partition this node does not host.
var errNoPartition = errors.New("broker: partition not hosted")

// errNotLeader reports an append to a partition this node does not lead,
// or one whose records the ISR did not take in time.
var errNotLeader = errors.New("broker: not the partition leader")

// appendLeader appends validated batches to a partition this node leads,
// advances the high watermark (the ISR is this replica alone) and wakes
// parked fetches. Produce and the coordinators share it.
func (n *Node) appendLeader(p *partition, b []byte, now time.Time) (storage.AppendResult, error) {
	if !p.rep.IsLeader() {
		return storage.AppendResult{}, fmt.Errorf("%w: %s", errNotLeader, p.tp.String())
	}
	res, err := p.log.Append(b, appendOptions(p, now))
	if err != nil {
		return res, err
	}
	p.leaderAppended()
	return res, nil
}

// groupStore implements group.Store on a coordinator's topic:
// __consumer_offsets for groups, __share_group_state for share groups.
type groupStore struct {
	n     *Node
	topic string
}

// Append writes one batch; on one node it is durable once appended.
func (s groupStore) Append(partition int32, batch []byte) error {
	_, err := s.AppendAt(partition, batch)
	return err
}

// AppendAt writes one batch, waits for the ISR and returns its first
// offset (the share coordinator's writes).
func (s groupStore) AppendAt(partition int32, batch []byte) (int64, error) {
	res, err := s.write(partition, batch)
	if err != nil {
		return -1, err
	}
	if err := s.Await(partition, res.LastOffset+1); err != nil {
		return -1, err
	}
	return res.FirstOffset, nil
}

// Write appends one batch and returns the log end offset after it,
// without waiting for the ISR: the group coordinator appends under its
// lock and waits (Await) once it released it.
func (s groupStore) Write(partition int32, batch []byte) (int64, error) {
	res, err := s.write(partition, batch)
	if err != nil {
		return -1, err
	}
	return res.LastOffset + 1, nil
}

func (s groupStore) write(partition int32, batch []byte) (storage.AppendResult, error) {
	p := s.n.parts.get(s.topic, partition)
	if p == nil {
		return storage.AppendResult{}, s.lost(partition, fmt.Errorf("%w: %s-%d", errNoPartition, s.topic, partition))
	}
	res, err := s.n.appendLeader(p, batch, s.n.now())
	if err != nil {
		return res, s.lost(partition, err)
	}
	return res, nil
}

// Await waits until the ISR holds the partition up to end, at most
// offsets.commit.timeout.ms. It holds no lock; a failed wait unloads the
// partition (and reloads it if this node still leads it), as a failed
// append does.
func (s groupStore) Await(partition int32, end int64) error {
	p := s.n.parts.get(s.topic, partition)
	if p == nil {
		return s.lost(partition, fmt.Errorf("%w: %s-%d", errNoPartition, s.topic, partition))
	}
	if code := s.n.awaitReplicated(p, end, ms(int64(s.n.cfg.OffsetsCommitTimeoutMs))); code != nil {
		return s.lost(partition, fmt.Errorf("%w: %s: %v", errNotLeader, p.tp.String(), code))
	}
	return nil
}

// lost takes a failed append as a lost leadership of the partition
// (coordinator_leadership.go): the coordinator answers NOT_COORDINATOR.
func (s groupStore) lost(partition int32, err error) error {
	s.n.coordWriteFailed(s.topic, partition)
	return fmt.Errorf("%w: %w", group.ErrNotCoordinator, err)
}

// DeleteBefore advances the partition's log start offset (pruning
// __share_group_state).
func (s groupStore) DeleteBefore(partition int32, offset int64) error {
	p := s.n.parts.get(s.topic, partition)
	if p == nil || offset <= p.log.LogStartOffset() {
		return nil
	}
	return p.log.DeleteRecordsBefore(offset)
}

// Replay reads the partition from its start, batch by batch, in chunks of
// offsets.load.buffer.size.
func (s groupStore) Replay(partition int32, fn func(batch []byte) error) error {
	p := s.n.parts.get(s.topic, partition)
	if p == nil {
		return nil
	}
	chunk := max(int(s.n.cfg.OffsetsLoadBufferSize), 64<<10)
	var buf []byte
	off, end := p.log.LogStartOffset(), p.log.LogEndOffset()
	for off < end {
		sl, err := p.log.Read(off, chunk, end, true)
		if err != nil {
			return fmt.Errorf("broker: replay %s-%d: %w", s.topic, partition, err)
		}
		if sl.Size == 0 {
			return nil
		}
		buf = append(buf[:0], make([]byte, sl.Size)...)
		if _, err := sl.File.ReadAt(buf, sl.Pos); err != nil {
			return fmt.Errorf("broker: replay %s-%d: %w", s.topic, partition, err)
		}
		next := off
		err = record.Split(buf, func(b []byte) error {
			h, err := record.ParseHeader(b)
			if err != nil {
				return err
			}
			next = h.LastOffset() + 1
			return fn(b)
		})
		if err != nil {
			return fmt.Errorf("broker: replay %s-%d: %w", s.topic, partition, err)
		}
		if next <= off {
			return nil
		}
		off = next
	}
	return nil
}

// groupMetadata gives the coordinator the current image.
func (n *Node) groupMetadata() group.Metadata { return groupMeta{n.meta.Current()} }

type groupMeta struct{ img *metadata.Image }

func (m groupMeta) Topic(name string) ([16]byte, int32, bool) {
	t := m.img.Topic(name)
	if t == nil {
		return [16]byte{}, 0, false
	}
	return [16]byte(t.ID), int32(len(t.Partitions)), true
}

func (m groupMeta) TopicByID(id [16]byte) (string, int32, bool) {
	t := m.img.TopicByID(metadata.UUID(id))
	if t == nil {
		return "", 0, false
	}
	return t.Name, int32(len(t.Partitions)), true
}

// TopicNames lists the topics a subscription may match: internal topics
// are left out.
func (m groupMeta) TopicNames() []string {
	var out []string
	for _, name := range m.img.TopicNames() {
		if !isInternalTopic(name) {
			out = append(out, name)
		}
	}
	return out
}
