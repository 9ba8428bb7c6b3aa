package quota

import (
	"errors"
	"fmt"
	"math"
	"net/netip"

	"github.com/gofka/gofka/internal/metadata"
)

// Entity names a quota entity; see metadata.QuotaEntity.
type Entity = metadata.QuotaEntity

// Quota keys, as Kafka names them (QuotaConfig).
const (
	ProducerByteRate       = "producer_byte_rate"
	ConsumerByteRate       = "consumer_byte_rate"
	RequestPercentage      = "request_percentage"
	ControllerMutationRate = "controller_mutation_rate"
	ConnectionCreationRate = "connection_creation_rate"
)

// valueKind is how a key's value must look.
type valueKind uint8

const (
	kindDouble valueKind = iota
	kindLong
	kindInt
)

// clientKeys are the keys of user and client-id entities; ipKeys of IPs.
var (
	clientKeys = map[string]valueKind{
		ProducerByteRate: kindLong, ConsumerByteRate: kindLong,
		RequestPercentage: kindDouble, ControllerMutationRate: kindDouble,
	}
	ipKeys = map[string]valueKind{ConnectionCreationRate: kindInt}
)

// ErrInvalid is matched (errors.Is) by every *InvalidError: a quota entity,
// key or value Kafka refuses with INVALID_REQUEST.
var ErrInvalid = errors.New("quota: invalid request")

// InvalidError carries Kafka's message for an INVALID_REQUEST.
type InvalidError struct{ Msg string }

func (e *InvalidError) Error() string        { return e.Msg }
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

func invalidf(format string, args ...any) error {
	return &InvalidError{Msg: fmt.Sprintf(format, args...)}
}

// ValidateEntity checks an entity's combination: user, client-id, both, or
// ip alone, with a valid IP address when named.
func ValidateEntity(e Entity) error {
	switch {
	case !e.User.Set && !e.ClientID.Set && !e.IP.Set:
		return invalidf("Invalid empty client quota entity")
	case e.IP.Set && (e.User.Set || e.ClientID.Set):
		return invalidf("Invalid quota entity combination, IP entity should not be combined with User or ClientId entities.")
	case e.IP.Set && !e.IP.Default:
		if _, err := netip.ParseAddr(e.IP.Name); err != nil {
			return invalidf("%s is not a valid IP or resolvable host.", e.IP.Name)
		}
	}
	return nil
}

// ValidateKey checks that key applies to e and that value fits it; a
// remove (value ignored) only needs the key to apply.
func ValidateKey(e Entity, key string, value float64, remove bool) error {
	keys := clientKeys
	if e.IP.Set {
		keys = ipKeys
	}
	kind, ok := keys[key]
	if !ok {
		return invalidf("Invalid configuration key %s", key)
	}
	if remove {
		return nil
	}
	return validateValue(key, kind, value)
}

// validateValue refuses non-finite, non-positive and, for integer keys,
// fractional values.
func validateValue(key string, kind valueKind, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
		return invalidf("Quota %s must be greater than 0, not %v", key, v)
	}
	switch kind {
	case kindLong:
		if v != math.Trunc(v) || v > math.MaxInt64 {
			return invalidf("Configuration %s must be a Long value", key)
		}
	case kindInt:
		if v != math.Trunc(v) || v > math.MaxInt32 {
			return invalidf("Configuration %s must be an Integer value", key)
		}
	}
	return nil
}

// String renders e as kafka-configs does: user=alice, client-id=<default>.
func String(e Entity) string {
	s := ""
	add := func(typ string, n metadata.QuotaName) {
		if !n.Set {
			return
		}
		if s != "" {
			s += ", "
		}
		name := n.Name
		if n.Default {
			name = "<default>"
		}
		s += typ + "=" + name
	}
	add(metadata.QuotaEntityUser, e.User)
	add(metadata.QuotaEntityClientID, e.ClientID)
	add(metadata.QuotaEntityIP, e.IP)
	return s
}

// ParseEntity converts a request's entity components, refusing unknown and
// repeated entity types and invalid combinations.
func ParseEntity(data []metadata.EntityData) (Entity, error) {
	seen := map[string]bool{}
	for _, d := range data {
		switch d.EntityType {
		case metadata.QuotaEntityUser, metadata.QuotaEntityClientID, metadata.QuotaEntityIP:
		default:
			return Entity{}, invalidf("Unhandled client quota entity type: %s", d.EntityType)
		}
		if seen[d.EntityType] {
			return Entity{}, invalidf("Duplicate %s entity in the quota entity", d.EntityType)
		}
		seen[d.EntityType] = true
	}
	e, _ := metadata.QuotaEntityOf(data)
	return e, ValidateEntity(e)
}
