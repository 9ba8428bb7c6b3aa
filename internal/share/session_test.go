package share

import (
	"testing"
	"time"

	"github.com/gofka/gofka/internal/group"
	"github.com/twmb/franz-go/pkg/kerr"
)

type noTopics struct{}

func (noTopics) Topic(string) ([16]byte, int32, bool)     { return [16]byte{}, 0, false }
func (noTopics) TopicByID([16]byte) (string, int32, bool) { return "", 0, false }
func (noTopics) TopicNames() []string                     { return nil }

// TestSessionEpochs walks a share session through its epochs: 0 opens,
// each request carries the next epoch, a wrong one or a missing session
// is refused, and an idle session is closed with its records released.
func TestSessionEpochs(t *testing.T) {
	now := time.Unix(1000, 0)
	clock := func() time.Time { return now }
	st := NewStateStore(StateConfig{NumPartitions: 1, UpdatesPerSnapshot: 10}, &memLog{}, clock)
	c := New(Config{SessionTimeout: time.Second, MaxSessions: 2, AutoOffsetReset: "earliest", Limits: Limits{LockMs: 60_000, MaxDeliveries: 5, MaxLocks: 100}},
		st, func() group.Metadata { return noTopics{} }, clock)
	tp := TP{Partition: 0}
	u := SessionUpdate{Group: "g", Member: "m", Epoch: 3}
	if _, err := c.Session(u); err != kerr.ShareSessionNotFound {
		t.Fatalf("no session: %v", err)
	}
	u.Epoch, u.Add = 0, []TP{tp}
	if parts, err := c.Session(u); err != nil || len(parts) != 1 {
		t.Fatalf("open: %v %v", parts, err)
	}
	u.Epoch, u.Add = 2, nil
	if _, err := c.Session(u); err != kerr.InvalidShareSessionEpoch {
		t.Fatalf("wrong epoch: %v", err)
	}
	u.Epoch = 1
	if _, err := c.Session(u); err != nil {
		t.Fatalf("epoch 1: %v", err)
	}
	k := Key{Group: "g", Partition: 0}
	read := func(from int64) (ReadResult, error) { return ReadResult{Data: []byte{1}, UpTo: 10}, nil }
	if got, _, err := c.Acquire(k, "m", 10, Bounds{End: 10}, read); err != nil || len(got) != 1 {
		t.Fatalf("acquire: %v %v", got, err)
	}
	now = now.Add(2 * time.Second)
	c.Tick() // the session idles out; its records go back
	u.Epoch = 2
	if _, err := c.Session(u); err != kerr.ShareSessionNotFound {
		t.Fatalf("idle session kept: %v", err)
	}
	if got, _, _ := c.Acquire(k, "other", 10, Bounds{End: 10}, read); len(got) != 1 || got[0].Count != 2 {
		t.Fatalf("released records: %v", got)
	}
}
