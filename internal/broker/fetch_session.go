package broker

// Incremental fetch sessions (KIP-227). A session remembers the partitions
// a client fetches and what the last response told it, so later requests
// (epoch > 0) send only changes and responses carry only partitions with
// news. Sessions live in a bounded LRU cache
// (max.incremental.fetch.session.cache.slots).

import (
	"container/list"
	"math/rand/v2"
	"sync"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

const (
	sessionEpochInitial = 0
	sessionEpochFinal   = -1
)

// sessionKey names a partition inside a session.
type sessionKey struct {
	topic     string
	id        [16]byte
	partition int32
}

// sessionPartition is what a session knows of one partition: the client's
// position and what the last response reported.
type sessionPartition struct {
	key         sessionKey
	offset      int64
	maxBytes    int32
	leaderEpoch int32
	lastEpoch   int32 // the follower's last fetched epoch (KIP-320), -1 if none
	logStart    int64 // the follower's log start offset
	sentHW      int64
	sentLSO     int64
	sentStart   int64
}

type fetchSession struct {
	mu    sync.Mutex // held while a request updates or reads the session
	id    int32
	epoch int32
	order []*sessionPartition // fetch order
	parts map[sessionKey]*sessionPartition
	elem  *list.Element
}

type sessionCache struct {
	mu       sync.Mutex
	max      int
	sessions map[int32]*fetchSession
	lru      *list.List // front = most recently used
}

func newSessionCache(max int) *sessionCache {
	return &sessionCache{max: max, sessions: make(map[int32]*fetchSession), lru: list.New()}
}

// newSession creates a session, evicting the least recently used one when
// the cache is full. It returns nil when sessions are disabled (max 0).
func (c *sessionCache) newSession() *fetchSession {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.max <= 0 {
		return nil
	}
	if len(c.sessions) >= c.max {
		oldest := c.lru.Back()
		s := oldest.Value.(*fetchSession)
		c.lru.Remove(oldest)
		delete(c.sessions, s.id)
	}
	id := rand.Int32N(1<<31-1) + 1
	for c.sessions[id] != nil {
		id = rand.Int32N(1<<31-1) + 1
	}
	s := &fetchSession{id: id, epoch: 1, parts: make(map[sessionKey]*sessionPartition)}
	s.elem = c.lru.PushFront(s)
	c.sessions[id] = s
	return s
}

func (c *sessionCache) remove(id int32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s := c.sessions[id]; s != nil {
		c.lru.Remove(s.elem)
		delete(c.sessions, id)
	}
}

// use finds a session for an incremental request and checks its epoch.
func (c *sessionCache) use(id, epoch int32) (*fetchSession, *kerr.Error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.sessions[id]
	if s == nil {
		return nil, kerr.FetchSessionIDNotFound
	}
	if s.epoch != epoch {
		return nil, kerr.InvalidFetchSessionEpoch
	}
	s.epoch++
	if s.epoch < 0 {
		s.epoch = 1
	}
	c.lru.MoveToFront(s.elem)
	return s, nil
}

// update applies a request's partitions and forgotten topics to a session.
// resolve maps a topic name or id to the name/id pair the session keys on.
func (s *fetchSession) update(r *kmsg.FetchRequest, resolve func(name string, id [16]byte) (string, [16]byte)) {
	for _, f := range r.ForgottenTopics {
		name, id := resolve(f.Topic, f.TopicID)
		for _, p := range f.Partitions {
			s.forget(sessionKey{topic: name, id: id, partition: p})
		}
	}
	for i := range r.Topics {
		t := &r.Topics[i]
		name, id := resolve(t.Topic, t.TopicID)
		for j := range t.Partitions {
			rp := &t.Partitions[j]
			s.upsert(sessionKey{topic: name, id: id, partition: rp.Partition}, rp)
		}
	}
}

func (s *fetchSession) upsert(k sessionKey, rp *kmsg.FetchRequestTopicPartition) {
	sp := s.parts[k]
	if sp == nil {
		sp = &sessionPartition{key: k, sentHW: -1, sentLSO: -1, sentStart: -1}
		s.parts[k] = sp
		s.order = append(s.order, sp)
	}
	sp.offset = rp.FetchOffset
	sp.maxBytes = rp.PartitionMaxBytes
	sp.leaderEpoch = rp.CurrentLeaderEpoch
	sp.lastEpoch = rp.LastFetchedEpoch
	sp.logStart = rp.LogStartOffset
}

func (s *fetchSession) forget(k sessionKey) {
	if s.parts[k] == nil {
		return
	}
	delete(s.parts, k)
	for i, sp := range s.order {
		if sp.key == k {
			s.order = append(s.order[:i], s.order[i+1:]...)
			break
		}
	}
}
