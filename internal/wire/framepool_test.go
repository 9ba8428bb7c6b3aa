package wire

import (
	"fmt"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// produceFrame is a Produce v9 request frame carrying size bytes of
// (opaque) records for one partition.
func produceFrame(size int, corr int32) []byte {
	req := kmsg.NewPtrProduceRequest()
	req.Acks = 1
	t := kmsg.NewProduceRequestTopic()
	t.Topic = "bench"
	p := kmsg.NewProduceRequestTopicPartition()
	p.Records = make([]byte, size)
	t.Partitions = append(t.Partitions, p)
	req.Topics = append(req.Topics, t)
	return frameOf(req, 9, corr)
}

// BenchmarkProduceFramePipelined measures the server's cost of reading
// large Produce frames (the handler answers at once without looking at
// the records): bytes allocated per request show whether frames are
// reused.
func BenchmarkProduceFramePipelined(b *testing.B) {
	for _, size := range []int{64 << 10, 1 << 20} {
		b.Run(fmt.Sprintf("records=%dKiB", size>>10), func(b *testing.B) {
			resp := kmsg.NewPtrProduceResponse()
			resp.SetVersion(9)
			h := &testHandler{fn: func(_ *Request, reply Reply) { reply.Send(resp) }}
			_, addr := startServer(b, Config{}, h)
			c := dial(b, addr)
			frame := produceFrame(size, 1)
			b.SetBytes(int64(len(frame)))
			b.ReportAllocs()
			b.ResetTimer()
			go func() {
				for range b.N {
					if _, err := c.Write(frame); err != nil {
						return
					}
				}
			}()
			buf := make([]byte, 4096)
			for range b.N {
				if err := readRaw(c, buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestFrameClass(t *testing.T) {
	tests := []struct{ size, class int }{
		{0, -1}, {1, 12}, {4096, 12}, {4097, 13}, {1 << 20, 20}, {1<<20 + 1, 21}, {8 << 20, 23}, {8<<20 + 1, -1},
	}
	for _, tt := range tests {
		if got := frameClass(tt.size); got != tt.class {
			t.Errorf("frameClass(%d) = %d, want %d", tt.size, got, tt.class)
		}
	}
}

func TestFramePoolRoundTrip(t *testing.T) {
	for _, size := range []int{10, 5000, 1 << 20, 9 << 20} {
		b := getFrame(size)
		if len(b) != size {
			t.Fatalf("getFrame(%d): len %d", size, len(b))
		}
		if c := frameClass(size); c >= 0 && cap(b) != 1<<c {
			t.Errorf("getFrame(%d): cap %d, want %d", size, cap(b), 1<<c)
		}
		putFrame(b)
		putFrame(make([]byte, 3, 5000)) // not a pool size: dropped
	}
}
