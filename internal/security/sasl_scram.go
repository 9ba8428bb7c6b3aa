package security

import (
	"crypto/hmac"
	"errors"
	"fmt"
	"hash"
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
}

// errNoUser is what the lookup tells xdg-go/scram for an unknown user.
var errNoUser = errors.New("unknown user")

// NewScram serves mechanism (ScramSHA256 or ScramSHA512).
func NewScram(mechanism int8, lookup ScramLookup) (*Scram, error) {
	hf, err := scramHash(mechanism)
	if err != nil {
		return nil, err
	}
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
	return &Scram{name: ScramMechanismName(mechanism), hash: hf, lookup: lookup, server: srv}, nil
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
func (s *Scram) Start() Exchange { return &scramExchange{s: s, conv: s.server.NewConversation()} }

type scramExchange struct {
	s                       *Scram
	conv                    *scram.ServerConversation
	clientBare, serverFirst string // kept for librdkafka's final message (scram_compat.go)
	user                    string
	done                    bool
}

// Step runs one step of the conversation: the client-first message gets
// the server-first, the client-final the server-final.
func (x *scramExchange) Step(in []byte) ([]byte, bool, error) {
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
		return []byte(out), false, nil
	}
	x.done = x.conv.Done() && x.conv.Valid()
	return []byte(out), x.done, nil
}

func (x *scramExchange) Principal() Principal { return User(x.user) }
func (x *scramExchange) Expiry() time.Time    { return time.Time{} }

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
