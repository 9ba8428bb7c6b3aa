package broker

import (
	"fmt"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/config"
	"github.com/gofka/gofka/internal/record"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func startBenchNode(b *testing.B) *Node {
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
	t.Topic, t.NumPartitions, t.ReplicationFactor = "bench", 1, 1
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
