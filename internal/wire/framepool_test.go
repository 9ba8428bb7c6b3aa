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

func TestFrameCap(t *testing.T) {
	tests := []struct{ size, cap int }{
		{0, 0}, {1, 4096}, {4096, 4096}, {4097, 8192}, {1 << 20, 1 << 20}, {1<<20 + 1, 2 << 20}, {8 << 20, 8 << 20}, {8<<20 + 1, 8<<20 + 1},
	}
	for _, tt := range tests {
		if got := frameCap(tt.size); got != tt.cap {
			t.Errorf("frameCap(%d) = %d, want %d", tt.size, got, tt.cap)
		}
	}
}

func TestSpareFrame(t *testing.T) {
	c := &conn{}
	b := c.frameBuf(5000)
	if len(b) != 5000 || cap(b) != 8192 {
		t.Fatalf("frameBuf(5000): len %d cap %d", len(b), cap(b))
	}
	c.keepSpare(b)
	if got := c.frameBuf(6000); &got[0] != &b[0] || len(got) != 6000 || c.spare != nil {
		t.Fatal("frameBuf(6000) did not take the spare")
	}
	c.keepSpare(b)
	if got := c.frameBuf(9000); cap(got) != 16384 || cap(c.spare) != 8192 {
		t.Fatal("frameBuf(9000): spare too small, but taken or lost")
	}
	c.keepSpare(make([]byte, 0, maxSpare+1))
	if cap(c.spare) != 8192 {
		t.Fatal("keepSpare kept a frame above maxSpare")
	}
}
