package checkpoint

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
)

// UUID is a Kafka Uuid (org.apache.kafka.common.Uuid): 16 bytes, the most
// significant long first, both big-endian.
type UUID [16]byte

// Reserved ids that NewUUID never returns, as in Kafka's Uuid.RESERVED.
var (
	// ZeroUUID is Kafka's ZERO_UUID, meaning "no id".
	ZeroUUID = UUID{}
	// MetadataTopicID is Kafka's METADATA_TOPIC_ID (ONE_UUID), the id of
	// __cluster_metadata.
	MetadataTopicID = UUID{15: 1}
)

// uuidTextLen is the length of a Uuid's text form: 16 bytes in base64
// without padding.
const uuidTextLen = 22

// String returns Kafka's Uuid.toString: URL-safe base64 without padding.
func (u UUID) String() string {
	return base64.RawURLEncoding.EncodeToString(u[:])
}

// IsZero reports whether u is ZeroUUID.
func (u UUID) IsZero() bool { return u == ZeroUUID }

// ParseUUID parses Kafka's Uuid text form. Like Uuid.fromString it takes
// URL-safe base64 of exactly 16 bytes, with or without its "==" padding.
func ParseUUID(s string) (UUID, error) {
	t := s
	if len(t) == uuidTextLen+2 && strings.HasSuffix(t, "==") {
		t = t[:uuidTextLen]
	}
	var u UUID
	if len(t) != uuidTextLen {
		return u, fmt.Errorf("%w: %q is not %d characters", ErrInvalidUUID, s, uuidTextLen)
	}
	n, err := base64.RawURLEncoding.Decode(u[:], []byte(t))
	if err != nil || n != len(u) {
		return UUID{}, fmt.Errorf("%w: %q is not base64 of 16 bytes", ErrInvalidUUID, s)
	}
	return u, nil
}

// NewUUID returns a random version 4 UUID like Kafka's Uuid.randomUuid: never
// a reserved id and never one whose text starts with '-' (it would read as a
// command-line flag).
func NewUUID() UUID {
	for {
		u := randomV4()
		if u != ZeroUUID && u != MetadataTopicID && u.String()[0] != '-' {
			return u
		}
	}
}

// randomV4 is java.util.UUID.randomUUID: 122 random bits, version 4, IETF
// variant.
func randomV4() UUID {
	var u UUID
	_, _ = rand.Read(u[:]) // crypto/rand.Read never fails
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}
