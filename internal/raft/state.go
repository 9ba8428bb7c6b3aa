package raft

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gofka/gofka/internal/storage/checkpoint"
	"go.etcd.io/raft/v3/raftpb"
)

// stateFile is Kafka's name for the file holding a replica's election state.
const stateFile = "quorum-state"

// quorumState is Kafka's QuorumStateData (data_version 0) as JSON: the
// leader epoch is the raft term, votedId the vote, appliedOffset the commit
// index (which may lag: raft learns the commit again from the leader).
type quorumState struct {
	ClusterID     string `json:"clusterId"`
	LeaderID      int32  `json:"leaderId"`
	LeaderEpoch   int64  `json:"leaderEpoch"`
	VotedID       int32  `json:"votedId"`
	AppliedOffset int64  `json:"appliedOffset"`
	CurrentVoters []struct {
		VoterID int32 `json:"voterId"`
	} `json:"currentVoters"`
	DataVersion int `json:"data_version"`
}

// readState reads quorum-state; a missing file is the empty state.
func readState(dir string) (raftpb.HardState, string, error) {
	data, err := os.ReadFile(filepath.Join(dir, stateFile))
	if errors.Is(err, os.ErrNotExist) {
		return raftpb.HardState{}, "", nil
	}
	if err != nil {
		return raftpb.HardState{}, "", fmt.Errorf("raft: read %s: %w", stateFile, err)
	}
	var q quorumState
	if err := json.Unmarshal(data, &q); err != nil {
		return raftpb.HardState{}, "", fmt.Errorf("raft: %s: %w: %v", stateFile, errCorrupt, err)
	}
	hs := raftpb.HardState{Term: uint64(max(q.LeaderEpoch, 0)), Commit: uint64(max(q.AppliedOffset, 0))}
	if q.VotedID >= 0 {
		hs.Vote = raftID(q.VotedID)
	}
	return hs, q.ClusterID, nil
}

// writeState replaces quorum-state atomically.
func writeState(dir, clusterID string, hs raftpb.HardState, leader uint64) error {
	q := quorumState{ClusterID: clusterID, LeaderID: -1, LeaderEpoch: int64(hs.Term),
		VotedID: -1, AppliedOffset: int64(hs.Commit)}
	if hs.Vote != 0 {
		q.VotedID = nodeID(hs.Vote)
	}
	if leader != 0 {
		q.LeaderID = nodeID(leader)
	}
	data, _ := json.Marshal(q)
	if err := checkpoint.WriteFileAtomic(filepath.Join(dir, stateFile), data); err != nil {
		return fmt.Errorf("raft: write %s: %w", stateFile, err)
	}
	return nil
}
