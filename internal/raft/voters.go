package raft

import (
	"encoding/json"

	"go.etcd.io/raft/v3/raftpb"
)

// addVoter is the configuration change adding v as a voter.
func addVoter(v Voter) raftpb.ConfChangeV2 {
	return voterChange(raftpb.ConfChangeAddNode, v)
}

// updateVoter is the configuration change giving voter v new endpoints.
func updateVoter(v Voter) raftpb.ConfChangeV2 {
	return voterChange(raftpb.ConfChangeUpdateNode, v)
}

func voterChange(typ raftpb.ConfChangeType, v Voter) raftpb.ConfChangeV2 {
	ctx, _ := json.Marshal(v)
	return raftpb.ConfChangeV2{Context: ctx, Changes: []raftpb.ConfChangeSingle{{Type: typ, NodeID: raftID(v.ID)}}}
}

// demoteVoter is the configuration change RemoveRaftVoter makes: voter v
// becomes a learner, which follows the log without voting (Kafka's removed
// voter, an observer).
func demoteVoter(v Voter) raftpb.ConfChangeV2 {
	return voterChange(raftpb.ConfChangeAddLearnerNode, v)
}

// removeVoter is the configuration change removing voter id from the
// quorum altogether.
func removeVoter(id int32) raftpb.ConfChangeV2 {
	return raftpb.ConfChangeV2{Changes: []raftpb.ConfChangeSingle{
		{Type: raftpb.ConfChangeRemoveNode, NodeID: raftID(id)}}}
}
