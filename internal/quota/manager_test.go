package quota

import (
	"testing"
	"time"

	"github.com/gofka/gofka/internal/metadata"
)

func TestManagerRecord(t *testing.T) {
	m := NewManager(Config{Window: Window{Num: 3, Size: time.Second}})
	c := Client{User: "ANONYMOUS", ClientID: "app"}
	if d := m.Record(Produce, c, 1e9, at(0)); d != 0 {
		t.Fatalf("throttled with no quotas: %v", d)
	}
	m.Update(quotasOf(t, map[Entity]float64{{ClientID: metadata.DefaultName()}: 100}, ProducerByteRate))
	if d := m.Record(Produce, c, 200, at(0)); d != 0 {
		t.Fatalf("throttled within quota: %v", d)
	}
	if d := m.Record(Produce, c, 200, at(0)); d != 2*time.Second {
		t.Fatalf("throttle = %v, want 2s", d)
	}
	if d := m.Record(Fetch, c, 1e9, at(0)); d != 0 {
		t.Fatalf("a produce quota throttled fetch: %v", d)
	}
	other := Client{User: "ANONYMOUS", ClientID: "other"}
	if d := m.Record(Produce, other, 200, at(0)); d != 0 {
		t.Fatalf("the default client-id quota is shared: %v", d)
	}
	if got := m.MaxValueInWindow(Produce, c, at(0)); got != 200 {
		t.Fatalf("MaxValueInWindow = %d", got)
	}
	st := m.Stats(at(0))
	if len(st) != 2 || st[0].Client.ClientID != "app" || st[0].Rate != 200 || st[0].ThrottleMs != 1000 {
		t.Fatalf("stats %+v", st)
	}
}

func TestManagerRequestBounded(t *testing.T) {
	m := NewManager(Config{Window: Window{Num: 11, Size: time.Second}})
	m.Update(quotasOf(t, map[Entity]float64{{User: metadata.DefaultName()}: 1}, RequestPercentage))
	c := Client{User: "u", ClientID: "c"}
	if d := m.RecordRequestTime(c, 50*time.Millisecond, at(0)); d != 0 { // 5 %-seconds over 10s: 0.5%
		t.Fatalf("throttled under quota: %v", d)
	}
	if d := m.RecordRequestTime(c, 10*time.Second, at(0)); d != time.Second {
		t.Fatalf("request throttle = %v, want bounded to 1s", d)
	}
}

func TestManagerMutation(t *testing.T) {
	m := NewManager(Config{MutationWindow: Window{Num: 2, Size: time.Second}})
	m.Update(quotasOf(t, map[Entity]float64{{User: metadata.DefaultName()}: 5}, ControllerMutationRate))
	c := Client{User: "u"}
	if ex, _ := m.MutationCheck(c, at(0)); ex {
		t.Fatal("exceeded before any mutation")
	}
	if d := m.RecordMutation(c, 20, at(0)); d != 2*time.Second {
		t.Fatalf("throttle = %v, want 2s (10 tokens of debt at 5/s)", d)
	}
	if ex, d := m.MutationCheck(c, at(1000)); !ex || d != time.Second {
		t.Fatalf("check = %v %v, want exceeded for 1s", ex, d)
	}
	if ex, _ := m.MutationCheck(c, at(2000)); ex {
		t.Fatal("still exceeded after the debt was paid")
	}
}
