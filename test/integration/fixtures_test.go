package integration

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"
)

// rec is a record as a test sent it; every client's test converts to and
// from it so one checker compares everything.
type rec struct {
	topic     string
	partition int32
	key       []byte
	value     []byte
	headers   []hdr
	ts        time.Time
}

type hdr struct {
	key   string
	value []byte
}

// makeRecs builds n distinct records: key, value of varying size,
// two headers and a millisecond timestamp each.
func makeRecs(prefix string, n int, base time.Time) []rec {
	out := make([]rec, n)
	for i := range out {
		v := bytes.Repeat([]byte{byte('a' + i%26)}, 50+i%200)
		out[i] = rec{
			key:   []byte(fmt.Sprintf("%s-key-%06d", prefix, i)),
			value: append([]byte(fmt.Sprintf("%s-value-%d-", prefix, i)), v...),
			headers: []hdr{
				{key: "idx", value: []byte(fmt.Sprint(i))},
				{key: "src", value: []byte(prefix)},
			},
			ts: base.Add(time.Duration(i) * time.Millisecond),
		}
	}
	return out
}

// ledger collects consumed records and checks them against the sent set.
type ledger struct {
	mu   sync.Mutex
	want map[string]rec
	got  map[string]rec
}

func newLedger(sent ...[]rec) *ledger {
	l := &ledger{want: map[string]rec{}, got: map[string]rec{}}
	for _, rs := range sent {
		for _, r := range rs {
			l.want[string(r.key)] = r
		}
	}
	return l
}

func (l *ledger) add(t testing.TB, r rec) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := string(r.key)
	if _, dup := l.got[k]; dup {
		t.Errorf("record %s consumed twice", k)
	}
	l.got[k] = r
}

func (l *ledger) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.got)
}

// check compares every consumed record with what was sent: key, value,
// headers in order, and the timestamp to the millisecond.
func (l *ledger) check(t testing.TB) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.got) != len(l.want) {
		t.Errorf("consumed %d records, sent %d", len(l.got), len(l.want))
	}
	bad := 0
	for k, w := range l.want {
		g, ok := l.got[k]
		if err := diffRec(w, g, ok); err != nil && bad < 10 {
			bad++
			t.Errorf("record %s: %v", k, err)
		}
	}
}

func diffRec(w, g rec, ok bool) error {
	switch {
	case !ok:
		return fmt.Errorf("missing")
	case !bytes.Equal(w.value, g.value):
		return fmt.Errorf("value %q, want %q", trunc(g.value), trunc(w.value))
	case w.ts.UnixMilli() != g.ts.UnixMilli():
		return fmt.Errorf("timestamp %d, want %d", g.ts.UnixMilli(), w.ts.UnixMilli())
	case len(w.headers) != len(g.headers):
		return fmt.Errorf("%d headers, want %d", len(g.headers), len(w.headers))
	}
	for i := range w.headers {
		if w.headers[i].key != g.headers[i].key || !bytes.Equal(w.headers[i].value, g.headers[i].value) {
			return fmt.Errorf("header %d = %s:%q, want %s:%q", i, g.headers[i].key, g.headers[i].value, w.headers[i].key, w.headers[i].value)
		}
	}
	return nil
}

func trunc(b []byte) []byte {
	if len(b) > 40 {
		return b[:40]
	}
	return b
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// split divides n records into k nearly equal chunks.
func split(rs []rec, k int) [][]rec {
	out := make([][]rec, k)
	for i, r := range rs {
		out[i%k] = append(out[i%k], r)
	}
	return out
}
