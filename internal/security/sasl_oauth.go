package security

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// OAuthBearer is SASL/OAUTHBEARER (RFC 7628) as Kafka serves it: the
// client sends its JWT in one message and the server validates it.
type OAuthBearer struct {
	v *JWTValidator
}

// NewOAuthBearer validates tokens with v.
func NewOAuthBearer(v *JWTValidator) *OAuthBearer { return &OAuthBearer{v: v} }

// Name implements Mechanism.
func (*OAuthBearer) Name() string { return "OAUTHBEARER" }

// Start implements Mechanism.
func (o *OAuthBearer) Start() Exchange { return &oauthExchange{o: o} }

type oauthExchange struct {
	o      *OAuthBearer
	p      Principal
	expiry time.Time
}

// Step validates the client's initial response:
// gs2-header ^A "auth=Bearer " token ^A *(key=value ^A) ^A.
func (x *oauthExchange) Step(in []byte) ([]byte, bool, error) {
	token, authzid, err := parseOAuthMessage(in)
	if err != nil {
		return nil, false, err
	}
	p, exp, err := x.o.v.Validate(token)
	if err != nil {
		return nil, false, err
	}
	if authzid != "" && authzid != p.Name {
		return nil, false, fmt.Errorf("%w: authorization id differs from the token subject", ErrAuthFailed)
	}
	x.p, x.expiry = p, exp
	return nil, true, nil
}

// parseOAuthMessage returns the bearer token and the gs2 authzid.
func parseOAuthMessage(in []byte) (token, authzid string, err error) {
	fields := bytes.Split(in, []byte{1})
	if len(fields) < 3 || len(fields[len(fields)-1]) != 0 || len(fields[len(fields)-2]) != 0 {
		return "", "", fmt.Errorf("%w: OAUTHBEARER message framing", ErrMalformed)
	}
	gs2 := string(fields[0])
	if !strings.HasPrefix(gs2, "n,") && !strings.HasPrefix(gs2, "y,") {
		return "", "", fmt.Errorf("%w: OAUTHBEARER gs2 header", ErrMalformed)
	}
	for _, a := range strings.Split(gs2[2:], ",") {
		if v, ok := strings.CutPrefix(a, "a="); ok {
			authzid = v
		}
	}
	for _, f := range fields[1 : len(fields)-2] {
		if v, ok := bytes.CutPrefix(f, []byte("auth=")); ok {
			scheme, tok, found := strings.Cut(string(v), " ")
			if !found || !strings.EqualFold(scheme, "Bearer") || tok == "" {
				return "", "", fmt.Errorf("%w: OAUTHBEARER auth is not a bearer token", ErrMalformed)
			}
			token = strings.TrimSpace(tok)
		}
	}
	if token == "" {
		return "", "", fmt.Errorf("%w: OAUTHBEARER message has no auth", ErrMalformed)
	}
	return token, authzid, nil
}

func (x *oauthExchange) Principal() Principal { return x.p }
func (x *oauthExchange) Expiry() time.Time    { return x.expiry }
