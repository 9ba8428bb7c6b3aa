package security

import (
	"fmt"
	"strings"
)

// Principal is a KafkaPrincipal: a type (always "User" for the built-in
// principal builder) and a name.
type Principal struct {
	Type, Name string
}

// UserType is the principal type of every authenticated identity.
const UserType = "User"

// Anonymous is the principal of PLAINTEXT connections and of SSL
// connections without a client certificate.
var Anonymous = Principal{Type: UserType, Name: "ANONYMOUS"}

// User returns the User principal with name.
func User(name string) Principal { return Principal{Type: UserType, Name: name} }

// String formats the principal as Kafka does: "User:alice".
func (p Principal) String() string { return p.Type + ":" + p.Name }

// ParsePrincipal parses "Type:name" (the name may contain colons).
func ParsePrincipal(s string) (Principal, error) {
	typ, name, ok := strings.Cut(s, ":")
	if !ok || typ == "" {
		return Principal{}, fmt.Errorf("security: principal %q is not of the form Type:name", s)
	}
	return Principal{Type: typ, Name: name}, nil
}
