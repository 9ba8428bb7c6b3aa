package main

import (
	"bytes"
	"context"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
)

// tinyRun is a run small enough for a test.
var tinyRun = settings{Records: 1000, Warmup: 100, ValueSize: 1024, Partitions: 6, InFlight: 64, Requests: 5, Runs: 1}

// TestDriverInProcess runs the load driver against an in-process Gofka
// node: topic, produce with acks=1, consume everything back.
func TestDriverInProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a broker")
	}
	c := gofkatest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := createTopic(ctx, c.Addr(), benchTopic, tinyRun.Partitions); err != nil {
		t.Fatal(err)
	}
	p, err := newProducer(c.Addr(), benchTopic, tinyRun)
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	pr, err := p.run(ctx, tinyRun.Records)
	if err != nil {
		t.Fatal(err)
	}
	if len(pr.Latencies) != tinyRun.Records || pr.Bytes != int64(tinyRun.Records*tinyRun.ValueSize) {
		t.Fatalf("produce result: %d latencies, %d bytes", len(pr.Latencies), pr.Bytes)
	}
	cr, err := consumeAll(ctx, c.Addr(), benchTopic, tinyRun.Records)
	if err != nil {
		t.Fatal(err)
	}
	if cr.Bytes != pr.Bytes {
		t.Fatalf("consumed %d bytes, produced %d", cr.Bytes, pr.Bytes)
	}
}

// TestKfakePeer builds bench/kfakepeer and measures it end to end through
// the same path as the real run: process, driver, /proc sampling, SIGTERM.
func TestKfakePeer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs kfakepeer")
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	tg := kfakeTarget()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := tg.build(ctx, root, tmp); err != nil {
		t.Fatal(err)
	}
	r, err := measure(ctx, tg, tinyRun, tmp)
	if err != nil {
		t.Fatal(err)
	}
	if r.Consume.Records != tinyRun.Records+tinyRun.Warmup || r.Mem.HWM == 0 || r.EndRSS == 0 || r.DiskSize == 0 {
		t.Fatalf("result: %d consumed, HWM %d, end RSS %d, disk %d", r.Consume.Records, r.Mem.HWM, r.EndRSS, r.DiskSize)
	}
	if r.Exit != "clean exit on SIGTERM" {
		t.Errorf("exit: %s", r.Exit)
	}
}

func TestParseStat(t *testing.T) {
	tests := []struct {
		line string
		want time.Duration
	}{
		{"42 (gofka) S 1 42 42 0 -1 4194560 100 0 0 0 150 25 0 0 20 0 8 0 1000 1 1 1", 1750 * time.Millisecond},
		{"7 (a) b (c)) R 1 7 7 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 5 1 1", 70 * time.Millisecond},
	}
	for _, tt := range tests {
		got, err := parseStat([]byte(tt.line))
		if err != nil || got != tt.want {
			t.Errorf("parseStat(%q) = %v, %v; want %v", tt.line, got, err, tt.want)
		}
	}
	if _, err := parseStat([]byte("1 (x) S 1")); err == nil {
		t.Error("short stat line: no error")
	}
}

func TestParseStatus(t *testing.T) {
	in := "Name:\tgofka\nVmPeak:\t 999 kB\nVmHWM:\t    2048 kB\nVmRSS:\t    1024 kB\nThreads:\t8\n"
	got, err := parseStatus([]byte(in))
	if err != nil || got != (memStatus{HWM: 2 << 20, RSS: 1 << 20}) {
		t.Errorf("parseStatus = %+v, %v", got, err)
	}
	if _, err := parseStatus([]byte("Name:\tx\n")); err == nil {
		t.Error("no Vm lines: no error")
	}
}

func TestAxisScale(t *testing.T) {
	tests := []struct {
		max, top, step float64
	}{
		{786.6, 1000, 200},
		{80, 100, 20},
		{4.2, 5, 1},
		{0, 1, 0.2},
	}
	for _, tt := range tests {
		top, step := axisScale([]barGroup{{Values: []float64{tt.max / 2, tt.max}}})
		if top != tt.top || step != tt.step {
			t.Errorf("axisScale(%v) = %v, %v; want %v, %v", tt.max, top, step, tt.top, tt.step)
		}
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		secs []float64
		want float64
	}{
		{nil, 0},
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 2, 3}, 2.5},
	}
	for _, tt := range tests {
		var s series
		for _, v := range tt.secs {
			s.Runs = append(s.Runs, result{CPUProd: time.Duration(v * float64(time.Second))})
		}
		if got := s.median(func(r result) float64 { return r.CPUProd.Seconds() }); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.secs, got, tt.want)
		}
	}
}

// TestReport renders the report and chart from made-up results.
func TestReport(t *testing.T) {
	mk := func(name string, d time.Duration) result {
		tg := target{Name: name}
		return result{
			Target:  tg,
			Produce: produceResult{Records: 1000, Bytes: 1 << 20, Elapsed: d, Latencies: []time.Duration{time.Millisecond}},
			Consume: consumeResult{Records: 1000, Bytes: 1 << 20, Elapsed: d / 2},
			Mem:     memStatus{HWM: 10 << 20},
			Exit:    "clean exit on SIGTERM",
		}
	}
	rep := report{Settings: tinyRun, Chart: "x.png", Results: []series{
		{Target: target{Name: "Gofka"}, Runs: []result{mk("Gofka", time.Second), mk("Gofka", 3*time.Second), mk("Gofka", 900*time.Millisecond)}},
		{Target: target{Name: "kfake"}, Runs: []result{mk("kfake", 2*time.Second)}},
	}}
	md := rep.markdown()
	for _, want := range []string{"| records/s | higher | 1000 | 500 | 2.00 |", "![Produce and consume throughput, MB/s](x.png)", "## Notes"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	var buf bytes.Buffer
	img := drawBarChart("throughput", "sub", []string{"Gofka", "kfake"}, []barGroup{{"produce", []float64{1, 2}}})
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(&buf); err != nil {
		t.Fatal(err)
	}
}

// TestGlyphs checks that every character the chart draws has a glyph.
func TestGlyphs(t *testing.T) {
	for _, r := range strings.ToUpper("throughput, MB/s (higher is better) produce consume Gofka kfake 0123456789.-=;:") {
		if _, ok := glyphs[r]; !ok && r != ' ' {
			t.Errorf("no glyph for %q", r)
		}
	}
}
