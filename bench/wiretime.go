package main

import "github.com/twmb/franz-go/pkg/kgo"

// wireTimer is a kgo.HookBrokerE2E that times each Produce request on
// the client's side: how long it waited to be written once kgo built it,
// how long the write took (a broker that does not read makes it block on
// a full socket buffer), and how long from the write's end to the response
// read in full. The last is the broker's answer time as the client sees it:
// the broker's own handling, the requests ahead of it on the connection
// and any wait for a CPU of either process.
type wireTimer struct {
	queue, write, answer histogram
}

// reset starts a new phase.
func (t *wireTimer) reset() {
	t.queue.clear()
	t.write.clear()
	t.answer.clear()
}

func (t *wireTimer) OnBrokerE2E(_ kgo.BrokerMetadata, key int16, e kgo.BrokerE2E) {
	if key != 0 || e.Err() != nil {
		return
	}
	t.queue.record(e.WriteWait)
	t.write.record(e.TimeToWrite)
	t.answer.record(e.ReadWait + e.TimeToRead)
}

// wireLatencies are a phase's Produce request times on the connection.
type wireLatencies struct {
	Queue, Write, Answer latencies
}

func (t *wireTimer) summary() wireLatencies {
	return wireLatencies{Queue: t.queue.summary(), Write: t.write.summary(), Answer: t.answer.summary()}
}

// clear empties the histogram.
func (h *histogram) clear() {
	for i := range h.counts {
		h.counts[i].Store(0)
	}
	h.total.Store(0)
}
