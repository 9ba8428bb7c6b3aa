package main

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// TestWireTimer: only successful Produce requests count; the answer time
// runs from the write's end to the response read in full.
func TestWireTimer(t *testing.T) {
	var w wireTimer
	e := kgo.BrokerE2E{WriteWait: time.Millisecond, TimeToWrite: 2 * time.Millisecond, ReadWait: 3 * time.Millisecond, TimeToRead: 4 * time.Millisecond}
	w.OnBrokerE2E(kgo.BrokerMetadata{}, 0, e)
	w.OnBrokerE2E(kgo.BrokerMetadata{}, 1, e) // a Fetch
	bad := e
	bad.ReadErr = errors.New("eof")
	w.OnBrokerE2E(kgo.BrokerMetadata{}, 0, bad)
	s := w.summary()
	if s.Answer.Count != 1 || ms(s.Answer.P99) < 6.8 || ms(s.Answer.P99) > 7.2 || ms(s.Queue.P99) > 1.1 || ms(s.Write.P99) > 2.1 {
		t.Fatalf("summary = %+v", s)
	}
	w.reset()
	if n := w.summary().Answer.Count; n != 0 {
		t.Fatalf("after reset: %d requests", n)
	}
}

// TestRunQueueWait reads this process's threads and nothing for an
// unknown process.
func TestRunQueueWait(t *testing.T) {
	if runQueueWait(0) != 0 || runQueueWait(-1) != 0 {
		t.Fatal("a pid of 0 or less has no wait")
	}
	if _, err := os.Stat("/proc/self/task"); err != nil {
		t.Skip("no /proc")
	}
	if w := runQueueWait(os.Getpid()); w < 0 {
		t.Fatalf("runQueueWait(self) = %v", w)
	}
}
