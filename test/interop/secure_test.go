package interop

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/security/testcerts"
	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// No delegation token scenario: librdkafka (kcat, confluent-kafka-python),
// kafka-python and kafkajs send no SCRAM extensions, so none can send
// tokenauth=true (docs/security.md); the Go clients cover tokens in
// test/integration.

// secureEnv is a broker with a PLAINTEXT listener (for the Go side of
// each check) and a SASL_SSL listener with PLAIN, SCRAM and OAUTHBEARER,
// its certificates made by the test.
type secureEnv struct {
	plain, saslSSL string
	caFile         string
}

const interopJAAS = `org.apache.kafka.common.security.plain.PlainLoginModule required user_interop="interop-secret";`

func startSecure(t *testing.T) *secureEnv {
	t.Helper()
	_, ks, caFile, err := testcerts.Broker(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c := gofkatest.Start(t,
		gofkatest.WithConfig("listeners", "PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0"),
		gofkatest.WithConfig("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL"),
		gofkatest.WithConfig("ssl.keystore.type", "PEM"), gofkatest.WithConfig("ssl.keystore.location", ks),
		gofkatest.WithConfig("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER"),
		gofkatest.WithConfig("sasl.jaas.config", interopJAAS),
		gofkatest.WithConfig("group.initial.rebalance.delay.ms", "0"))
	e := &secureEnv{plain: c.ListenerAddr("PLAINTEXT"), saslSSL: c.ListenerAddr("SASL_SSL"), caFile: caFile}
	res, err := newAdmin(t, e.plain).AlterUserSCRAMs(context.Background(), nil, []kadm.UpsertSCRAM{
		{User: "interop", Mechanism: kadm.ScramSha256, Iterations: 4096, Password: "interop-secret"},
		{User: "interop", Mechanism: kadm.ScramSha512, Iterations: 4096, Password: "interop-secret"},
	})
	if err != nil || res.Error() != nil {
		t.Fatalf("SCRAM credentials: %v %v", err, res.Error())
	}
	return e
}

// TestSecureClients: kcat and confluent-kafka-python (librdkafka) over
// SASL_SSL with SCRAM-SHA-512 and OAUTHBEARER, kafka-python and kafkajs
// over SASL_SSL with PLAIN and SCRAM; each produces records that franz-go
// reads back and consumes records franz-go wrote.
func TestSecureClients(t *testing.T) {
	e := startSecure(t)
	rdkafka := map[string]map[string]string{
		"SCRAM-SHA-512": {"security.protocol": "SASL_SSL", "ssl.ca.location": e.caFile, "sasl.mechanisms": "SCRAM-SHA-512",
			"sasl.username": "interop", "sasl.password": "interop-secret"},
		"OAUTHBEARER": {"security.protocol": "SASL_SSL", "ssl.ca.location": e.caFile, "sasl.mechanisms": "OAUTHBEARER",
			"enable.sasl.oauthbearer.unsecure.jwt": "true", "sasl.oauthbearer.config": "principal=interop"},
	}
	for mech, conf := range rdkafka {
		t.Run("kcat "+mech, func(t *testing.T) {
			results.record(t, "kcat (librdkafka)", "SASL_SSL "+mech)
			secureKcat(t, e, mech, conf)
		})
		t.Run("confluent-kafka-python "+mech, func(t *testing.T) {
			results.record(t, "confluent-kafka-python", "SASL_SSL "+mech)
			secureClient(t, e, clients[0], "confluent-"+mech, jsonEnv(conf))
		})
	}
	for _, mech := range []string{"PLAIN", "SCRAM-SHA-256"} {
		t.Run("kafka-python "+mech, func(t *testing.T) {
			results.record(t, "kafka-python", "SASL_SSL "+mech)
			secureClient(t, e, clients[1], "kafkapython-"+mech, jsonEnv(map[string]string{"security_protocol": "SASL_SSL",
				"ssl_cafile": e.caFile, "sasl_mechanism": mech, "sasl_plain_username": "interop", "sasl_plain_password": "interop-secret"}))
		})
	}
	for _, mech := range []string{"plain", "scram-sha-512"} {
		t.Run("kafkajs "+mech, func(t *testing.T) {
			results.record(t, "kafkajs", "SASL_SSL "+strings.ToUpper(mech))
			secureClient(t, e, clients[2], "kafkajs-"+mech, jsonEnv(map[string]any{"ssl": map[string]string{"caFile": e.caFile},
				"sasl": map[string]string{"mechanism": mech, "username": "interop", "password": "interop-secret"}}))
		})
	}
}

func jsonEnv(v any) []string {
	b, _ := json.Marshal(v)
	return []string{"INTEROP_CONF=" + string(b)}
}

// secureClient has the client produce over SASL_SSL (checked by franz-go
// on the plaintext listener) and consume what franz-go wrote.
func secureClient(t *testing.T, e *secureEnv, cl client, topic string, env []string) {
	const n = 50
	topic = strings.ToLower(strings.ReplaceAll(topic, "_", "-"))
	createTopic(t, e.plain, topic)
	cl.runEnv(t, env, "produce", e.saslSSL, topic, n)
	checkProduced(t, e.plain, topic, valuePrefix(cl), n)
	in := topic + "-in"
	createTopic(t, e.plain, in)
	produceGo(t, e.plain, in, n)
	cmd := "consume"
	if !cl.has["consume"] {
		cmd = "group"
	}
	checkConsumed(t, cl.runEnv(t, env, cmd, e.saslSSL, in, n), n)
}

// secureKcat produces with kcat over SASL_SSL and consumes back.
func secureKcat(t *testing.T, e *secureEnv, mech string, conf map[string]string) {
	const n = 50
	topic := "kcat-" + strings.ToLower(mech)
	createTopic(t, e.plain, topic)
	var x []string
	for k, v := range conf {
		x = append(x, "-X", k+"="+v)
	}
	var in strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&in, "k-%d:kcat-%d\n", i, i)
	}
	kcat(t, in.String(), append([]string{"-P", "-b", e.saslSSL, "-t", topic, "-K:"}, x...)...)
	out := kcat(t, "", append([]string{"-C", "-b", e.saslSSL, "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%s\n"}, x...)...)
	if got := strings.Count(out, "kcat-"); got != n {
		t.Fatalf("kcat consumed %d of %d records over SASL_SSL %s", got, n, mech)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(e.plain), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for seen := 0; seen < n; {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("franz-go read %d of %d kcat records", seen, n)
		}
		seen += fs.NumRecords()
	}
}
