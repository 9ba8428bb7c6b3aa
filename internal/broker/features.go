package broker

// Features: UpdateFeatures, versions 0-2, and the feature fields of
// ApiVersions. UpdateFeatures needs ALTER on the cluster and goes to the
// active controller (forwarded when this node is not it); validation and
// the FeatureLevelRecords are the controller's
// (internal/controller/features.go). As Kafka's
// UpdateFeaturesResponse.createWithErrors: a failed request carries only
// the top-level error; a successful one lists every feature with no error
// before version 2, nothing from version 2 on. Version 0's AllowDowngrade
// is a safe downgrade. ApiVersions (v3+) reports what this node supports
// and the finalized levels of the metadata image, with the offset of its
// last record as the epoch (Kafka's FinalizedFeaturesEpoch); below
// version 4 it leaves out features whose minimum is 0 (KAFKA-17492).

import (
	"maps"
	"slices"

	"github.com/gofka/gofka/internal/controller"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// UpdateFeatures is served on the controller listener too: brokers
// forward it there. (Registered here so quorum.go, the quorum owner's
// file, stays as it is; its table is complete once init has run.)
func (n *Node) handleUpdateFeatures(req *wire.Request, reply wire.Reply) {
	r := req.Msg.(*kmsg.UpdateFeaturesRequest)
	resp := r.ResponseKind().(*kmsg.UpdateFeaturesResponse)
	resp.SetVersion(req.Version)
	ferr := &controller.FeatureError{Code: kerr.ClusterAuthorizationFailed, Msg: "Cluster authorization failed."}
	if n.authorizeCluster(req, opAlter) {
		if n.forwarded(req, reply) {
			return
		}
		ferr = n.ctrl.UpdateFeatures(featureUpdates(r), r.ValidateOnly)
	}
	if ferr != nil {
		resp.ErrorCode = ferr.Code.Code
		msg := ferr.Msg
		resp.ErrorMessage = &msg
		reply.Send(resp)
		return
	}
	if req.Version < 2 {
		seen := map[string]bool{}
		for _, u := range r.FeatureUpdates {
			if !seen[u.Feature] {
				seen[u.Feature] = true
				res := kmsg.NewUpdateFeaturesResponseResult()
				res.Feature = u.Feature
				resp.Results = append(resp.Results, res)
			}
		}
	}
	reply.Send(resp)
}

// featureUpdates converts a request; version 0 has AllowDowngrade in
// place of the upgrade type.
func featureUpdates(r *kmsg.UpdateFeaturesRequest) []controller.FeatureUpdate {
	out := make([]controller.FeatureUpdate, 0, len(r.FeatureUpdates))
	for _, u := range r.FeatureUpdates {
		typ := u.UpgradeType
		if r.Version == 0 {
			typ = controller.UpgradeTypeUpgrade
			if u.AllowDowngrade {
				typ = controller.UpgradeTypeSafeDowngrade
			}
		}
		out = append(out, controller.FeatureUpdate{Name: u.Feature, Level: u.MaxVersionLevel, UpgradeType: typ})
	}
	return out
}

// fillFeatures sets the feature fields of an ApiVersions response.
func (n *Node) fillFeatures(resp *kmsg.ApiVersionsResponse) {
	for _, f := range controller.SupportedFeatures() {
		if resp.Version < 4 && f.Min == 0 {
			continue
		}
		resp.SupportedFeatures = append(resp.SupportedFeatures,
			kmsg.ApiVersionsResponseSupportedFeature{Name: f.Name, MinVersion: f.Min, MaxVersion: f.Max})
	}
	img := n.meta.Current()
	resp.FinalizedFeaturesEpoch = img.Offset
	for _, name := range slices.Sorted(maps.Keys(img.Features)) {
		if level := img.Features[name]; level > 0 {
			resp.FinalizedFeatures = append(resp.FinalizedFeatures,
				kmsg.ApiVersionsResponseFinalizedFeature{Name: name, MinVersionLevel: level, MaxVersionLevel: level})
		}
	}
}
