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
	Records    int // timed records per target
	Warmup     int // untimed records produced first
	ValueSize  int // bytes per record value
	Partitions int32
	InFlight   int // records produced but not yet acknowledged, at most
	Requests   int // produce requests in flight per broker connection, at most
	Linger     time.Duration
	Runs       int // measurements per target, interleaved between targets
}

func main() {
	var s settings
	out := flag.String("out", "docs/benchmarks.md", "markdown report to write (the PNG chart goes beside it)")
	flag.IntVar(&s.Records, "records", 1_000_000, "records to produce and consume per target (after the warm-up)")
	flag.IntVar(&s.Warmup, "warmup", 20_000, "untimed records produced before the timed run")
	flag.IntVar(&s.ValueSize, "value-size", 1024, "record value size in bytes (random bytes)")
	flag.IntVar(&s.InFlight, "inflight", 1024, "maximum records in flight (produced, not yet acknowledged)")
	flag.IntVar(&s.Requests, "requests", 5, "maximum produce requests in flight per broker (kgo MaxProduceRequestsInflightPerBroker)")
	flag.DurationVar(&s.Linger, "linger", 0, "producer linger (kgo ProducerLinger; kgo's own default is 10ms)")
	flag.IntVar(&s.Runs, "runs", 5, "runs per target (targets alternate; the report shows medians)")
	partitions := flag.Int("partitions", 6, "partitions of the benchmark topic")
	flag.Parse()
	s.Partitions = int32(*partitions)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, s, *out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run builds both targets, measures them one after the other and writes
// the report and chart.
func run(ctx context.Context, s settings, out string) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "gofka-bench")
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer os.RemoveAll(tmp)

	targets := []target{gofkaTarget(), kfakeTarget()}
	for i := range targets {
		if err := targets[i].build(ctx, root, tmp); err != nil {
			return err
		}
	}
	machine := readMachine()
	results := make([]series, len(targets))
	for run := 1; run <= s.Runs; run++ {
		for i, t := range targets {
			fmt.Printf("== %s, run %d of %d: %d records of %d bytes, %d partitions, acks=1\n",
				t.Name, run, s.Runs, s.Records, s.ValueSize, s.Partitions)
			r, err := measure(ctx, t, s, tmp)
			if err != nil {
				return fmt.Errorf("bench: %s: %w", t.Name, err)
			}
			results[i].Target = t
			results[i].Runs = append(results[i].Runs, r)
		}
	}
	return writeOutputs(root, out, machine, s, results)
}

// writeOutputs writes the markdown report and the PNG chart beside it and
// prints the table.
func writeOutputs(root, out string, m machine, s settings, results []series) error {
	if !filepath.IsAbs(out) {
		out = filepath.Join(root, out)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	png := strings.TrimSuffix(out, filepath.Ext(out)) + "-throughput.png"
	sub := fmt.Sprintf("median of %d runs; %d records of %d B, acks=1, %d partitions, %d in flight; %s",
		s.Runs, s.Records, s.ValueSize, s.Partitions, s.InFlight, m.Commit)
	if err := writeChart(png, sub, results); err != nil {
		return err
	}
	rep := report{Machine: m, Settings: s, Results: results, Chart: filepath.Base(png), Date: time.Now().UTC()}
	fmt.Println()
	fmt.Print(rep.table())
	if err := os.WriteFile(out, []byte(rep.markdown()), 0o644); err != nil {
		return fmt.Errorf("bench: write report: %w", err)
	}
	fmt.Printf("\nwrote %s and %s\n", out, png)
	return nil
}
