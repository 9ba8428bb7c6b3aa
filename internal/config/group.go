package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// SourceGroup is the DescribeConfigs source of a group config override
// (GROUP_CONFIG).
const SourceGroup int8 = 8

// groupConfigDefs are Kafka's share-group GroupConfig properties: set
// per group with IncrementalAlterConfigs on resource type 32 (GROUP); a
// group without an override takes its broker synonym's value.
var groupConfigDefs = []*Def{
	{Name: "share.session.timeout.ms", Type: Int, Default: ptr("45000"), Validate: atLeast(1),
		Synonyms: []string{"group.share.session.timeout.ms"},
		Doc:      "The timeout to detect client failures when using the share group protocol."},
	{Name: "share.heartbeat.interval.ms", Type: Int, Default: ptr("5000"), Validate: atLeast(1),
		Synonyms: []string{"group.share.heartbeat.interval.ms"},
		Doc:      "The heartbeat interval given to the members of a share group."},
	{Name: "share.record.lock.duration.ms", Type: Int, Default: ptr("30000"), Validate: between(1000, 3600000),
		Synonyms: []string{"group.share.record.lock.duration.ms"},
		Doc:      "The record acquisition lock duration in milliseconds for share groups."},
	{Name: "share.delivery.count.limit", Type: Int, Default: ptr("5"), Validate: between(2, 10),
		Synonyms: []string{"group.share.delivery.count.limit"},
		Doc:      "The maximum number of delivery attempts for a record delivered to a share group."},
	{Name: "share.auto.offset.reset", Type: String, Default: ptr("latest"), Validate: validShareReset,
		Synonyms: []string{"gofka.share.auto.offset.reset"},
		Doc:      "The strategy to initialize the share-partition start offset: latest, earliest, or by_duration:<ISO-8601 duration> (the first record at or after now minus the duration)."},
	{Name: "share.isolation.level", Type: String, Default: ptr("read_uncommitted"), Validate: oneOf("read_uncommitted", "read_committed"),
		Synonyms: []string{"gofka.share.isolation.level"},
		Doc:      "Controls how to read records written transactionally: read_committed delivers only committed records (up to the last stable offset), read_uncommitted every record."},
}

var groupByName = map[string]*Def{}

func init() {
	for _, d := range groupConfigDefs {
		groupByName[d.Name] = d
	}
	slices.SortFunc(groupConfigDefs, func(a, b *Def) int { return strings.Compare(a.Name, b.Name) })
}

// validShareReset accepts latest, earliest and by_duration:<duration>.
func validShareReset(v string) error {
	switch {
	case v == "latest" || v == "earliest":
		return nil
	case strings.HasPrefix(v, "by_duration:"):
		if _, err := ShareResetDuration(v); err != nil {
			return err
		}
		return nil
	}
	return fmt.Errorf("must be latest, earliest or by_duration:<ISO-8601 duration>")
}

// ShareResetDuration parses the duration of a by_duration reset: an
// ISO-8601 duration of days, hours, minutes and seconds (PnDTnHnMnS).
func ShareResetDuration(v string) (time.Duration, error) {
	s, ok := strings.CutPrefix(v, "by_duration:")
	if !ok || !strings.HasPrefix(s, "P") || len(s) < 3 {
		return 0, fmt.Errorf("%q is not by_duration:<ISO-8601 duration>", v)
	}
	var d time.Duration
	inTime, num := false, ""
	for _, c := range s[1:] {
		switch {
		case c == 'T' && !inTime && num == "":
			inTime = true
		case c >= '0' && c <= '9':
			num += string(c)
		default:
			n, err := unitOf(c, inTime)
			k, perr := strconv.ParseInt(num, 10, 64)
			if err != nil || perr != nil || len(num) > 9 {
				return 0, fmt.Errorf("%q is not an ISO-8601 duration", s)
			}
			d += time.Duration(k) * n
			num = ""
		}
	}
	if num != "" {
		return 0, fmt.Errorf("%q is not an ISO-8601 duration", s)
	}
	return d, nil
}

func unitOf(c rune, inTime bool) (time.Duration, error) {
	switch {
	case c == 'D' && !inTime:
		return 24 * time.Hour, nil
	case c == 'H' && inTime:
		return time.Hour, nil
	case c == 'M' && inTime:
		return time.Minute, nil
	case c == 'S' && inTime:
		return time.Second, nil
	}
	return 0, fmt.Errorf("unit %c", c)
}

// GroupDefs returns the group configs sorted by name.
func GroupDefs() []*Def { return slices.Clone(groupConfigDefs) }

// ValidateGroup checks a group config override.
func ValidateGroup(name string, value *string) error {
	d, ok := groupByName[name]
	if !ok {
		return unknownErr(name, "group config")
	}
	if value == nil {
		return nil
	}
	return d.check(*value)
}

// DescribeGroup describes every group config of a group: its override,
// else the first of its broker synonyms set in a broker layer, else the
// default.
func DescribeGroup(l Layers, group map[string]string) []Entry {
	out := make([]Entry, 0, len(groupConfigDefs))
	for _, d := range groupConfigDefs {
		var syns []Synonym
		if v, ok := group[d.Name]; ok {
			syns = append(syns, Synonym{d.Name, ptr(v), SourceGroup})
		}
		syns = append(syns, layerSynonyms(d.Synonyms, l.brokerLayers())...)
		v, src := d.Default, SourceDefault
		if len(syns) > 0 {
			v, src = syns[0].Value, syns[0].Source
		}
		out = append(out, newEntry(d, d.Doc, v, src, false, syns))
	}
	return out
}

// ResolveGroup is a group's effective config values by name.
func ResolveGroup(l Layers, group map[string]string) map[string]string {
	out := make(map[string]string, len(groupConfigDefs))
	for _, e := range DescribeGroup(l, group) {
		if e.Value != nil {
			out[e.Name] = *e.Value
		}
	}
	return out
}
