// Package interop drives Gofka with real non-Go Kafka clients: kcat
// (librdkafka), confluent-kafka-python, kafka-python and kafkajs. TestMain
// installs them (install.sh) when missing. Every scenario checks the data
// end to end with franz-go on the other side.
package interop

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

var updateMatrix = flag.Bool("update-matrix", false, "write the client matrix to testdata/matrix.json")

func TestMain(m *testing.M) {
	flag.Parse()
	install := exec.Command("./install.sh")
	install.Stdout, install.Stderr = os.Stderr, os.Stderr
	if err := install.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "interop: installing the clients failed:", err)
		os.Exit(1)
	}
	code := m.Run()
	if *updateMatrix && code == 0 {
		if err := results.write("testdata/matrix.json"); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

// client is one non-Go client and how to run its driver.
type client struct {
	name    string
	command []string // argv before COMMAND BOOTSTRAP TOPIC N
	has     map[string]bool
}

var clients = []client{
	{name: "confluent-kafka-python", command: []string{"/usr/bin/python3", "clients/confluent.py"},
		has: set("produce", "consume", "group", "admin", "idempotent", "txn")},
	{name: "kafka-python", command: []string{"/usr/bin/python3", "clients/kafkapython.py"},
		has: set("produce", "consume", "admin")},
	{name: "kafkajs", command: []string{"node", "js/driver.js"},
		has: set("produce", "group", "admin")},
}

func set(xs ...string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// run runs one driver command and returns its JSON lines.
func (c client) run(t *testing.T, cmd, bootstrap, topic string, n int) []map[string]any {
	t.Helper()
	return c.runEnv(t, nil, cmd, bootstrap, topic, n)
}

// runEnv is run with extra environment variables (INTEROP_CONF).
func (c client) runEnv(t *testing.T, env []string, cmd, bootstrap, topic string, n int) []map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := append(append([]string(nil), c.command[1:]...), cmd, bootstrap, topic, fmt.Sprint(n))
	x := exec.CommandContext(ctx, c.command[0], args...)
	x.Env = append(os.Environ(), env...)
	var stderr strings.Builder
	x.Stderr = &stderr
	out, err := x.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", c.name, cmd, err, stderr.String())
	}
	return jsonLines(t, out)
}

func jsonLines(t *testing.T, out []byte) []map[string]any {
	var rows []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line == "" {
			continue
		}
		var row map[string]any
		if err := json.Unmarshal([]byte(line), &row); err != nil {
			t.Fatalf("bad output line %q: %v", line, err)
		}
		rows = append(rows, row)
	}
	return rows
}

// matrix records which scenario passed with which client.
type matrix struct {
	mu   sync.Mutex
	rows map[string]map[string]string
}

var results = &matrix{rows: map[string]map[string]string{}}

func (m *matrix) record(t *testing.T, clientName, scenario string) {
	t.Cleanup(func() {
		status := "pass"
		switch {
		case t.Skipped():
			status = "not yet"
		case t.Failed():
			status = "FAIL"
		}
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.rows[clientName] == nil {
			m.rows[clientName] = map[string]string{}
		}
		m.rows[clientName][scenario] = status
	})
}

func (m *matrix) write(path string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, err := json.MarshalIndent(m.rows, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// requireAPI skips when the broker does not advertise an API key yet: the
// scenario turns on by itself once the feature lands.
func requireAPI(t *testing.T, addr string, key int16) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	resp, err := kmsg.NewPtrApiVersionsRequest().RequestWith(context.Background(), cl)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range resp.ApiKeys {
		if k.ApiKey == key {
			return
		}
	}
	t.Skipf("the broker does not serve %s yet", kmsg.NameForKey(key))
}

func TestClients(t *testing.T) {
	c := gofkatest.Start(t, gofkatest.WithConfig("num.partitions", "3"))
	for _, cl := range clients {
		cl := cl
		t.Run(cl.name, func(t *testing.T) {
			for _, sc := range scenarios {
				sc := sc
				if !cl.has[sc.name] {
					continue
				}
				t.Run(sc.name, func(t *testing.T) {
					results.record(t, cl.name, sc.name)
					sc.run(t, c.Addr(), cl, strings.ReplaceAll(cl.name+"-"+sc.name, "_", "-"))
				})
			}
		})
	}
	t.Run("kcat", func(t *testing.T) { runKcat(t, c.Addr()) })
}

type scenario struct {
	name string
	run  func(t *testing.T, addr string, cl client, topic string)
}

const n = 2000

var scenarios = []scenario{
	{"produce", scenarioProduce},
	{"consume", scenarioConsume},
	{"group", scenarioGroup},
	{"admin", scenarioAdmin},
	{"idempotent", scenarioIdempotent},
	{"txn", scenarioTxn},
}

// scenarioProduce: the client produces; franz-go reads every record back.
func scenarioProduce(t *testing.T, addr string, cl client, topic string) {
	createTopic(t, addr, topic)
	cl.run(t, "produce", addr, topic, n)
	checkProduced(t, addr, topic, valuePrefix(cl), n)
}

func valuePrefix(cl client) string {
	return map[string]string{"confluent-kafka-python": "confluent", "kafka-python": "kafkapython", "kafkajs": "kafkajs"}[cl.name]
}

// scenarioConsume: franz-go produces; the client reads every record.
func scenarioConsume(t *testing.T, addr string, cl client, topic string) {
	createTopic(t, addr, topic)
	produceGo(t, addr, topic, n)
	checkConsumed(t, cl.run(t, "consume", addr, topic, n), n)
}

// scenarioGroup: the client consumes through a consumer group.
func scenarioGroup(t *testing.T, addr string, cl client, topic string) {
	requireAPI(t, addr, 11) // JoinGroup
	createTopic(t, addr, topic)
	produceGo(t, addr, topic, n)
	checkConsumed(t, cl.run(t, "group", addr, topic, n), n)
}

// scenarioAdmin: create with a config, add partitions, alter and describe
// configs, delete; franz-go checks each effect.
func scenarioAdmin(t *testing.T, addr string, cl client, topic string) {
	rows := cl.run(t, "admin", addr, topic, 0)
	if len(rows) != 1 || fmt.Sprint(rows[0]["partitions"]) != "4" || rows[0]["retention.ms"] != "654321" {
		t.Fatalf("admin output %v", rows)
	}
	adm := newAdmin(t, addr)
	ctx := context.Background()
	td, err := adm.ListTopics(ctx, topic)
	if err != nil || len(td[topic].Partitions) != 4 {
		t.Fatalf("topic after admin: %+v %v", td[topic], err)
	}
	rc, err := adm.DescribeTopicConfigs(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := rc[0].Configs[0], 0; configValue(rc[0].Configs, "retention.ms") != "654321" {
		t.Fatalf("retention.ms after admin: %q (%v)", configValue(rc[0].Configs, "retention.ms"), v.Key)
	}
	cl.run(t, "delete", addr, topic, 0)
	if td, err = adm.ListTopics(ctx); err != nil || td.Has(topic) {
		t.Fatalf("topic still listed after delete (%v)", err)
	}
}

func configValue(cs []kadm.Config, key string) string {
	for _, c := range cs {
		if c.Key == key {
			return c.MaybeValue()
		}
	}
	return ""
}

// scenarioIdempotent: librdkafka's idempotent producer.
func scenarioIdempotent(t *testing.T, addr string, cl client, topic string) {
	requireAPI(t, addr, 22) // InitProducerId
	createTopic(t, addr, topic)
	cl.run(t, "idempotent", addr, topic, n)
	checkProduced(t, addr, topic, valuePrefix(cl), n)
}

// scenarioTxn: an aborted then a committed transaction; a read_committed
// reader sees exactly the committed records.
func scenarioTxn(t *testing.T, addr string, cl client, topic string) {
	requireAPI(t, addr, 26) // EndTxn
	createTopic(t, addr, topic)
	cl.run(t, "txn", addr, topic, n)
	checkProduced(t, addr, topic, valuePrefix(cl), n, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
}

func newAdmin(t *testing.T, addr string) *kadm.Client {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return kadm.NewClient(cl)
}

func createTopic(t *testing.T, addr, topic string) {
	t.Helper()
	if _, err := newAdmin(t, addr).CreateTopic(context.Background(), 3, 1, nil, topic); err != nil {
		t.Fatal(err)
	}
}

func produceGo(t *testing.T, addr, topic string, count int) {
	t.Helper()
	// gzip: every client decodes it without extra libraries (kafkajs and
	// kafka-python need plugins for snappy, franz-go's default).
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.DisableIdempotentWrite(), kgo.ProducerBatchCompression(kgo.GzipCompression()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	rs := make([]*kgo.Record, count)
	for i := range rs {
		rs[i] = &kgo.Record{Topic: topic, Key: []byte(fmt.Sprintf("k-%d", i)), Value: []byte(fmt.Sprintf("go-%d", i)),
			Headers: []kgo.RecordHeader{{Key: "idx", Value: []byte(fmt.Sprint(i))}}}
	}
	if err := cl.ProduceSync(context.Background(), rs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

// checkProduced reads the topic with franz-go and requires exactly the
// records k-i -> <prefix>-i with header idx=i, each once.
func checkProduced(t *testing.T, addr, topic, prefix string, count int, opts ...kgo.Opt) {
	t.Helper()
	opts = append(opts, kgo.SeedBrokers(addr), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	seen := map[string]bool{}
	for len(seen) < count {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read %d of %d records", len(seen), count)
		}
		fs.EachRecord(func(r *kgo.Record) {
			i := strings.TrimPrefix(string(r.Key), "k-")
			if string(r.Value) != prefix+"-"+i || len(r.Headers) != 1 || string(r.Headers[0].Value) != i || seen[i] {
				t.Fatalf("unexpected record %s=%s headers %v (seen before: %v)", r.Key, r.Value, r.Headers, seen[i])
			}
			seen[i] = true
		})
	}
}

// checkConsumed requires the client to have printed records k-i -> go-i,
// with header idx=i, each exactly once.
func checkConsumed(t *testing.T, rows []map[string]any, count int) {
	t.Helper()
	seen := map[string]bool{}
	for _, r := range rows {
		k, v := fmt.Sprint(r["key"]), fmt.Sprint(r["value"])
		i := strings.TrimPrefix(k, "k-")
		h, _ := r["headers"].(map[string]any)
		if v != "go-"+i || fmt.Sprint(h["idx"]) != i || seen[i] {
			t.Fatalf("unexpected record %s=%s headers %v (seen before: %v)", k, v, h, seen[i])
		}
		seen[i] = true
	}
	if len(seen) != count {
		t.Fatalf("client consumed %d distinct records, want %d", len(seen), count)
	}
}

// runKcat covers librdkafka through kcat: produce with every codec,
// consume as JSON, and the metadata listing.
func runKcat(t *testing.T, addr string) {
	for _, codec := range []string{"none", "gzip", "snappy", "lz4", "zstd"} {
		codec := codec
		t.Run("produce-"+codec, func(t *testing.T) {
			results.record(t, "kcat (librdkafka)", "produce "+codec)
			topic := "kcat-" + codec
			createTopic(t, addr, topic)
			var in strings.Builder
			for i := 0; i < n; i++ {
				fmt.Fprintf(&in, "k-%d:kcat-%d\n", i, i)
			}
			kcat(t, in.String(), "-P", "-b", addr, "-t", topic, "-K:", "-z", codec)
			checkKcat(t, addr, topic)
		})
	}
	t.Run("consume", func(t *testing.T) {
		results.record(t, "kcat (librdkafka)", "consume")
		createTopic(t, addr, "kcat-consume")
		produceGo(t, addr, "kcat-consume", n)
		out := kcat(t, "", "-C", "-b", addr, "-t", "kcat-consume", "-o", "beginning", "-e", "-J", "-q")
		var rows []map[string]any
		for _, r := range jsonLines(t, []byte(out)) {
			hs, _ := r["headers"].([]any) // kcat: ["idx", "3"]
			row := map[string]any{"key": r["key"], "value": r["payload"], "headers": map[string]any{}}
			if len(hs) == 2 {
				row["headers"] = map[string]any{fmt.Sprint(hs[0]): hs[1]}
			}
			rows = append(rows, row)
		}
		checkConsumed(t, rows, n)
	})
	t.Run("metadata", func(t *testing.T) {
		results.record(t, "kcat (librdkafka)", "metadata")
		out := kcat(t, "", "-L", "-b", addr, "-J")
		var md struct {
			Brokers []struct{ ID int32 } `json:"brokers"`
			Topics  []struct{ Topic string }
		}
		if err := json.Unmarshal([]byte(out), &md); err != nil || len(md.Brokers) != 1 || len(md.Topics) == 0 {
			t.Fatalf("kcat -L: %v %s", err, out)
		}
	})
}

func kcat(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	x := exec.Command("kcat", args...)
	x.Stdin = strings.NewReader(stdin)
	var stderr strings.Builder
	x.Stderr = &stderr
	out, err := x.Output()
	if err != nil {
		t.Fatalf("kcat %v: %v\n%s", args, err, stderr.String())
	}
	return string(out)
}

// checkKcat requires k-i -> kcat-i for every i, once each.
func checkKcat(t *testing.T, addr, topic string) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	seen := map[string]bool{}
	for len(seen) < n {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read %d of %d", len(seen), n)
		}
		fs.EachRecord(func(r *kgo.Record) {
			i := strings.TrimPrefix(string(r.Key), "k-")
			if string(r.Value) != "kcat-"+i || seen[i] {
				t.Fatalf("unexpected record %s=%s", r.Key, r.Value)
			}
			seen[i] = true
		})
	}
}
