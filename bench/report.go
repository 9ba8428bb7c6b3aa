package main

import (
	"fmt"
	"strings"
	"time"
)

// report renders the results; Results[0] is Gofka and Results[1] the
// peer. Every value shown is the median over a target's runs.
type report struct {
	Machine  machine
	Settings settings
	Results  []series
	Chart    string // file name of the PNG, relative to the report
	Date     time.Time
}

// metric is one row of a results table.
type metric struct {
	Name   string
	Better string // "higher" or "lower"
	Format string // fmt verb for one value
	Value  func(result) float64
}

// section is one results table.
type section struct {
	Title   string
	Metrics []metric
}

func (rep report) sections() []section {
	ms := func(q float64) func(result) float64 {
		return func(r result) float64 { return float64(percentile(r.Produce.Latencies, q)) / float64(time.Millisecond) }
	}
	mib := func(f func(result) int64) func(result) float64 {
		return func(r result) float64 { return float64(f(r)) / (1 << 20) }
	}
	s := rep.Settings
	return []section{
		{fmt.Sprintf("Produce: %d records of %d B, acks=1, %d partitions", s.Records, s.ValueSize, s.Partitions), []metric{
			{"records/s", "higher", "%.0f", func(r result) float64 { return perSec(r.Produce.Records, r.Produce.Elapsed) }},
			{"MB/s", "higher", "%.1f", produceMBps},
			{"latency p50 (ms)", "lower", "%.2f", ms(0.50)},
			{"latency p99 (ms)", "lower", "%.2f", ms(0.99)},
			{"latency p99.9 (ms)", "lower", "%.2f", ms(0.999)},
			{"server CPU (s)", "lower", "%.2f", func(r result) float64 { return r.CPUProd.Seconds() }},
			{"load driver CPU (s)", "-", "%.2f", func(r result) float64 { return r.DrvProd.Seconds() }},
		}},
		{fmt.Sprintf("Consume from the start: %d records, one consumer", s.Warmup+s.Records), []metric{
			{"records/s", "higher", "%.0f", func(r result) float64 { return perSec(r.Consume.Records, r.Consume.Elapsed) }},
			{"MB/s", "higher", "%.1f", consumeMBps},
			{"server CPU (s)", "lower", "%.2f", func(r result) float64 { return r.CPUCons.Seconds() }},
			{"load driver CPU (s)", "-", "%.2f", func(r result) float64 { return r.DrvCons.Seconds() }},
		}},
		{"Server process over the whole run", []metric{
			{"peak RSS, VmHWM (MiB)", "lower", "%.1f", mib(func(r result) int64 { return r.Mem.HWM })},
			{"RSS at the end, VmRSS (MiB)", "lower", "%.1f", mib(func(r result) int64 { return r.EndRSS })},
			{"data dir after shutdown (MiB)", "-", "%.1f", mib(func(r result) int64 { return r.DiskSize })},
		}},
	}
}

// table renders every section as a markdown table.
func (rep report) table() string {
	var b strings.Builder
	for _, sec := range rep.sections() {
		fmt.Fprintf(&b, "### %s\n\n", sec.Title)
		b.WriteString(rep.header())
		for _, m := range sec.Metrics {
			b.WriteString(rep.row(m))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func (rep report) header() string {
	names := make([]string, len(rep.Results))
	for i, r := range rep.Results {
		names[i] = r.Target.Name
	}
	if len(names) == 2 {
		names = append(names, names[0]+"/"+names[1])
	}
	return "| metric | better | " + strings.Join(names, " | ") + " |\n" +
		"| --- | --- |" + strings.Repeat(" ---: |", len(names)) + "\n"
}

func (rep report) row(m metric) string {
	var b strings.Builder
	fmt.Fprintf(&b, "| %s | %s |", m.Name, m.Better)
	for _, s := range rep.Results {
		fmt.Fprintf(&b, " "+m.Format+" |", s.median(m.Value))
	}
	if len(rep.Results) == 2 {
		b.WriteString(" " + ratio(rep.Results[0].median(m.Value), rep.Results[1].median(m.Value)) + " |")
	}
	return b.String() + "\n"
}

// ratio formats a/b, or "-" when b is zero.
func ratio(a, b float64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", a/b)
}
