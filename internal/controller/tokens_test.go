package controller

import (
	"testing"
	"time"

	"github.com/gofka/gofka/internal/security"
	"github.com/twmb/franz-go/pkg/kerr"
)

// TestDelegationTokenLifecycle follows DelegationTokenControlManager:
// lifetimes capped by the configs, renew and expire by owner or renewers,
// expiry capped by the max timestamp, and the sweep.
func TestDelegationTokenLifecycle(t *testing.T) {
	c, _ := newTestController(t, t.TempDir())
	now := time.UnixMilli(1_700_000_000_000)
	c.now = func() time.Time { return now }
	if _, _, e := c.CreateToken(TokenRequest{Owner: "User:alice", Requester: "User:alice"}); e != kerr.DelegationTokenAuthDisabled {
		t.Fatalf("without a secret key: %v", e)
	}
	c.static.DelegationTokenSecretKey = "k"
	c.static.DelegationTokenMaxLifetimeMs, c.static.DelegationTokenExpiryTimeMs = 10_000, 4_000
	if _, _, e := c.CreateToken(TokenRequest{Owner: "User:alice", Renewers: []string{"Group:g"}}); e != kerr.InvalidPrincipalType {
		t.Fatalf("a Group renewer: %v", e)
	}
	tok, mac, e := c.CreateToken(TokenRequest{Owner: "User:alice", Requester: "User:admin", Renewers: []string{"User:ops"}, MaxLifetimeMs: 60_000})
	if e != nil || string(mac) != string(security.TokenHMAC(tok.TokenID, "k")) {
		t.Fatalf("create: %v", e)
	}
	ms := now.UnixMilli()
	if tok.IssueTimestamp != ms || tok.MaxTimestamp != ms+10_000 || tok.ExpirationTimestamp != ms+4_000 {
		t.Fatalf("timestamps %+v", tok)
	}
	if got := c.pub.Current().DelegationTokens()[tok.TokenID]; got.Owner != "User:alice" || got.Requester != "User:admin" {
		t.Fatalf("record %+v", got)
	}
	if _, e := c.RenewToken("User:bob", mac, 1000); e != kerr.DelegationTokenOwnerMismatch {
		t.Errorf("renew by a stranger: %v", e)
	}
	if _, e := c.RenewToken("User:alice", []byte("x"), 1000); e != kerr.DelegationTokenNotFound {
		t.Errorf("renew an unknown HMAC: %v", e)
	}
	now = now.Add(3 * time.Second)
	if exp, e := c.RenewToken("User:ops", mac, 60_000); e != nil || exp != now.UnixMilli()+4_000 {
		t.Errorf("renew by a renewer, capped by the expiry time: %d %v", exp, e)
	}
	now = now.Add(3500 * time.Millisecond)
	if exp, e := c.RenewToken("User:alice", mac, 0); e != nil || exp != ms+10_000 {
		t.Errorf("renew capped by the max timestamp: %d (max %d) %v", exp, ms+10_000, e)
	}
	if exp, e := c.ExpireToken("User:alice", mac, 500); e != nil || exp != now.UnixMilli()+500 {
		t.Errorf("expire in 500ms: %d %v", exp, e)
	}
	if err := c.ExpireTokens(now); err != nil || len(c.pub.Current().DelegationTokens()) != 1 {
		t.Fatalf("the sweep removed a live token: %v", err)
	}
	now = now.Add(time.Second)
	if _, e := c.RenewToken("User:alice", mac, 0); e != kerr.DelegationTokenExpired {
		t.Errorf("renew an expired token: %v", e)
	}
	if err := c.ExpireTokens(now); err != nil || len(c.pub.Current().DelegationTokens()) != 0 {
		t.Fatalf("the sweep kept an expired token: %v", err)
	}

	tok2, mac2, _ := c.CreateToken(TokenRequest{Owner: "User:alice", Requester: "User:alice"})
	if exp, e := c.ExpireToken("User:alice", mac2, -1); e != nil || exp != now.UnixMilli() {
		t.Fatalf("expire now: %d %v", exp, e)
	}
	if _, ok := c.pub.Current().DelegationTokens()[tok2.TokenID]; ok {
		t.Fatal("a token expired with a negative period is still there")
	}
}
