package broker

import (
	"sort"

	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// api is one served API: its version range and handler. The table is the
// single source for ApiVersions, request dispatch and docs/compatibility.md.
type api struct {
	key      int16
	min, max int16
	handle   func(n *Node, req *wire.Request, reply wire.Reply)
}

// apiTable lists every API this node serves. Kafka 4.0 removed old versions
// (KIP-896); the floors below follow it, and the ceilings are the newest
// versions kmsg knows.
func apiTable() []api {
	t := coreAPIs()
	t = append(t, groupAPIs()...)
	t = append(t, shareAPIs()...)
	t = append(t, txnAPIs()...)
	t = append(t, securityAPIs()...)
	t = append(t, aclAPIs()...)
	t = append(t, tokenAPIs()...)
	return t
}

// coreAPIs are the APIs of the broker foundation: data, topics, configs.
func coreAPIs() []api {
	return []api{
		{key: 0, min: 3, max: 13, handle: (*Node).handleProduce},
		{key: 1, min: 4, max: 18, handle: (*Node).handleFetch},
		{key: 2, min: 1, max: 11, handle: (*Node).handleListOffsets},
		{key: 3, min: 0, max: 13, handle: (*Node).handleMetadata},
		{key: 18, min: 0, max: 5, handle: (*Node).handleApiVersions},
		{key: 19, min: 2, max: 7, handle: (*Node).handleCreateTopics},
		{key: 20, min: 1, max: 6, handle: (*Node).handleDeleteTopics},
		{key: 21, min: 0, max: 2, handle: (*Node).handleDeleteRecords},
		{key: 23, min: 2, max: 4, handle: (*Node).handleOffsetForLeaderEpoch},
		{key: 32, min: 1, max: 4, handle: (*Node).handleDescribeConfigs},
		{key: 33, min: 0, max: 2, handle: (*Node).handleAlterConfigs},
		{key: 34, min: 1, max: 2, handle: (*Node).handleAlterReplicaLogDirs},
		{key: 35, min: 1, max: 5, handle: (*Node).handleDescribeLogDirs},
		{key: 37, min: 0, max: 3, handle: (*Node).handleCreatePartitions},
		{key: 43, min: 0, max: 2, handle: (*Node).handleElectLeaders},
		{key: 44, min: 0, max: 1, handle: (*Node).handleIncrementalAlterConfigs},
		{key: 45, min: 0, max: 1, handle: (*Node).handleAlterPartitionAssignments},
		{key: 46, min: 0, max: 0, handle: (*Node).handleListPartitionReassignments},
		{key: 48, min: 0, max: 1, handle: (*Node).handleDescribeClientQuotas},
		{key: 49, min: 0, max: 1, handle: (*Node).handleAlterClientQuotas},
		{key: 55, min: 0, max: 2, handle: (*Node).handleDescribeQuorum},
		{key: 57, min: 0, max: 2, handle: (*Node).handleUpdateFeatures},
		{key: 60, min: 0, max: 2, handle: (*Node).handleDescribeCluster},
		{key: 64, min: 0, max: 0, handle: (*Node).handleUnregisterBroker},
		{key: 74, min: 0, max: 1, handle: (*Node).handleListConfigResources},
		{key: 75, min: 0, max: 0, handle: (*Node).handleDescribeTopicPartitions},
		{key: 80, min: 0, max: 1, handle: (*Node).handleAddRaftVoter},
		{key: 81, min: 0, max: 0, handle: (*Node).handleRemoveRaftVoter},
		{key: 82, min: 0, max: 0, handle: (*Node).handleUpdateRaftVoter},
	}
}

// APIs returns the served APIs as (key, min, max), sorted by key; used for
// the compatibility docs.
func APIs() []kmsg.ApiVersionsResponseApiKey {
	t := apiTable()
	out := make([]kmsg.ApiVersionsResponseApiKey, 0, len(t))
	for _, a := range t {
		out = append(out, kmsg.ApiVersionsResponseApiKey{ApiKey: a.key, MinVersion: a.min, MaxVersion: a.max})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ApiKey < out[j].ApiKey })
	return out
}

// apiIndex maps API keys to table entries for dispatch.
type apiIndex [kmsg.MaxKey + 1]*api

func newAPIIndex() *apiIndex {
	var idx apiIndex
	for _, a := range apiTable() {
		a := a
		idx[a.key] = &a
	}
	return &idx
}

func (idx *apiIndex) lookup(key int16) *api {
	if key < 0 || int(key) >= len(idx) {
		return nil
	}
	return idx[key]
}

// Versions implements wire.Handler.
func (n *Node) Versions(key int16) (min, max int16, ok bool) {
	a := n.apis.lookup(key)
	if a == nil {
		return 0, 0, false
	}
	return a.min, a.max, true
}

// Handle implements wire.Handler: it runs on the connection's reader
// goroutine in request order.
func (n *Node) Handle(req *wire.Request, reply wire.Reply) {
	a := n.apis.lookup(req.Key)
	if a == nil { // wire checks Versions first; this is defence in depth
		reply.Close(errUnknownAPI)
		return
	}
	if !n.admitSASL(req, reply) || n.refused(req, reply) {
		return
	}
	start := n.now()
	a.handle(n, req, reply)
	n.recordRequestTime(req, start)
}
