package main

import (
	"fmt"
	"os"
	"path/filepath"
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
