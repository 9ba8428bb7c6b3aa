package main

import "testing"

func TestQuotaCommands(t *testing.T) {
	runAll(t, []run{
		{args: "quota set --user alice --client-id app producer_byte_rate=1048576 request_percentage=25", out: []string{"{user=alice, client-id=app}", "OK"}},
		{args: "quota set --client-id-default consumer_byte_rate=524288", out: []string{"{client-id=<default>}", "OK"}},
		{args: "quota set --ip 10.0.0.7 connection_creation_rate=20", out: []string{"{ip=10.0.0.7}", "OK"}},
		{args: "quota describe", out: []string{"ENTITY", "producer_byte_rate", "1048576", "request_percentage", "25",
			"consumer_byte_rate", "524288", "connection_creation_rate", "20"}},
		{args: "quota describe --user alice", out: []string{"{user=alice, client-id=app}"}, noOut: []string{"<default>", "10.0.0.7"}},
		{args: "quota describe --user alice --strict", noOut: []string{"alice"}},
		{args: "quota describe --client-id-default -o json", json: true, out: []string{`"consumer_byte_rate"`, `524288`}},
		{args: "quota delete --user alice --client-id app producer_byte_rate", out: []string{"OK"}},
		{args: "quota describe --user alice", out: []string{"request_percentage"}, noOut: []string{"producer_byte_rate"}},
		{args: "quota set --user alice producer_byte_rate=-1", code: 1, errOut: []string{"INVALID_REQUEST", "must be greater than 0"}},
		{args: "quota set --user alice no_such_quota=1", code: 1, errOut: []string{"Invalid configuration key no_such_quota"}},
		{args: "quota set --ip 10.0.0.7 --user bob connection_creation_rate=1", code: 1, errOut: []string{"should not be combined"}},
		{args: "quota set --user bob --user-default producer_byte_rate=1", code: 2, errOut: []string{"two entities"}},
		{args: "quota set producer_byte_rate=1", code: 2, errOut: []string{"name an entity"}},
		{args: "quota set --user bob producer_byte_rate=fast", code: 2, errOut: []string{"not a number"}},
		{args: "quota delete --user bob", code: 2, errOut: []string{"requires at least 1 arg"}},
	})
}
