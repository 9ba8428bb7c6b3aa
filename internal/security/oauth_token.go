package security

// The client side of OAUTHBEARER checks the token it was given before it
// uses it, as Kafka's LoginAccessTokenValidator does: the token is a
// three-part JWT whose claims parse, with an expiry (exp) in the future
// and a subject (sasl.oauthbearer.sub.claim.name); iat is optional. The
// signature is not checked: the client has no keys, the broker checks it.

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrBadLoginToken reports a token from the token endpoint (or a token
// file) that cannot be used to log in. Its text names the failed check,
// never the token.
var ErrBadLoginToken = errors.New("security: OAUTHBEARER login token is not usable")

// LoginToken is a validated access token a client logs in with.
type LoginToken struct {
	Value    string    // the serialized JWT: never log it
	Subject  string    // the subject claim
	Expiry   time.Time // exp
	IssuedAt time.Time // iat, zero when the token has none
}

// String names the token without its value, so a LoginToken printed by
// mistake leaks nothing.
func (t *LoginToken) String() string {
	return fmt.Sprintf("token(sub=%s, exp=%s)", t.Subject, t.Expiry.UTC().Format(time.RFC3339))
}

// ParseLoginToken validates token's claims at now: subClaim names the
// subject claim ("" for "sub").
func ParseLoginToken(token, subClaim string, now time.Time) (*LoginToken, error) {
	token = strings.TrimSpace(token)
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		return nil, fmt.Errorf("%w: not a JWT of three dot-separated parts", ErrBadLoginToken)
	}
	var claims map[string]any
	if err := decodeSegment(parts[1], &claims); err != nil {
		return nil, fmt.Errorf("%w: claims: %w", ErrBadLoginToken, err)
	}
	t := &LoginToken{Value: token}
	var ok bool
	if t.Expiry, ok = numericTime(claims["exp"]); !ok {
		return nil, fmt.Errorf("%w: no numeric exp claim", ErrBadLoginToken)
	}
	if !t.Expiry.After(now) {
		return nil, fmt.Errorf("%w: expired at %s", ErrBadLoginToken, t.Expiry.UTC().Format(time.RFC3339))
	}
	name := cmp(subClaim, "sub")
	if t.Subject, _ = claims[name].(string); strings.TrimSpace(t.Subject) == "" {
		return nil, fmt.Errorf("%w: no %q claim", ErrBadLoginToken, name)
	}
	if iat, present := claims["iat"]; present {
		if t.IssuedAt, ok = numericTime(iat); !ok {
			return nil, fmt.Errorf("%w: iat is not a number", ErrBadLoginToken)
		}
	}
	return t, nil
}
