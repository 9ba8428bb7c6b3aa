package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gofka/gofka/internal/security/testcerts"
	"github.com/gofka/gofka/pkg/gofkatest"
)

// TestCLISecurity runs the CLI against a SASL_SSL broker with the
// authorizer on: the admin's settings come from a Kafka client properties
// file (--command-config), bob's from flags; SCRAM credentials and ACLs
// are managed with `gofka user scram` and `gofka acl`.
func TestCLISecurity(t *testing.T) {
	dir := t.TempDir()
	_, ks, caFile, err := testcerts.Broker(dir)
	if err != nil {
		t.Fatal(err)
	}
	c := gofkatest.Start(t,
		gofkatest.WithConfig("listeners", "SASL_SSL://127.0.0.1:0"),
		gofkatest.WithConfig("listener.security.protocol.map", "SASL_SSL:SASL_SSL"),
		gofkatest.WithConfig("ssl.keystore.type", "PEM"), gofkatest.WithConfig("ssl.keystore.location", ks),
		gofkatest.WithConfig("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-512"),
		gofkatest.WithConfig("sasl.jaas.config", `org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="admin-secret";`),
		gofkatest.WithConfig("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer"),
		gofkatest.WithConfig("super.users", "User:admin"),
		gofkatest.WithConfig("connection.failed.authentication.delay.ms", "0"))
	props := fmt.Sprintf("security.protocol=SASL_SSL\nssl.truststore.type=PEM\nssl.truststore.location=%s\nsasl.mechanism=PLAIN\n"+
		"sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\"admin-secret\";\n", caFile)
	cfgFile := filepath.Join(dir, "admin.properties")
	if err := os.WriteFile(cfgFile, []byte(props), 0o600); err != nil {
		t.Fatal(err)
	}
	admin := "--brokers " + c.ListenerAddr("SASL_SSL") + " --command-config " + cfgFile + " "
	bob := "--brokers " + c.ListenerAddr("SASL_SSL") + " --tls-ca " + caFile + " --sasl-mechanism SCRAM-SHA-512 --sasl-user bob "
	bobEnv := []string{"GOFKA_SASL_PASSWORD=bob-secret"}
	runAll(t, []run{
		{args: admin + "topic create sec-orders --partitions 1", noBrokers: true},
		{args: admin + "user scram set bob --mechanism SCRAM-SHA-512 --password bob-secret", noBrokers: true, out: []string{"bob"}},
		{args: admin + "user scram list -o json", noBrokers: true, json: true, out: []string{`"bob"`, "SCRAM-SHA-512"}, noOut: []string{"bob-secret"}},
		{args: bob + "produce sec-orders", env: bobEnv, stdin: "x\n", noBrokers: true, code: 1, errOut: []string{"TOPIC_AUTHORIZATION_FAILED"}},
		{args: admin + "acl create --allow --principal User:bob --operation write,describe --topic sec- --prefixed", noBrokers: true, out: []string{"User:bob"}},
		{args: admin + "acl list -o json", noBrokers: true, json: true, out: []string{"User:bob", "PREFIXED"}},
		{args: bob + "produce sec-orders", env: bobEnv, stdin: "hello\n", noBrokers: true},
		{args: bob + "produce sec-orders", env: []string{"GOFKA_SASL_PASSWORD=wrong"}, stdin: "x\n", noBrokers: true, code: 1, errOut: []string{"SASL_AUTHENTICATION_FAILED"}},
		{args: admin + "acl delete --principal User:bob", noBrokers: true, out: []string{"User:bob"}},
		{args: admin + "acl list", noBrokers: true, noOut: []string{"User:bob"}},
		{args: admin + "user scram delete bob --mechanism SCRAM-SHA-512", noBrokers: true},
		{args: "--brokers " + c.ListenerAddr("SASL_SSL") + " --sasl-mechanism NOPE topic list", noBrokers: true, code: 2, errOut: []string{"--sasl-mechanism"}},
	})
}

// TestCLITokens: `gofka token` creates, describes, renews and expires a
// delegation token, and every command can authenticate with it
// (--sasl-token, or tokenauth="true" in --command-config, whose trust
// store is inline PEM continued over lines as Kafka's tools write it).
func TestCLITokens(t *testing.T) {
	dir := t.TempDir()
	_, ks, caFile, err := testcerts.Broker(dir)
	if err != nil {
		t.Fatal(err)
	}
	c := gofkatest.Start(t,
		gofkatest.WithConfig("listeners", "SASL_SSL://127.0.0.1:0"),
		gofkatest.WithConfig("listener.security.protocol.map", "SASL_SSL:SASL_SSL"),
		gofkatest.WithConfig("ssl.keystore.type", "PEM"), gofkatest.WithConfig("ssl.keystore.location", ks),
		gofkatest.WithConfig("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-512"),
		gofkatest.WithConfig("sasl.jaas.config", `org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret";`),
		gofkatest.WithConfig("delegation.token.secret.key", "cli-secret"),
		gofkatest.WithConfig("connection.failed.authentication.delay.ms", "0"))
	ca, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	inline := strings.ReplaceAll(strings.TrimSpace(string(ca)), "\n", " \\\n  ")
	props := "security.protocol=SASL_SSL\nssl.truststore.type=PEM\nssl.truststore.certificates=" + inline + "\nsasl.mechanism=PLAIN\n" +
		"sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"alice\" password=\"alice-secret\";\n"
	cfgFile := filepath.Join(dir, "alice.properties")
	if err := os.WriteFile(cfgFile, []byte(props), 0o600); err != nil {
		t.Fatal(err)
	}
	base := "--brokers " + c.ListenerAddr("SASL_SSL") + " "
	alice := base + "--command-config " + cfgFile + " "
	out := gofka(t, run{args: alice + "token create --renewer User:ops -o json", noBrokers: true, json: true, out: []string{`"User:alice"`, "User:ops"}})
	var toks []tokenRow
	if err := json.Unmarshal([]byte(out), &toks); err != nil || len(toks) != 1 {
		t.Fatalf("create output %q: %v", out, err)
	}
	tok := toks[0]
	byToken := base + "--tls-ca " + caFile + " --sasl-mechanism SCRAM-SHA-512 --sasl-token --sasl-user " + tok.TokenID + " "
	tokEnv := []string{"GOFKA_SASL_PASSWORD=" + tok.HMAC}
	tokFile := filepath.Join(dir, "token.properties")
	if err := os.WriteFile(tokFile, []byte("security.protocol=SASL_SSL\nssl.truststore.location="+caFile+"\nsasl.mechanism=SCRAM-SHA-512\n"+
		"sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\""+tok.TokenID+
		"\" password=\""+tok.HMAC+"\" tokenauth=\"true\";\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	runAll(t, []run{
		{args: alice + "token describe", noBrokers: true, out: []string{tok.TokenID, "User:ops"}},
		{args: byToken + "topic create tok-topic --partitions 1", env: tokEnv, noBrokers: true},
		{args: base + "--command-config " + tokFile + " topic list", noBrokers: true, out: []string{"tok-topic"}},
		{args: byToken + "token create", env: tokEnv, noBrokers: true, code: 1, errOut: []string{"DELEGATION_TOKEN_REQUEST_NOT_ALLOWED"}},
		{args: alice + "token renew --hmac " + tok.HMAC + " --period 2h", noBrokers: true, out: []string{"renewed"}},
		{args: alice + "token renew --hmac bm90LWEtdG9rZW4=", noBrokers: true, code: 1, errOut: []string{"DELEGATION_TOKEN_NOT_FOUND"}},
		{args: alice + "token expire --hmac " + tok.HMAC, noBrokers: true, out: []string{"expires"}},
		{args: alice + "token describe -o json", noBrokers: true, json: true, noOut: []string{tok.TokenID}},
		{args: byToken + "topic list", env: tokEnv, noBrokers: true, code: 1, errOut: []string{"SASL_AUTHENTICATION_FAILED"}},
	})
}
