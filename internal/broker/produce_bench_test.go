package broker

import (
	"fmt"
	"log/slog"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/config"
	"github.com/gofka/gofka/internal/record"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func startBenchNode(b *testing.B) *Node { return startBenchNodeN(b, 1) }

// startBenchNodeN starts a node with topic "bench" of that many partitions.
func startBenchNodeN(b *testing.B, partitions int32) *Node {
	cfg, err := config.LoadBroker(map[string]string{"log.dirs": b.TempDir(), "listeners": "PLAINTEXT://127.0.0.1:0"})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	n, err := Start(Options{Config: cfg, Logger: slog.New(slog.DiscardHandler), Listener: ln})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { n.Close() })
	req := kmsg.NewPtrCreateTopicsRequest()
	t := kmsg.NewCreateTopicsRequestTopic()
	t.Topic, t.NumPartitions, t.ReplicationFactor = "bench", partitions, 1
	req.Topics = append(req.Topics, t)
	if res := n.ctrl.CreateTopics(req); res[0].ErrorCode != 0 {
		b.Fatalf("create topic: %d", res[0].ErrorCode)
	}
	return n
}

func benchBatch(records, size int) []byte {
	bl := record.NewBuilder(record.CodecNone, 0, time.Now().UnixMilli())
	for i := 0; i < records; i++ {
		bl.Add(record.Record{Offset: int64(i), Timestamp: time.Now().UnixMilli(), Key: []byte(fmt.Sprint(i)), Value: make([]byte, size)})
	}
	out, err := bl.Build(nil)
	if err != nil {
		panic(err)
	}
	return out
}

// BenchmarkProducePartition measures the broker's produce path for one
// partition (validate, append, response) without the network. Allocations
// per op must not grow with the records per batch.
func BenchmarkProducePartition(b *testing.B) {
	for _, n := range []int{10, 1000} {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			node := startBenchNode(b)
			pp := &kmsg.ProduceRequestTopicPartition{Partition: 0, Records: benchBatch(n, 100)}
			b.SetBytes(int64(len(pp.Records)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if rp, _, _ := node.producePartition("bench", nil, 9, 1, pp); rp.ErrorCode != 0 {
					b.Fatalf("produce: %d", rp.ErrorCode)
				}
			}
		})
	}
}

// BenchmarkProduceSpread appends 512 KiB of 1 KiB records per op as one
// batch for one partition or one batch per partition for six: what a
// Produce request costs per partition beyond its bytes. cpu-us/op is the
// process's CPU time (user and system), steadier than the wall time on a
// shared machine; most of the difference is the kernel's buffered write
// (docs/benchmarks-produce.md, December 2026).
func BenchmarkProduceSpread(b *testing.B) {
	for _, np := range []int{1, 6} {
		b.Run(fmt.Sprintf("partitions=%d", np), func(b *testing.B) {
			node := startBenchNodeN(b, int32(np))
			var pps []*kmsg.ProduceRequestTopicPartition
			total := 0
			for i := 0; i < np; i++ {
				pp := &kmsg.ProduceRequestTopicPartition{Partition: int32(i), Records: benchBatch(512/np, 1000)}
				total += len(pp.Records)
				pps = append(pps, pp)
			}
			b.SetBytes(int64(total))
			b.ReportAllocs()
			var r0, r1 syscall.Rusage
			_ = syscall.Getrusage(syscall.RUSAGE_SELF, &r0)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for _, pp := range pps {
					if rp, _, _ := node.producePartition("bench", nil, 9, 1, pp); rp.ErrorCode != 0 {
						b.Fatalf("produce: %d", rp.ErrorCode)
					}
				}
			}
			b.StopTimer()
			_ = syscall.Getrusage(syscall.RUSAGE_SELF, &r1)
			cpu := time.Duration(r1.Utime.Nano() + r1.Stime.Nano() - r0.Utime.Nano() - r0.Stime.Nano())
			b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-us/op")
		})
	}
}
