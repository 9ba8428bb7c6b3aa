package controller

import (
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
)

// TestUpdateFeatures runs updates in order against one controller: each
// row's outcome and the finalized levels after it.
func TestUpdateFeatures(t *testing.T) {
	c, _ := newTestController(t, t.TempDir())
	up := func(name string, level int16, typ int8) FeatureUpdate {
		return FeatureUpdate{Name: name, Level: level, UpgradeType: typ}
	}
	const (
		U = UpgradeTypeUpgrade
		S = UpgradeTypeSafeDowngrade
		X = UpgradeTypeUnsafeDowngrade
	)
	for _, tc := range []struct {
		name         string
		updates      []FeatureUpdate
		validateOnly bool
		wantMsg      string // "" for success, else a part of the INVALID_UPDATE_VERSION message
		want         map[string]int16
	}{
		{"upgrade from nothing", []FeatureUpdate{up("transaction.version", 1, U)}, false, "",
			map[string]int16{"metadata.version": 25, "transaction.version": 1}},
		{"validate only", []FeatureUpdate{up("transaction.version", 2, U)}, true, "",
			map[string]int16{"metadata.version": 25, "transaction.version": 1}},
		{"above the range", []FeatureUpdate{up("transaction.version", 3, U)}, false, "only supports versions 0-2", nil},
		{"unknown feature", []FeatureUpdate{up("no.such.version", 1, U)}, false, "does not support this feature", nil},
		{"negative", []FeatureUpdate{up("group.version", -1, S)}, false, "cannot be less than 0", nil},
		{"unknown upgrade type", []FeatureUpdate{up("group.version", 1, 4)}, false, "does not support the given upgrade type", nil},
		{"downgrade as upgrade", []FeatureUpdate{up("transaction.version", 0, U)}, false, "without setting the upgrade type", nil},
		{"upgrade as downgrade", []FeatureUpdate{up("transaction.version", 2, S)}, false, "Can't downgrade to a newer version", nil},
		{"one bad update fails all", []FeatureUpdate{up("group.version", 1, U), up("share.version", 9, U)}, false, "only supports versions 0-1",
			map[string]int16{"metadata.version": 25, "transaction.version": 1}},
		{"several at once, last wins", []FeatureUpdate{up("group.version", 0, U), up("share.version", 1, U), up("group.version", 1, U)}, false, "",
			map[string]int16{"metadata.version": 25, "transaction.version": 1, "group.version": 1, "share.version": 1}},
		{"safe downgrade to 0", []FeatureUpdate{up("share.version", 0, S)}, false, "",
			map[string]int16{"metadata.version": 25, "transaction.version": 1, "group.version": 1, "share.version": 0}},
		{"unsafe downgrade", []FeatureUpdate{up("transaction.version", 0, X)}, false, "",
			map[string]int16{"metadata.version": 25, "transaction.version": 0, "group.version": 1, "share.version": 0}},
		{"metadata.version below the floor", []FeatureUpdate{up("metadata.version", 6, S)}, false, "only supports versions 7-25", nil},
		{"metadata.version across a format change", []FeatureUpdate{up("metadata.version", 22, S)}, false, "might delete metadata", nil},
		{"metadata.version unsafe", []FeatureUpdate{up("metadata.version", 22, X)}, false, "Unsafe metadata downgrade is not supported", nil},
		{"metadata.version without format change", []FeatureUpdate{up("metadata.version", 23, S)}, false, "",
			map[string]int16{"metadata.version": 23, "transaction.version": 0, "group.version": 1, "share.version": 0}},
		{"metadata.version back up", []FeatureUpdate{up("metadata.version", 25, U)}, false, "",
			map[string]int16{"metadata.version": 25, "transaction.version": 0, "group.version": 1, "share.version": 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ferr := c.UpdateFeatures(tc.updates, tc.validateOnly)
			switch {
			case tc.wantMsg == "" && ferr != nil:
				t.Fatalf("error %v", ferr)
			case tc.wantMsg != "" && (ferr == nil || ferr.Code != kerr.InvalidUpdateVersion || !strings.Contains(ferr.Msg, tc.wantMsg)):
				t.Fatalf("error %v, want INVALID_UPDATE_VERSION with %q", ferr, tc.wantMsg)
			}
			if tc.want == nil {
				return
			}
			img := c.pub.Current()
			if len(img.Features) != len(tc.want) || img.MetadataVersion != tc.want["metadata.version"] {
				t.Fatalf("features %v (metadata.version %d), want %v", img.Features, img.MetadataVersion, tc.want)
			}
			for name, level := range tc.want {
				if got, ok := img.Features[name]; !ok || got != level {
					t.Fatalf("features %v, want %v", img.Features, tc.want)
				}
			}
		})
	}
	// Start-up finalization leaves a feature downgraded to 0 disabled.
	if err := c.FinalizeFeature("share.version", MaxShareVersion); err != nil {
		t.Fatal(err)
	}
	if got := c.pub.Current().Features["share.version"]; got != 0 {
		t.Fatalf("share.version %d after FinalizeFeature, want it left at 0", got)
	}
}

func TestMetadataChanged(t *testing.T) {
	for _, tc := range []struct {
		low, high int16
		want      bool
	}{
		{25, 25, false}, {24, 25, false}, {23, 25, false}, {22, 25, true}, {22, 23, true},
		{18, 22, false}, {17, 22, false}, {16, 17, true}, {7, 8, true}, {8, 10, false},
	} {
		if got := metadataChanged(tc.low, tc.high); got != tc.want {
			t.Errorf("metadataChanged(%d, %d) = %v, want %v", tc.low, tc.high, got, tc.want)
		}
	}
}
