package metadata

import "maps"

// applySecurity applies the security records, reporting false for any
// other record.
func (a *applier) applySecurity(rec Record) bool {
	s := &a.next.sec
	switch r := rec.(type) {
	case *UserScramCredentialRecord:
		s.scram = cloneMap(s.scram, &a.scramOwned)
		s.scram[ScramKey{r.Name, r.Mechanism}] = ScramCredential{Salt: r.Salt, StoredKey: r.StoredKey, ServerKey: r.ServerKey, Iterations: r.Iterations}
	case *RemoveUserScramCredentialRecord:
		s.scram = cloneMap(s.scram, &a.scramOwned)
		delete(s.scram, ScramKey{r.Name, r.Mechanism})
	case *AccessControlEntryRecord:
		s.acls = a.ownACLs()
		s.acls[r.ID] = ACL{ID: r.ID, ResourceType: r.ResourceType, ResourceName: r.ResourceName, PatternType: r.PatternType,
			Principal: r.Principal, Host: r.Host, Operation: r.Operation, Permission: r.PermissionType}
	case *RemoveAccessControlEntryRecord:
		s.acls = a.ownACLs()
		delete(s.acls, r.ID)
	case *DelegationTokenRecord:
		s.tokens = cloneMap(s.tokens, &a.tokensOwned)
		s.tokens[r.TokenID] = DelegationToken{TokenID: r.TokenID, Owner: r.Owner, Requester: r.Requester, Renewers: r.Renewers,
			IssueTimestamp: r.IssueTimestamp, MaxTimestamp: r.MaxTimestamp, ExpirationTimestamp: r.ExpirationTimestamp}
	case *RemoveDelegationTokenRecord:
		s.tokens = cloneMap(s.tokens, &a.tokensOwned)
		delete(s.tokens, r.TokenID)
	default:
		return false
	}
	return true
}

// ownACLs copies the ACL map on its first change in a batch and bumps
// the ACL version.
func (a *applier) ownACLs() map[UUID]ACL {
	s := &a.next.sec
	if !a.aclsOwned {
		s.aclVersion++
	}
	return cloneMap(s.acls, &a.aclsOwned)
}

// cloneMap copies m on its first change in a batch.
func cloneMap[K comparable, V any](m map[K]V, owned *bool) map[K]V {
	if *owned {
		return m
	}
	*owned = true
	if m = maps.Clone(m); m == nil {
		m = map[K]V{}
	}
	return m
}
