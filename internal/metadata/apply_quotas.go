package metadata

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
)

// Quota entity types of ClientQuotaRecord.Entity, as Kafka names them.
const (
	QuotaEntityUser     = "user"
	QuotaEntityClientID = "client-id"
	QuotaEntityIP       = "ip"
)

// QuotaName is one component of a quota entity: absent (Set false), the
// default entity of its type (Default), or a name.
type QuotaName struct {
	Set     bool
	Default bool
	Name    string
}

// Named returns the component naming name.
func Named(name string) QuotaName { return QuotaName{Set: true, Name: name} }

// DefaultName returns the default component.
func DefaultName() QuotaName { return QuotaName{Set: true, Default: true} }

// QuotaEntity names a client quota entity: a user, a client id, both, or an
// IP address, each possibly the default.
type QuotaEntity struct {
	User, ClientID, IP QuotaName
}

// Quotas is the immutable set of client quotas of an image: the values set
// on each entity, by quota key. Callers must not modify the maps.
type Quotas struct {
	m map[QuotaEntity]map[string]float64
}

// Entities returns the map of every entity with quotas; read-only.
func (q *Quotas) Entities() map[QuotaEntity]map[string]float64 {
	if q == nil {
		return nil
	}
	return q.m
}

// Get returns the value of key on e.
func (q *Quotas) Get(e QuotaEntity, key string) (float64, bool) {
	if q == nil {
		return 0, false
	}
	v, ok := q.m[e][key]
	return v, ok
}

// Len returns the number of entities with quotas.
func (q *Quotas) Len() int {
	if q == nil {
		return 0
	}
	return len(q.m)
}

// Quotas returns the client quotas; the pointer changes whenever a
// ClientQuotaRecord changed them, so readers can cache on it.
func (im *Image) Quotas() *Quotas { return im.quotas }

// QuotaEntityOf converts a record's entity; ok is false for an unknown or
// repeated entity type.
func QuotaEntityOf(data []EntityData) (QuotaEntity, bool) {
	var e QuotaEntity
	for _, d := range data {
		var part *QuotaName
		switch d.EntityType {
		case QuotaEntityUser:
			part = &e.User
		case QuotaEntityClientID:
			part = &e.ClientID
		case QuotaEntityIP:
			part = &e.IP
		default:
			return e, false
		}
		if part.Set {
			return e, false
		}
		*part = QuotaName{Set: true, Default: d.EntityName == nil}
		if d.EntityName != nil {
			part.Name = *d.EntityName
		}
	}
	return e, true
}

// EntityData converts e back to a record's entity list.
func (e QuotaEntity) EntityData() []EntityData {
	var out []EntityData
	add := func(typ string, n QuotaName) {
		if !n.Set {
			return
		}
		d := EntityData{EntityType: typ}
		if !n.Default {
			name := n.Name
			d.EntityName = &name
		}
		out = append(out, d)
	}
	add(QuotaEntityUser, e.User)
	add(QuotaEntityClientID, e.ClientID)
	add(QuotaEntityIP, e.IP)
	return out
}

// clientQuota sets or removes one quota key of an entity. The whole set is
// copied once per batch: quotas are few and change rarely.
func (a *applier) clientQuota(r *ClientQuotaRecord) error {
	e, ok := QuotaEntityOf(r.Entity)
	if !ok {
		return inconsistentf("client quota record with an invalid entity %v", r.Entity)
	}
	if !a.quotasOwned {
		next := &Quotas{m: make(map[QuotaEntity]map[string]float64, a.next.quotas.Len()+1)}
		for k, v := range a.next.quotas.Entities() {
			next.m[k] = v
		}
		a.next.quotas = next
		a.quotasOwned = true
		a.ownedQuotaKeys = map[QuotaEntity]bool{}
	}
	m := a.next.quotas.m
	if !a.ownedQuotaKeys[e] {
		m[e] = maps.Clone(m[e])
		if m[e] == nil {
			m[e] = map[string]float64{}
		}
		a.ownedQuotaKeys[e] = true
	}
	if r.Remove {
		delete(m[e], r.Key)
		if len(m[e]) == 0 {
			delete(m, e)
			delete(a.ownedQuotaKeys, e)
		}
		return nil
	}
	m[e][r.Key] = r.Value
	return nil
}

// quotaRecords lists a ClientQuotaRecord per quota key, for a snapshot, in
// a stable order.
func (im *Image) quotaRecords() []Record {
	type kv struct {
		e   QuotaEntity
		key string
		v   float64
	}
	var all []kv
	for e, m := range im.quotas.Entities() {
		for k, v := range m {
			all = append(all, kv{e, k, v})
		}
	}
	slices.SortFunc(all, func(a, b kv) int {
		return cmp.Or(cmp.Compare(a.e.sortKey(), b.e.sortKey()), cmp.Compare(a.key, b.key))
	})
	out := make([]Record, 0, len(all))
	for _, x := range all {
		out = append(out, &ClientQuotaRecord{Entity: x.e.EntityData(), Key: x.key, Value: x.v})
	}
	return out
}

// sortKey orders entities for snapshots.
func (e QuotaEntity) sortKey() string {
	return fmt.Sprintf("%v|%v|%v", e.User, e.ClientID, e.IP)
}
