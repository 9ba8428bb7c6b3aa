package main

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
)

func TestProduceAndConsume(t *testing.T) {
	cleanup(t, []string{"pc"}, nil)
	future := strconv.FormatInt(time.Now().Add(time.Hour).UnixMilli(), 10)
	runAll(t, []run{
		{args: "topic create pc -p 2", out: []string{"OK"}},
		{args: "produce pc -p 0 -k k1 -H src=cli -H n=1", stdin: "a\nb\nc\n", out: []string{"produced 3 records to pc"}},
		{args: "produce pc -p 1 --format key-value", stdin: "k2\tv2\nk3\tv3\n", out: []string{"produced 2 records"}},
		{args: "produce pc -f key-value --separator =", stdin: "k4=v4\n", out: []string{"produced 1 record to pc"}},
		{args: "produce pc -f json -o json", stdin: `{"key":"jk","value":"jv","headers":{"h":"x"},"partition":1}` + "\n",
			json: true, out: []string{`"partition": 1`, `"offset": 2`}},
		{args: "produce pc -f json", stdin: "{not json\n", code: 2, errOut: []string{"stdin line 1", "bad JSON"}},
		{args: "produce pc -f key-value", stdin: "no-separator\n", code: 2, errOut: []string{"no separator"}},
		{args: "produce pc -f xml", code: 2, errOut: []string{`--format "xml"`}},
		{args: "produce pc -p 5", stdin: "x\n", code: 2, errOut: []string{"partition 5", "has 2 partitions"}},
		{args: "produce pc -H novalue", stdin: "x\n", code: 2, errOut: []string{"want name=value"}},
		{args: "produce", code: 2, errOut: []string{"accepts 1 arg"}},
		{args: "consume pc -p 0", out: []string{"a\nb\nc\n"}},
		{args: "consume pc -p 0 -f json", json: true,
			out: []string{`"key":"k1","value":"a","headers":{"n":"1","src":"cli"}`, `"offset":2`}},
		{args: "consume pc -p 1 -f json", json: true, out: []string{`"key":"k2"`, `"key":"jk","value":"jv","headers":{"h":"x"}`}},
		{args: "consume pc -p 0 --offset 1", out: []string{"b\nc\n"}, noOut: []string{"a\n"}},
		{args: "consume pc -p 0 --offset 99", noOut: []string{"a", "b", "c"}},
		{args: "consume pc --offset end", noOut: []string{"a", "v2"}},
		{args: "consume pc --timestamp 0 -n 2", out: []string{"\n"}},
		{args: "consume pc --timestamp " + future, noOut: []string{"a", "v2"}},
		{args: "consume pc --timestamp 2000-01-01T00:00:00Z -p 1", out: []string{"v2\nv3\njv\n"}},
		{args: "consume pc -p 7", code: 2, errOut: []string{"no partition 7"}},
		{args: "consume pc --offset zz", code: 2, errOut: []string{`--offset "zz"`}},
		{args: "consume pc --timestamp yesterday", code: 2, errOut: []string{"RFC 3339"}},
		{args: "consume pc -f csv", code: 2, errOut: []string{`--format "csv"`}},
		{args: "consume nope", code: 1, errOut: []string{`topic "nope" does not exist`}},
	})
	all := gofka(t, run{args: "consume pc"})
	if n := strings.Count(all, "\n"); n != 7 {
		t.Errorf("consume pc printed %d records, want 7:\n%s", n, all)
	}
}

func TestProduceToMissingTopicWithoutAutoCreate(t *testing.T) {
	c := gofkatest.Start(t, gofkatest.WithConfig("auto.create.topics.enable", "false"))
	gofka(t, run{args: "--brokers " + c.Addr() + " produce absent", noBrokers: true, stdin: "x\n", code: 1,
		errOut: []string{`topic "absent" does not exist`, "gofka topic create absent"}})
}
