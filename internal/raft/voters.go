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

// addLearner is the configuration change making v a learner, which
// follows the log without voting (Kafka's observer): RemoveRaftVoter's
// demotion of a voter, and AddRaftVoter's first step for a new node.
func addLearner(v Voter) raftpb.ConfChangeV2 {
	return voterChange(raftpb.ConfChangeAddLearnerNode, v)
}

// removeVoter is the configuration change removing voter id from the
// quorum altogether.
func removeVoter(id int32) raftpb.ConfChangeV2 {
	return raftpb.ConfChangeV2{Changes: []raftpb.ConfChangeSingle{
		{Type: raftpb.ConfChangeRemoveNode, NodeID: raftID(id)}}}
}
