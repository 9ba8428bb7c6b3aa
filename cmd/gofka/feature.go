package main

// gofka feature describe|upgrade|downgrade|disable: the cluster's feature
// levels (kafka-features.sh). describe reads ApiVersions; upgrade and downgrade
// send UpdateFeatures, --dry-run as validateOnly.

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// metadataVersions names the metadata.version levels Kafka 4.0 knows,
// from 7 (3.3-IV3) on, as MetadataVersion does.
var metadataVersions = []string{
	"3.3-IV3", "3.4-IV0", "3.5-IV0", "3.5-IV1", "3.5-IV2", "3.6-IV0", "3.6-IV1", "3.6-IV2",
	"3.7-IV0", "3.7-IV1", "3.7-IV2", "3.7-IV3", "3.7-IV4", "3.8-IV0", "3.9-IV0",
	"4.0-IV0", "4.0-IV1", "4.0-IV2", "4.0-IV3",
}

const firstMetadataLevel = 7

// levelString prints a level as kafka-features.sh does: metadata.version
// by name, other features as numbers.
func levelString(feature string, level int16) string {
	if feature != "metadata.version" {
		return strconv.Itoa(int(level))
	}
	if i := int(level) - firstMetadataLevel; i >= 0 && i < len(metadataVersions) {
		return metadataVersions[i]
	}
	return fmt.Sprintf("UNKNOWN %d", level)
}

// metadataLevel parses a metadata.version: a name ("3.7-IV4"), a release
// ("3.7", its last internal version) or a level number.
func metadataLevel(s string) (int16, error) {
	if n, err := strconv.ParseInt(s, 10, 16); err == nil {
		return int16(n), nil
	}
	for i := len(metadataVersions) - 1; i >= 0; i-- {
		v := metadataVersions[i]
		if v == s || strings.HasPrefix(v, s+"-") {
			return int16(i + firstMetadataLevel), nil
		}
	}
	return 0, usagef("--metadata %q: not a metadata.version (e.g. 4.0-IV3, 3.9 or a level number)", s)
}

func featureCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "feature", Short: "Describe, upgrade and downgrade feature levels (kafka-features.sh)"}
	cmd.AddCommand(&cobra.Command{
		Use:     "describe",
		Short:   "Show each feature's supported range and finalized level",
		Example: "  gofka feature describe\n  gofka feature describe -o json",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.withSession(cmd, func(s *session) error { return s.describeFeatures() })
		},
	})
	cmd.AddCommand(featureUpdateCmd(g, "upgrade"), featureUpdateCmd(g, "downgrade"), featureDisableCmd(g))
	return cmd
}

// featureDisableCmd is kafka-features.sh disable: each named feature
// downgraded to level 0.
func featureDisableCmd(g *globals) *cobra.Command {
	var names []string
	var dryRun, unsafe bool
	cmd := &cobra.Command{
		Use:     "disable --feature name... [--unsafe] [--dry-run]",
		Short:   "Disable features (downgrade them to level 0)",
		Example: "  gofka feature disable --feature share.version",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var features []string
			for _, name := range names {
				features = append(features, name+"=0")
			}
			typ := int8(2) // SAFE_DOWNGRADE
			if unsafe {
				typ = 3 // UNSAFE_DOWNGRADE
			}
			req, err := featureRequest(features, "", typ, dryRun)
			if err != nil {
				return err
			}
			return g.withSession(cmd, func(s *session) error { return s.updateFeatures(req) })
		},
	}
	cmd.Flags().StringArrayVar(&names, "feature", nil, "feature to disable (repeatable)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "validate the change without making it")
	cmd.Flags().BoolVar(&unsafe, "unsafe", false, "allow a downgrade that may lose metadata (UNSAFE_DOWNGRADE)")
	return cmd
}

// featureLevels is what ApiVersions says about features.
type featureLevels struct {
	supported map[string][2]int16
	finalized map[string]int16
	epoch     int64
}

func (s *session) featureLevels() (*featureLevels, error) {
	resp, err := kmsg.NewPtrApiVersionsRequest().RequestWith(s.ctx, s.cl)
	if err == nil {
		err = kerr.ErrorForCode(resp.ErrorCode)
	}
	if err != nil {
		return nil, explain(err, "")
	}
	fl := &featureLevels{supported: map[string][2]int16{}, finalized: map[string]int16{}, epoch: resp.FinalizedFeaturesEpoch}
	for _, f := range resp.SupportedFeatures {
		fl.supported[f.Name] = [2]int16{f.MinVersion, f.MaxVersion}
	}
	for _, f := range resp.FinalizedFeatures {
		fl.finalized[f.Name] = f.MaxVersionLevel
	}
	return fl, nil
}

// featureInfo is one row of `feature describe`.
type featureInfo struct {
	Feature      string `json:"feature"`
	SupportedMin int16  `json:"supported_min"`
	SupportedMax int16  `json:"supported_max"`
	Finalized    int16  `json:"finalized_level"`
	Epoch        int64  `json:"epoch"`
}

func (s *session) describeFeatures() error {
	fl, err := s.featureLevels()
	if err != nil {
		return err
	}
	var infos []featureInfo
	var rows [][]string
	for _, name := range slices.Sorted(maps.Keys(fl.supported)) {
		r := fl.supported[name]
		fi := featureInfo{Feature: name, SupportedMin: r[0], SupportedMax: r[1], Finalized: fl.finalized[name], Epoch: fl.epoch}
		infos = append(infos, fi)
		rows = append(rows, []string{name, levelString(name, r[0]), levelString(name, r[1]),
			levelString(name, fi.Finalized), strconv.FormatInt(fl.epoch, 10)})
	}
	return s.emit(infos, []string{"FEATURE", "SUPPORTED-MIN", "SUPPORTED-MAX", "FINALIZED", "EPOCH"}, rows)
}

func featureUpdateCmd(g *globals, verb string) *cobra.Command {
	var features []string
	var metadata string
	var dryRun, unsafe bool
	cmd := &cobra.Command{
		Use:   verb + " [--feature name=level]... [--metadata VERSION] [--dry-run]",
		Short: strings.ToUpper(verb[:1]) + verb[1:] + " finalized feature levels",
		Example: map[string]string{
			"upgrade":   "  gofka feature upgrade --metadata 4.0-IV3\n  gofka feature upgrade --feature transaction.version=2 --dry-run",
			"downgrade": "  gofka feature downgrade --feature group.version=0\n  gofka feature downgrade --metadata 4.0-IV1 --unsafe",
		}[verb],
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			typ := int8(1) // UPGRADE
			if verb == "downgrade" {
				typ = 2 // SAFE_DOWNGRADE
				if unsafe {
					typ = 3 // UNSAFE_DOWNGRADE
				}
			}
			req, err := featureRequest(features, metadata, typ, dryRun)
			if err != nil {
				return err
			}
			return g.withSession(cmd, func(s *session) error { return s.updateFeatures(req) })
		},
	}
	cmd.Flags().StringArrayVar(&features, "feature", nil, "feature and level, name=level (repeatable)")
	cmd.Flags().StringVar(&metadata, "metadata", "", "metadata.version to set, e.g. 4.0-IV3 or 3.9")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "validate the change without making it")
	if verb == "downgrade" {
		cmd.Flags().BoolVar(&unsafe, "unsafe", false, "allow a downgrade that may lose metadata (UNSAFE_DOWNGRADE)")
	}
	return cmd
}

// featureRequest builds UpdateFeatures from the flags.
func featureRequest(features []string, metadata string, typ int8, dryRun bool) (*kmsg.UpdateFeaturesRequest, error) {
	req := kmsg.NewPtrUpdateFeaturesRequest()
	req.ValidateOnly = dryRun
	add := func(name string, level int16) {
		u := kmsg.NewUpdateFeaturesRequestFeatureUpdate()
		u.Feature, u.MaxVersionLevel, u.UpgradeType, u.AllowDowngrade = name, level, typ, typ != 1
		req.FeatureUpdates = append(req.FeatureUpdates, u)
	}
	if metadata != "" {
		level, err := metadataLevel(metadata)
		if err != nil {
			return nil, err
		}
		add("metadata.version", level)
	}
	for _, f := range features {
		name, v, ok := strings.Cut(f, "=")
		level, err := strconv.ParseInt(v, 10, 16)
		if !ok || name == "" || err != nil {
			return nil, usagef("--feature %q: want name=level, e.g. transaction.version=2", f)
		}
		add(name, int16(level))
	}
	if len(req.FeatureUpdates) == 0 {
		return nil, usagef("nothing to change: give --feature name=level or --metadata VERSION")
	}
	return req, nil
}

// updateFeatures sends req and reports each feature, with the broker's
// message when it refused.
func (s *session) updateFeatures(req *kmsg.UpdateFeaturesRequest) error {
	resp, err := req.RequestWith(s.ctx, s.cl)
	if err != nil {
		return explain(err, "")
	}
	failed := refusal(resp.ErrorCode, resp.ErrorMessage)
	perFeature := map[string]error{}
	for _, r := range resp.Results {
		perFeature[r.Feature] = refusal(r.ErrorCode, r.ErrorMessage)
	}
	what := "FEATURE"
	if req.ValidateOnly {
		what = "FEATURE (dry run)"
	}
	return s.emitOutcomes(what, outcomesOf(req.FeatureUpdates, func(u kmsg.UpdateFeaturesRequestFeatureUpdate) (string, error) {
		name := u.Feature + "=" + levelString(u.Feature, u.MaxVersionLevel)
		if failed != nil {
			return name, failed
		}
		return name, perFeature[u.Feature]
	}))
}

// refusedError is a Kafka error code with the broker's message.
type refusedError struct {
	code *kerr.Error
	msg  string
}

func (e *refusedError) Error() string { return e.code.Message + ": " + e.msg }
func (e *refusedError) Unwrap() error { return e.code }

// refusal is the error for a code and message, nil for no error.
func refusal(code int16, msg *string) error {
	err := kerr.ErrorForCode(code)
	if err == nil {
		return nil
	}
	ke, ok := err.(*kerr.Error)
	if !ok || msg == nil {
		return err
	}
	return &refusedError{code: ke, msg: *msg}
}
