package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
)

// TestPartitionCommands: on three nodes, a plan moves a topic onto two
// brokers under a throttle; status follows it to the end and clears the
// throttle; elections and the lists answer.
func TestPartitionCommands(t *testing.T) {
	c := gofkatest.StartCluster(t, gofkatest.Nodes(3))
	addrs := "--brokers " + strings.Join(c.Addrs(), ",") + " "
	at := func(r run) string {
		r.args, r.noBrokers = addrs+r.args, true
		return gofka(t, r)
	}
	dir := t.TempDir()
	planFile := filepath.Join(dir, "plan.json")
	at(run{args: "topic create mv -p 2 -r 2", out: []string{"mv", "OK"}})
	at(run{args: "partition reassign plan --topics mv --broker-ids 2,3 --out " + planFile,
		out: []string{"Current partition replica assignment", "Proposed partition reassignment configuration", `"topic":"mv"`}})
	b, err := os.ReadFile(planFile)
	if err != nil || !strings.Contains(string(b), `"version":1`) {
		t.Fatalf("plan file: %s %v", b, err)
	}
	at(run{args: "partition reassign execute --dry-run " + planFile, out: []string{"CURRENT", "TARGET", "MOVES"}})
	at(run{args: "partition reassign execute --throttle 50000000 " + planFile, out: []string{"mv-0", "mv-1", "OK"},
		errOut: []string{"Replication throttled at 50000000 B/s"}})
	at(run{args: "config describe --broker 3", out: []string{"leader.replication.throttled.rate", "50000000"}})
	at(run{args: "topic describe mv", out: []string{"leader.replication.throttled.replicas"}})
	deadline := time.Now().Add(60 * time.Second)
	for {
		out := at(run{args: "partition reassign status " + planFile, anyCode: true})
		if !strings.Contains(out, "in progress") && strings.Contains(out, "OK") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("reassignment not done: %s", out)
		}
		time.Sleep(200 * time.Millisecond)
	}
	var described []describedTopic
	out := at(run{args: "topic describe mv -o json", json: true, out: []string{`"elr": []`}, noOut: []string{"throttled.replicas"}})
	if err := json.Unmarshal([]byte(out), &described); err != nil {
		t.Fatal(err)
	}
	for _, p := range described[0].Partitions {
		if slices.Contains(p.Replicas, 1) || len(p.Replicas) != 2 {
			t.Fatalf("partition %d on %v after moving to 2,3", p.Partition, p.Replicas)
		}
	}
	at(run{args: "config describe --broker 2", noOut: []string{"replication.throttled.rate"}})
	at(run{args: "partition reassign list", out: []string{"TOPIC", "ADDING"}, noOut: []string{"mv"}})
	at(run{args: "partition reassign cancel " + planFile, out: []string{"No reassignment of the plan is in progress."}})
	at(run{args: "partition elect-leaders --type preferred --topic mv", out: []string{"mv-0", "mv-1"}})
	at(run{args: "partition elect-leaders --type unclean --all", out: []string{"No partition needed an election."}})
	at(run{args: "partition elect-leaders --type sideways --all", code: 2, errOut: []string{"preferred or unclean"}})
	at(run{args: "partition elect-leaders --type preferred", code: 2, errOut: []string{"--all"}})
	at(run{args: "partition reassign execute nope.json", code: 2, errOut: []string{"reassignment plan"}})
	at(run{args: "partition reassign plan --topics mv --broker-ids 9", code: 1, errOut: []string{"no broker with node id 9"}})
}
