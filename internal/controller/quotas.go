package controller

// AlterClientQuotas (v0-1, KIP-546), as Kafka's ClientQuotaControlManager
// applies it: each entry is validated on its own (entity combination, keys
// of its entity type, positive values of the key's type) and becomes one
// ClientQuotaRecord per changed key; validateOnly writes nothing. The
// controller mutation quota of CreateTopics, CreatePartitions and
// DeleteTopics (KIP-599) is asked through MutationQuota.

import (
	"errors"

	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/quota"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// MutationQuota is the controller mutation quota of the requesting client:
// Admit is asked before a topic's partitions are created or deleted, with
// their count, and reports false when the client is throttled. A nil
// MutationQuota admits everything.
type MutationQuota interface {
	Admit(partitions int) bool
}

// admit asks q, answering THROTTLING_QUOTA_EXCEEDED when it refuses.
func admit(q MutationQuota, partitions int) *topicError {
	if q == nil || q.Admit(partitions) {
		return nil
	}
	return errf(kerr.ThrottlingQuotaExceeded, "The throttling quota has been exceeded.")
}

// admitUnlessValidating asks q unless the request only validates.
func admitUnlessValidating(q MutationQuota, validateOnly bool, partitions int) *topicError {
	if validateOnly {
		return nil
	}
	return admit(q, partitions)
}

// AlterClientQuotas validates and applies quota changes, one result per
// entry in request order.
func (c *Controller) AlterClientQuotas(r *kmsg.AlterClientQuotasRequest) []kmsg.AlterClientQuotasResponseEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	img := c.pub.Current()
	out := make([]kmsg.AlterClientQuotasResponseEntry, 0, len(r.Entries))
	for i := range r.Entries {
		e := &r.Entries[i]
		res := kmsg.NewAlterClientQuotasResponseEntry()
		for _, p := range e.Entity {
			res.Entity = append(res.Entity, kmsg.AlterClientQuotasResponseEntryEntity{Type: p.Type, Name: p.Name})
		}
		recs, err := quotaRecords(img, e)
		if err == nil && !r.ValidateOnly {
			err = c.commitLocked(recs)
		}
		setQuotaErr(&res, err)
		out = append(out, res)
	}
	return out
}

// quotaRecords validates one entry and builds its records; removing a key
// that is not set writes nothing.
func quotaRecords(img *metadata.Image, e *kmsg.AlterClientQuotasRequestEntry) ([]metadata.Record, error) {
	data := make([]metadata.EntityData, 0, len(e.Entity))
	for _, p := range e.Entity {
		data = append(data, metadata.EntityData{EntityType: p.Type, EntityName: p.Name})
	}
	ent, err := quota.ParseEntity(data)
	if err != nil {
		return nil, err
	}
	var recs []metadata.Record
	seen := map[string]bool{}
	for _, op := range e.Ops {
		if seen[op.Key] {
			return nil, &quota.InvalidError{Msg: "Duplicate quota key " + op.Key + " not updating quota for this entity"}
		}
		seen[op.Key] = true
		if err := quota.ValidateKey(ent, op.Key, op.Value, op.Remove); err != nil {
			return nil, err
		}
		if _, set := img.Quotas().Get(ent, op.Key); op.Remove && !set {
			continue
		}
		recs = append(recs, &metadata.ClientQuotaRecord{Entity: ent.EntityData(), Key: op.Key, Value: op.Value, Remove: op.Remove})
	}
	return recs, nil
}

func setQuotaErr(res *kmsg.AlterClientQuotasResponseEntry, err error) {
	if err == nil {
		return
	}
	code := kerr.UnknownServerError
	if errors.Is(err, quota.ErrInvalid) {
		code = kerr.InvalidRequest
	}
	msg := err.Error()
	res.ErrorCode, res.ErrorMessage = code.Code, &msg
}
