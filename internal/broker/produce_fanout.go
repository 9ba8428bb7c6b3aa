package broker

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// parallelProduceBytes is the size of record data in one Produce request
// from which its partitions are appended in parallel. Below it the
// appends are cheap and a goroutine hand-off costs more than it saves;
// above it one connection's request can use every CPU for the page-cache
// writes that dominate produce (a producer sends one request per broker
// with a batch for each of its partitions).
const parallelProduceBytes = 128 << 10

// produceJob is one partition of a Produce request and where its answer
// goes.
type produceJob struct {
	topic string
	idErr bool
	pp    *kmsg.ProduceRequestTopicPartition
	out   *kmsg.ProduceResponseTopicPartition
	part  *partition // set once appended
	until int64      // acks=all: the offset the high watermark must reach
}

// runProduceJobs appends every job's batch, in parallel when the request
// is large, names each partition once (a partition named twice is
// appended in request order) and CPUs are free: each Produce request
// being appended takes one, and this one spreads over the rest. Measured
// with two connections producing to 6 partitions on 2 CPUs, fanning out
// regardless made their workers queue on the same partition locks and
// cost 10% of the throughput. The goroutines end before it returns; a
// panic in one is re-raised here.
func (n *Node) runProduceJobs(jobs []produceJob, txnID *string, version, acks int16) {
	run := func(j *produceJob) { *j.out, j.part, j.until = n.producePartition(j.topic, txnID, version, acks, j.pp) }
	active := int(n.producing.Add(1))
	defer n.producing.Add(-1)
	workers := min(len(jobs), runtime.GOMAXPROCS(0)-active+1)
	if workers < 2 || !fanOutWorthIt(jobs) {
		for i := range jobs {
			if !jobs[i].idErr {
				run(&jobs[i])
			}
		}
		return
	}
	var next atomic.Int64
	var panicked atomic.Value
	work := func() {
		defer func() {
			if v := recover(); v != nil {
				panicked.CompareAndSwap(nil, v)
			}
		}()
		for i := int(next.Add(1) - 1); i < len(jobs); i = int(next.Add(1) - 1) {
			if !jobs[i].idErr {
				run(&jobs[i])
			}
		}
	}
	var wg sync.WaitGroup
	for range workers - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
	if v := panicked.Load(); v != nil {
		panic(v)
	}
}

// fanOutWorthIt reports whether jobs carry enough bytes to append in
// parallel and name no partition twice.
func fanOutWorthIt(jobs []produceJob) bool {
	size := 0
	for i := range jobs {
		size += len(jobs[i].pp.Records)
	}
	if size < parallelProduceBytes {
		return false
	}
	type tp struct {
		topic string
		part  int32
	}
	seen := make(map[tp]struct{}, len(jobs))
	for i := range jobs {
		k := tp{jobs[i].topic, jobs[i].pp.Partition}
		if _, dup := seen[k]; dup {
			return false
		}
		seen[k] = struct{}{}
	}
	return true
}
