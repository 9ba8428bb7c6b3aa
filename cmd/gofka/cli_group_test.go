package main

import (
	"strings"
	"testing"
)

func TestGroupCommands(t *testing.T) {
	// Skip with a clear message if the broker serves no consumer groups.
	if out := gofka(t, run{args: "group list", anyCode: true}); !strings.Contains(out, "GROUP") {
		t.Skip("broker does not serve consumer groups (ListGroups/JoinGroup/OffsetCommit)")
	}
	cleanup(t, []string{"gt"}, []string{"cg"})
	runAll(t, []run{
		{args: "topic create gt -p 1", out: []string{"OK"}},
		{args: "produce gt", stdin: "1\n2\n3\n4\n5\n6\n", out: []string{"produced 6"}},
		{args: "consume gt -g cg -n 4", out: []string{"1\n2\n3\n4\n"}, noOut: []string{"5"}},
		{args: "group list", out: []string{"cg", "Empty", "consumer"}},
		{args: "group list -o json", json: true, out: []string{`"group": "cg"`, `"state": "Empty"`}},
		{args: "group describe cg", out: []string{"Group: cg", "State: Empty", "Total lag: 2", "gt     0          4               6               2"}},
		{args: "group describe cg -o json", json: true, out: []string{`"current_offset": 4`, `"lag": 2`}},
		{args: "consume gt -g cg", out: []string{"5\n6\n"}, noOut: []string{"1\n"}},
		{args: "group describe cg -o json", json: true, out: []string{`"total_lag": 0`}},
		{args: "group seek cg --to start --dry-run", out: []string{"OLD-OFFSET", "gt     0          6           0", "dry run"}},
		{args: "group describe cg -o json", json: true, out: []string{`"total_lag": 0`}},
		{args: "group seek cg --to start", out: []string{"gt     0          6           0"}},
		{args: "group describe cg -o json", json: true, out: []string{`"total_lag": 6`}},
		{args: "group seek cg --to 3 --topic gt -o json", json: true, out: []string{`"new_offset": 3`, `"dry_run": false`}},
		{args: "consume gt -g cg", out: []string{"4\n5\n6\n"}, noOut: []string{"3\n"}},
		{args: "group seek cg --to end", out: []string{"gt     0          6           6"}},
		{args: "group seek cg --to-timestamp 0", out: []string{"gt     0          6           0"}},
		{args: "consume gt -g cg -p 0", code: 2, errOut: []string{"--partition cannot be used with --group"}},
		{args: "group seek cg", code: 2, errOut: []string{"exactly one of --to or --to-timestamp"}},
		{args: "group seek cg --to middle", code: 2, errOut: []string{`--offset "middle"`}},
		{args: "group seek fresh", code: 2, errOut: []string{"exactly one"}},
		{args: "group seek fresh --to start", code: 2, errOut: []string{"no committed offsets", "--topic"}},
		{args: "group seek fresh --to start --topic nope", code: 1, errOut: []string{`topic "nope" does not exist`}},
		{args: "group describe nope", code: 1, errOut: []string{`group "nope" does not exist`, "gofka group list"}},
		{args: "group delete cg", out: []string{"cg", "OK"}},
		{args: "group describe cg", code: 1, errOut: []string{`group "cg" does not exist`}},
		{args: "group delete cg", code: 1, errOut: []string{`group "cg" does not exist`}},
		{args: "group delete", code: 2, errOut: []string{"requires at least 1 arg"}},
	})
}
