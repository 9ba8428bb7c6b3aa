package authz

import "testing"

func allow(typ ResourceType, name string, pat PatternType, principal, host string, op Operation) Binding {
	return Binding{typ, name, pat, principal, host, op, PermAllow}
}

func deny(typ ResourceType, name string, pat PatternType, principal, host string, op Operation) Binding {
	return Binding{typ, name, pat, principal, host, op, PermDeny}
}

func TestAuthorize(t *testing.T) {
	ix := NewIndex(Config{SuperUsers: ParseSuperUsers("User:admin; User:ops")}, []Binding{
		allow(ResourceTopic, "orders", PatternLiteral, "User:alice", "*", OpRead),
		allow(ResourceTopic, "logs-", PatternPrefixed, "User:alice", "*", OpWrite),
		deny(ResourceTopic, "logs-secret", PatternLiteral, "User:alice", "*", OpWrite),
		allow(ResourceTopic, "*", PatternLiteral, "User:bob", "10.0.0.1", OpAll),
		allow(ResourceTopic, "pub", PatternLiteral, "User:*", "*", OpDescribe),
		allow(ResourceGroup, "g", PatternLiteral, "User:alice", "*", OpRead),
		allow(ResourceTopic, "cfg", PatternLiteral, "User:alice", "*", OpAlterConfigs),
		deny(ResourceTopic, "orders", PatternLiteral, "User:carol", "*", OpAll),
		allow(ResourceTopic, "orders", PatternLiteral, "User:carol", "*", OpRead),
	})
	for _, tc := range []struct {
		p, host string
		op      Operation
		typ     ResourceType
		name    string
		want    bool
	}{
		{"User:alice", "1.2.3.4", OpRead, ResourceTopic, "orders", true},
		{"User:alice", "1.2.3.4", OpWrite, ResourceTopic, "orders", false},
		{"User:alice", "1.2.3.4", OpDescribe, ResourceTopic, "orders", true}, // implied by Read
		{"User:alice", "1.2.3.4", OpWrite, ResourceTopic, "logs-app", true},  // prefixed
		{"User:alice", "1.2.3.4", OpDescribe, ResourceTopic, "logs-app", true},
		{"User:alice", "1.2.3.4", OpWrite, ResourceTopic, "logs-secret", false}, // deny wins
		{"User:alice", "1.2.3.4", OpWrite, ResourceTopic, "log", false},
		{"User:bob", "10.0.0.1", OpDelete, ResourceTopic, "anything", true}, // wildcard name, All
		{"User:bob", "10.0.0.2", OpRead, ResourceTopic, "anything", false},  // host filter
		{"User:dave", "1.1.1.1", OpDescribe, ResourceTopic, "pub", true},    // wildcard principal
		{"User:dave", "1.1.1.1", OpRead, ResourceTopic, "pub", false},
		{"User:alice", "1.1.1.1", OpRead, ResourceGroup, "g", true},
		{"User:alice", "1.1.1.1", OpDelete, ResourceGroup, "g", false},
		{"User:alice", "1.1.1.1", OpDescribeConfigs, ResourceTopic, "cfg", true}, // implied by AlterConfigs
		{"User:carol", "1.1.1.1", OpRead, ResourceTopic, "orders", false},        // DENY All beats ALLOW Read
		{"User:admin", "1.1.1.1", OpAlter, ResourceCluster, ClusterName, true},   // super user
		{"User:ops", "1.1.1.1", OpDelete, ResourceTopic, "orders", true},
		{"User:alice", "1.1.1.1", OpRead, ResourceTopic, "no-acls", false}, // no ACL, not allowed by default
	} {
		got := ix.Authorize(Request{tc.p, tc.host, tc.op, tc.typ, tc.name})
		if got != tc.want {
			t.Errorf("%s@%s %d on %d:%s = %v, want %v", tc.p, tc.host, tc.op, tc.typ, tc.name, got, tc.want)
		}
	}
}

func TestAllowIfNoACLFound(t *testing.T) {
	ix := NewIndex(Config{AllowIfNoACLFound: true}, []Binding{allow(ResourceTopic, "x", PatternLiteral, "User:a", "*", OpRead)})
	if !ix.Authorize(Request{"User:b", "h", OpWrite, ResourceTopic, "other"}) {
		t.Error("a resource without ACLs was refused with allow.everyone.if.no.acl.found")
	}
	if ix.Authorize(Request{"User:b", "h", OpRead, ResourceTopic, "x"}) {
		t.Error("a resource with ACLs was allowed to a principal without one")
	}
}

func TestAuthorizedOperationsAndAny(t *testing.T) {
	ix := NewIndex(Config{}, []Binding{
		allow(ResourceTopic, "t", PatternLiteral, "User:a", "*", OpRead),
		allow(ResourceTopic, "w-", PatternPrefixed, "User:a", "*", OpWrite),
		deny(ResourceTopic, "w-", PatternPrefixed, "User:b", "*", OpWrite),
		allow(ResourceTopic, "w-", PatternPrefixed, "User:b", "*", OpWrite),
	})
	if got, want := ix.AuthorizedOperations(Request{Principal: "User:a", Host: "h", ResourceType: ResourceTopic, ResourceName: "t"}), int32(1<<OpRead|1<<OpDescribe); got != want {
		t.Errorf("authorized operations %b, want %b", got, want)
	}
	if !ix.AnyAllowed("User:a", "h", OpWrite, ResourceTopic) || ix.AnyAllowed("User:b", "h", OpWrite, ResourceTopic) || ix.AnyAllowed("User:c", "h", OpWrite, ResourceTopic) {
		t.Error("AnyAllowed disagrees with the bindings")
	}
}

func TestFilterAndValidate(t *testing.T) {
	b := allow(ResourceTopic, "logs-", PatternPrefixed, "User:a", "*", OpWrite)
	name, other := "logs-app", "User:z"
	for _, tc := range []struct {
		f    Filter
		want bool
	}{
		{Filter{ResourceAny, nil, PatternAny, nil, nil, OpAny, PermAny}, true},
		{Filter{ResourceTopic, &name, PatternMatch, nil, nil, OpAny, PermAny}, true},
		{Filter{ResourceTopic, &name, PatternLiteral, nil, nil, OpAny, PermAny}, false},
		{Filter{ResourceTopic, nil, PatternPrefixed, &other, nil, OpAny, PermAny}, false},
		{Filter{ResourceGroup, nil, PatternAny, nil, nil, OpAny, PermAny}, false},
		{Filter{ResourceAny, nil, PatternAny, nil, nil, OpWrite, PermAllow}, true},
	} {
		if got := tc.f.Matches(b); got != tc.want {
			t.Errorf("%+v matches = %v, want %v", tc.f, got, tc.want)
		}
	}
	if err := Validate(b); err != nil {
		t.Errorf("valid binding: %v", err)
	}
	for _, bad := range []Binding{
		{ResourceAny, "x", PatternLiteral, "User:a", "*", OpRead, PermAllow},
		{ResourceTopic, "x", PatternMatch, "User:a", "*", OpRead, PermAllow},
		{ResourceTopic, "x", PatternLiteral, "alice", "*", OpRead, PermAllow},
		{ResourceTopic, "x", PatternLiteral, "User:a", "*", OpAny, PermAllow},
		{ResourceTopic, "x", PatternLiteral, "User:a", "*", OpRead, PermAny},
		{ResourceCluster, "other", PatternLiteral, "User:a", "*", OpAlter, PermAllow},
	} {
		if Validate(bad) == nil {
			t.Errorf("invalid binding accepted: %+v", bad)
		}
	}
}
