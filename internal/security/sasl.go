package security

import (
	"errors"
	"time"
)

// ErrAuthFailed reports credentials that do not authenticate. Its text is
// what the client is told; it never names which part was wrong.
var ErrAuthFailed = errors.New("authentication failed: invalid credentials")

// ErrMalformed reports SASL bytes that do not parse as the mechanism's
// messages.
var ErrMalformed = errors.New("authentication failed: malformed SASL message")

// Mechanism is the server side of one SASL mechanism.
type Mechanism interface {
	// Name is the mechanism's IANA name, e.g. "SCRAM-SHA-256".
	Name() string
	// Start begins one exchange with a client.
	Start() Exchange
}

// Exchange is one authentication exchange. It is driven by one goroutine.
type Exchange interface {
	// Step consumes a client message and returns the server's answer;
	// done reports the exchange finished successfully. An error ends the
	// exchange; it wraps ErrAuthFailed or ErrMalformed.
	Step(in []byte) (out []byte, done bool, err error)
	// Principal is the authenticated principal once done.
	Principal() Principal
	// Expiry is when the credential expires (an OAuth token's exp), zero
	// when it does not.
	Expiry() time.Time
}
