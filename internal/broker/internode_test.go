package broker

import (
	"errors"
	"strings"
	"testing"

	"github.com/gofka/gofka/internal/config"
)

func interNodeConfig(t *testing.T, kv ...string) *config.Broker {
	t.Helper()
	props := map[string]string{"node.id": "1", "process.roles": "broker,controller", "log.dirs": t.TempDir(),
		"listeners":                      "INTERNAL://127.0.0.1:0,CONTROLLER://127.0.0.1:0",
		"listener.security.protocol.map": "INTERNAL:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT",
		"inter.broker.listener.name":     "INTERNAL", "controller.listener.names": "CONTROLLER"}
	for i := 0; i+1 < len(kv); i += 2 {
		props[kv[i]] = kv[i+1]
	}
	cfg, err := config.LoadBroker(props)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

const nodeJAAS = `org.apache.kafka.common.security.plain.PlainLoginModule required username="node" password="node-secret";`

// TestInterNodeClientSecurity: the mechanism and JAAS line each listener
// names, and the misconfigurations a node reports without the secret.
func TestInterNodeClientSecurity(t *testing.T) {
	cfg := interNodeConfig(t, "sasl.mechanism.controller.protocol", "PLAIN", "sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-512",
		"listener.name.controller.plain.sasl.jaas.config", nodeJAAS,
		"listener.name.internal.scram-sha-512.sasl.jaas.config", strings.Replace(nodeJAAS, "plain.PlainLoginModule", "scram.ScramLoginModule", 1))
	ctrl, err := controllerClientSecurity(cfg, nil)
	if err != nil || ctrl.sec.SASL == nil || ctrl.sec.SASL.Name() != "PLAIN" || ctrl.sec.TLS != nil {
		t.Fatalf("controller: %+v %v", ctrl, err)
	}
	ib, err := interBrokerClientSecurity(cfg, nil)
	if err != nil || ib.sec.SASL == nil || ib.sec.SASL.Name() != "SCRAM-SHA-512" {
		t.Fatalf("inter-broker: %+v %v", ib, err)
	}
	for name, kv := range map[string][]string{
		"GSSAPI":      {"sasl.mechanism.controller.protocol", "GSSAPI", "sasl.jaas.config", nodeJAAS},
		"no JAAS":     {"sasl.mechanism.controller.protocol", "PLAIN"},
		"no username": {"sasl.mechanism.controller.protocol", "PLAIN", "sasl.jaas.config", `x required password="node-secret";`},
	} {
		_, err := controllerClientSecurity(interNodeConfig(t, kv...), nil)
		if err == nil || strings.Contains(err.Error(), "node-secret") {
			t.Errorf("%s: %v", name, err)
		}
	}
	_, err = controllerClientSecurity(interNodeConfig(t, "sasl.mechanism.controller.protocol", "SCRAM-SHA-256", "sasl.jaas.config", nodeJAAS), nil)
	if !errors.Is(err, ErrControllerSCRAM) {
		t.Errorf("SCRAM from a controller: %v", err)
	}
	brokerOnly := interNodeConfig(t, "process.roles", "broker", "listeners", "INTERNAL://127.0.0.1:0", "controller.quorum.voters", "2@127.0.0.1:9093",
		"sasl.mechanism.controller.protocol", "SCRAM-SHA-256", "sasl.jaas.config", nodeJAAS)
	if c, err := controllerClientSecurity(brokerOnly, nil); err != nil || c.sec.SASL.Name() != "SCRAM-SHA-256" {
		t.Errorf("SCRAM from a broker-only node: %v", err)
	}
}
