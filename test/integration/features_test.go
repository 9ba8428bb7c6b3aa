package integration

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/kversion"
)

// pinnedClient is a client that sends request key at version v at most.
func pinnedClient(t *testing.T, addr string, key, v int16) *kgo.Client {
	vs := kversion.Stable()
	vs.SetMaxKeyVersion(key, v)
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.MaxVersions(vs))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// finalized asks ApiVersions (at version v) for the finalized features
// and their epoch, and the supported features.
func finalized(t *testing.T, ctx context.Context, addr string, v int16) (map[string]int16, int64, map[string][2]int16) {
	t.Helper()
	resp, err := kmsg.NewPtrApiVersionsRequest().RequestWith(ctx, pinnedClient(t, addr, 18, v))
	if err != nil {
		t.Fatal(err)
	}
	fin := map[string]int16{}
	for _, f := range resp.FinalizedFeatures {
		if f.MinVersionLevel != f.MaxVersionLevel {
			t.Errorf("%s finalized as %d-%d, want one level", f.Name, f.MinVersionLevel, f.MaxVersionLevel)
		}
		fin[f.Name] = f.MaxVersionLevel
	}
	sup := map[string][2]int16{}
	for _, f := range resp.SupportedFeatures {
		sup[f.Name] = [2]int16{f.MinVersion, f.MaxVersion}
	}
	return fin, resp.FinalizedFeaturesEpoch, sup
}

// TestUpdateFeatures drives UpdateFeatures through kadm and raw requests
// at every version: Kafka's errors, validateOnly, downgrades, the levels
// and epoch ApiVersions reports, and a downgrade that survives a restart.
func TestUpdateFeatures(t *testing.T) {
	dir := t.TempDir()
	c, err := gofkatest.StartE(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t, 60*time.Second)
	cl := newClient(t, c.Addr())
	adm := kadm.NewClient(cl)

	fin, epoch, sup := finalized(t, ctx, c.Addr(), 4)
	if fin["metadata.version"] != 25 || fin["transaction.version"] != 2 || fin["group.version"] != 1 || fin["share.version"] != 1 ||
		fin["eligible.leader.replicas.version"] != 1 {
		t.Fatalf("finalized at start %v", fin)
	}
	if sup["metadata.version"] != [2]int16{7, 25} || sup["transaction.version"] != [2]int16{0, 2} ||
		sup["eligible.leader.replicas.version"] != [2]int16{0, 1} || len(sup) != 5 {
		t.Fatalf("supported %v", sup)
	}
	// Below version 4 Kafka leaves out features whose minimum is 0.
	if _, _, sup3 := finalized(t, ctx, c.Addr(), 3); len(sup3) != 1 || sup3["metadata.version"] != [2]int16{7, 25} {
		t.Fatalf("supported at v3 %v", sup3)
	}

	for _, bad := range []kadm.FeatureUpdate{
		{Feature: "transaction.version", MaxVersionLevel: 3, UpgradeType: 1},
		{Feature: "no.such.feature", MaxVersionLevel: 1, UpgradeType: 1},
		{Feature: "transaction.version", MaxVersionLevel: 1, UpgradeType: 1},
		{Feature: "metadata.version", MaxVersionLevel: 22, UpgradeType: 2},
	} {
		res, err := adm.UpdateFeatures(ctx, false, bad)
		if err == nil {
			err = res.Error()
		}
		if !errors.Is(err, kerr.InvalidUpdateVersion) {
			t.Errorf("update %+v: %v, want INVALID_UPDATE_VERSION", bad, err)
		}
	}
	down := kadm.FeatureUpdate{Feature: "transaction.version", MaxVersionLevel: 1, UpgradeType: 2}
	if res, err := adm.UpdateFeatures(ctx, true, down); err != nil || res.Error() != nil {
		t.Fatalf("validate-only downgrade: %v %v", err, res)
	}
	if fin, _, _ := finalized(t, ctx, c.Addr(), 4); fin["transaction.version"] != 2 {
		t.Fatalf("validateOnly changed transaction.version: %v", fin)
	}
	res, err := adm.UpdateFeatures(ctx, false, down, kadm.FeatureUpdate{Feature: "share.version", MaxVersionLevel: 0, UpgradeType: 3})
	if err != nil || res.Error() != nil || len(res) != 2 {
		t.Fatalf("downgrade: %v %v", err, res)
	}
	fin, epoch2, _ := finalized(t, ctx, c.Addr(), 4)
	if fin["transaction.version"] != 1 || fin["share.version"] != 0 || epoch2 <= epoch {
		t.Fatalf("after downgrade %v epoch %d (was %d)", fin, epoch2, epoch)
	}
	if _, ok := fin["share.version"]; ok {
		t.Fatalf("share.version at 0 listed as finalized: %v", fin)
	}
	checkRawUpdateFeatures(t, ctx, c.Addr())

	cl.Close()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c2 := gofkatest.Start(t, gofkatest.WithDir(dir))
	if fin, _, _ := finalized(t, ctx, c2.Addr(), 4); fin["transaction.version"] != 1 || fin["share.version"] != 0 || fin["group.version"] != 1 {
		t.Fatalf("after restart %v, want the downgrades kept", fin)
	}
}

// checkRawUpdateFeatures checks the response shape of each version:
// per-feature results before v2, none from v2; errors at the top level.
func checkRawUpdateFeatures(t *testing.T, ctx context.Context, addr string) {
	t.Helper()
	for v := int16(0); v <= 2; v++ {
		cl := pinnedClient(t, addr, 57, v)
		req := kmsg.NewPtrUpdateFeaturesRequest()
		u := kmsg.NewUpdateFeaturesRequestFeatureUpdate()
		u.Feature, u.MaxVersionLevel, u.AllowDowngrade, u.UpgradeType = "group.version", 1, v == 0, 1
		req.FeatureUpdates = append(req.FeatureUpdates, u)
		resp, err := req.RequestWith(ctx, cl)
		if err != nil {
			t.Fatal(err)
		}
		wantResults := 1
		if v == 2 {
			wantResults = 0
		}
		if resp.ErrorCode != 0 || len(resp.Results) != wantResults || (wantResults == 1 && resp.Results[0].Feature != "group.version") {
			t.Errorf("v%d: %+v", v, resp)
		}
		req.FeatureUpdates[0].MaxVersionLevel = 9
		resp, err = req.RequestWith(ctx, cl)
		if err != nil {
			t.Fatal(err)
		}
		if resp.ErrorCode != kerr.InvalidUpdateVersion.Code || resp.ErrorMessage == nil || len(resp.Results) != 0 {
			t.Errorf("v%d invalid level: %+v", v, resp)
		}
	}
	// Version 0: AllowDowngrade allows a downgrade.
	cl := pinnedClient(t, addr, 57, 0)
	req := kmsg.NewPtrUpdateFeaturesRequest()
	u := kmsg.NewUpdateFeaturesRequestFeatureUpdate()
	u.Feature, u.MaxVersionLevel = "group.version", 0
	req.FeatureUpdates = append(req.FeatureUpdates, u)
	if resp, err := req.RequestWith(ctx, cl); err != nil || resp.ErrorCode != kerr.InvalidUpdateVersion.Code {
		t.Fatalf("v0 downgrade without AllowDowngrade: %v %+v", err, resp)
	}
	req.FeatureUpdates[0].AllowDowngrade = true
	req.ValidateOnly = true // not in v0: the downgrade happens
	if resp, err := req.RequestWith(ctx, cl); err != nil || resp.ErrorCode != 0 {
		t.Fatalf("v0 downgrade: %v %+v", err, resp)
	}
	if fin, _, _ := finalized(t, ctx, addr, 4); fin["group.version"] != 0 {
		t.Fatalf("group.version after v0 downgrade: %v", fin)
	}
	req.FeatureUpdates[0].MaxVersionLevel, req.FeatureUpdates[0].AllowDowngrade = 1, false
	if resp, err := req.RequestWith(ctx, cl); err != nil || resp.ErrorCode != 0 {
		t.Fatalf("group.version back to 1: %v %+v", err, resp)
	}
}

// TestUpdateFeaturesMultiNode sends UpdateFeatures to a node that is not
// the active controller: it is forwarded, committed once, and every node's
// ApiVersions then reports the new level; DescribeTopicPartitions on each
// node lists the three replicas of a partition.
func TestUpdateFeaturesMultiNode(t *testing.T) {
	c := gofkatest.StartCluster(t, gofkatest.Nodes(3))
	ctx := ctxT(t, 60*time.Second)
	leader := waitLeader(t, c)
	follower := leader%3 + 1
	cl := clusterClient(t, c.Node(follower).Addr())
	req := kmsg.NewPtrUpdateFeaturesRequest()
	u := kmsg.NewUpdateFeaturesRequestFeatureUpdate()
	u.Feature, u.MaxVersionLevel, u.UpgradeType = "transaction.version", 1, 2
	req.FeatureUpdates = append(req.FeatureUpdates, u)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil || resp.ErrorCode != 0 {
		t.Fatalf("downgrade through node %d (leader %d): %v %+v", follower, leader, err, resp)
	}
	if _, err := clusterAdmin(t, c.Addrs()...).CreateTopic(ctx, 1, 3, nil, "mn"); err != nil {
		t.Fatal(err)
	}
	for id := int32(1); id <= 3; id++ {
		addr := c.Node(id).Addr()
		waitFor(t, 30*time.Second, "transaction.version 1 on "+addr, func() bool {
			fin, _, _ := finalized(t, ctx, addr, 4)
			return fin["transaction.version"] == 1
		})
		waitFor(t, 30*time.Second, "topic mn on "+addr, func() bool {
			dreq := kmsg.NewPtrDescribeTopicPartitionsRequest()
			dreq.Topics = []kmsg.DescribeTopicPartitionsRequestTopic{{Topic: "mn"}}
			dresp, err := dreq.RequestWith(ctx, clusterClient(t, addr))
			return err == nil && len(dresp.Topics) == 1 && dresp.Topics[0].ErrorCode == 0 &&
				len(dresp.Topics[0].Partitions) == 1 && len(dresp.Topics[0].Partitions[0].Replicas) == 3
		})
	}
}
