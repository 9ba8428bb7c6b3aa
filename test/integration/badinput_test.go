package integration

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// rawConn speaks the protocol by hand so tests can send what no client
// would.
type rawConn struct {
	t    *testing.T
	conn net.Conn
	corr int32
}

func dialRaw(t *testing.T, addr string) *rawConn {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &rawConn{t: t, conn: c}
}

func (r *rawConn) writeFrame(b []byte) {
	r.t.Helper()
	if _, err := r.conn.Write(b); err != nil {
		r.t.Fatalf("write: %v", err)
	}
}

// request sends req at version v and decodes the response into resp.
func (r *rawConn) request(req kmsg.Request, v int16) kmsg.Response {
	r.t.Helper()
	req.SetVersion(v)
	r.corr++
	frame := kmsg.NewRequestFormatter(kmsg.FormatterClientID("raw")).AppendRequest(nil, req, r.corr)
	r.writeFrame(frame)
	body := r.readFrame()
	if body == nil {
		r.t.Fatalf("connection closed after %s v%d", kmsg.NameForKey(req.Key()), v)
	}
	resp := req.ResponseKind()
	resp.SetVersion(v)
	if binary.BigEndian.Uint32(body) != uint32(r.corr) {
		r.t.Fatalf("correlation id %d, want %d", binary.BigEndian.Uint32(body), r.corr)
	}
	body = body[4:]
	if resp.IsFlexible() && req.Key() != 18 {
		body = body[1:] // empty response header tags
	}
	if err := resp.ReadFrom(body); err != nil {
		r.t.Fatalf("decode response: %v", err)
	}
	return resp
}

// readFrame returns the next response frame, or nil once the broker has
// closed the connection.
func (r *rawConn) readFrame() []byte {
	_ = r.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var size [4]byte
	if _, err := io.ReadFull(r.conn, size[:]); err != nil {
		return nil
	}
	body := make([]byte, binary.BigEndian.Uint32(size[:]))
	if _, err := io.ReadFull(r.conn, body); err != nil {
		return nil
	}
	return body
}

func (r *rawConn) expectClosed(what string) {
	r.t.Helper()
	if b := r.readFrame(); b != nil {
		r.t.Errorf("%s: broker answered (%d bytes) instead of closing", what, len(b))
	}
}

func TestBadInput(t *testing.T) {
	c := gofkatest.Start(t, gofkatest.WithConfig("auto.create.topics.enable", "false"), gofkatest.WithConfig("message.max.bytes", "10000"))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	adm := newAdmin(t, c.Addr())
	if _, err := adm.CreateTopic(ctx, 1, 1, nil, "intact"); err != nil {
		t.Fatal(err)
	}
	before := makeRecs("intact", 100, time.Now())
	produceFranz(t, ctx, c.Addr(), "intact", before, kgo.RecordPartitioner(kgo.ManualPartitioner()))

	t.Run("Garbage", func(t *testing.T) {
		r := dialRaw(t, c.Addr())
		r.writeFrame([]byte{0, 0, 0, 12, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8})
		r.expectClosed("garbage")
	})
	t.Run("HugeSizePrefix", func(t *testing.T) {
		r := dialRaw(t, c.Addr())
		r.writeFrame([]byte{0x7f, 0xff, 0xff, 0xff, 0, 18, 0, 0})
		r.expectClosed("2 GiB size prefix")
	})
	t.Run("NegativeSize", func(t *testing.T) {
		r := dialRaw(t, c.Addr())
		r.writeFrame([]byte{0xff, 0xff, 0xff, 0xfe})
		r.expectClosed("negative size")
	})
	t.Run("UnknownAPIKey", func(t *testing.T) {
		r := dialRaw(t, c.Addr())
		r.writeFrame([]byte{0, 0, 0, 10, 0x7f, 0x00, 0, 0, 0, 0, 0, 1, 0xff, 0xff})
		r.expectClosed("unknown api key")
	})
	t.Run("UnsupportedVersion", func(t *testing.T) {
		r := dialRaw(t, c.Addr())
		req := kmsg.NewPtrProduceRequest() // Produce v2 was removed in Kafka 4.0 (KIP-896)
		req.SetVersion(2)
		r.writeFrame(kmsg.NewRequestFormatter().AppendRequest(nil, req, 1))
		r.expectClosed("produce v2")
	})
	t.Run("ApiVersionsTooNew", func(t *testing.T) {
		r := dialRaw(t, c.Addr())
		// KIP-511: a version the broker does not know gets a v0 answer with
		// UNSUPPORTED_VERSION and the supported versions.
		frame := []byte{0, 0, 0, 12, 0, 18, 0, 99, 0, 0, 0, 7, 0, 0, 0, 0}
		r.writeFrame(frame)
		body := r.readFrame()
		resp := kmsg.NewPtrApiVersionsResponse()
		resp.SetVersion(0)
		if body == nil || resp.ReadFrom(body[4:]) != nil {
			t.Fatal("no v0 ApiVersions answer")
		}
		if resp.ErrorCode != kerr.UnsupportedVersion.Code || len(resp.ApiKeys) == 0 {
			t.Fatalf("answer: error %d, %d keys", resp.ErrorCode, len(resp.ApiKeys))
		}
	})
	t.Run("CorruptCRC", func(t *testing.T) {
		batch := rawBatch(t, 10)
		batch[len(batch)-1] ^= 0xff
		if code := produceRaw(t, c.Addr(), "intact", batch); code != kerr.CorruptMessage.Code {
			t.Errorf("corrupt batch: code %d, want CORRUPT_MESSAGE", code)
		}
	})
	t.Run("TooLarge", func(t *testing.T) {
		if code := produceRaw(t, c.Addr(), "intact", rawBatch(t, 20_000)); code != kerr.MessageTooLarge.Code {
			t.Errorf("oversized batch: code %d, want MESSAGE_TOO_LARGE", code)
		}
	})
	t.Run("FutureTimestamp", func(t *testing.T) {
		// message.timestamp.after.max.ms defaults to one hour (Kafka 4.0).
		p := produceRawResp(t, c.Addr(), "intact", rawBatchAt(t, 10, time.Now().Add(2*time.Hour)))
		if p.ErrorCode != kerr.InvalidTimestamp.Code || len(p.ErrorRecords) != 1 || p.ErrorRecords[0].RelativeOffset != 0 {
			t.Errorf("future timestamp: code %d, error records %+v; want INVALID_TIMESTAMP naming record 0", p.ErrorCode, p.ErrorRecords)
		}
	})
	t.Run("MissingTopicNoAutoCreate", func(t *testing.T) {
		if code := produceRaw(t, c.Addr(), "missing", rawBatch(t, 10)); code != kerr.UnknownTopicOrPartition.Code {
			t.Errorf("missing topic: code %d, want UNKNOWN_TOPIC_OR_PARTITION", code)
		}
		md, err := adm.Metadata(ctx, "missing")
		if err != nil {
			t.Fatal(err)
		}
		if !errors.Is(md.Topics["missing"].Err, kerr.UnknownTopicOrPartition) {
			t.Errorf("metadata for missing topic: %v", md.Topics["missing"].Err)
		}
	})
	t.Run("InvalidConfigs", func(t *testing.T) {
		for name, v := range map[string]string{"retention.ms": "forever", "cleanup.policy": "shred", "min.insync.replicas": "0", "segment.bytes": "12"} {
			res, err := adm.CreateTopic(ctx, 1, 1, map[string]*string{name: kadm.StringPtr(v)}, "badcfg")
			if err == nil {
				err = res.Err
			}
			if !errors.Is(err, kerr.InvalidConfig) {
				t.Errorf("%s=%s: %v, want INVALID_CONFIG", name, v, err)
			}
		}
	})

	// Nothing written before is harmed, and the broker still serves.
	l := newLedger(before)
	consumeFranz(t, ctx, c.Addr(), "intact", l, len(before))
	l.check(t)
	end, err := adm.ListEndOffsets(ctx, "intact")
	if err != nil {
		t.Fatal(err)
	}
	if o, _ := end.Lookup("intact", 0); o.Offset != int64(len(before)) {
		t.Errorf("end offset %d after bad input, want %d", o.Offset, len(before))
	}
}

// rawBatch builds a valid uncompressed batch with one record of n bytes.
func rawBatch(t *testing.T, n int) []byte { return rawBatchAt(t, n, time.Now()) }

func rawBatchAt(t *testing.T, n int, ts time.Time) []byte {
	rec := kmsg.Record{Value: make([]byte, n)}
	rec.Length = int32(len(rec.AppendTo(nil)) - 1)
	recBytes := rec.AppendTo(nil)
	b := kmsg.RecordBatch{Magic: 2, LastOffsetDelta: 0, FirstTimestamp: ts.UnixMilli(), MaxTimestamp: ts.UnixMilli(),
		ProducerID: -1, ProducerEpoch: -1, FirstSequence: -1, NumRecords: 1, Records: recBytes}
	raw := b.AppendTo(nil)
	b.Length = int32(len(raw) - 12)
	raw = b.AppendTo(nil)
	crc := crc32c(raw[21:])
	binary.BigEndian.PutUint32(raw[17:], crc)
	return raw
}

func produceRaw(t *testing.T, addr, topic string, batch []byte) int16 {
	return produceRawResp(t, addr, topic, batch).ErrorCode
}

func produceRawResp(t *testing.T, addr, topic string, batch []byte) kmsg.ProduceResponseTopicPartition {
	r := dialRaw(t, addr)
	req := kmsg.NewPtrProduceRequest()
	req.Acks, req.TimeoutMillis = 1, 5000
	req.Topics = []kmsg.ProduceRequestTopic{{Topic: topic, Partitions: []kmsg.ProduceRequestTopicPartition{{Partition: 0, Records: batch}}}}
	resp := r.request(req, 9).(*kmsg.ProduceResponse)
	return resp.Topics[0].Partitions[0]
}

// TestHugeTaggedFieldCount: a flexible request whose tagged-field count
// claims four billion fields in a few bytes is answered or refused at
// once; the decoder stops at the end of the bytes (kmsg before v1.15.1
// looped over the count: 26 s of CPU for a 20-byte request).
func TestHugeTaggedFieldCount(t *testing.T) {
	c := gofkatest.Start(t)
	r := dialRaw(t, c.Addr())
	// ApiVersions v3: header v2 (api key, version, correlation id, client
	// id, no header tags), then the body: two compact strings and a tag
	// count of 2^32-1 with nothing after it.
	body := []byte{0, 18, 0, 3, 0, 0, 0, 1, 0, 3, 'r', 'a', 'w', 0,
		2, 'x', 2, '1', 0xff, 0xff, 0xff, 0xff, 0x0f}
	frame := binary.BigEndian.AppendUint32(nil, uint32(len(body)))
	start := time.Now()
	r.writeFrame(append(frame, body...))
	r.readFrame() // an answer or a close: either is fine, as long as it comes
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("the broker took %v over a 23-byte request", d)
	}
	// The broker still serves.
	if resp := dialRaw(t, c.Addr()).request(kmsg.NewPtrApiVersionsRequest(), 3).(*kmsg.ApiVersionsResponse); resp.ErrorCode != 0 {
		t.Fatalf("ApiVersions after the bad request: %v", kerr.ErrorForCode(resp.ErrorCode))
	}
}
