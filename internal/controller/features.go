package controller

// UpdateFeatures (key 57), as Kafka's FeatureControlManager validates it:
// a level outside the range this controller supports, an unknown feature,
// a downgrade asked for as an UPGRADE, an upgrade asked for as a downgrade,
// an unknown upgrade type, and a metadata.version downgrade across a
// version that changed the metadata format (unsafe downgrades are refused
// too, as in Kafka 4.x) all fail with INVALID_UPDATE_VERSION and Kafka's
// message. The first failing update fails the whole request, and nothing
// is written; validateOnly stops before the commit. Each accepted update is
// one FeatureLevelRecord; level 0 disables a feature.

import (
	"fmt"
	"slices"

	"github.com/gofka/gofka/internal/metadata"
	"github.com/twmb/franz-go/pkg/kerr"
)

// The newest levels of the features Gofka serves besides metadata.version:
// transactions v2 (KIP-890 part 2), the consumer group protocol (KIP-848),
// share groups (KIP-932) and eligible leader replicas (KIP-966).
const (
	MaxTransactionVersion int16 = 2
	MaxGroupVersion       int16 = 1
	MaxShareVersion       int16 = 1
	MaxELRVersion         int16 = 1 // eligible leader replicas (KIP-966)
)

// FeatureRange is a feature this controller can finalize and the range of
// its levels.
type FeatureRange struct {
	Name     string
	Min, Max int16
}

var supportedFeatures = []FeatureRange{
	{Name: ELRFeature, Min: 0, Max: MaxELRVersion},
	{Name: "group.version", Min: 0, Max: MaxGroupVersion},
	{Name: metadata.MetadataVersionFeature, Min: MinMetadataVersion, Max: MaxMetadataVersion},
	{Name: "share.version", Min: 0, Max: MaxShareVersion},
	{Name: "transaction.version", Min: 0, Max: MaxTransactionVersion},
}

// SupportedFeatures returns the features this node supports, sorted by name:
// the SupportedFeatures of ApiVersions.
func SupportedFeatures() []FeatureRange { return slices.Clone(supportedFeatures) }

func supportedRange(name string) (FeatureRange, bool) {
	for _, f := range supportedFeatures {
		if f.Name == name {
			return f, true
		}
	}
	return FeatureRange{}, false
}

// The upgrade types of an UpdateFeatures request (Kafka's
// FeatureUpdate.UpgradeType).
const (
	UpgradeTypeUpgrade         int8 = 1
	UpgradeTypeSafeDowngrade   int8 = 2
	UpgradeTypeUnsafeDowngrade int8 = 3
)

// FeatureUpdate is one update of an UpdateFeatures request.
type FeatureUpdate struct {
	Name        string
	Level       int16
	UpgradeType int8
}

// FeatureError is a failed UpdateFeatures request: Kafka's code and message.
type FeatureError struct {
	Code *kerr.Error
	Msg  string
}

func (e *FeatureError) Error() string { return e.Msg }

// UpdateFeatures validates updates against the current image and, unless
// validateOnly, commits one FeatureLevelRecord per update. A request
// naming a feature twice keeps the last update, as Kafka's map does.
func (c *Controller) UpdateFeatures(updates []FeatureUpdate, validateOnly bool) *FeatureError {
	c.mu.Lock()
	defer c.mu.Unlock()
	img := c.pub.Current()
	var recs []metadata.Record
	for _, u := range lastPerFeature(updates) {
		if ferr := validateFeatureUpdate(img, c.static.NodeID, u); ferr != nil {
			return ferr
		}
		fl := metadata.NewFeatureLevelRecord()
		fl.Name, fl.FeatureLevel = u.Name, u.Level
		recs = append(recs, fl)
	}
	if validateOnly {
		return nil
	}
	if err := c.commitLocked(recs); err != nil {
		return &FeatureError{Code: ErrorCode(err), Msg: err.Error()}
	}
	return nil
}

func lastPerFeature(updates []FeatureUpdate) []FeatureUpdate {
	var out []FeatureUpdate
	at := map[string]int{}
	for _, u := range updates {
		if i, ok := at[u.Name]; ok {
			out[i] = u
			continue
		}
		at[u.Name] = len(out)
		out = append(out, u)
	}
	return out
}

// validateFeatureUpdate follows FeatureControlManager.updateFeature.
func validateFeatureUpdate(img *metadata.Image, nodeID int32, u FeatureUpdate) *FeatureError {
	if u.UpgradeType < UpgradeTypeUpgrade || u.UpgradeType > UpgradeTypeUnsafeDowngrade {
		return invalidUpdate(u, "The controller does not support the given upgrade type.")
	}
	current := img.Features[u.Name]
	if u.Level < 0 {
		return invalidUpdate(u, "A feature version cannot be less than 0.")
	}
	if reason := reasonNotSupported(nodeID, u.Name, u.Level); reason != "" {
		return invalidUpdate(u, reason)
	}
	switch {
	case u.Level < current && u.UpgradeType == UpgradeTypeUpgrade:
		return invalidUpdate(u, "Can't downgrade the version of this feature without setting the "+
			"upgrade type to either safe or unsafe downgrade.")
	case u.Level > current && u.UpgradeType != UpgradeTypeUpgrade:
		return invalidUpdate(u, "Can't downgrade to a newer version.")
	}
	if u.Name == metadata.MetadataVersionFeature {
		return validateMetadataVersion(current, u)
	}
	return nil
}

// reasonNotSupported is QuorumFeatures.reasonNotSupported for this node.
// Kafka lets level 0 of an unknown feature through to fail later with
// "Feature ... not found."; the outcome, INVALID_UPDATE_VERSION, is the same.
func reasonNotSupported(nodeID int32, name string, level int16) string {
	r, ok := supportedRange(name)
	switch {
	case !ok:
		return fmt.Sprintf("Local controller %d does not support this feature.", nodeID)
	case level < r.Min || level > r.Max:
		return fmt.Sprintf("Local controller %d only supports versions %d-%d", nodeID, r.Min, r.Max)
	}
	return ""
}

func invalidUpdate(u FeatureUpdate, msg string) *FeatureError {
	return &FeatureError{Code: kerr.InvalidUpdateVersion,
		Msg: fmt.Sprintf("Invalid update version %d for feature %s. %s", u.Level, u.Name, msg)}
}

// validateMetadataVersion refuses a metadata.version downgrade across a
// version that changed the metadata format, safe or unsafe, as Kafka 4.x.
func validateMetadataVersion(current int16, u FeatureUpdate) *FeatureError {
	if u.Level >= current || !metadataChanged(u.Level, current) {
		return nil
	}
	msg := "Refusing to perform the requested downgrade because it might delete metadata information."
	if u.UpgradeType == UpgradeTypeUnsafeDowngrade {
		msg = "Unsafe metadata downgrade is not supported in this version."
	}
	return &FeatureError{Code: kerr.InvalidUpdateVersion,
		Msg: fmt.Sprintf("Invalid metadata.version %d. %s", u.Level, msg)}
}

// changesMetadata holds the metadata.version levels (3.3-IV3 to 4.0-IV3)
// whose records differ from the level below: MetadataVersion's
// didMetadataChange.
var changesMetadata = map[int16]bool{
	7: true, 8: true, 11: true, 13: true, 14: true, 15: true, 17: true, 23: true,
}

// metadataChanged reports whether a level in (low, high] changed the
// metadata format: MetadataVersion.checkIfMetadataChanged.
func metadataChanged(low, high int16) bool {
	for v := high; v > low; v-- {
		if changesMetadata[v] {
			return true
		}
	}
	return false
}

// FinalizeFeature records a feature level (FeatureLevelRecord) when no
// level was ever recorded for it: the features of a new cluster, e.g.
// transaction.version=2 once the broker serves transactions v2 (KIP-890).
// A level set since, by UpdateFeatures, stays as set.
func (c *Controller) FinalizeFeature(name string, level int16) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.pub.Current().Features[name]; ok {
		return nil
	}
	fl := metadata.NewFeatureLevelRecord()
	fl.Name, fl.FeatureLevel = name, level
	if err := c.commitLocked([]metadata.Record{fl}); err != nil {
		return fmt.Errorf("controller: finalize %s: %w", name, err)
	}
	return nil
}
