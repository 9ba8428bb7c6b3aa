package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
)

// tinyRun is a run small enough for a test.
var tinyRun = settings{Duration: 300 * time.Millisecond, Warmup: 100, InFlightBytes: 256 << 10, Requests: 5, Runs: 1, Observe: true, StartRuns: 1, Idle: 10 * time.Millisecond, DiskProbe: 50 * time.Millisecond,
	RawConns: 2, RawDepth: 3, RawReqBytes: 48 << 10}

var tinyConfig = config{Size: 1024, Acks: -1, Partitions: 6}

// TestDriverInProcess runs the load driver against an in-process Gofka
// node: produce, consume everything back, produce while tailing.
func TestDriverInProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a broker")
	}
	c := gofkatest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := createTopic(ctx, c.Addr(), benchTopic, tinyConfig.Partitions); err != nil {
		t.Fatal(err)
	}
	p, err := newProducer(c.Addr(), benchTopic, tinyConfig, tinyRun)
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	pr, err := p.produceDuration(ctx, tinyRun.Duration)
	if err != nil {
		t.Fatal(err)
	}
	if pr.Records == 0 || pr.Produce.Count != uint64(pr.Records) || pr.Bytes != int64(pr.Records*tinyConfig.Size) {
		t.Fatalf("produce result: %+v", pr)
	}
	// The final wait for acknowledgements always counts as blocked.
	if pr.Blocked <= 0 || pr.Blocked > pr.Stalled || pr.Stalled > pr.Elapsed {
		t.Fatalf("stalls: blocked %v, stalled %v, elapsed %v", pr.Blocked, pr.Stalled, pr.Elapsed)
	}
	cr, err := consumeAll(ctx, c.Addr(), benchTopic, pr.Records)
	if err != nil {
		t.Fatal(err)
	}
	if cr.Bytes != pr.Bytes {
		t.Fatalf("consumed %d bytes, produced %d", cr.Bytes, pr.Bytes)
	}
	rr, err := rawFetchAll(ctx, c.Addr(), benchTopic, tinyConfig.Partitions, pr.Records, tinyConfig.Size)
	if err != nil || rr.Bytes != pr.Bytes {
		t.Fatalf("raw fetch: %+v, %v", rr, err)
	}
	br, err := produceAndConsume(ctx, c.Addr(), p, tinyRun.Duration)
	if err != nil {
		t.Fatal(err)
	}
	if br.E2E.Count != uint64(br.Records) || br.E2E.P50 <= 0 {
		t.Fatalf("both: %d records, e2e %+v", br.Records, br.E2E)
	}
	if br.Fetches == 0 || br.FetchBytes < int64(br.Bytes) {
		t.Fatalf("both: %d fetch responses of %d bytes for %d value bytes", br.Fetches, br.FetchBytes, br.Bytes)
	}
	if contextSwitches(os.Getpid()) <= 0 {
		t.Fatal("no context switches read from /proc")
	}
}

// TestTargetsEndToEnd builds Gofka and kfakepeer and measures a config
// and a cold start on each through the same path as the real run.
func TestTargetsEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the targets")
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for _, tg := range []target{gofkaTarget(), kfakeTarget()} {
		if err := tg.build(ctx, root, tmp); err != nil {
			t.Fatal(err)
		}
		r, err := measureConfig(ctx, tg, tinyConfig, tinyRun, tmp)
		if err != nil {
			t.Fatal(err)
		}
		cons := r.Phases[modeConsume]
		if cons.Records != tinyRun.Warmup+r.Phases[modeProduce].Records+r.Phases[modeHalf].Records || r.Phases[modeHalf].Produce.Count == 0 || r.HWM == 0 || r.Phases[modeBoth].E2E.Count == 0 {
			t.Fatalf("%s: %+v", tg.Name, r)
		}
		if rp := r.Phases[modeRawProduce]; rp.Records == 0 || rp.Landed != int64(rp.Records) {
			t.Errorf("%s: raw produce %d records acknowledged, %d landed", tg.Name, rp.Records, rp.Landed)
		}
		if rb := r.Phases[modeRawBoth]; rb.Records == 0 || rb.Elapsed == 0 {
			t.Errorf("%s: raw both: %+v", tg.Name, rb)
		}
		if (tg.observe != nil) != (r.Phases[modeProduce].Allocs >= 0) {
			t.Errorf("%s: allocs/record %v", tg.Name, r.Phases[modeProduce].Allocs)
		}
		if r.Exit != "clean exit on SIGTERM" {
			t.Errorf("%s exit: %s", tg.Name, r.Exit)
		}
		for _, phase := range []func(context.Context, target, config, settings, string) (quickResult, error){quickRaw, quickKgo, quickBoth} {
			q, err := phase(ctx, tg, tinyConfig, tinyRun, tmp)
			if err != nil {
				t.Fatal(err)
			}
			if q.MBps <= 0 || q.CPUPerGB < 0 || q.FetchPerGB < 0 {
				t.Errorf("%s: quick produce: %+v", tg.Name, q)
			}
		}
		after := tinyRun
		after.BothAfter = bothSteps // every step the full run puts before both
		if q, err := quickBoth(ctx, tg, tinyConfig, after, tmp); err != nil || q.MBps <= 0 {
			t.Fatalf("%s: quick both after %v: %+v, %v", tg.Name, bothSteps, q, err)
		}
		st, err := probeStartup(ctx, tg, tinyRun, tmp)
		if err != nil {
			t.Fatal(err)
		}
		if st.FirstAck < st.Listening || st.IdleRSS == 0 {
			t.Errorf("%s startup: %+v", tg.Name, st)
		}
	}
}

// TestRawProduceInProcess sends a few raw ProduceRequests with every acks
// setting to an in-process Gofka node and checks that the records
// acknowledged are exactly the records the end offsets count.
func TestRawProduceInProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a broker")
	}
	c := gofkatest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tests := []struct {
		acks       int16
		partitions int32
		size       int
	}{
		{-1, 3, 100},
		{1, 1, 1024},
		{0, 2, 100},
	}
	for _, tt := range tests {
		topic := fmt.Sprintf("raw-acks%d", tt.acks)
		if err := createTopic(ctx, c.Addr(), topic, tt.partitions); err != nil {
			t.Fatal(err)
		}
		o := rawOptions{Conns: 2, Depth: 3, BatchBytes: 4 << 10, MaxRequests: 9}
		req, err := buildRawRequest(topic, tt.partitions, tt.size, tt.acks, o, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		r, err := rawProduce(ctx, c.Addr(), req, tt.size, o)
		if err != nil {
			t.Fatalf("acks=%d: %v", tt.acks, err)
		}
		want := 9 * batchRecords(o.BatchBytes, tt.size) * int(tt.partitions)
		if r.Records != want || r.Bytes != int64(want*tt.size) || (tt.acks != 0 && r.Produce.Count != 9) {
			t.Fatalf("acks=%d: %d records, %d requests timed; want %d records", tt.acks, r.Records, r.Produce.Count, want)
		}
		landed, err := endOffsetsSum(ctx, c.Addr(), topic, int64(want))
		if err != nil || landed != int64(want) {
			t.Fatalf("acks=%d: end offsets sum to %d (%v), want %d", tt.acks, landed, err, want)
		}
	}
}

func TestCountBatches(t *testing.T) {
	batch := func(base int64, lastDelta, n int32, extra int) []byte {
		b := make([]byte, batchHeaderLen+extra)
		binary.BigEndian.PutUint64(b, uint64(base))
		binary.BigEndian.PutUint32(b[batchLengthOff:], uint32(len(b)-12))
		binary.BigEndian.PutUint32(b[batchLastDeltaOff:], uint32(lastDelta))
		binary.BigEndian.PutUint32(b[batchNumRecordsOff:], uint32(n))
		return b
	}
	two := append(batch(10, 4, 5, 100), batch(15, 2, 3, 7)...)
	tests := []struct {
		name    string
		b       []byte
		records int
		next    int64
	}{
		{"none", nil, 0, 7},
		{"two", two, 8, 18},
		{"partial tail", append(two, batch(18, 0, 1, 50)[:40]...), 8, 18},
	}
	for _, tt := range tests {
		n, next := countBatches(tt.b, 7)
		if n != tt.records || next != tt.next {
			t.Errorf("%s: countBatches = %d, %d; want %d, %d", tt.name, n, next, tt.records, tt.next)
		}
	}
}

func TestProbeDisk(t *testing.T) {
	d, err := probeDisk(t.TempDir(), 1024, 20*time.Millisecond)
	if err != nil || d.Bytes == 0 || d.Bytes%1024 != 0 || d.MBps() <= 0 {
		t.Fatalf("probeDisk = %+v, %v", d, err)
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
		if err != nil || got.Total() != tt.want {
			t.Errorf("parseStat(%q) = %v, %v; want %v", tt.line, got, err, tt.want)
		}
	}
	if got, _ := parseStat([]byte(tests[0].line)); got.User != 1500*time.Millisecond || got.Sys != 250*time.Millisecond {
		t.Errorf("user/sys split: %+v", got)
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
		vs   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 2, 3}, 2.5},
	}
	for _, tt := range tests {
		if got := median(tt.vs); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.vs, got, tt.want)
		}
	}
}

func TestHistogram(t *testing.T) {
	var h histogram
	if h.quantile(0.5) != 0 {
		t.Fatal("empty histogram: quantile not 0")
	}
	for i := 1; i <= 1000; i++ {
		h.record(time.Duration(i) * time.Microsecond)
	}
	h.record(-time.Second)
	tests := []struct {
		q    float64
		want time.Duration
	}{
		{0, 0},
		{0.5, 500 * time.Microsecond},
		{0.99, 990 * time.Microsecond},
		{1, 1000 * time.Microsecond},
	}
	for _, tt := range tests {
		got := h.quantile(tt.q)
		if diff := got - tt.want; diff < -tt.want/25 || diff > tt.want/25 {
			t.Errorf("quantile(%v) = %v, want %v within 4%%", tt.q, got, tt.want)
		}
	}
	for _, v := range []uint64{0, 63, 64, 65, 1000, 1 << 20, 1<<40 + 12345} {
		i := histIndex(v)
		if i >= histBucket || (v >= histLinear && histIndex(histValue(i)) != i) {
			t.Errorf("bucket %d of %d does not hold its own middle %d", i, v, histValue(i))
		}
	}
}

func TestPeerTarget(t *testing.T) {
	tg, err := peerTarget("redpanda=/bin/rp,start,--kafka-addr={addr},--data={dir},-p,{port}")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(tg.argsFor("127.0.0.1:9999", "/d"), " ")
	if tg.Name != "redpanda" || tg.binary != "/bin/rp" || got != "start --kafka-addr=127.0.0.1:9999 --data=/d -p 9999" {
		t.Errorf("peer: %s %s %q", tg.Name, tg.binary, got)
	}
	for _, bad := range []string{"x", "=bin", "name="} {
		if _, err := peerTarget(bad); err == nil {
			t.Errorf("peerTarget(%q): no error", bad)
		}
	}
}

func TestParseMetric(t *testing.T) {
	in := "# HELP go_memstats_mallocs_total x\ngo_memstats_mallocs_total 1.5e+06\ngo_memstats_frees_total 3\n"
	if got := parseMetric(strings.NewReader(in), "go_memstats_mallocs_total"); got != 1.5e6 {
		t.Errorf("parseMetric = %v", got)
	}
	if got := parseMetric(strings.NewReader(in), "nope"); got != -1 {
		t.Errorf("absent metric = %v", got)
	}
}

// TestReport renders the report and charts from made-up results.
func TestReport(t *testing.T) {
	mk := func(d time.Duration, hwm int64) configResult {
		ph := phaseResult{Records: 1000, Bytes: 1 << 20, Elapsed: d, CPU: d / 2, Allocs: 0.5, Landed: 1000,
			Driver: d, Requests: 10, Stalled: d / 4, Blocked: d / 10,
			Produce: latencies{P50: time.Millisecond, P99: 2 * time.Millisecond, P999: 3 * time.Millisecond},
			Wire:    wireLatencies{Answer: latencies{P99: 1500 * time.Microsecond}}}
		return configResult{Phases: [numModes]phaseResult{ph, ph, ph, ph, ph, ph, ph}, HWM: hwm, Exit: "clean exit on SIGTERM"}
	}
	lost := mk(3*time.Second, 10<<20)
	lost.Phases[modeRawProduce].Landed = 999
	c := configs()[0]
	rep := report{Settings: tinyRun, Charts: []string{filepath.Join(t.TempDir(), "t.png"), filepath.Join(t.TempDir(), "l.png")},
		Disk: []diskProbe{{Chunk: 1024, Bytes: 1e9, Elapsed: time.Second}},
		Results: []targetResults{
			{Target: target{Name: "Gofka"}, Configs: map[config][]configResult{c: {mk(time.Second, 30<<20), lost, mk(900*time.Millisecond, 1)}},
				Startup: []startup{{Listening: time.Millisecond, FirstAck: 50 * time.Millisecond, IdleRSS: 10 << 20}}},
			{Target: target{Name: "kfake"}, Configs: map[config][]configResult{c: {mk(2*time.Second, 70<<20)}}},
		}}
	if err := rep.writeCharts(); err != nil {
		t.Fatal(err)
	}
	md := rep.markdown()
	for _, want := range []string{
		"| 100 B, acks=1, 1p, produce | 1000 | 1.0 | 500 | 0.5 | 2.00 pass |",
		"| 100 B, acks=1, 1p, both | 1.00 / 2.00 / 3.00 | 1.00 / 2.00 / 3.00 |",
		"| cold start: exec to first acknowledged produce | 50.0 ms | < 100 ms | pass |",
		"| broker peak RSS at saturation (VmHWM, worst config) | 30.0 MiB (100 B, acks=1, 1p) | < 64 MiB | pass |",
		"| consume from page cache, kgo consumer (best 1 KiB consume scenario) | - | >= 1000 MB/s | not measured |",
		"| 100 B, acks=1, 1p | 1.0 | 1.0 | 476.84 | 0.5 | 0.5 | 953.67 | 2.00 pass |",
		"| 100 B, acks=1, 1p | 1.0 | 1000 | 1.0 | 1.00 / 2.00 / 3.00 | 476.84 | 0.5 | 500 | 0.5 | 1.00 / 2.00 / 3.00 | 953.67 | 2.00 pass | 2.00 pass |",
		"| raw produce: acknowledged records all land (end offsets sum = acks, every run and target) | 4 phases checked; Gofka 100 B, acks=1, 1p: 1000 acknowledged, end offsets 999 | equal in all | **fail** |",
		"| Gofka/kfake throughput, every scenario, judged on the raw drivers (worst shown) | 2.00 (100 B, acks=1, 1p, raw produce); 3 of 3 pass | >= 1.50 in all | pass |",
		"- Raw produce, Gofka/kfake: 2.00 to 2.00 (median 2.00) over the configs.",
		"every produce ratio reaches 1.5x",
		"## Notes",
		"| server CPU s/GB, Gofka/kfake, every kgo scenario (worst shown) | 0.50 (100 B, acks=1, 1p, produce); 3 of 3 pass | <= 0.60 in all | pass |",
		"| produce p99 at half the saturation rate, kgo, every config (worst shown) | 2.00 ms (100 B, acks=1, 1p); 1 of 1 pass | < 5 ms in all | pass |",
		"| 100 B, acks=1, 1p | 1000 | 1.00 / 2.00 / 3.00 | 1.50 | 476.84 | 500 | 1.00 / 2.00 / 3.00 | 1.50 | 953.67 |",
		"| 100 B, acks=1, 1p | 953.67 | 100 | 25% (10%) | 1907.35 | 100 | 25% (10%) | 2.00 pass | 1.33 |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	for _, path := range rep.Charts {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := png.Decode(f); err != nil {
			t.Error(err)
		}
		f.Close()
	}
}

// TestGlyphs checks that every character the chart draws has a glyph.
func TestGlyphs(t *testing.T) {
	text := "throughput per scenario, MB/s (higher is better) p99 latency ms (lower) produce consume both e2e send to ack consumer run(s) Gofka kfake 100 1K AA A1 P6 0123456789.-=;:"
	for _, r := range strings.ToUpper(text) {
		if _, ok := glyphs[r]; !ok && r != ' ' {
			t.Errorf("no glyph for %q", r)
		}
	}
}

func TestRunOrder(t *testing.T) {
	if got := fmt.Sprint(runOrder(3, 1), runOrder(3, 2), runOrder(3, 3)); got != "[0 1 2] [2 1 0] [0 1 2]" {
		t.Fatalf("runOrder: %s", got)
	}
}

func TestWarmMemory(t *testing.T) {
	if availableMemory() < warmSpare+(64<<20) {
		t.Skip("not enough memory available")
	}
	n, _, err := warmMemory(64 << 20)
	if err != nil || n != 64<<20 {
		t.Fatalf("warmMemory(64 MiB) = %d, %v", n, err)
	}
	if n, _, err := warmMemory(0); n != 0 || err != nil {
		t.Fatalf("warmMemory(0) = %d, %v", n, err)
	}
}

func TestStallCeiling(t *testing.T) {
	r := phaseResult{Elapsed: 4 * time.Second, Stalled: time.Second, Blocked: 500 * time.Millisecond}
	if got := stallShare(r); got != 0.25 {
		t.Fatalf("stall share %v, want 0.25", got)
	}
	if got := blockedShare(r); got != 0.125 {
		t.Fatalf("blocked share %v, want 0.125", got)
	}
	if got := stallCeiling(stallShare(r)); got < 1.333 || got > 1.334 {
		t.Fatalf("ceiling %v, want 4/3", got)
	}
	if got := stallCeiling(1); got != 0 {
		t.Fatalf("ceiling of a loop that never ran: %v, want 0 (undefined)", got)
	}
}

func TestCheckBothAfter(t *testing.T) {
	if err := checkBothAfter(bothSteps); err != nil {
		t.Fatal(err)
	}
	if err := checkBothAfter([]string{"produce", "fetch"}); !errors.Is(err, errBadFlag) {
		t.Fatalf("unknown step: %v", err)
	}
}

func TestCPUCeiling(t *testing.T) {
	// 2 CPUs at 8 s/GB move 250 MB/s: 1.25x a peer at 200 MB/s.
	if got := cpuCeiling(2, 8, 200); got < 1.2499 || got > 1.2501 {
		t.Fatalf("ceiling %v, want 1.25", got)
	}
	if got := cpuCeiling(2, 0, 200); got != 0 {
		t.Fatalf("ceiling without a client measurement: %v, want 0", got)
	}
	cfg := config{Size: 100, Acks: 1, Partitions: 1}
	sc := scenario{config: cfg, Mode: modeProduce}
	withClient := func(drv time.Duration) targetResults {
		var cr configResult
		cr.Phases[modeProduce] = phaseResult{Bytes: 1e9, Driver: drv}
		return targetResults{Configs: map[config][]configResult{cfg: {cr}}}
	}
	rep := report{Results: []targetResults{withClient(7 * time.Second), withClient(6 * time.Second), withClient(0)}}
	if got := rep.minClientPerGB(sc); got != 6 {
		t.Fatalf("min client CPU per GB %v, want 6 (the lowest measured, unmeasured skipped)", got)
	}
}
