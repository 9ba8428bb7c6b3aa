package security

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xdg-go/scram"
)

func TestPlain(t *testing.T) {
	p := NewPlain(map[string]string{"alice": "alice-secret"})
	for msg, want := range map[string]error{
		"\x00alice\x00alice-secret":      nil,
		"alice\x00alice\x00alice-secret": nil,
		"\x00alice\x00wrong":             ErrAuthFailed,
		"\x00bob\x00alice-secret":        ErrAuthFailed,
		"bob\x00alice\x00alice-secret":   ErrAuthFailed,
		"alice-secret":                   ErrMalformed,
		"\x00\x00x":                      ErrMalformed,
	} {
		x := p.Start()
		_, done, err := x.Step([]byte(msg))
		if !errors.Is(err, want) || done != (want == nil) {
			t.Errorf("%q: done=%v err=%v, want %v", msg, done, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("%q: error leaks the password: %v", msg, err)
		}
		if want == nil && x.Principal() != User("alice") {
			t.Errorf("principal %v", x.Principal())
		}
	}
}

// scramCred makes the stored credential of password the way
// AlterUserScramCredentials does: from a salted password.
func scramCred(t *testing.T, mech int8, password string) ScramCredential {
	t.Helper()
	hf, _ := scramHash(mech)
	cl, err := hf.NewClient("alice", password, "")
	if err != nil {
		t.Fatal(err)
	}
	salt := []byte("0123456789abcdef")
	sc, err := cl.GetStoredCredentialsWithError(scram.KeyFactors{Salt: string(salt), Iters: 4096})
	if err != nil {
		t.Fatal(err)
	}
	// Recompute through ScramFromSaltedPassword to check it agrees.
	salted := pbkdf(hf, password, salt, 4096)
	got, err := ScramFromSaltedPassword(mech, salt, salted, 4096)
	if err != nil {
		t.Fatal(err)
	}
	if string(got.StoredKey) != string(sc.StoredKey) || string(got.ServerKey) != string(sc.ServerKey) {
		t.Fatal("ScramFromSaltedPassword disagrees with xdg-go/scram")
	}
	return got
}

func TestScram(t *testing.T) {
	for _, mech := range []int8{ScramSHA256, ScramSHA512} {
		cred := scramCred(t, mech, "pw")
		s, err := NewScram(mech, func(u string) (ScramCredential, bool) { return cred, u == "alice" })
		if err != nil {
			t.Fatal(err)
		}
		hf, _ := scramHash(mech)
		for _, tc := range []struct{ user, pw string }{{"alice", "pw"}, {"alice", "bad"}, {"bob", "pw"}} {
			cl, _ := hf.NewClient(tc.user, tc.pw, "")
			ok := runScram(t, s.Start(), cl.NewConversation())
			if want := tc == struct{ user, pw string }{"alice", "pw"}; ok != want {
				t.Errorf("%s %s/%s: authenticated=%v", s.Name(), tc.user, tc.pw, ok)
			}
		}
	}
}

func runScram(t *testing.T, x Exchange, cc *scram.ClientConversation) bool {
	msg, err := cc.Step("")
	for i := 0; i < 3 && err == nil; i++ {
		out, done, serr := x.Step([]byte(msg))
		if serr != nil {
			return false
		}
		if done {
			_, err = cc.Step(string(out))
			return err == nil && x.Principal() == User("alice")
		}
		msg, err = cc.Step(string(out))
	}
	return false
}

func b64(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func unsecuredJWT(claims map[string]any) string {
	return b64(map[string]string{"alg": "none"}) + "." + b64(claims) + "."
}

func oauthMsg(tok string) []byte { return []byte("n,,\x01auth=Bearer " + tok + "\x01\x01") }

func TestOAuthUnsecured(t *testing.T) {
	o := NewOAuthBearer(&JWTValidator{ClockSkew: time.Second})
	exp := time.Now().Add(time.Hour).Unix()
	x := o.Start()
	if _, done, err := x.Step(oauthMsg(unsecuredJWT(map[string]any{"sub": "alice", "exp": exp}))); !done || err != nil {
		t.Fatalf("valid token: %v", err)
	}
	if x.Principal() != User("alice") || x.Expiry().Unix() != exp {
		t.Fatalf("principal %v expiry %v", x.Principal(), x.Expiry())
	}
	for name, msg := range map[string][]byte{
		"expired":    oauthMsg(unsecuredJWT(map[string]any{"sub": "alice", "exp": time.Now().Add(-time.Hour).Unix()})),
		"no sub":     oauthMsg(unsecuredJWT(map[string]any{"exp": exp})),
		"no exp":     oauthMsg(unsecuredJWT(map[string]any{"sub": "alice"})),
		"signed alg": oauthMsg(b64(map[string]string{"alg": "RS256"}) + "." + b64(map[string]any{"sub": "a", "exp": exp}) + ".sig"),
		"garbage":    oauthMsg("not-a-jwt"),
		"framing":    []byte("n,,auth=Bearer x"),
		"no bearer":  []byte("n,,\x01auth=Basic x\x01\x01"),
	} {
		if _, done, err := o.Start().Step(msg); done || err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestOAuthSignedJWKS(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pub, err := key.PublicKey.Bytes() // 0x04 || X || Y
	if err != nil {
		t.Fatal(err)
	}
	jwks := map[string]any{"keys": []map[string]string{{"kty": "EC", "kid": "k1", "crv": "P-256", "use": "sig",
		"x": base64.RawURLEncoding.EncodeToString(pub[1:33]),
		"y": base64.RawURLEncoding.EncodeToString(pub[33:])}}}
	b, _ := json.Marshal(jwks)
	path := filepath.Join(t.TempDir(), "jwks.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	set, err := NewJWKS("file://"+path, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	v := &JWTValidator{Keys: set, Audience: []string{"kafka"}, Issuer: "https://issuer"}
	exp := time.Now().Add(time.Hour).Unix()
	good := map[string]any{"sub": "svc", "exp": exp, "aud": []string{"kafka"}, "iss": "https://issuer"}
	if p, _, err := v.Validate(signES256(key, "k1", good)); err != nil || p != User("svc") {
		t.Fatalf("signed token: %v %v", p, err)
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for name, tok := range map[string]string{
		"other key":    signES256(other, "k1", good),
		"unknown kid":  signES256(key, "k2", good),
		"unsecured":    unsecuredJWT(good),
		"wrong aud":    signES256(key, "k1", map[string]any{"sub": "svc", "exp": exp, "aud": "other", "iss": "https://issuer"}),
		"wrong issuer": signES256(key, "k1", map[string]any{"sub": "svc", "exp": exp, "aud": "kafka", "iss": "x"}),
	} {
		if _, _, err := v.Validate(tok); !errors.Is(err, ErrBadToken) {
			t.Errorf("%s: err %v, want ErrBadToken", name, err)
		}
	}
}

func signES256(key *ecdsa.PrivateKey, kid string, claims map[string]any) string {
	signing := b64(map[string]string{"alg": "ES256", "kid": kid, "typ": "JWT"}) + "." + b64(claims)
	d := sha256.Sum256([]byte(signing))
	r, s, _ := ecdsa.Sign(rand.Reader, key, d[:])
	sig := append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...)
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func TestParseJAAS(t *testing.T) {
	j, err := ParseJAAS(`org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_alice=alice-pw;`)
	if err != nil {
		t.Fatal(err)
	}
	if u := j.PlainUsers(); len(u) != 2 || u["admin"] != "admin-secret" || u["alice"] != "alice-pw" {
		t.Fatalf("users %v", u)
	}
	for _, bad := range []string{"", "Module required", `M required a="x`, "M required a b;"} {
		if _, err := ParseJAAS(bad); err == nil {
			t.Errorf("ParseJAAS(%q) succeeded", bad)
		}
	}
}

// TestScramLibrdkafkaNonce: librdkafka's client-final repeats the client
// nonce before the server's; the proof over the message as sent is
// accepted, a wrong one is not.
func TestScramLibrdkafkaNonce(t *testing.T) {
	for _, pw := range []string{"pw", "wrong"} {
		cred := scramCred(t, ScramSHA512, "pw")
		s, _ := NewScram(ScramSHA512, func(u string) (ScramCredential, bool) { return cred, u == "alice" })
		x := s.Start()
		s1, _, err := x.Step([]byte("n,,n=alice,r=abc"))
		if err != nil {
			t.Fatal(err)
		}
		serverR, _ := scramAttr(string(s1), 'r')
		hf := scram.SHA512
		salted := pbkdf(hf, pw, cred.Salt, cred.Iterations)
		clientKey := hmacOf(hf, salted, "Client Key")
		h := hf()
		h.Write(clientKey)
		c2wop := "c=biws,r=abc" + serverR
		auth := "n=alice,r=abc," + string(s1) + "," + c2wop
		sig := hmacOf(hf, h.Sum(nil), auth)
		proof := make([]byte, len(sig))
		for i := range sig {
			proof[i] = clientKey[i] ^ sig[i]
		}
		out, done, err := x.Step([]byte(c2wop + ",p=" + base64.StdEncoding.EncodeToString(proof)))
		if pw == "wrong" {
			if done || !errors.Is(err, ErrAuthFailed) {
				t.Fatalf("wrong password: done=%v err=%v", done, err)
			}
			continue
		}
		want := "v=" + base64.StdEncoding.EncodeToString(hmacOf(hf, hmacOf(hf, salted, "Server Key"), auth))
		if !done || err != nil || string(out) != want || x.Principal() != User("alice") {
			t.Fatalf("librdkafka final: done=%v err=%v out=%q", done, err, out)
		}
	}
}
