package share

import (
	"errors"
	"fmt"
	"math/rand"
	"testing"
)

// model is the share partition as plainly as it can be said: a map from
// offset to record, every offset ever acquired kept forever.
type model struct {
	lim   Limits
	recs  map[int64]*rec
	first int64 // where delivery started
	end   int64 // first never-acquired offset
}

func newModel(lim Limits, start int64) *model {
	return &model{lim: lim, recs: map[int64]*rec{}, first: start, end: start}
}

func (m *model) done(o int64) bool {
	r := m.recs[o]
	return r != nil && (r.state == Acknowledged || r.state == Archived)
}

func (m *model) start() int64 {
	o := m.first
	for o < m.end && m.done(o) {
		o++
	}
	return o
}

func (m *model) acquire(member string, now int64, max int, upTo int64) []int64 {
	var got []int64
	for o := m.start(); o < upTo && len(got) < max; o++ {
		if o >= m.end {
			if m.end-m.start() >= int64(m.lim.MaxLocks) {
				break
			}
			m.recs[o] = &rec{}
			m.end = o + 1
		}
		r := m.recs[o]
		if r.state != Available {
			continue
		}
		r.state, r.member, r.deadline = Acquired, member, now+m.lim.LockMs
		r.count++
		got = append(got, o)
	}
	return got
}

func (m *model) release(r *rec) {
	r.state, r.member = Available, ""
	if r.count >= m.lim.MaxDeliveries {
		r.state = Archived
	}
}

func (m *model) ack(member string, first, last int64, t AckType, now int64) bool {
	for o := first; o <= last; o++ {
		if r := m.recs[o]; r == nil || o < m.start() || r.state != Acquired || r.member != member {
			return false
		}
	}
	for o := first; o <= last; o++ {
		r := m.recs[o]
		switch t {
		case AckAccept:
			r.state, r.member = Acknowledged, ""
		case AckRelease:
			m.release(r)
		case AckRenew:
			r.deadline = now + m.lim.LockMs
		default:
			r.state, r.member = Archived, ""
		}
	}
	return true
}

func (m *model) expire(now int64, member string) {
	for _, r := range m.recs {
		if r.state == Acquired && (r.deadline <= now || r.member == member) {
			m.release(r)
		}
	}
}

func (m *model) state(o int64) (State, int16) {
	switch {
	case o < m.start():
		return Acknowledged, 0
	case o >= m.end:
		return Available, 0
	}
	return m.recs[o].state, m.recs[o].count
}

// TestPartitionAgainstModel drives the partition and the model with the
// same random operations, in any interleaving, and compares every record
// after each step.
func TestPartitionAgainstModel(t *testing.T) {
	seeds := 400
	if testing.Short() {
		seeds = 50
	}
	for seed := 0; seed < seeds; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { runModel(t, int64(seed)) })
	}
}

func runModel(t *testing.T, seed int64) {
	rng := rand.New(rand.NewSource(seed))
	lim := Limits{LockMs: 10, MaxDeliveries: int16(1 + rng.Intn(4)), MaxLocks: 1 + rng.Intn(12)}
	p, m := NewPartition(lim, 100), newModel(lim, 100)
	members := []string{"a", "b", "c"}
	var now int64
	accepted := map[int64]bool{}
	for step := 0; step < 150; step++ {
		member := members[rng.Intn(len(members))]
		var what string
		switch op := rng.Intn(10); {
		case op < 4:
			max, upTo := 1+rng.Intn(6), 100+int64(rng.Intn(30))
			got, want := p.Acquire(member, now, max, upTo), m.acquire(member, now, max, upTo)
			if flat := flatten(got); fmt.Sprint(flat) != fmt.Sprint(want) {
				t.Fatalf("step %d acquire(%s, %d, %d): got %v, model %v", step, member, max, upTo, flat, want)
			}
			what = fmt.Sprintf("acquire %s %d %d", member, max, upTo)
		case op < 8:
			first := 100 + int64(rng.Intn(30))
			last := first + int64(rng.Intn(3))
			typ := AckType(1 + rng.Intn(4))
			err := p.Acknowledge(member, first, last, []AckType{typ}, now)
			ok := m.ack(member, first, last, typ, now)
			if (err == nil) != ok || (err != nil && !errors.Is(err, ErrInvalidRecordState)) {
				t.Fatalf("step %d ack(%s, %d-%d, %d): err %v, model ok %v", step, member, first, last, typ, err, ok)
			}
			if ok && typ == AckAccept {
				for o := first; o <= last; o++ {
					accepted[o] = true
				}
			}
			what = fmt.Sprintf("ack %s %d-%d %d", member, first, last, typ)
		case op < 9:
			now += int64(rng.Intn(12))
			p.Expire(now)
			m.expire(now, "")
			what = fmt.Sprintf("time %d", now)
		default:
			p.ReleaseMember(member)
			m.expire(-1<<62, member)
			what = "release " + member
		}
		compare(t, step, what, p, m, accepted)
	}
}

func flatten(rs []Range) []int64 {
	var out []int64
	for _, r := range rs {
		for o := r.First; o <= r.Last; o++ {
			out = append(out, o)
		}
	}
	return out
}

func compare(t *testing.T, step int, what string, p *Partition, m *model, accepted map[int64]bool) {
	t.Helper()
	if p.Start() != m.start() || p.End() != m.end {
		t.Fatalf("step %d (%s): window %d-%d, model %d-%d", step, what, p.Start(), p.End(), m.start(), m.end)
	}
	for o := int64(95); o < 135; o++ {
		gs, gc := p.RecordState(o)
		ws, wc := m.state(o)
		if gs != ws || (o >= p.Start() && gc != wc) {
			t.Fatalf("step %d (%s): offset %d state %d/%d, model %d/%d", step, what, o, gs, gc, ws, wc)
		}
		if accepted[o] && gs != Acknowledged {
			t.Fatalf("step %d (%s): accepted offset %d is %d again", step, what, o, gs)
		}
		if gs == Available && o < p.End() && gc >= m.lim.MaxDeliveries {
			t.Fatalf("step %d (%s): offset %d available after %d deliveries", step, what, o, gc)
		}
	}
	// What is persisted restores to the same partition, locks released.
	r := Restore(m.lim, p.Start(), p.Batches())
	for o := p.Start(); o < p.End(); o++ {
		gs, gc := p.RecordState(o)
		rs, rc := r.RecordState(o)
		if gs == Acquired {
			gs = Available
		}
		if o >= r.Start() && (gs != rs || gc != rc) {
			t.Fatalf("step %d (%s): restored offset %d is %d/%d, want %d/%d", step, what, o, rs, rc, gs, gc)
		}
	}
}

func TestAcknowledgeValidates(t *testing.T) {
	p := NewPartition(Limits{LockMs: 100, MaxDeliveries: 5, MaxLocks: 100}, 0)
	if got := p.Acquire("a", 0, 10, 5); len(got) != 1 || got[0] != (Range{0, 4, 1}) {
		t.Fatalf("acquire: %v", got)
	}
	for _, tc := range []struct {
		member      string
		first, last int64
		types       []AckType
		want        error
	}{
		{"b", 0, 0, []AckType{AckAccept}, ErrInvalidRecordState},
		{"a", 3, 6, []AckType{AckAccept}, ErrInvalidRecordState},
		{"a", 2, 1, []AckType{AckAccept}, ErrInvalidRequest},
		{"a", 0, 2, []AckType{AckAccept, AckAccept}, ErrInvalidRequest},
		{"a", 0, 0, []AckType{9}, ErrInvalidRequest},
		{"a", 0, 0, nil, ErrInvalidRequest},
	} {
		if err := p.Acknowledge(tc.member, tc.first, tc.last, tc.types, 0); !errors.Is(err, tc.want) {
			t.Errorf("ack %+v: %v, want %v", tc, err, tc.want)
		}
	}
	if err := p.Acknowledge("a", 0, 4, []AckType{AckAccept, AckGap, AckReject, AckRelease, AckAccept}, 0); err != nil {
		t.Fatal(err)
	}
	if p.Start() != 3 || p.NextFetch() != 3 {
		t.Fatalf("start %d next %d, want 3 3", p.Start(), p.NextFetch())
	}
	if got := p.Acquire("b", 0, 10, 5); len(got) != 1 || got[0] != (Range{3, 3, 2}) {
		t.Fatalf("re-acquire: %v", got)
	}
}

func TestDeliveryLimitArchives(t *testing.T) {
	p := NewPartition(Limits{LockMs: 10, MaxDeliveries: 2, MaxLocks: 10}, 0)
	p.Acquire("a", 0, 1, 1)
	p.Expire(10)
	if got := p.Acquire("a", 10, 1, 1); len(got) != 1 || got[0].Count != 2 {
		t.Fatalf("second delivery: %v", got)
	}
	p.Expire(20)
	if p.Start() != 1 {
		t.Fatalf("poison record not archived: start %d", p.Start())
	}
}

func TestRestoreIsBounded(t *testing.T) {
	p := Restore(Limits{MaxLocks: 10}, 5, []Batch{{0, 1 << 60, Acknowledged, 1}, {6, 7, Archived, 2}})
	if p.End()-p.Start() > 10+restoreSlack {
		t.Fatalf("restored window %d-%d", p.Start(), p.End())
	}
}

func TestRenewExtendsLock(t *testing.T) {
	p := NewPartition(Limits{LockMs: 10, MaxDeliveries: 5, MaxLocks: 10}, 0)
	p.Acquire("a", 0, 1, 1)
	if err := p.Acknowledge("a", 0, 0, []AckType{AckRenew}, 8); err != nil {
		t.Fatal(err)
	}
	if p.Expire(12); p.Acquired() != 1 {
		t.Fatal("renewed lock expired at its first deadline")
	}
	if p.Expire(18); p.Acquired() != 0 {
		t.Fatal("renewed lock did not expire")
	}
}
