package metadata

import (
	"maps"
	"slices"
	"strings"
)

// Security state of the image: SCRAM credentials, ACLs and delegation
// tokens. The maps are small and change rarely; a record that changes one
// copies it (apply_security.go), so an image never changes after publish.

// ScramKey names one SCRAM credential: a user and a mechanism (1 is
// SCRAM-SHA-256, 2 is SCRAM-SHA-512, as in Kafka's ScramMechanism).
type ScramKey struct {
	User      string
	Mechanism int8
}

// ScramCredential is a stored SCRAM credential.
type ScramCredential struct {
	Salt, StoredKey, ServerKey []byte
	Iterations                 int32
}

// ACL is one access control entry (AccessControlEntryRecord).
type ACL struct {
	ID           UUID
	ResourceType int8
	ResourceName string
	PatternType  int8
	Principal    string
	Host         string
	Operation    int8
	Permission   int8
}

// DelegationToken is one delegation token (DelegationTokenRecord).
type DelegationToken struct {
	TokenID             string
	Owner, Requester    string
	Renewers            []string
	IssueTimestamp      int64
	MaxTimestamp        int64
	ExpirationTimestamp int64
}

// securityState holds the security maps of an image.
type securityState struct {
	scram  map[ScramKey]ScramCredential
	acls   map[UUID]ACL
	tokens map[string]DelegationToken
	// aclVersion changes whenever acls does, so readers can rebuild
	// their index only then.
	aclVersion int64
}

// Scram returns the credential of user for mechanism.
func (im *Image) Scram(user string, mechanism int8) (ScramCredential, bool) {
	c, ok := im.sec.scram[ScramKey{user, mechanism}]
	return c, ok
}

// ScramUsers returns every SCRAM credential key, sorted by user and
// mechanism.
func (im *Image) ScramUsers() []ScramKey {
	keys := slices.Collect(maps.Keys(im.sec.scram))
	slices.SortFunc(keys, func(a, b ScramKey) int {
		if c := strings.Compare(a.User, b.User); c != 0 {
			return c
		}
		return int(a.Mechanism) - int(b.Mechanism)
	})
	return keys
}

// ACLs returns every ACL; the caller must not change the map.
func (im *Image) ACLs() map[UUID]ACL { return im.sec.acls }

// ACLVersion changes whenever the set of ACLs does.
func (im *Image) ACLVersion() int64 { return im.sec.aclVersion }

// DelegationTokens returns every delegation token by id; the caller must
// not change the map.
func (im *Image) DelegationTokens() map[string]DelegationToken { return im.sec.tokens }

// securityRecords are the snapshot records of the security state, in a
// deterministic order.
func (im *Image) securityRecords() []Record {
	var out []Record
	for _, k := range im.ScramUsers() {
		c := im.sec.scram[k]
		out = append(out, &UserScramCredentialRecord{Name: k.User, Mechanism: k.Mechanism, Salt: c.Salt,
			StoredKey: c.StoredKey, ServerKey: c.ServerKey, Iterations: c.Iterations})
	}
	ids := slices.SortedFunc(maps.Keys(im.sec.acls), func(a, b UUID) int { return slices.Compare(a[:], b[:]) })
	for _, id := range ids {
		a := im.sec.acls[id]
		out = append(out, &AccessControlEntryRecord{ID: a.ID, ResourceType: a.ResourceType, ResourceName: a.ResourceName,
			PatternType: a.PatternType, Principal: a.Principal, Host: a.Host, Operation: a.Operation, PermissionType: a.Permission})
	}
	for _, id := range slices.Sorted(maps.Keys(im.sec.tokens)) {
		t := im.sec.tokens[id]
		out = append(out, &DelegationTokenRecord{TokenID: t.TokenID, Owner: t.Owner, Requester: t.Requester, Renewers: t.Renewers,
			IssueTimestamp: t.IssueTimestamp, MaxTimestamp: t.MaxTimestamp, ExpirationTimestamp: t.ExpirationTimestamp})
	}
	return out
}
