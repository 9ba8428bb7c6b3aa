package integration

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
)

// TestPLAINUsersFile: PLAIN users come from
// listener.name.<l>.plain.gofka.sasl.plain.users.file; a changed file
// takes effect for new logins without a restart.
func TestPLAINUsersFile(t *testing.T) {
	e := newSecEnv(t)
	path := filepath.Join(t.TempDir(), "plain-users.properties")
	if err := os.WriteFile(path, []byte("user_frank=frank-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := saslCluster(t, e, "listener.name.sasl_plaintext.plain.gofka.sasl.plain.users.file", path)
	addr := c.ListenerAddr("SASL_PLAINTEXT")
	if err := pingWith(addr, plainAuth("frank", "frank-1")); err != nil {
		t.Fatalf("login from the file: %v", err)
	}
	if err := pingWith(addr, plainAuth("alice", "alice-secret")); err != nil {
		t.Fatalf("login from the JAAS users: %v", err)
	}
	if err := os.WriteFile(path, []byte("user_frank=frank-2-rotated\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for pingWith(addr, plainAuth("frank", "frank-2-rotated")) != nil {
		if time.Now().After(deadline) {
			t.Fatal("the rotated password is not accepted")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := pingWith(addr, plainAuth("frank", "frank-1")); !errors.Is(err, kerr.SaslAuthenticationFailed) {
		t.Errorf("old password: %v, want SASL_AUTHENTICATION_FAILED", err)
	}
	// The SASL_SSL listener has no users file: frank is unknown there.
	if err := pingWith(c.ListenerAddr("SASL_SSL"), plainAuth("frank", "frank-2-rotated"), tlsOpt(t, e)); !errors.Is(err, kerr.SaslAuthenticationFailed) {
		t.Errorf("frank on another listener: %v, want SASL_AUTHENTICATION_FAILED", err)
	}
}
