package main

import "testing"

// TestFeatureCommands describes, downgrades and upgrades feature levels
// (leaving them as they were), with the broker's reasons for refusals.
func TestFeatureCommands(t *testing.T) {
	runAll(t, []run{
		{args: "feature describe", out: []string{"FEATURE", "metadata.version", "3.3-IV3", "4.0-IV3", "transaction.version"}},
		{args: "feature describe -o json", json: true, out: []string{`"feature": "group.version"`, `"finalized_level": 1`}},
		{args: "feature downgrade --feature transaction.version=1 --dry-run", out: []string{"FEATURE (dry run)", "transaction.version=1", "OK"}},
		{args: "feature describe", out: []string{"transaction.version               0              2              2"}},
		{args: "feature downgrade --feature transaction.version=1", out: []string{"transaction.version=1", "OK"}},
		{args: "cluster info", out: []string{"transaction.version=1"}},
		{args: "feature upgrade --feature transaction.version=2", out: []string{"transaction.version=2", "OK"}},
		{args: "feature upgrade --feature transaction.version=9", code: 1,
			errOut: []string{"INVALID_UPDATE_VERSION", "only supports versions 0-2"}},
		{args: "feature upgrade --feature group.version=0", code: 1, errOut: []string{"safe or unsafe downgrade"}},
		{args: "feature upgrade --feature no.such.feature=1", code: 1, errOut: []string{"does not support this feature"}},
		{args: "feature downgrade --metadata 4.0-IV0", code: 1, errOut: []string{"might delete metadata"}},
		{args: "feature downgrade --metadata 4.0-IV0 --unsafe", code: 1, errOut: []string{"Unsafe metadata downgrade is not supported"}},
		{args: "feature downgrade --metadata 4.0-IV2 --dry-run", out: []string{"metadata.version=4.0-IV2", "OK"}},
		{args: "feature upgrade --metadata 4.0", out: []string{"metadata.version=4.0-IV3", "OK"}},
		{args: "feature disable --feature share.version", out: []string{"share.version=0", "OK"}},
		{args: "feature describe -o json", json: true, out: []string{`"feature": "share.version"`, `"finalized_level": 0`}},
		{args: "feature upgrade --feature share.version=1", out: []string{"share.version=1", "OK"}},
		{args: "feature disable --feature metadata.version", code: 1, errOut: []string{"only supports versions 7-25"}},
		{args: "feature disable", code: 2, errOut: []string{"nothing to change"}},
		{args: "feature upgrade", code: 2, errOut: []string{"nothing to change"}},
		{args: "feature upgrade --feature group.version", code: 2, errOut: []string{"want name=level"}},
		{args: "feature upgrade --metadata 9.9", code: 2, errOut: []string{"not a metadata.version"}},
		{args: "feature upgrade --unsafe --feature group.version=1", code: 2, errOut: []string{"unknown flag: --unsafe"}},
	})
}
