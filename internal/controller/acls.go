package controller

// ACLs (KIP-801): CreateAcls and DeleteAcls as Kafka's AclControlManager
// takes them; bindings become AccessControlEntryRecord and
// RemoveAccessControlEntryRecord.

import (
	"crypto/rand"
	"fmt"

	"github.com/gofka/gofka/internal/authz"
	"github.com/gofka/gofka/internal/metadata"
)

// ACLResult is the outcome of one creation or deletion filter.
type ACLResult struct {
	Err     error           // nil on success; wraps authz.ErrInvalidBinding for INVALID_REQUEST
	Deleted []authz.Binding // the bindings a filter removed
}

// CreateACLs validates and stores bindings, one result each; an invalid
// binding fails alone and an existing one succeeds without a record.
func (c *Controller) CreateACLs(bindings []authz.Binding) []ACLResult {
	out := make([]ACLResult, len(bindings))
	c.mu.Lock()
	defer c.mu.Unlock()
	existing := map[authz.Binding]bool{}
	for _, a := range c.pub.Current().ACLs() {
		existing[BindingOf(a)] = true
	}
	var recs []metadata.Record
	var pending []int
	for i, b := range bindings {
		if err := authz.Validate(b); err != nil {
			out[i].Err = err
			continue
		}
		if existing[b] {
			continue
		}
		existing[b] = true
		recs = append(recs, aclRecord(b))
		pending = append(pending, i)
	}
	if err := c.commitLocked(recs); err != nil {
		for _, i := range pending {
			out[i].Err = fmt.Errorf("controller: create ACLs: %w", err)
		}
	}
	return out
}

func aclRecord(b authz.Binding) *metadata.AccessControlEntryRecord {
	r := &metadata.AccessControlEntryRecord{ResourceType: int8(b.ResourceType), ResourceName: b.ResourceName,
		PatternType: int8(b.PatternType), Principal: b.Principal, Host: b.Host,
		Operation: int8(b.Operation), PermissionType: int8(b.Permission)}
	_, _ = rand.Read(r.ID[:])
	return r
}

// BindingOf converts a metadata ACL.
func BindingOf(a metadata.ACL) authz.Binding {
	return authz.Binding{ResourceType: authz.ResourceType(a.ResourceType), ResourceName: a.ResourceName,
		PatternType: authz.PatternType(a.PatternType), Principal: a.Principal, Host: a.Host,
		Operation: authz.Operation(a.Operation), Permission: authz.Permission(a.Permission)}
}

// DeleteACLs removes the bindings each filter matches, one result per
// filter; an ACL matched by several filters is removed once and reported
// by each.
func (c *Controller) DeleteACLs(filters []authz.Filter) []ACLResult {
	out := make([]ACLResult, len(filters))
	c.mu.Lock()
	defer c.mu.Unlock()
	acls := c.pub.Current().ACLs()
	removed := map[metadata.UUID]bool{}
	var recs []metadata.Record
	var pending []int
	for i, f := range filters {
		if err := authz.ValidateFilter(f); err != nil {
			out[i].Err = err
			continue
		}
		for id, a := range acls {
			if b := BindingOf(a); f.Matches(b) {
				out[i].Deleted = append(out[i].Deleted, b)
				if !removed[id] {
					removed[id] = true
					recs = append(recs, &metadata.RemoveAccessControlEntryRecord{ID: id})
				}
			}
		}
		pending = append(pending, i)
	}
	if err := c.commitLocked(recs); err != nil {
		for _, i := range pending {
			out[i] = ACLResult{Err: fmt.Errorf("controller: delete ACLs: %w", err)}
		}
	}
	return out
}
