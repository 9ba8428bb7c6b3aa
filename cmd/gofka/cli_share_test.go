package main

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// shareConsumeAll joins share group g on topic, waits until its share
// partition exists, runs produce and accepts every record until want
// came.
func shareConsumeAll(t *testing.T, g, topic string, want int, produce func()) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers), kgo.ShareGroup(g), kgo.ConsumeTopics(topic),
		kgo.FetchMaxWait(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	got := 0
	deadline := time.Now().Add(30 * time.Second)
	for step := 0; got < want; step++ {
		if time.Now().After(deadline) {
			t.Fatalf("share consumer got %d of %d records", got, want)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) {
			got++
			cl.MarkAcks(kgo.AckAccept, r)
		})
		cancel()
		if step == 3 { // the share partition started at the log end
			produce()
		}
	}
	if err := cl.FlushAcks(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestShareGroupCommands(t *testing.T) {
	cleanup(t, []string{"st"}, []string{"sg"})
	gofka(t, run{args: "topic create st -p 1", out: []string{"OK"}})
	shareConsumeAll(t, "sg", "st", 6, func() {
		gofka(t, run{args: "produce st", stdin: "1\n2\n3\n4\n5\n6\n", out: []string{"produced 6"}})
	})
	runAll(t, []run{
		{args: "group list", out: []string{"sg", "Empty", "share"}},
		{args: "group describe sg", out: []string{"Group: sg", "State: Empty", "Total lag: 0", "st     0          6               6               0"}},
		{args: "group seek sg --to start --dry-run", out: []string{"st     0          6           0", "dry run"}},
		{args: "group seek sg --to start", out: []string{"st     0          6           0"}},
		{args: "group describe sg -o json", json: true, out: []string{`"current_offset": 0`, `"total_lag": 6`, `"protocol_type": "share"`}},
		{args: "group seek sg --to 3 --topic st -o json", json: true, out: []string{`"new_offset": 3`}},
		{args: "group describe sg -o json", json: true, out: []string{`"current_offset": 3`, `"lag": 3`}},
		{args: "group delete sg", out: []string{"sg", "OK"}},
		{args: "group describe sg", code: 1, errOut: []string{`group "sg" does not exist`}},
	})
}
