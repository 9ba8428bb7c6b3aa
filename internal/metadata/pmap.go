package metadata

import (
	"hash/maphash"
	"maps"
)

// pmapShards is the number of shards of a pmap. A batch of changes copies the shard
// table (pmapShards pointers) and each shard it writes, never the whole map.
const pmapShards = 256

// pmapSeed is shared by every pmap so that shard i of two images holds the same keys.
var pmapSeed = maphash.MakeSeed()

// shard is one immutable piece of a pmap; images share shards they do not change.
type shard[K comparable, V any] struct {
	m map[K]V
}

// pmap is an immutable map built of copy-on-write shards. The zero value is empty.
type pmap[K comparable, V any] struct {
	shards *[pmapShards]*shard[K, V]
	n      int
}

func shardIndex[K comparable](k K) int {
	return int(maphash.Comparable(pmapSeed, k) % pmapShards)
}

// get returns the value for k.
func (m pmap[K, V]) get(k K) (V, bool) {
	var zero V
	if m.shards == nil {
		return zero, false
	}
	s := m.shards[shardIndex(k)]
	if s == nil {
		return zero, false
	}
	v, ok := s.m[k]
	return v, ok
}

// shard returns shard i, or nil.
func (m pmap[K, V]) shard(i int) *shard[K, V] {
	if m.shards == nil {
		return nil
	}
	return m.shards[i]
}

// each calls fn for every entry, in no particular order, until fn returns false.
func (m pmap[K, V]) each(fn func(K, V) bool) {
	for i := range pmapShards {
		s := m.shard(i)
		if s == nil {
			continue
		}
		for k, v := range s.m {
			if !fn(k, v) {
				return
			}
		}
	}
}

// pbuilder accumulates changes to a pmap; shards are copied on first write.
type pbuilder[K comparable, V any] struct {
	shards [pmapShards]*shard[K, V]
	owned  [pmapShards]bool
	n      int
}

func (m pmap[K, V]) builder() *pbuilder[K, V] {
	b := &pbuilder[K, V]{n: m.n}
	if m.shards != nil {
		b.shards = *m.shards
	}
	return b
}

func (b *pbuilder[K, V]) get(k K) (V, bool) {
	s := b.shards[shardIndex(k)]
	if s == nil {
		var zero V
		return zero, false
	}
	v, ok := s.m[k]
	return v, ok
}

// own makes shard i private to the builder, copying it if it is shared.
func (b *pbuilder[K, V]) own(i int) *shard[K, V] {
	if !b.owned[i] {
		s := &shard[K, V]{m: map[K]V{}}
		if old := b.shards[i]; old != nil {
			s.m = maps.Clone(old.m)
		}
		b.shards[i], b.owned[i] = s, true
	}
	return b.shards[i]
}

func (b *pbuilder[K, V]) set(k K, v V) {
	s := b.own(shardIndex(k))
	if _, ok := s.m[k]; !ok {
		b.n++
	}
	s.m[k] = v
}

func (b *pbuilder[K, V]) delete(k K) {
	i := shardIndex(k)
	if s := b.shards[i]; s == nil {
		return
	} else if _, ok := s.m[k]; !ok {
		return
	}
	delete(b.own(i).m, k)
	b.n--
}

// build returns the resulting immutable map; the builder must not be used afterwards.
func (b *pbuilder[K, V]) build() pmap[K, V] {
	shards := b.shards
	for i, s := range shards {
		if s != nil && len(s.m) == 0 {
			shards[i] = nil
		}
	}
	return pmap[K, V]{shards: &shards, n: b.n}
}
