package controller

// SCRAM credentials (KIP-554): AlterUserScramCredentials validated as
// Kafka's ScramControlManager does and stored as UserScramCredentialRecord
// and RemoveUserScramCredentialRecord.

import (
	"fmt"

	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/security"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Kafka's bounds on SCRAM iterations.
const (
	MinScramIterations = 4096
	MaxScramIterations = 16384
)

// scramAlteration is one deletion or upsertion of a request.
type scramAlteration struct {
	name   string
	mech   int8
	delete bool
	up     *kmsg.AlterUserSCRAMCredentialsRequestUpsertion
}

// AlterScram applies the deletions and upsertions of one
// AlterUserScramCredentials request and returns one result per user.
func (c *Controller) AlterScram(r *kmsg.AlterUserSCRAMCredentialsRequest) []kmsg.AlterUserSCRAMCredentialsResponseResult {
	var alts []scramAlteration
	for _, d := range r.Deletions {
		alts = append(alts, scramAlteration{name: d.Name, mech: d.Mechanism, delete: true})
	}
	for i := range r.Upsertions {
		u := &r.Upsertions[i]
		alts = append(alts, scramAlteration{name: u.Name, mech: u.Mechanism, up: u})
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	results, recs, pending := scramResults(c.pub.Current(), alts)
	if err := c.commitLocked(recs); err != nil {
		c.log.Error("controller: alter SCRAM credentials", "err", err)
		for _, i := range pending {
			setScramErr(&results[i], kerr.UnknownServerError, "the metadata log did not accept the change")
		}
	}
	return results
}

// scramResults validates the alterations user by user, in request order:
// a user's records are kept only when all its alterations are valid, and
// a (user, mechanism) pair altered twice is DUPLICATE_RESOURCE. pending
// are the results whose records are in recs.
func scramResults(img *metadata.Image, alts []scramAlteration) (results []kmsg.AlterUserSCRAMCredentialsResponseResult, recs []metadata.Record, pending []int) {
	type pair struct {
		name string
		mech int8
	}
	pairs := map[pair]int{}
	for _, a := range alts {
		pairs[pair{a.name, a.mech}]++
	}
	index := map[string]int{}
	userRecs := map[string][]metadata.Record{}
	for _, a := range alts {
		i, ok := index[a.name]
		if !ok {
			i = len(results)
			index[a.name] = i
			res := kmsg.NewAlterUserSCRAMCredentialsResponseResult()
			res.User = a.name
			results = append(results, res)
		}
		if results[i].ErrorCode != 0 {
			continue
		}
		if pairs[pair{a.name, a.mech}] > 1 {
			setScramErr(&results[i], kerr.DuplicateResource, "A user credential cannot be altered twice in the same request")
		} else if rec, code, msg := scramRecord(img, a); code != nil {
			setScramErr(&results[i], code, msg)
		} else {
			userRecs[a.name] = append(userRecs[a.name], rec)
		}
	}
	for i := range results {
		if results[i].ErrorCode == 0 {
			recs = append(recs, userRecs[results[i].User]...)
			pending = append(pending, i)
		}
	}
	return results, recs, pending
}

func setScramErr(r *kmsg.AlterUserSCRAMCredentialsResponseResult, e *kerr.Error, msg string) {
	r.ErrorCode, r.ErrorMessage = e.Code, kmsg.StringPtr(msg)
}

// scramRecord validates one alteration and builds its record.
func scramRecord(img *metadata.Image, a scramAlteration) (metadata.Record, *kerr.Error, string) {
	if a.name == "" {
		return nil, kerr.UnacceptableCredential, "Username must not be empty"
	}
	if security.ScramMechanismName(a.mech) == "" {
		return nil, kerr.UnsupportedSaslMechanism, "Unknown SCRAM mechanism"
	}
	if a.delete {
		if _, ok := img.Scram(a.name, a.mech); !ok {
			return nil, kerr.ResourceNotFound, "Attempt to delete a user credential that does not exist"
		}
		return &metadata.RemoveUserScramCredentialRecord{Name: a.name, Mechanism: a.mech}, nil, ""
	}
	u := a.up
	if u.Iterations < MinScramIterations || u.Iterations > MaxScramIterations {
		return nil, kerr.UnacceptableCredential, fmt.Sprintf("Iterations must be between %d and %d", MinScramIterations, MaxScramIterations)
	}
	if len(u.Salt) == 0 || len(u.SaltedPassword) == 0 {
		return nil, kerr.UnacceptableCredential, "Salt and salted password must not be empty"
	}
	cred, err := security.ScramFromSaltedPassword(a.mech, u.Salt, u.SaltedPassword, int(u.Iterations))
	if err != nil {
		return nil, kerr.UnsupportedSaslMechanism, "Unknown SCRAM mechanism"
	}
	return &metadata.UserScramCredentialRecord{Name: a.name, Mechanism: a.mech, Salt: cred.Salt,
		StoredKey: cred.StoredKey, ServerKey: cred.ServerKey, Iterations: u.Iterations}, nil, ""
}
