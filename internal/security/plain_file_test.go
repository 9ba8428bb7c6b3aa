package security

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPlainUsersFile: PLAIN authenticates against the file's users (which
// win over the JAAS ones), picks up a changed file, and keeps the last
// good table when the file stops reading.
func TestPlainUsersFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users.properties")
	write := func(s string) {
		// A new size as well as a new time, so the change shows on
		// filesystems with coarse timestamps.
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("# users\nuser_alice=a1\nuser_bob : b1\n")
	var reloads []error
	f, err := NewUsersFile(path, time.Nanosecond, func(err error) { reloads = append(reloads, err) })
	if err != nil {
		t.Fatal(err)
	}
	p := NewPlainFile(map[string]string{"alice": "jaas", "carol": "c1"}, f)
	login := func(user, pass string) bool {
		_, done, err := p.Start().Step([]byte("\x00" + user + "\x00" + pass))
		return done && err == nil
	}
	for _, c := range []struct {
		user, pass string
		ok         bool
	}{{"alice", "a1", true}, {"alice", "jaas", false}, {"bob", "b1", true}, {"carol", "c1", true}, {"dave", "", false}} {
		if got := login(c.user, c.pass); got != c.ok {
			t.Errorf("%s/%s: %v, want %v", c.user, c.pass, got, c.ok)
		}
	}
	write("user_alice=a2-changed\n")
	if !login("alice", "a2-changed") || login("alice", "a1") || login("bob", "b1") {
		t.Error("the changed file was not read")
	}
	write("not_a_user=secret-value-xyz\n")
	if !login("alice", "a2-changed") {
		t.Error("a bad file replaced the users")
	}
	if len(reloads) != 2 || reloads[0] != nil || reloads[1] == nil || strings.Contains(reloads[1].Error(), "secret-value-xyz") {
		t.Errorf("reloads = %v", reloads)
	}
	if _, err := NewUsersFile(filepath.Join(t.TempDir(), "missing"), 0, nil); err == nil {
		t.Error("a missing file was accepted")
	}
}
