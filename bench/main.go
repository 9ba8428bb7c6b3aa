package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// settings are the knobs of one benchmark run; the report prints them.
type settings struct {
	Duration      time.Duration // each timed produce phase
	Warmup        int           // untimed records produced first, per config
	InFlightBytes int           // producer buffer: records in flight = this / value size
	Requests      int           // produce requests in flight per broker connection, at most
	Linger        time.Duration
	Runs          int           // measurements per config and target; the report shows medians
	Match         string        // only configs whose name contains this
	Observe       bool          // start Gofka with its metrics listener (allocations per record)
	ProfileDir    string        // save Gofka CPU and allocation profiles here
	DiskProbe     time.Duration // length of each raw append probe
	Idle          time.Duration // idle pause before reading idle RSS
	StartRuns     int           // cold starts per target
	RawConns      int           // raw produce driver: connections
	RawDepth      int           // raw produce driver: requests in flight per connection
	RawReqBytes   int           // raw produce driver: value bytes per request, split over the partitions
	WarmMemory    int64         // bytes of memory touched and freed before each phase that writes (memwarm.go)
	MetaDuration  time.Duration // each timed CreateTopics phase of the metadata phase
	MetaClients   int           // concurrent CreateTopics clients in the second metadata phase
	MetaKills     int           // SIGKILLs of the active controller per run of the 3-node quorum
	KeepCluster   bool          // skip the metadata and replication phases, keep their old sections
	HalfRate      float64       // records/s of every target's half-load phase; 0: half the target's own saturation rate
	HalfDuration  time.Duration // length of the half-load phase; 0: Duration
	BothAfter     []string      // -quick-both: steps run between the warm-up records and the both phase (bothafter.go)
}

// peerFlags collects repeated -peer flags.
type peerFlags []string

func (p *peerFlags) String() string     { return strings.Join(*p, " ") }
func (p *peerFlags) Set(v string) error { *p = append(*p, v); return nil }

func main() {
	var s settings
	var peers peerFlags
	out := flag.String("out", "docs/benchmarks.md", "markdown report to write (the PNG charts go beside it)")
	flag.DurationVar(&s.Duration, "duration", 3*time.Second, "length of each timed produce phase (produce only; produce and consume)")
	flag.IntVar(&s.Warmup, "warmup", 20_000, "untimed records produced before the timed phases of each config")
	flag.IntVar(&s.InFlightBytes, "inflight-bytes", 4<<20, "producer buffer in value bytes (kgo MaxBufferedRecords = this / value size)")
	flag.IntVar(&s.Requests, "requests", 5, "maximum produce requests in flight per broker (kgo MaxProduceRequestsInflightPerBroker)")
	flag.DurationVar(&s.Linger, "linger", 0, "producer linger (kgo ProducerLinger; kgo's own default is 10ms)")
	flag.IntVar(&s.Runs, "runs", 3, "runs of every config per target (the report shows medians)")
	flag.StringVar(&s.Match, "match", "", "only run configs whose name contains this, e.g. \"1 KiB, acks=1\"")
	flag.BoolVar(&s.Observe, "observe", true, "start Gofka with gofka.metrics.listen on, to report its heap allocations per record")
	flag.StringVar(&s.ProfileDir, "profile", "", "save Gofka CPU and allocation profiles of every phase in this dir (turns on gofka.pprof.enable)")
	flag.DurationVar(&s.DiskProbe, "disk-probe", 3*time.Second, "length of each raw file-append probe")
	flag.DurationVar(&s.Idle, "idle", 3*time.Second, "idle pause before idle RSS is read")
	flag.IntVar(&s.StartRuns, "start-runs", 3, "cold starts per target (the report shows the median)")
	flag.IntVar(&s.RawConns, "raw-conns", 2, "raw produce driver: TCP connections")
	flag.IntVar(&s.RawDepth, "raw-depth", 4, "raw produce driver: requests in flight per connection (acks=1/all)")
	flag.IntVar(&s.RawReqBytes, "raw-request-bytes", 512<<10, "raw produce driver: value bytes per request, one batch per partition of an equal share")
	flag.Int64Var(&s.WarmMemory, "warm-memory", 8<<30, "bytes of memory to touch and free before each phase that writes (raw produce; raw both; kgo produce; half load; both) of every config, so each target starts them with the same pool of recently used pages (0: off)")
	flag.DurationVar(&s.MetaDuration, "meta-duration", 5*time.Second, "length of each timed CreateTopics phase of the metadata phase")
	flag.IntVar(&s.MetaClients, "meta-clients", 8, "metadata phase: concurrent CreateTopics clients, one request in flight each (a phase with one client runs first)")
	flag.IntVar(&s.MetaKills, "meta-kills", 4, "metadata phase: SIGKILLs of the active controller per run of the 3-controller quorum")
	replication := flag.Bool("replication", false, "only the replication phase (acks=all produce to 1 node with RF=1 and to 3 with RF=3), -runs times; rewrites only its section of -out")
	metadata := flag.Bool("metadata", false, "only the metadata phase (quorums of 1 and 3 gofka processes), -runs times; rewrites only its section of -out")
	quick := flag.Bool("quick", false, "only the kgo produce phases of each config (saturation, then half that rate), -runs times per target, printed with the medians of throughput, server CPU per GB and half-load p99 and the Gofka/peer ratios; no report (an A/B check of the produce path)")
	quickRaw := flag.Bool("quick-raw", false, "like -quick with the raw produce driver in place of kgo")
	quickBoth := flag.Bool("quick-both", false, "like -quick with the kgo both phase (a kgo consumer tails while the kgo producer runs) in place of the produce phases: medians of throughput, server CPU per GB, the tailer's Fetch responses per GB and the server's context switches per GB (an A/B check of the fetch wake-up path)")
	flag.DurationVar(&s.HalfDuration, "half-duration", 10*time.Second, "length of the half-load phase, whose p99 is judged: the slowest 1% of a 3 s phase is 30 ms of records, one stall of a shared machine (0: -duration)")
	flag.Float64Var(&s.HalfRate, "half-rate", 0, "pace every target's half-load phase at this many records/s instead of half the rate its own saturation phase reached (0), to compare latency at the same offered load")
	bothAfter := flag.String("both-after", "", "with -quick-both: steps to run on the server between the warm-up records and the both phase, space-separated, of "+strings.Join(bothSteps, ", ")+"; \"raw-produce raw-both warm produce half consume raw-fetch\" is the full run's order without its warm-up before both")
	flag.BoolVar(&s.KeepCluster, "keep-cluster", false, "skip the metadata and replication phases and keep their sections of -out as they are (a run of the broker matrix alone)")
	commit := flag.String("commit", "", "Gofka commit to name in the report (default: git describe --always --dirty)")
	flag.Var(&peers, "peer", "another peer, name=binary[,arg...]; args may use {addr}, {port} and {dir} (repeatable)")
	flag.Parse()
	s.BothAfter = strings.Fields(*bothAfter)
	if err := checkBothAfter(s.BothAfter); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if s.ProfileDir != "" {
		s.Observe = true
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch {
	case *metadata:
		err = runMetadata(ctx, s, *commit, *out)
	case *replication:
		err = runReplication(ctx, s, *commit, *out)
	default:
		kind := quickOff
		switch {
		case *quickBoth:
			kind = quickBothKind
		case *quickRaw:
			kind = quickRawKind
		case *quick:
			kind = quickKgoKind
		}
		err = run(ctx, s, peers, *commit, *out, kind)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// targetResults is everything measured on one target.
type targetResults struct {
	Target  target
	Configs map[config][]configResult // one per run
	Startup []startup
}

// run builds the targets, probes the disk, measures cold starts and then
// every config on every target one after the other, and writes the report
// (with a quick kind, only quickRun).
func run(ctx context.Context, s settings, peers []string, commit, out string, quick quickKind) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	targets := []target{gofkaTarget(), kfakeTarget()}
	for _, p := range peers {
		t, err := peerTarget(p)
		if err != nil {
			return err
		}
		targets = append(targets, t)
	}
	tmp, err := os.MkdirTemp("", "gofka-bench")
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer os.RemoveAll(tmp)
	if s.ProfileDir != "" {
		if err := os.MkdirAll(s.ProfileDir, 0o755); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
	}
	for i := range targets {
		if err := targets[i].build(ctx, root, tmp); err != nil {
			return err
		}
	}
	if quick != quickOff {
		return quickRun(ctx, s, targets, tmp, quick)
	}
	rep := report{Machine: readMachine(), Settings: s, Date: time.Now().UTC()}
	if commit != "" {
		rep.Machine.Commit = commit
	}
	started := time.Now()
	if err := rep.probe(ctx, targets, tmp); err != nil {
		return err
	}
	if err := rep.measure(ctx, targets, tmp); err != nil {
		return err
	}
	if !s.KeepCluster {
		if err := rep.measureCluster(ctx, targets[0].binary, tmp, commit); err != nil {
			return err
		}
	}
	rep.Wall = time.Since(started)
	rep.LoadEnd = loadAvg()
	return writeOutputs(root, out, rep)
}

// measureCluster runs the metadata and replication phases.
func (rep *report) measureCluster(ctx context.Context, binary, tmp, commit string) error {
	meta, err := measureMetadata(ctx, rep.Settings, binary, tmp)
	if err != nil {
		return err
	}
	if commit != "" {
		meta.Machine.Commit = commit
	}
	rep.Meta = &meta
	repl, err := measureReplication(ctx, rep.Settings, binary, tmp)
	if err != nil {
		return err
	}
	if commit != "" {
		repl.Machine.Commit = commit
	}
	rep.Repl = &repl
	return nil
}

// runMetadata is the -metadata mode: only the metadata phase, its section
// written into the report at out in place of the old one.
func runMetadata(ctx context.Context, s settings, commit, out string) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	return metadataOnly(ctx, s, root, commit, out)
}

// runReplication is the -replication mode: only the replication phase,
// its section written into the report at out in place of the old one.
func runReplication(ctx context.Context, s settings, commit, out string) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	return replicationOnly(ctx, s, root, commit, out)
}

// probe measures the disk and every target's cold start and idle RSS.
func (rep *report) probe(ctx context.Context, targets []target, tmp string) error {
	var err error
	fmt.Println("== raw append probe")
	for _, chunk := range []int{1 << 10, 1 << 20} {
		d, perr := probeDisk(tmp, chunk, rep.Settings.DiskProbe)
		if perr != nil {
			return perr
		}
		fmt.Printf("   %7d B writes: %.0f MB/s\n", chunk, d.MBps())
		rep.Disk = append(rep.Disk, d)
	}
	rep.Results = make([]targetResults, len(targets))
	for i, t := range targets {
		rep.Results[i] = targetResults{Target: t, Configs: map[config][]configResult{}}
		for range rep.Settings.StartRuns {
			st, serr := probeStartup(ctx, t, rep.Settings, tmp)
			if serr != nil {
				return fmt.Errorf("bench: %s cold start: %w", t.Name, serr)
			}
			fmt.Printf("== %s cold start: listening %.1f ms, first ack %.1f ms, idle RSS %.1f MiB\n",
				t.Name, ms(st.Listening), ms(st.FirstAck), float64(st.IdleRSS)/(1<<20))
			rep.Results[i].Startup = append(rep.Results[i].Startup, st)
		}
	}
	return err
}

// measure runs every config on every target, targets one after the other,
// in turn first (runOrder).
func (rep *report) measure(ctx context.Context, targets []target, tmp string) error {
	s := rep.Settings
	for run := 1; run <= s.Runs; run++ {
		for _, c := range configs() {
			if !strings.Contains(c.String(), s.Match) {
				continue
			}
			for _, i := range runOrder(len(targets), run) {
				t := targets[i]
				fmt.Printf("== %s, run %d of %d: %s\n", t.Name, run, s.Runs, c)
				r, err := measureConfig(ctx, t, c, s, tmp)
				if err != nil {
					return fmt.Errorf("bench: %s, %s: %w", t.Name, c, err)
				}
				rep.Results[i].Configs[c] = append(rep.Results[i].Configs[c], r)
			}
		}
	}
	return nil
}

// writeOutputs writes the markdown report and the PNG charts beside it
// and prints the tables.
func writeOutputs(root, out string, rep report) error {
	if !filepath.IsAbs(out) {
		out = filepath.Join(root, out)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	base := strings.TrimSuffix(out, filepath.Ext(out))
	rep.Charts = []string{base + "-throughput.png", base + "-latency.png"}
	if err := rep.writeCharts(); err != nil {
		return err
	}
	for i, c := range rep.Charts {
		rep.Charts[i] = filepath.Base(c)
	}
	fmt.Println()
	fmt.Print(rep.targetsTable())
	fmt.Print(rep.throughputTable())
	md := rep.markdown()
	if rep.Settings.KeepCluster {
		old, err := os.ReadFile(out)
		if err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("bench: read report: %w", err)
		}
		md = keepSections(string(old), md, metaHeading, replHeading)
	}
	if err := os.WriteFile(out, []byte(md), 0o644); err != nil {
		return fmt.Errorf("bench: write report: %w", err)
	}
	fmt.Printf("\nwrote %s and %s\n", out, strings.Join(rep.Charts, ", "))
	return nil
}

// runOrder is the order of n targets in run (from 1): as given in odd
// runs, reversed in even ones. Each target's phases leave the machine in
// a state the next one starts from (page cache and memory freed by the
// last server, writeback still going); alternating spreads that over
// every target instead of favouring whichever always runs second.
func runOrder(n, run int) []int {
	order := make([]int, n)
	for i := range order {
		order[i] = i
		if run%2 == 0 {
			order[i] = n - 1 - i
		}
	}
	return order
}
