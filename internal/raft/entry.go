package raft

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/record"
	"go.etcd.io/raft/v3/raftpb"
)

// idSize is the proposal id in front of a data entry's batch. The id lets
// the proposer find its entry among the committed ones; only the batch is
// written to the log, so an entry read back from disk has id 0.
const idSize = 8

// encodeRecords appends to dst a RecordBatch of recs with offsets from base.
func encodeRecords(dst []byte, base int64, recs []metadata.Record, ts int64) ([]byte, error) {
	b := record.NewBuilder(record.CodecNone, base, ts)
	for i, r := range recs {
		v := metadata.EncodeRecord(nil, r, r.HighestVersion())
		b.Add(record.Record{Offset: base + int64(i), Timestamp: ts, Value: v})
	}
	return b.Build(dst)
}

// proposalData is a data entry's bytes: the proposal id, then the batch.
func proposalData(id uint64, recs []metadata.Record, ts int64) ([]byte, error) {
	return encodeRecords(binary.BigEndian.AppendUint64(nil, id), 0, recs, ts)
}

// decodeRecords returns the metadata records of a data batch.
func decodeRecords(batch []byte) ([]metadata.Record, error) {
	if err := record.CheckCRC(batch); err != nil {
		return nil, fmt.Errorf("raft: metadata batch: %w", err)
	}
	var recs []metadata.Record
	_, err := record.Iterate(batch, nil, func(_ *record.Header, r *record.Record) error {
		rec, _, err := metadata.DecodeRecord(r.Value)
		recs = append(recs, rec)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("raft: metadata batch: %w", err)
	}
	return recs, nil
}

// proposalID returns the id in front of a data entry.
func proposalID(data []byte) uint64 {
	if len(data) < idSize {
		return 0
	}
	return binary.BigEndian.Uint64(data)
}

// confVoters returns the voters after applying cc to voters.
func confVoters(voters []Voter, cc raftpb.ConfChangeV2) ([]Voter, error) {
	vs, _, err := confMembers(voters, nil, cc)
	return vs, err
}

// confMembers returns the voters and learners after applying cc. An added
// voter's or learner's endpoint comes from cc.Context (a JSON Voter). A
// learner is a voter RemoveRaftVoter removed: no voter any more, but the
// leader goes on replicating to it, as a removed voter of Kafka goes on
// fetching as an observer; AddRaftVoter promotes it back.
func confMembers(voters, learners []Voter, cc raftpb.ConfChangeV2) ([]Voter, []Voter, error) {
	vs, ls := slices.Clone(voters), slices.Clone(learners)
	for _, ch := range cc.Changes {
		named := func(v Voter) bool { return raftID(v.ID) == ch.NodeID }
		vs, ls = slices.DeleteFunc(vs, named), slices.DeleteFunc(ls, named)
		switch ch.Type {
		case raftpb.ConfChangeAddNode, raftpb.ConfChangeUpdateNode, raftpb.ConfChangeAddLearnerNode:
			v := Voter{ID: nodeID(ch.NodeID)}
			if len(cc.Context) > 0 {
				if err := json.Unmarshal(cc.Context, &v); err != nil {
					return nil, nil, corruptf("conf change context: %v", err)
				}
			}
			if ch.Type == raftpb.ConfChangeAddLearnerNode {
				ls = append(ls, v)
			} else {
				vs = append(vs, v)
			}
		case raftpb.ConfChangeRemoveNode:
		default:
			return nil, nil, fmt.Errorf("raft: conf change type %v not supported", ch.Type)
		}
	}
	byID := func(a, b Voter) int { return int(a.ID) - int(b.ID) }
	slices.SortFunc(vs, byID)
	slices.SortFunc(ls, byID)
	return vs, ls, nil
}

// entryBatch turns an entry into the batch written to the log. voters is
// the configuration before the entry; the one after it is returned.
func entryBatch(e raftpb.Entry, leader int32, voters []Voter, ts int64) ([]byte, []Voter, error) {
	switch {
	case e.Type == raftpb.EntryNormal && len(e.Data) == 0:
		b, err := controlBatch(ctrlLeaderChange, leaderChange(leader, voters), ts)
		return b, voters, err
	case e.Type == raftpb.EntryNormal:
		if len(e.Data) <= idSize {
			return nil, nil, corruptf("entry %d: data too short", e.Index)
		}
		return e.Data[idSize:], voters, nil
	case e.Type == raftpb.EntryConfChangeV2:
		var cc raftpb.ConfChangeV2
		if err := cc.Unmarshal(e.Data); err != nil {
			return nil, nil, corruptf("entry %d: conf change: %v", e.Index, err)
		}
		next, err := confVoters(voters, cc)
		if err != nil {
			return nil, nil, err
		}
		b, err := controlBatch(ctrlVoters, votersRecord(next, e.Data), ts)
		return b, next, err
	}
	return nil, nil, fmt.Errorf("raft: entry %d: type %v not supported", e.Index, e.Type)
}

// batchEntry turns a batch read from the log back into the entry at index,
// and returns the voters after it (voters when it changes none).
func batchEntry(batch []byte, index uint64, voters []Voter) (raftpb.Entry, []Voter, error) {
	h, err := record.ParseHeader(batch)
	if err != nil {
		return raftpb.Entry{}, nil, fmt.Errorf("raft: entry %d: %w", index, err)
	}
	e := raftpb.Entry{Index: index, Term: uint64(h.PartitionLeaderEpoch), Type: raftpb.EntryNormal}
	if !h.Control() {
		e.Data = append(make([]byte, idSize, idSize+len(batch)), batch...)
		return e, voters, nil
	}
	typ, value, err := controlRecord(batch)
	if err != nil {
		return e, nil, fmt.Errorf("raft: entry %d: %w", index, err)
	}
	switch typ {
	case ctrlLeaderChange:
		return e, voters, nil
	case ctrlVoters:
		next, cc, err := parseVoters(value)
		e.Type, e.Data = raftpb.EntryConfChangeV2, cc
		return e, next, err
	}
	return e, nil, corruptf("entry %d: control record type %d", index, typ)
}

// controlRecord returns the type and value of a one-record control batch.
func controlRecord(batch []byte) (int16, []byte, error) {
	if err := record.CheckCRC(batch); err != nil {
		return 0, nil, err
	}
	var typ int16 = -1
	var value []byte
	_, err := record.Iterate(batch, nil, func(_ *record.Header, r *record.Record) error {
		t, err := controlType(r.Key)
		typ, value = t, slices.Clone(r.Value)
		return err
	})
	if err == nil && typ < 0 {
		err = corruptf("empty control batch")
	}
	return typ, value, err
}
