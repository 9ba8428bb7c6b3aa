package security

import (
	"context"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// TestTokenHMAC: HmacSHA512 of the token id under the secret key, as
// Kafka's DelegationTokenManager.createHmac.
func TestTokenHMAC(t *testing.T) {
	m := hmac.New(sha512.New, []byte("key"))
	m.Write([]byte("id"))
	if got, want := hex.EncodeToString(TokenHMAC("id", "key")), hex.EncodeToString(m.Sum(nil)); got != want {
		t.Fatalf("hmac = %s, want %s", got, want)
	}
	if len(TokenHMAC("id", "key")) != 64 {
		t.Fatal("HmacSHA512 is 64 bytes")
	}
}

// runSASL drives a franz-go client mechanism against a server exchange.
func runSASL(t *testing.T, m sasl.Mechanism, x Exchange) error {
	t.Helper()
	sess, msg, err := m.Authenticate(context.Background(), "localhost")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		out, done, err := x.Step(msg)
		if err != nil {
			return err
		}
		cdone, next, cerr := sess.Challenge(out)
		if cerr != nil {
			return cerr
		}
		if done && cdone {
			return nil
		}
		msg = next
	}
	t.Fatal("exchange did not finish")
	return nil
}

// TestScramToken: a token authenticates through SCRAM with the
// tokenauth=true extension as its owner, reports its expiry and token
// authentication; without the extension, with another password, unknown
// or with tokens off it does not; unknown extensions are refused.
func TestScramToken(t *testing.T) {
	hm := TokenHMAC("tok1", "secret")
	expiry := time.Now().Add(time.Hour).Truncate(time.Millisecond)
	creds := map[int8]ScramCredential{}
	for _, mech := range []int8{ScramSHA256, ScramSHA512} {
		c, err := ScramFromPassword(mech, TokenPassword(hm), TokenScramIterations)
		if err != nil {
			t.Fatal(err)
		}
		creds[mech] = c
	}
	for _, mech := range []int8{ScramSHA256, ScramSHA512} {
		users := func(string) (ScramCredential, bool) { return ScramCredential{}, false }
		s, _ := NewScram(mech, users)
		off, _ := NewScram(mech, users)
		s, err := s.WithTokens(func(id string) (TokenCredential, bool) {
			return TokenCredential{Cred: creds[mech], Owner: "alice", Expiry: expiry}, id == "tok1"
		})
		if err != nil {
			t.Fatal(err)
		}
		auth := func(a scram.Auth) sasl.Mechanism {
			if mech == ScramSHA256 {
				return a.AsSha256Mechanism()
			}
			return a.AsSha512Mechanism()
		}
		good := scram.Auth{User: "tok1", Pass: TokenPassword(hm), IsToken: true}
		x := s.Start()
		if err := runSASL(t, auth(good), x); err != nil {
			t.Fatalf("%s: token login: %v", s.Name(), err)
		}
		if x.Principal() != User("alice") || !x.Expiry().Equal(expiry) || !x.(TokenAuthenticated).TokenAuthenticated() {
			t.Errorf("%s: principal %v expiry %v", s.Name(), x.Principal(), x.Expiry())
		}
		for name, bad := range map[string]scram.Auth{
			"no extension":   {User: "tok1", Pass: TokenPassword(hm)},
			"wrong password": {User: "tok1", Pass: TokenPassword(TokenHMAC("tok1", "other")), IsToken: true},
			"unknown token":  {User: "tok2", Pass: TokenPassword(hm), IsToken: true},
		} {
			if err := runSASL(t, auth(bad), s.Start()); err == nil {
				t.Errorf("%s: %s authenticated", s.Name(), name)
			}
		}
		if err := runSASL(t, auth(good), off.Start()); err == nil {
			t.Errorf("%s: a token authenticated with tokens off", s.Name())
		}
		if _, _, err := s.Start().Step([]byte("n,,n=tok1,r=abc,tokenauth=true,other=1")); err == nil {
			t.Errorf("%s: an unknown extension was accepted", s.Name())
		}
	}
}
