package raft

import (
	"errors"
	"fmt"

	"github.com/gofka/gofka/internal/record"
	sc "github.com/gofka/gofka/internal/schemacodec"
)

// Kafka's control record types used by the metadata log.
const (
	ctrlLeaderChange   int16 = 2
	ctrlSnapshotHeader int16 = 3
	ctrlSnapshotFooter int16 = 4
	ctrlVoters         int16 = 6
)

// errCorrupt marks bytes of the metadata log or a snapshot that do not decode.
var errCorrupt = errors.New("raft: corrupt metadata log data")

func corruptf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errCorrupt, fmt.Sprintf(format, args...))
}

// Voter is one member of the quorum and the endpoint it is reached on.
type Voter struct {
	ID       int32
	Listener string
	Host     string
	Port     uint16
	// DirectoryID is the directory.id of the voter's metadata log dir
	// (KIP-853's voter key), zero when unknown: a static quorum's voters,
	// and voters added without one.
	DirectoryID [16]byte `json:",omitzero"`
}

// raftID is the etcd raft id of a Kafka node id: etcd reserves 0 for "none"
// while Kafka node ids start at 0.
func raftID(node int32) uint64 { return uint64(node) + 1 }

// nodeID is the Kafka node id of an etcd raft id.
func nodeID(id uint64) int32 { return int32(id - 1) }

// Addr is the voter's host:port.
func (v Voter) Addr() string { return fmt.Sprintf("%s:%d", v.Host, v.Port) }

// controlKey is the key of a control record: version 0 and its type.
func controlKey(typ int16) []byte {
	return sc.AppendInt16(sc.AppendInt16(nil, 0), typ)
}

// controlBatch builds a one-record control batch.
func controlBatch(typ int16, value []byte, ts int64) ([]byte, error) {
	b := record.NewBuilder(record.CodecNone, 0, ts)
	b.SetControl(true)
	b.Add(record.Record{Offset: 0, Timestamp: ts, Key: controlKey(typ), Value: value})
	return b.Build(nil)
}

// appendTag appends a tagged-field section holding one field (or none).
func appendTag(dst []byte, tag uint64, data []byte) []byte {
	if data == nil {
		return sc.AppendUvarint(dst, 0)
	}
	dst = sc.AppendUvarint(dst, 1)
	dst = sc.AppendUvarint(dst, tag)
	dst = sc.AppendUvarint(dst, uint64(len(data)))
	return append(dst, data...)
}

// readTag reads a tagged-field section and returns the data of tag want.
func readTag(r *sc.Reader, want uint64) []byte {
	var out []byte
	for n := r.Uvarint(); n > 0 && r.Err() == nil; n-- {
		tag, sr := r.TaggedField()
		if tag == want {
			out = sr.Remaining()
		}
	}
	return out
}

// leaderChange encodes a LeaderChangeMessage v0.
func leaderChange(leader int32, voters []Voter) []byte {
	b := sc.AppendInt16(nil, 0)
	b = sc.AppendInt32(b, leader)
	b = appendVoterIDs(b, voters)
	b = appendVoterIDs(b, nil)
	return appendTag(b, 0, nil)
}

func appendVoterIDs(b []byte, voters []Voter) []byte {
	b = sc.AppendArrayLen(b, len(voters), false, true)
	for _, v := range voters {
		b = sc.AppendInt32(b, v.ID)
		b = appendTag(b, 0, nil)
	}
	return b
}

// votersRecord encodes a VotersRecord v0 listing voters, with extra (the
// etcd ConfChangeV2 of a log entry) in tagged field 0 when not nil.
func votersRecord(voters []Voter, extra []byte) []byte {
	b := sc.AppendInt16(nil, 0)
	b = sc.AppendArrayLen(b, len(voters), false, true)
	for _, v := range voters {
		b = sc.AppendInt32(b, v.ID)
		b = sc.AppendUUID(b, v.DirectoryID)
		b = sc.AppendArrayLen(b, 1, false, true)
		b = sc.AppendString(b, v.Listener, true)
		b = sc.AppendString(b, v.Host, true)
		b = sc.AppendUint16(b, v.Port)
		b = appendTag(b, 0, nil)
		b = sc.AppendInt16(sc.AppendInt16(b, 0), 1) // kraft.version range
		b = appendTag(b, 0, nil)
		b = appendTag(b, 0, nil)
	}
	return appendTag(b, 0, extra)
}

// parseVoters decodes a VotersRecord and its tagged field 0.
func parseVoters(value []byte) ([]Voter, []byte, error) {
	r := sc.NewReader(value)
	r.Int16()
	n, _ := r.ArrayLen(false, true, 4)
	var voters []Voter
	for i := 0; i < n && r.Err() == nil; i++ {
		v := Voter{ID: r.Int32(), DirectoryID: r.UUID()}
		ne, _ := r.ArrayLen(false, true, 4)
		for j := 0; j < ne && r.Err() == nil; j++ {
			name, host, port := r.String(true), r.String(true), r.Uint16()
			r.SkipTaggedFields()
			if j == 0 {
				v.Listener, v.Host, v.Port = name, host, port
			}
		}
		r.Int16()
		r.Int16()
		r.SkipTaggedFields()
		r.SkipTaggedFields()
		voters = append(voters, v)
	}
	extra := readTag(&r, 0)
	if err := r.Err(); err != nil {
		return nil, nil, corruptf("voters record: %v", err)
	}
	return voters, extra, nil
}

// snapshotMark is what tagged field 0 of Gofka's SnapshotHeaderRecord holds.
type snapshotMark struct {
	index, term uint64
	endOffset   int64
}

// snapshotHeader encodes a SnapshotHeaderRecord v0 with the snapshot's mark.
func snapshotHeader(m snapshotMark, lastTs int64) []byte {
	b := sc.AppendInt16(nil, 0)
	b = sc.AppendInt64(b, lastTs)
	mark := sc.AppendInt64(nil, int64(m.index))
	mark = sc.AppendInt64(mark, int64(m.term))
	mark = sc.AppendInt64(mark, m.endOffset)
	return appendTag(b, 0, mark)
}

func parseSnapshotHeader(value []byte) (snapshotMark, error) {
	r := sc.NewReader(value)
	r.Int16()
	r.Int64()
	mr := sc.NewReader(readTag(&r, 0))
	m := snapshotMark{index: mr.Uint64(), term: mr.Uint64(), endOffset: mr.Int64()}
	if err := errors.Join(r.Err(), mr.Err()); err != nil {
		return m, corruptf("snapshot header: %v", err)
	}
	return m, nil
}

// snapshotFooter encodes a SnapshotFooterRecord v0.
func snapshotFooter() []byte { return appendTag(sc.AppendInt16(nil, 0), 0, nil) }

// controlType returns the type of a control record key.
func controlType(key []byte) (int16, error) {
	r := sc.NewReader(key)
	r.Int16()
	t := r.Int16()
	if r.Err() != nil {
		return 0, corruptf("control record key: %v", r.Err())
	}
	return t, nil
}
