package security

import (
	"crypto/hmac"
	"errors"
	"fmt"
	"hash"
	"strings"
	"time"

	"github.com/xdg-go/scram"
)

// Kafka's ScramMechanism type codes, as metadata records and the
// UserScramCredentials APIs carry them.
const (
	ScramSHA256 int8 = 1
	ScramSHA512 int8 = 2
)

// ScramMechanismName returns the SASL name of a ScramMechanism code.
func ScramMechanismName(m int8) string {
	switch m {
	case ScramSHA256:
		return "SCRAM-SHA-256"
	case ScramSHA512:
		return "SCRAM-SHA-512"
	}
	return ""
}

// ScramCredential is a stored SCRAM credential.
type ScramCredential struct {
	Salt, StoredKey, ServerKey []byte
	Iterations                 int
}

// ScramLookup returns the credential of a user, ok=false when there is
// none.
type ScramLookup func(user string) (cred ScramCredential, ok bool)

// Scram is SCRAM-SHA-256 or SCRAM-SHA-512 (RFC 5802) on
// github.com/xdg-go/scram, with credentials from lookup.
type Scram struct {
	name   string
	hash   scram.HashGeneratorFcn
	lookup ScramLookup
	server *scram.Server
	// tokens, when set, authenticates delegation tokens (token.go).
	tokens      TokenLookup
	tokenServer *scram.Server
}

// errNoUser is what the lookup tells xdg-go/scram for an unknown user.
var errNoUser = errors.New("unknown user")

// NewScram serves mechanism (ScramSHA256 or ScramSHA512).
func NewScram(mechanism int8, lookup ScramLookup) (*Scram, error) {
	hf, err := scramHash(mechanism)
	if err != nil {
		return nil, err
	}
	srv, err := newScramServer(hf, lookup)
	if err != nil {
		return nil, err
	}
	return &Scram{name: ScramMechanismName(mechanism), hash: hf, lookup: lookup, server: srv}, nil
}

// WithTokens makes s authenticate delegation tokens too: a client-first
// message with the extension tokenauth=true names a token id.
func (s *Scram) WithTokens(tokens TokenLookup) (*Scram, error) {
	srv, err := newScramServer(s.hash, s.tokenCred(tokens))
	if err != nil {
		return nil, err
	}
	s.tokens, s.tokenServer = tokens, srv
	return s, nil
}

// tokenCred adapts a token lookup to a credential lookup.
func (s *Scram) tokenCred(tokens TokenLookup) ScramLookup {
	return func(id string) (ScramCredential, bool) {
		tc, ok := tokens(id)
		return tc.Cred, ok
	}
}

func newScramServer(hf scram.HashGeneratorFcn, lookup ScramLookup) (*scram.Server, error) {
	srv, err := hf.NewServer(func(user string) (scram.StoredCredentials, error) {
		c, ok := lookup(user)
		if !ok {
			return scram.StoredCredentials{}, errNoUser
		}
		return scram.StoredCredentials{KeyFactors: scram.KeyFactors{Salt: string(c.Salt), Iters: c.Iterations},
			StoredKey: c.StoredKey, ServerKey: c.ServerKey}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("security: scram server: %w", err)
	}
	return srv, nil
}

func scramHash(mechanism int8) (scram.HashGeneratorFcn, error) {
	switch mechanism {
	case ScramSHA256:
		return scram.SHA256, nil
	case ScramSHA512:
		return scram.SHA512, nil
	}
	return nil, fmt.Errorf("security: unknown SCRAM mechanism %d", mechanism)
}

// Name implements Mechanism.
func (s *Scram) Name() string { return s.name }

// Start implements Mechanism.
func (s *Scram) Start() Exchange { return &scramExchange{s: s, lookup: s.lookup} }

type scramExchange struct {
	s                       *Scram
	srv                     *scram.Server             // the user or the token server
	conv                    *scram.ServerConversation // from the client-first message on
	lookup                  ScramLookup               // the user's or the token's credential
	clientBare, serverFirst string                    // kept for librdkafka's final message (scram_compat.go)
	user                    string
	token                   *TokenCredential // a delegation token's, when tokenauth=true
	done                    bool
}

// Step runs one step of the conversation: the client-first message gets
// the server-first, the client-final the server-final.
func (x *scramExchange) Step(in []byte) ([]byte, bool, error) {
	if x.conv == nil {
		if err := x.begin(string(in)); err != nil {
			return nil, false, err
		}
	}
	if x.serverFirst != "" {
		if out, ok, err := x.compatFinal(string(in)); ok {
			return out, err == nil, err
		}
	}
	out, err := x.conv.Step(string(in))
	if err != nil {
		// The library's errors may quote the client's message; say only
		// that the credentials did not authenticate.
		return nil, false, ErrAuthFailed
	}
	if x.serverFirst == "" {
		x.clientBare, x.serverFirst, x.user = clientFirstBare(string(in)), out, x.conv.Username()
		if x.srv == x.s.tokenServer {
			tc, ok := x.s.tokens(x.user)
			if !ok {
				return nil, false, ErrAuthFailed
			}
			x.token = &tc
		}
		return []byte(out), false, nil
	}
	x.done = x.conv.Done() && x.conv.Valid()
	return []byte(out), x.done, nil
}

// begin reads the extensions of the client-first message and starts the
// conversation against the user or the token credentials.
func (x *scramExchange) begin(first string) error {
	ext, err := scramExtensions(clientFirstBare(first))
	if err != nil {
		return err
	}
	x.srv = x.s.server
	if strings.EqualFold(ext[tokenAuthExtension], "true") {
		if x.s.tokenServer == nil {
			return fmt.Errorf("%w: delegation tokens are not enabled", ErrAuthFailed)
		}
		x.srv, x.lookup = x.s.tokenServer, x.s.tokenCred(x.s.tokens)
	}
	x.conv = x.srv.NewConversation()
	return nil
}

// Principal is the user, or the owner of the token that authenticated.
func (x *scramExchange) Principal() Principal {
	if x.token != nil {
		return User(x.token.Owner)
	}
	return User(x.user)
}

// Expiry is the token's expiry for token authentication.
func (x *scramExchange) Expiry() time.Time {
	if x.token != nil {
		return x.token.Expiry
	}
	return time.Time{}
}

// TokenAuthenticated implements TokenAuthenticated.
func (x *scramExchange) TokenAuthenticated() bool { return x.token != nil }

// ScramFromSaltedPassword derives the stored credential from the salted
// password that AlterUserScramCredentials carries:
// StoredKey = H(HMAC(salted, "Client Key")), ServerKey = HMAC(salted, "Server Key").
func ScramFromSaltedPassword(mechanism int8, salt, salted []byte, iterations int) (ScramCredential, error) {
	hf, err := scramHash(mechanism)
	if err != nil {
		return ScramCredential{}, err
	}
	clientKey := hmacOf(hf, salted, "Client Key")
	h := hf()
	h.Write(clientKey)
	return ScramCredential{Salt: salt, StoredKey: h.Sum(nil), ServerKey: hmacOf(hf, salted, "Server Key"), Iterations: iterations}, nil
}

func hmacOf(hf func() hash.Hash, key []byte, msg string) []byte {
	m := hmac.New(hf, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}
