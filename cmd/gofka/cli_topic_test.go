package main

import "testing"

const missing = "does not exist"

func TestTopicCommands(t *testing.T) {
	cleanup(t, []string{"tt"}, nil)
	runAll(t, []run{
		{args: "topic create tt -p 2 -c retention.ms=3600000", out: []string{"tt", "2", "OK"}},
		{args: "topic create tt", code: 1, out: []string{"already exists"}, errOut: []string{"already exists"}},
		{args: "topic create bad -c retention.ms", code: 2, errOut: []string{"want name=value", "--help"}},
		{args: "topic create", code: 2, errOut: []string{"requires at least 1 arg", "--help"}},
		{args: "topic list", out: []string{"TOPIC", "tt"}},
		{args: "topic ls -o json", json: true, out: []string{`"topic": "tt"`, `"partitions": 2`}},
		{args: "topic describe tt", out: []string{"HIGH-WATERMARK", "retention.ms", "3600000", "DYNAMIC_TOPIC_CONFIG"}},
		{args: "topic describe tt --all-configs", out: []string{"cleanup.policy", "DEFAULT_CONFIG"}},
		{args: "topic describe tt -o json", json: true, out: []string{`"high_watermark": 0`}},
		{args: "topic describe nope", code: 1, errOut: []string{`topic "nope" ` + missing, "gofka topic list"}},
		{args: "topic alter-config tt --set retention.ms=1000 --set segment.ms=60000", out: []string{"tt", "OK"}},
		{args: "topic describe tt", out: []string{"retention.ms", "1000", "segment.ms"}},
		{args: "topic alter-config tt --delete segment.ms", out: []string{"OK"}},
		{args: "topic describe tt", noOut: []string{"segment.ms"}},
		{args: "topic alter-config tt --set no.such.config=1", code: 1, errOut: []string{"no.such.config"}},
		{args: "topic alter-config tt", code: 2, errOut: []string{"nothing to change"}},
		{args: "topic alter-config nope --set retention.ms=1", code: 1, errOut: []string{missing}},
		{args: "topic add-partitions tt -n 2", out: []string{"tt", "OK"}},
		{args: "topic list -o json", json: true, out: []string{`"partitions": 4`}},
		{args: "topic add-partitions tt", code: 2, errOut: []string{"--num"}},
		{args: "topic add-partitions nope -n 1", code: 1, errOut: []string{missing}},
		{args: "topic delete tt", out: []string{"tt", "OK"}},
		{args: "topic delete tt", code: 1, errOut: []string{missing}},
		{args: "topic list", noOut: []string{"tt "}},
	})
}

func TestClusterAndConfigCommands(t *testing.T) {
	runAll(t, []run{
		{args: "cluster info", out: []string{"Cluster:", "Controller: 1", "Features: eligible.leader.replicas.version=1 group.version=1 metadata.version=4.0-IV3", "NODE", "leader", "127.0.0.1", "unfenced"}},
		{args: "cluster info -o json", json: true, out: []string{`"cluster_id"`, `"node_id": 1`, `"transaction.version": 2`}},
		{args: "cluster info extra", code: 2, errOut: []string{"accepts 0 arg(s)"}},
		{args: "config set log.retention.ms=7200000", out: []string{"(cluster-wide)", "OK"}},
		{args: "config describe", out: []string{"log.retention.ms", "7200000", "DYNAMIC_DEFAULT_BROKER_CONFIG"}},
		{args: "config set --broker 1 --set log.cleaner.threads=2", out: []string{"1", "OK"}},
		{args: "config describe --broker 1 -o json", json: true, out: []string{`"log.cleaner.threads"`, `"DYNAMIC_BROKER_CONFIG"`}},
		{args: "config describe --all", out: []string{"num.partitions"}},
		{args: "config set --delete log.retention.ms", out: []string{"OK"}},
		{args: "config describe", noOut: []string{"log.retention.ms"}},
		{args: "config set no.such.property=1", code: 1, errOut: []string{"no.such.property"}},
		{args: "config set", code: 2, errOut: []string{"nothing to change"}},
		{args: "config describe --broker 9", code: 1, errOut: []string{"no broker with node id 9", "cluster info"}},
		{args: "config set --broker 9 log.cleaner.threads=1", code: 1, errOut: []string{"no broker with node id 9"}},
	})
}

func TestConnectionAndFlagErrors(t *testing.T) {
	runAll(t, []run{
		{args: "--brokers 127.0.0.1:1 topic list", noBrokers: true, code: 1,
			errOut: []string{"cannot reach any broker at 127.0.0.1:1", "gofka server", "GOFKA_BROKERS"}},
		{args: "cluster info", noBrokers: true, env: []string{"GOFKA_BROKERS=127.0.0.1:1"}, code: 1,
			errOut: []string{"cannot reach any broker at 127.0.0.1:1"}},
		{args: "cluster info", noBrokers: true, env: []string{"GOFKA_BROKERS=" + brokers}, out: []string{"Cluster:"}},
		{args: "topic list -o yaml", code: 2, errOut: []string{`--output "yaml"`}},
		{args: "topic list --timeout 0s", code: 2, errOut: []string{"--timeout"}},
		{args: "topic list --bogus", code: 2, errOut: []string{"unknown flag: --bogus", "gofka topic list --help"}},
		{args: "topic", out: []string{"create", "add-partitions"}},
	})
}

func TestEveryCommandExplainsUnreachableBroker(t *testing.T) {
	for _, args := range []string{
		"topic create x", "topic list", "topic describe x", "topic delete x", "topic alter-config x --set a=b",
		"topic add-partitions x -n 1", "produce x", "consume x", "group list", "group describe g", "group delete g",
		"group seek g --to start", "cluster info", "config describe", "config set a=b",
		"feature describe", "feature upgrade --feature group.version=1",
	} {
		gofka(t, run{args: "--brokers 127.0.0.1:1 " + args, noBrokers: true, stdin: "v\n", code: 1,
			errOut: []string{"cannot reach any broker at 127.0.0.1:1", "gofka server"}})
	}
}
