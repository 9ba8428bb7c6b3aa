package metadata

import (
	"encoding/base64"
	"fmt"
)

// UUID is a Kafka Uuid: 16 bytes, written on the wire most significant byte first.
type UUID [16]byte

// String formats u as Kafka does: URL-safe base64 without padding.
func (u UUID) String() string { return base64.RawURLEncoding.EncodeToString(u[:]) }

// IsZero reports whether u is Kafka's ZERO_UUID.
func (u UUID) IsZero() bool { return u == UUID{} }

// ParseUUID parses the Kafka string form produced by String.
func ParseUUID(s string) (UUID, error) {
	var u UUID
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != len(u) {
		return u, fmt.Errorf("metadata: bad uuid %q", s)
	}
	copy(u[:], b)
	return u, nil
}
