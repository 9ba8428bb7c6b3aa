package security

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"
)

// ErrBadToken reports a JWT that does not parse, is not signed as
// required, or whose claims do not validate. Its wrapped text names the
// failed check, never the token.
var ErrBadToken = errors.New("authentication failed: invalid token")

// JWTValidator validates OAUTHBEARER tokens. Without Keys it accepts only
// unsecured tokens (alg "none", Kafka's development validator); with Keys
// it accepts only tokens signed by one of them (KIP-768).
type JWTValidator struct {
	Keys       *JWKS    // nil: unsecured tokens
	Audience   []string // sasl.oauthbearer.expected.audience: one must be in aud
	Issuer     string   // sasl.oauthbearer.expected.issuer
	ClockSkew  time.Duration
	SubClaim   string // sasl.oauthbearer.sub.claim.name, default "sub"
	ScopeClaim string // sasl.oauthbearer.scope.claim.name, default "scope"
	Now        func() time.Time
}

// jwtHeader is the JOSE header fields Gofka reads.
type jwtHeader struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
}

// Validate checks token and returns its principal and expiry.
func (v *JWTValidator) Validate(token string) (Principal, time.Time, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return Principal{}, time.Time{}, fmt.Errorf("%w: not three dot-separated parts", ErrBadToken)
	}
	var hdr jwtHeader
	if err := decodeSegment(parts[0], &hdr); err != nil {
		return Principal{}, time.Time{}, fmt.Errorf("%w: header: %w", ErrBadToken, err)
	}
	if err := v.checkSignature(hdr, parts); err != nil {
		return Principal{}, time.Time{}, err
	}
	var claims map[string]any
	if err := decodeSegment(parts[1], &claims); err != nil {
		return Principal{}, time.Time{}, fmt.Errorf("%w: claims: %w", ErrBadToken, err)
	}
	return v.checkClaims(claims)
}

func decodeSegment(s string, into any) error {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return errors.New("not base64url")
	}
	if err := json.Unmarshal(b, into); err != nil {
		return errors.New("not a JSON object")
	}
	return nil
}

// checkSignature requires alg none without keys, and a valid signature by
// the key named by kid with them.
func (v *JWTValidator) checkSignature(hdr jwtHeader, parts []string) error {
	if v.Keys == nil {
		if hdr.Alg != "none" {
			return fmt.Errorf("%w: unsecured validator accepts only alg none, got %q", ErrBadToken, hdr.Alg)
		}
		return nil
	}
	h, ok := jwtHashes[hdr.Alg]
	if !ok {
		return fmt.Errorf("%w: unsupported alg %q", ErrBadToken, hdr.Alg)
	}
	key, err := v.Keys.Key(hdr.Kid)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadToken, err)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return fmt.Errorf("%w: signature not base64url", ErrBadToken)
	}
	hh := h.New()
	hh.Write([]byte(parts[0] + "." + parts[1]))
	if !verifySig(key, hdr.Alg, h, hh.Sum(nil), sig) {
		return fmt.Errorf("%w: bad signature", ErrBadToken)
	}
	return nil
}

var jwtHashes = map[string]crypto.Hash{
	"RS256": crypto.SHA256, "RS384": crypto.SHA384, "RS512": crypto.SHA512,
	"ES256": crypto.SHA256, "ES384": crypto.SHA384, "ES512": crypto.SHA512,
}

func verifySig(key crypto.PublicKey, alg string, h crypto.Hash, digest, sig []byte) bool {
	switch k := key.(type) {
	case *rsa.PublicKey:
		return strings.HasPrefix(alg, "RS") && rsa.VerifyPKCS1v15(k, h, digest, sig) == nil
	case *ecdsa.PublicKey:
		n := (k.Curve.Params().BitSize + 7) / 8
		if !strings.HasPrefix(alg, "ES") || len(sig) != 2*n {
			return false
		}
		r, s := new(big.Int).SetBytes(sig[:n]), new(big.Int).SetBytes(sig[n:])
		return ecdsa.Verify(k, digest, r, s)
	}
	return false
}

// checkClaims validates exp, nbf/iat with clock skew, aud, iss and the
// subject claim.
func (v *JWTValidator) checkClaims(c map[string]any) (Principal, time.Time, error) {
	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	exp, ok := numericTime(c["exp"])
	if !ok {
		return Principal{}, time.Time{}, fmt.Errorf("%w: no exp claim", ErrBadToken)
	}
	if now.After(exp.Add(v.ClockSkew)) {
		return Principal{}, time.Time{}, fmt.Errorf("%w: expired", ErrBadToken)
	}
	for _, name := range []string{"nbf", "iat"} {
		if t, ok := numericTime(c[name]); ok && t.After(now.Add(v.ClockSkew)) {
			return Principal{}, time.Time{}, fmt.Errorf("%w: %s in the future", ErrBadToken, name)
		}
	}
	if err := v.checkAudIss(c); err != nil {
		return Principal{}, time.Time{}, err
	}
	sub, _ := c[cmp(v.SubClaim, "sub")].(string)
	if strings.TrimSpace(sub) == "" {
		return Principal{}, time.Time{}, fmt.Errorf("%w: no subject claim", ErrBadToken)
	}
	return User(sub), exp, nil
}

func (v *JWTValidator) checkAudIss(c map[string]any) error {
	if v.Issuer != "" {
		if iss, _ := c["iss"].(string); iss != v.Issuer {
			return fmt.Errorf("%w: unexpected issuer", ErrBadToken)
		}
	}
	if len(v.Audience) == 0 {
		return nil
	}
	var aud []string
	switch a := c["aud"].(type) {
	case string:
		aud = []string{a}
	case []any:
		for _, e := range a {
			if s, ok := e.(string); ok {
				aud = append(aud, s)
			}
		}
	}
	if !slices.ContainsFunc(aud, func(s string) bool { return slices.Contains(v.Audience, s) }) {
		return fmt.Errorf("%w: unexpected audience", ErrBadToken)
	}
	return nil
}

func cmp(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// numericTime reads a JWT NumericDate (seconds, possibly fractional).
func numericTime(v any) (time.Time, bool) {
	f, ok := v.(float64)
	if !ok {
		return time.Time{}, false
	}
	return time.UnixMilli(int64(f * 1000)), true
}

// UnsecuredJWT is an unsecured token (alg none) for sub, issued at now and
// valid for life: what Kafka's unsecured OAUTHBEARER login makes, for a
// client of a listener that validates unsecured tokens.
func UnsecuredJWT(sub string, now time.Time, life time.Duration) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	claims := map[string]any{"sub": sub, "iat": now.Unix(), "exp": now.Add(life).Unix()}
	return enc(map[string]string{"alg": "none"}) + "." + enc(claims) + "."
}
