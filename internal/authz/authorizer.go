package authz

import "strings"

// Request is one authorization question.
type Request struct {
	Principal    string // "User:alice"
	Host         string // the client's IP address
	Operation    Operation
	ResourceType ResourceType
	ResourceName string
}

// Config are the authorizer's static settings.
type Config struct {
	SuperUsers        []string // super.users, as "User:name"
	AllowIfNoACLFound bool     // allow.everyone.if.no.acl.found
}

// Index holds the ACLs of one metadata image, by resource type, for
// lookups. It never changes once built.
type Index struct {
	cfg    Config
	super  map[string]bool
	byType map[ResourceType]*typeIndex
}

// typeIndex holds one resource type's bindings: literal ones by name (the
// wildcard "*" among them) and prefixed ones in a list.
type typeIndex struct {
	literal  map[string][]Binding
	prefixed []Binding
}

// NewIndex indexes bindings under cfg.
func NewIndex(cfg Config, bindings []Binding) *Index {
	ix := &Index{cfg: cfg, super: map[string]bool{}, byType: map[ResourceType]*typeIndex{}}
	for _, s := range cfg.SuperUsers {
		ix.super[strings.TrimSpace(s)] = true
	}
	for _, b := range bindings {
		t := ix.byType[b.ResourceType]
		if t == nil {
			t = &typeIndex{literal: map[string][]Binding{}}
			ix.byType[b.ResourceType] = t
		}
		if b.PatternType == PatternPrefixed {
			t.prefixed = append(t.prefixed, b)
		} else {
			t.literal[b.ResourceName] = append(t.literal[b.ResourceName], b)
		}
	}
	return ix
}

// ParseSuperUsers splits super.users ("User:a;User:b").
func ParseSuperUsers(s string) []string {
	var out []string
	for _, u := range strings.Split(s, ";") {
		if u = strings.TrimSpace(u); u != "" {
			out = append(out, u)
		}
	}
	return out
}

// Authorize answers r as StandardAuthorizer does: super users may do
// anything; a matching DENY wins over any ALLOW; an ALLOW for the
// operation, for All, or for an operation implying it allows; a resource
// without any ACL follows allow.everyone.if.no.acl.found.
func (ix *Index) Authorize(r Request) bool {
	if ix.super[r.Principal] {
		return true
	}
	found, allowed := false, false
	for _, b := range ix.applicable(r.ResourceType, r.ResourceName) {
		found = true
		if !principalMatches(b.Principal, r.Principal) || (b.Host != Wildcard && b.Host != r.Host) {
			continue
		}
		if b.Permission == PermDeny && (b.Operation == r.Operation || b.Operation == OpAll) {
			return false
		}
		if b.Permission == PermAllow && implies(b.Operation, r.Operation) {
			allowed = true
		}
	}
	if !found {
		return ix.cfg.AllowIfNoACLFound
	}
	return allowed
}

// applicable returns the bindings whose pattern covers the resource.
func (ix *Index) applicable(typ ResourceType, name string) []Binding {
	t := ix.byType[typ]
	if t == nil {
		return nil
	}
	var out []Binding
	out = append(out, t.literal[name]...)
	if name != Wildcard {
		out = append(out, t.literal[Wildcard]...)
	}
	for _, b := range t.prefixed {
		if strings.HasPrefix(name, b.ResourceName) {
			out = append(out, b)
		}
	}
	return out
}

func principalMatches(acl, p string) bool {
	if acl == p {
		return true
	}
	typ, name, ok := strings.Cut(acl, ":")
	return ok && name == Wildcard && strings.HasPrefix(p, typ+":")
}

// implies reports whether an ALLOW for op grants want.
func implies(op, want Operation) bool {
	switch {
	case op == want || op == OpAll:
		return true
	case want == OpDescribe:
		return op == OpRead || op == OpWrite || op == OpDelete || op == OpAlter
	case want == OpDescribeConfigs:
		return op == OpAlterConfigs
	}
	return false
}

// AuthorizedOperations returns the KIP-430 bitfield of the operations the
// principal may perform on the resource (bit n set for operation code n).
func (ix *Index) AuthorizedOperations(r Request) int32 {
	var bits int32
	for _, op := range Operations[r.ResourceType] {
		r.Operation = op
		if ix.Authorize(r) {
			bits |= 1 << op
		}
	}
	return bits
}

// AnyAllowed reports whether the principal may perform op on some
// resource of the type (Kafka's authorizeByResourceType, used for
// InitProducerId without a transactional id): an ALLOW binding for the
// operation that no DENY for the same pattern overrides, or no ACL at all
// with allow.everyone.if.no.acl.found.
func (ix *Index) AnyAllowed(principal, host string, op Operation, typ ResourceType) bool {
	if ix.super[principal] {
		return true
	}
	t := ix.byType[typ]
	if t == nil {
		return ix.cfg.AllowIfNoACLFound
	}
	check := func(b Binding) bool {
		return b.Permission == PermAllow && implies(b.Operation, op) && principalMatches(b.Principal, principal) &&
			(b.Host == Wildcard || b.Host == host) &&
			ix.Authorize(Request{Principal: principal, Host: host, Operation: op, ResourceType: typ, ResourceName: b.ResourceName})
	}
	for _, bs := range t.literal {
		for _, b := range bs {
			if check(b) {
				return true
			}
		}
	}
	for _, b := range t.prefixed {
		if check(b) {
			return true
		}
	}
	return false
}
