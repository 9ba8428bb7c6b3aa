package main

import (
	"fmt"
	"strings"
	"time"
)

// failoverBound is broker.session.timeout.ms plus
// controller.quorum.election.timeout.ms at their defaults: the bound
// issue 12 sets for the first change after the active controller dies.
const failoverBound = 9*time.Second + time.Second

// section renders the metadata section of the report: method, the
// throughput and failover tables and notes.
func (m metaResults) section() string {
	var b strings.Builder
	b.WriteString(metaHeading + "\n")
	if m.Alone {
		b.WriteString("Measured on its own by `go run ./bench -metadata` (`-runs`, `-meta-*` flags), which rewrites only this\n")
		b.WriteString("section of the report; everything else is from the full run described under Method.\n\n")
	} else {
		b.WriteString("Measured in the same run as the rest of the report, after the data-path scenarios;\n")
		b.WriteString("`go run ./bench -metadata` measures it alone and rewrites only this section.\n\n")
	}
	m.writeMethod(&b)
	b.WriteString("### CreateTopics throughput\n\n")
	b.WriteString(m.throughputTable())
	b.WriteString("\n")
	m.writeRatios(&b)
	b.WriteString("\n### Failover after SIGKILL of the active controller\n\n")
	b.WriteString(m.failoverTable())
	b.WriteString("\n")
	m.writeKills(&b)
	b.WriteString("\n")
	m.writeNotes(&b)
	return b.String()
}

func (m metaResults) writeMethod(b *strings.Builder) {
	mc, s := m.Machine, m.Settings
	fmt.Fprintf(b, "- Date: %s. Gofka commit `%s`. %s in all.\n", m.Date.Format("2006-01-02 15:04 MST"), mc.Commit, m.Wall.Round(time.Second))
	mc.writeLine(b, m.LoadEnd)
	b.WriteString("- Quorums of 1 and 3 `gofka server` processes on 127.0.0.1, each `process.roles=broker,controller`\n")
	b.WriteString("  with its own PLAINTEXT and CONTROLLER listener and data dir, formatted with one cluster id by\n")
	b.WriteString("  `gofka format -t` (`controller.quorum.voters` names every node); every other setting at its default\n")
	b.WriteString("  (`controller.quorum.election.timeout.ms` 1000, `broker.session.timeout.ms` 9000). A fresh quorum of\n")
	fmt.Fprintf(b, "  1 and 3 nodes for each throughput phase and for the kills, in each of %d run(s) (which size goes\n", s.Runs)
	b.WriteString("  first alternates; tables show medians over the runs). The runner waits until every node lists\n")
	b.WriteString("  every broker, DescribeQuorum shows every voter's log end offset at the high watermark and a topic\n")
	fmt.Fprintf(b, "  can be created, then creates %d topics untimed, one at a time.\n", metaWarmup)
	fmt.Fprintf(b, "- Load: CreateTopics requests (kmsg, `timeout_ms` %d) of one topic each, 1 partition, replication\n", createTimeout/time.Millisecond)
	b.WriteString("  factor 1: every request is one metadata change (a TopicRecord and a PartitionRecord) that the\n")
	fmt.Fprintf(b, "  quorum commits before it answers. For %s (`-meta-duration`) one client sends them one at a time,\n", s.MetaDuration)
	fmt.Fprintf(b, "  or %d clients (`-meta-clients`) do, each its own kgo client with its own connections.\n", s.MetaClients)
	b.WriteString("  Request k of client c goes to node (c+k) mod n: on 3 nodes two requests in three reach a node that\n")
	b.WriteString("  is not the active controller and forward it there over the controller listener, as when Kafka\n")
	b.WriteString("  clients send CreateTopics to any broker. Changes/s counts topics acknowledged without error over\n")
	b.WriteString("  the phase; afterwards every node must list every one of them in Metadata, polled every 50 ms for\n")
	b.WriteString("  up to 30 s (the time from the phase's last answer until they do is shown: how far the nodes'\n")
	b.WriteString("  images lag the commits). Server CPU is the `utime+stime` of every node during the phase.\n")
	fmt.Fprintf(b, "- Failover (3 controllers, %d kill(s) in a row per run): the runner finds the\n", s.MetaKills)
	b.WriteString("  leader with DescribeQuorum, sends it SIGKILL and at once sends CreateTopics of one new topic to the\n")
	b.WriteString("  two survivors in turn, each request bounded by 1 s, 10 ms apart, until one is acknowledged\n")
	b.WriteString("  (TOPIC_ALREADY_EXISTS counts: an earlier attempt was committed). Meanwhile it polls DescribeQuorum\n")
	b.WriteString("  on the survivors every 10 ms until one names another leader with a higher epoch. Then it restarts\n")
	b.WriteString("  the killed node on its data dir and waits for the steady state above before the next kill.\n")
	b.WriteString("- Each quorum is stopped with SIGTERM: " + strings.Join(m.Exits, ", ") + ".\n\n")
}

// phase is the median of f over the runs of key k.
func (m metaResults) phase(k metaKey, f func(createResult) float64) float64 {
	var vs []float64
	for _, r := range m.Phases[k] {
		vs = append(vs, f(r))
	}
	return median(vs)
}

func changesPerSec(r createResult) float64 { return perSec(r.Created, r.Elapsed) }
func createP50(r createResult) float64     { return ms(r.Latency.P50) }
func createP99(r createResult) float64     { return ms(r.Latency.P99) }

// cpuPerChange is the CPU milliseconds of all nodes per acknowledged change.
func cpuPerChange(r createResult) float64 {
	if r.Created == 0 {
		return 0
	}
	return ms(r.CPU) / float64(r.Created)
}

func (m metaResults) throughputTable() string {
	var b strings.Builder
	b.WriteString(header("quorum", "changes/s", "request p50 / p99 (ms)", "server CPU per change (ms, all nodes)", "errors", "acknowledged topics on every node", "every node lists them after (ms)", "topics at the end"))
	for _, k := range m.keys() {
		errs, acked, missing := 0, 0, 0
		for _, r := range m.Phases[k] {
			errs, acked, missing = errs+r.Errors, acked+r.Created, missing+r.Missing
		}
		b.WriteString(row(k.String(),
			fmt.Sprintf("%.0f", m.phase(k, changesPerSec)),
			fmt.Sprintf("%.2f / %.2f", m.phase(k, createP50), m.phase(k, createP99)),
			fmt.Sprintf("%.2f", m.phase(k, cpuPerChange)),
			fmt.Sprint(errs),
			fmt.Sprintf("%d of %d", acked-missing, acked),
			fmt.Sprintf("%.0f", m.phase(k, func(r createResult) float64 { return ms(r.Converge) })),
			fmt.Sprintf("%.0f", m.phase(k, func(r createResult) float64 { return float64(r.Topics) }))))
	}
	return b.String()
}

// writeRatios compares 3 controllers with 1 at each concurrency.
func (m metaResults) writeRatios(b *strings.Builder) {
	var parts []string
	for _, c := range m.Settings.metaClients() {
		one, three := m.phase(metaKey{1, c}, changesPerSec), m.phase(metaKey{3, c}, changesPerSec)
		if one > 0 && three > 0 {
			parts = append(parts, fmt.Sprintf("%.2f with %d in flight", three/one, c))
		}
	}
	if len(parts) > 0 {
		fmt.Fprintf(b, "Changes/s, 3 controllers / 1 controller: %s.\n", strings.Join(parts, ", "))
	}
}

// failoverTable gives the median and the worst of every kill.
func (m metaResults) failoverTable() string {
	var b strings.Builder
	b.WriteString(header("from SIGKILL of the active controller to", "median (ms)", "max (ms)", "min (ms)", "kills"))
	for _, c := range []struct {
		name string
		f    func(failover) time.Duration
	}{
		{"the next committed CreateTopics", func(f failover) time.Duration { return f.Commit }},
		{"a survivor naming the new leader in DescribeQuorum", func(f failover) time.Duration { return f.Election }},
	} {
		var vs []float64
		for _, f := range m.Failovers {
			if d := c.f(f); d > 0 {
				vs = append(vs, ms(d))
			}
		}
		b.WriteString(row(c.name, fmt.Sprintf("%.0f", median(vs)), fmt.Sprintf("%.0f", maxOf(vs)), fmt.Sprintf("%.0f", minOf(vs)), fmt.Sprint(len(vs))))
	}
	return b.String()
}

// writeKills lists every kill and checks the bound.
func (m metaResults) writeKills(b *strings.Builder) {
	within, missing := 0, 0
	var each []string
	for _, f := range m.Failovers {
		if f.Commit <= failoverBound {
			within++
		}
		missing += f.Missing
		each = append(each, fmt.Sprintf("node %d %.0f/%.0f", f.Killed, ms(f.Commit), ms(f.Election)))
	}
	fmt.Fprintf(b, "Bound of issue 12, `broker.session.timeout.ms` + `controller.quorum.election.timeout.ms` = %.0f ms:\n", ms(failoverBound))
	fmt.Fprintf(b, "%d of %d kills committed a change within it. After each restart every node listed the change\n", within, len(m.Failovers))
	fmt.Fprintf(b, "made during the failover (%d missing). Every kill in order, killed node and committed/leader-seen ms\n", missing)
	fmt.Fprintf(b, "(0: the watcher saw no new leader before the change was committed): %s.\n", strings.Join(each, "; "))
}

func (m metaResults) writeNotes(b *strings.Builder) {
	attempts := make([]float64, 0, len(m.Failovers))
	for _, f := range m.Failovers {
		attempts = append(attempts, float64(f.Attempts))
	}
	b.WriteString("Notes on the metadata quorum:\n\n")
	b.WriteString("- Every node, the load driver and whatever else runs on the machine share its CPUs; with 3 nodes\n")
	b.WriteString("  on 2 CPUs the quorum competes with itself, so the 3-controller figures are a floor for separate\n")
	b.WriteString("  machines, and both sizes move with the other builds' load: compare ratios and medians.\n")
	b.WriteString("- Each change is written to the metadata log and fsynced on the voters before it is applied\n")
	b.WriteString("  (etcd-io/raft's Ready), and `Controller.CreateTopics` holds the controller's mutex from validation\n")
	b.WriteString("  until the quorum has committed and this node applied the change (`commitLocked`), topic by topic:\n")
	b.WriteString("  changes commit one after another, never several in one raft round. More requests in flight\n")
	b.WriteString("  overlap only the work outside that mutex (client, network, decoding, the answer) and queue for\n")
	b.WriteString("  the rest, so their latency grows with the queue and changes/s barely moves; Kafka's controller\n")
	b.WriteString("  appends the next change while earlier ones await commit.\n")
	b.WriteString("- Every change costs more CPU the more topics the cluster holds, which is why every phase starts\n")
	fmt.Fprintf(b, "  on a fresh quorum with %d topics (the last column shows how many there were at the end). On every\n", metaWarmup+1)
	b.WriteString("  applied change each node's broker walks every topic of the image and resolves its config\n")
	b.WriteString("  (`broker.reconcile` -> `syncTopic` -> `config.ResolveTopic`: 75% of the CPU in a profile of one node),\n")
	b.WriteString("  on the raft goroutine. A probe outside this runner on 2026-12-04 (3 controllers, topics added 100\n")
	b.WriteString("  per CreateTopics between steps, one request in flight for 3 s at each step) measured 79 changes/s\n")
	b.WriteString("  (p50 11 ms, 13 ms of CPU per change) at 238 topics and 6 changes/s (p50 149 ms, p99 747 ms, 122 ms\n")
	b.WriteString("  of CPU per change) at 1,256; a 100-topic CreateTopics took 6.6 s at 500 topics and 14 s at 1,000,\n")
	b.WriteString("  and from about 2,000 topics the forwarding brokers gave up after 30 s. Meanwhile the active\n")
	b.WriteString("  controller fenced every broker, its own included, again and again: BrokerHeartbeat waits for the\n")
	b.WriteString("  same mutex past `broker.session.timeout.ms`.\n")
	b.WriteString("- Replication factor 1: the partition's data lives on one broker; issue 12 moves only metadata.\n")
	fmt.Fprintf(b, "- Failover: CreateTopics requests sent until one was acknowledged, median %.0f, max %.0f. A request\n", median(attempts), maxOf(attempts))
	b.WriteString("  to a survivor waits there while no controller is active (the survivor forwards it and retries\n")
	b.WriteString("  NOT_CONTROLLER), so the committed time is the cluster's, not the runner's retry pace.\n\n")
}

func maxOf(vs []float64) float64 {
	var m float64
	for _, v := range vs {
		m = max(m, v)
	}
	return m
}

func minOf(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	m := vs[0]
	for _, v := range vs[1:] {
		m = min(m, v)
	}
	return m
}
