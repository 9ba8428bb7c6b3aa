package security

import (
	"bytes"
	"testing"
	"time"
)

// FuzzSASLExchanges feeds arbitrary client messages, split at 0xff into
// steps, to every mechanism: none may panic, and only the known good
// PLAIN message may authenticate.
func FuzzSASLExchanges(f *testing.F) {
	f.Add([]byte("\x00alice\x00pw"))
	f.Add([]byte("n,,n=alice,r=abc\xffc=biws,r=abcdef,p=AAAA"))
	f.Add([]byte("n,a=alice,\x01auth=Bearer a.b.c\x01k=v\x01\x01"))
	f.Add(oauthMsg(unsecuredJWT(map[string]any{"sub": "x", "exp": 1e12})))
	cred := ScramCredential{Salt: []byte("salt"), StoredKey: make([]byte, 32), ServerKey: make([]byte, 32), Iterations: 4096}
	s256, _ := NewScram(ScramSHA256, func(string) (ScramCredential, bool) { return cred, true })
	tokens, _ := NewScram(ScramSHA512, func(string) (ScramCredential, bool) { return cred, false })
	tokens, _ = tokens.WithTokens(func(string) (TokenCredential, bool) { return TokenCredential{Cred: cred, Owner: "o"}, true })
	f.Add([]byte("n,,n=tok,r=abc,tokenauth=true\xffc=biws,r=abcdef,p=AAAA"))
	mechs := []Mechanism{NewPlain(map[string]string{"alice": "pw"}), s256, tokens,
		NewOAuthBearer(&JWTValidator{ClockSkew: time.Second})}
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, m := range mechs {
			x := m.Start()
			for _, step := range bytes.Split(in, []byte{0xff}) {
				_, done, err := x.Step(step)
				if err != nil || done {
					break
				}
			}
		}
	})
}

// FuzzJWT feeds arbitrary tokens to the validator.
func FuzzJWT(f *testing.F) {
	f.Add(unsecuredJWT(map[string]any{"sub": "x", "exp": 1e12, "aud": []any{"a", 1}}))
	f.Add("e30.e30.")
	v := &JWTValidator{Audience: []string{"a"}}
	f.Fuzz(func(t *testing.T, tok string) {
		if p, _, err := v.Validate(tok); err == nil && p.Name == "" {
			t.Fatal("valid token with empty subject")
		}
	})
}

// FuzzTokenResponse feeds arbitrary token endpoint answers to the login's
// parsers: none may panic, and a token they accept has a subject and an
// expiry in the future.
func FuzzTokenResponse(f *testing.F) {
	tok := unsecuredJWT(map[string]any{"sub": "x", "exp": 1e12, "iat": 1})
	f.Add([]byte(`{"access_token":"` + tok + `","token_type":"Bearer"}`))
	f.Add([]byte(`{"error":"invalid_client","error_description":"no"}`))
	f.Add([]byte(`{"errorCode":"E0","errorSummary":"s","access_token":null}`))
	now := time.Unix(1_000_000, 0)
	f.Fuzz(func(t *testing.T, body []byte) {
		_ = oauthErrorText(body)
		raw, err := parseAccessToken(body)
		if err != nil {
			return
		}
		if lt, err := ParseLoginToken(raw, "", now); err == nil && (lt.Subject == "" || !lt.Expiry.After(now)) {
			t.Fatalf("accepted %s", lt)
		}
	})
}
