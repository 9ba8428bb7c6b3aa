package security

import (
	"bytes"
	"crypto/subtle"
	"fmt"
	"time"
)

// Plain is SASL/PLAIN (RFC 4616) against a user table, as Kafka's
// PlainLoginModule takes it from user_<name>="<password>" options, and
// optionally a users file whose entries win.
type Plain struct {
	users map[string]string
	file  *UsersFile
}

// NewPlain serves PLAIN for users (name to password).
func NewPlain(users map[string]string) *Plain { return &Plain{users: users} }

// NewPlainFile serves PLAIN for users and the users of file, which win.
func NewPlainFile(users map[string]string, file *UsersFile) *Plain {
	return &Plain{users: users, file: file}
}

// password returns a user's password.
func (p *Plain) password(user string) (string, bool) {
	if p.file != nil {
		if pw, ok := p.file.Users()[user]; ok {
			return pw, true
		}
	}
	pw, ok := p.users[user]
	return pw, ok
}

// Name implements Mechanism.
func (*Plain) Name() string { return "PLAIN" }

// Start implements Mechanism.
func (p *Plain) Start() Exchange { return &plainExchange{p: p} }

type plainExchange struct {
	p    *Plain
	user string
}

// Step checks "authzid NUL authcid NUL password" in one message.
func (x *plainExchange) Step(in []byte) ([]byte, bool, error) {
	parts := bytes.Split(in, []byte{0})
	if len(parts) != 3 || len(parts[1]) == 0 {
		return nil, false, fmt.Errorf("%w: PLAIN expects authzid, username and password", ErrMalformed)
	}
	user, pass := string(parts[1]), parts[2]
	if len(parts[0]) > 0 && string(parts[0]) != user {
		return nil, false, fmt.Errorf("%w: authorization id differs from the user name", ErrAuthFailed)
	}
	want, ok := x.p.password(user)
	// Compare even for an unknown user, so timing does not tell users apart.
	match := subtle.ConstantTimeCompare([]byte(want), pass) == 1
	if !ok || !match {
		return nil, false, ErrAuthFailed
	}
	x.user = user
	return nil, true, nil
}

func (x *plainExchange) Principal() Principal { return User(x.user) }
func (x *plainExchange) Expiry() time.Time    { return time.Time{} }
