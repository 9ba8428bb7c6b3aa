package integration

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

func strp(s string) *string { return &s }

// quotaEntity builds a kadm entity from type/name pairs; a name "" is the
// default entity.
func quotaEntity(pairs ...string) kadm.ClientQuotaEntity {
	var e kadm.ClientQuotaEntity
	for i := 0; i+1 < len(pairs); i += 2 {
		c := kadm.ClientQuotaEntityComponent{Type: pairs[i]}
		if pairs[i+1] != "" {
			c.Name = strp(pairs[i+1])
		}
		e = append(e, c)
	}
	return e
}

// setQuota sets key=value on an entity and fails the test on any error.
func setQuota(t *testing.T, adm *kadm.Client, e kadm.ClientQuotaEntity, key string, value float64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := adm.AlterClientQuotas(ctx, []kadm.AlterClientQuotaEntry{{Entity: e, Ops: []kadm.AlterClientQuotaOp{{Key: key, Value: value}}}})
	if err != nil || len(res) != 1 || res[0].Err != nil {
		t.Fatalf("set %s %s=%v: %v %+v", e, key, value, err, res)
	}
}

// describedStrings renders described quotas as sorted "entity key=value"
// lines for comparison.
func describedStrings(qs kadm.DescribedClientQuotas) []string {
	var out []string
	for _, q := range qs {
		for _, v := range q.Values {
			out = append(out, q.Entity.String()+" "+v.String())
		}
	}
	sort.Strings(out)
	return out
}

// TestQuotaAlterDescribe sets quotas on every entity kind with kadm, reads
// them back through KIP-546 filters (strict and not), checks validateOnly
// and removal, and that they survive a restart.
func TestQuotaAlterDescribe(t *testing.T) {
	dir := t.TempDir()
	c := gofkatest.Start(t, gofkatest.WithDir(dir))
	adm := newAdmin(t, c.Addr())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	setQuota(t, adm, quotaEntity("user", "alice"), "producer_byte_rate", 1024)
	setQuota(t, adm, quotaEntity("user", "alice", "client-id", "app"), "consumer_byte_rate", 2048)
	setQuota(t, adm, quotaEntity("client-id", ""), "request_percentage", 12.5)
	setQuota(t, adm, quotaEntity("user", ""), "controller_mutation_rate", 5)
	setQuota(t, adm, quotaEntity("ip", "127.0.0.2"), "connection_creation_rate", 10)

	describe := func(strict bool, comps ...kadm.DescribeClientQuotaComponent) []string {
		t.Helper()
		qs, err := adm.DescribeClientQuotas(ctx, strict, comps)
		if err != nil {
			t.Fatalf("describe: %v", err)
		}
		return describedStrings(qs)
	}
	exactAlice := kadm.DescribeClientQuotaComponent{Type: "user", MatchName: strp("alice"), MatchType: 0}
	checkLines(t, "non-strict alice", describe(false, exactAlice), []string{
		"{user=alice, client-id=app} consumer_byte_rate=2048.000000",
		"{user=alice} producer_byte_rate=1024.000000",
	})
	checkLines(t, "strict alice", describe(true, exactAlice), []string{"{user=alice} producer_byte_rate=1024.000000"})
	checkLines(t, "default client-id", describe(false, kadm.DescribeClientQuotaComponent{Type: "client-id", MatchType: 1}),
		[]string{"{client-id=<default>} request_percentage=12.500000"})
	checkLines(t, "any user", describe(false, kadm.DescribeClientQuotaComponent{Type: "user", MatchType: 2}), []string{
		"{user=<default>} controller_mutation_rate=5.000000",
		"{user=alice, client-id=app} consumer_byte_rate=2048.000000",
		"{user=alice} producer_byte_rate=1024.000000",
	})
	checkLines(t, "ip", describe(true, kadm.DescribeClientQuotaComponent{Type: "ip", MatchType: 2}),
		[]string{"{ip=127.0.0.2} connection_creation_rate=10.000000"})
	if all := describe(false); len(all) != 5 {
		t.Fatalf("describe everything: %v", all)
	}

	// validateOnly writes nothing
	res, err := adm.ValidateAlterClientQuotas(ctx, []kadm.AlterClientQuotaEntry{{Entity: quotaEntity("user", "bob"),
		Ops: []kadm.AlterClientQuotaOp{{Key: "producer_byte_rate", Value: 1}}}})
	if err != nil || res[0].Err != nil {
		t.Fatalf("validate: %v %+v", err, res)
	}
	if got := describe(false, kadm.DescribeClientQuotaComponent{Type: "user", MatchName: strp("bob")}); len(got) != 0 {
		t.Fatalf("validateOnly wrote %v", got)
	}
	// removal
	res, err = adm.AlterClientQuotas(ctx, []kadm.AlterClientQuotaEntry{{Entity: quotaEntity("user", "alice"),
		Ops: []kadm.AlterClientQuotaOp{{Key: "producer_byte_rate", Remove: true}}}})
	if err != nil || res[0].Err != nil {
		t.Fatalf("remove: %v %+v", err, res)
	}
	checkLines(t, "after remove", describe(true, exactAlice), nil)

	// the quotas are metadata records: they survive a restart
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c2 := gofkatest.Start(t, gofkatest.WithDir(dir))
	adm2 := newAdmin(t, c2.Addr())
	qs, err := adm2.DescribeClientQuotas(ctx, false, nil)
	if err != nil || len(describedStrings(qs)) != 4 {
		t.Fatalf("after restart: %v %v", err, describedStrings(qs))
	}
}

func checkLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%s:\n got %q\nwant %q", what, got, want)
	}
}

// TestQuotaBadInput sends quota changes Kafka refuses: each entry fails on
// its own with INVALID_REQUEST and a message, the good entry beside them is
// applied, and bad describe filters are refused the same way.
func TestQuotaBadInput(t *testing.T) {
	c := gofkatest.Start(t)
	adm := newAdmin(t, c.Addr())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	op := func(key string, v float64) []kadm.AlterClientQuotaOp {
		return []kadm.AlterClientQuotaOp{{Key: key, Value: v}}
	}
	bad := []struct {
		entry kadm.AlterClientQuotaEntry
		msg   string
	}{
		{kadm.AlterClientQuotaEntry{Entity: quotaEntity("user", "a"), Ops: op("producer_byte_rate", -5)}, "must be greater than 0"},
		{kadm.AlterClientQuotaEntry{Entity: quotaEntity("user", "a"), Ops: op("producer_byte_rate", 1.5)}, "must be a Long value"},
		{kadm.AlterClientQuotaEntry{Entity: quotaEntity("user", "a"), Ops: op("bytes_per_fortnight", 5)}, "Invalid configuration key"},
		{kadm.AlterClientQuotaEntry{Entity: quotaEntity("user", "a"), Ops: op("connection_creation_rate", 5)}, "Invalid configuration key"},
		{kadm.AlterClientQuotaEntry{Entity: quotaEntity("ip", "127.0.0.1", "user", "a"), Ops: op("connection_creation_rate", 5)}, "should not be combined"},
		{kadm.AlterClientQuotaEntry{Entity: quotaEntity("ip", "not an ip"), Ops: op("connection_creation_rate", 5)}, "not a valid IP"},
		{kadm.AlterClientQuotaEntry{Entity: quotaEntity("group", "g"), Ops: op("producer_byte_rate", 5)}, "Unhandled client quota entity type"},
		{kadm.AlterClientQuotaEntry{Entity: quotaEntity("user", "a", "user", "b"), Ops: op("producer_byte_rate", 5)}, "Duplicate"},
		{kadm.AlterClientQuotaEntry{Entity: nil, Ops: op("producer_byte_rate", 5)}, "empty client quota entity"},
	}
	entries := []kadm.AlterClientQuotaEntry{{Entity: quotaEntity("client-id", "good"), Ops: op("producer_byte_rate", 100)}}
	for _, b := range bad {
		entries = append(entries, b.entry)
	}
	res, err := adm.AlterClientQuotas(ctx, entries)
	if err != nil || len(res) != len(entries) {
		t.Fatalf("alter: %v, %d results", err, len(res))
	}
	if res[0].Err != nil {
		t.Fatalf("the good entry failed: %v %s", res[0].Err, res[0].ErrMessage)
	}
	for i, b := range bad {
		r := res[i+1]
		if !errors.Is(r.Err, kerr.InvalidRequest) || !strings.Contains(r.ErrMessage, b.msg) {
			t.Errorf("%s: got %v %q, want INVALID_REQUEST with %q", b.entry.Entity, r.Err, r.ErrMessage, b.msg)
		}
	}
	qs, err := adm.DescribeClientQuotas(ctx, false, nil)
	if err != nil || len(qs) != 1 {
		t.Fatalf("only the good entry is stored: %v %v", err, describedStrings(qs))
	}
	badFilters := [][]kadm.DescribeClientQuotaComponent{
		{{Type: "user", MatchType: 2}, {Type: "ip", MatchType: 2}},
		{{Type: "user", MatchType: 2}, {Type: "user", MatchType: 1}},
		{{Type: "user", MatchType: 7}},
		{{Type: "topic", MatchType: 2}},
	}
	for _, f := range badFilters {
		_, err := adm.DescribeClientQuotas(ctx, false, f)
		var em *kadm.ErrAndMessage
		if !errors.As(err, &em) || !errors.Is(em.Err, kerr.InvalidRequest) || em.ErrMessage == "" {
			t.Errorf("filter %+v: %v", f, err)
		}
	}
	// the broker still serves after all of it
	if _, err := adm.ApiVersions(ctx); err != nil {
		t.Fatalf("ApiVersions after bad input: %v", err)
	}
}
