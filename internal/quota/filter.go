package quota

import "github.com/gofka/gofka/internal/metadata"

// Match types of a DescribeClientQuotas filter component (KIP-546).
const (
	MatchExact   int8 = 0 // the entity named Name
	MatchDefault int8 = 1 // the default entity of the type
	MatchAny     int8 = 2 // any entity of the type, named or default
)

// Component is one filter component: an entity type and how to match it.
type Component struct {
	Type  string
	Match int8
	Name  string // for MatchExact
}

// Filter selects quota entities for DescribeClientQuotas. With Strict, an
// entity matches only when it has no entity type beyond the components.
type Filter struct {
	Components []Component
	Strict     bool
}

// Validate checks the filter as Kafka does: known types and match types,
// no type twice, ip never with user or client-id.
func (f Filter) Validate() error {
	seen := map[string]bool{}
	for _, c := range f.Components {
		switch c.Type {
		case metadata.QuotaEntityUser, metadata.QuotaEntityClientID, metadata.QuotaEntityIP:
		default:
			return invalidf("Custom entity type '%s' not supported", c.Type)
		}
		if seen[c.Type] {
			return invalidf("Duplicate entity type in filter: %s", c.Type)
		}
		seen[c.Type] = true
		if c.Match < MatchExact || c.Match > MatchAny {
			return invalidf("Unknown match type %d", c.Match)
		}
	}
	if seen[metadata.QuotaEntityIP] && (seen[metadata.QuotaEntityUser] || seen[metadata.QuotaEntityClientID]) {
		return invalidf("Invalid entity filter component combination, IP filter component should not be used with user or clientId filter component.")
	}
	return nil
}

// Matches reports whether e passes the filter.
func (f Filter) Matches(e Entity) bool {
	named := map[string]bool{}
	for _, c := range f.Components {
		part := component(e, c.Type)
		if !part.Set || !c.matches(part) {
			return false
		}
		named[c.Type] = true
	}
	if !f.Strict {
		return true
	}
	for _, typ := range []string{metadata.QuotaEntityUser, metadata.QuotaEntityClientID, metadata.QuotaEntityIP} {
		if component(e, typ).Set && !named[typ] {
			return false
		}
	}
	return true
}

func (c Component) matches(n metadata.QuotaName) bool {
	switch c.Match {
	case MatchExact:
		return !n.Default && n.Name == c.Name
	case MatchDefault:
		return n.Default
	}
	return true
}

// component returns e's component of an entity type.
func component(e Entity, typ string) metadata.QuotaName {
	switch typ {
	case metadata.QuotaEntityUser:
		return e.User
	case metadata.QuotaEntityClientID:
		return e.ClientID
	case metadata.QuotaEntityIP:
		return e.IP
	}
	return metadata.QuotaName{}
}
