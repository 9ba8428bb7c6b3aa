package broker

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/gofka/gofka/internal/storage"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestEncodeFetchResponse checks the hand-written Fetch encoder against
// kmsg's decoder at every served version, with records spliced in from a
// file region.
func TestEncodeFetchResponse(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "seg.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	records := benchBatch(3, 20)
	if _, err := f.Write(append([]byte("prefix"), records...)); err != nil {
		t.Fatal(err)
	}
	id := [16]byte{1, 2, 3}
	topics := []fetchTopic{{name: "t", id: id, parts: []fetchPartition{
		{partition: 0, hw: 10, lso: 9, lso0: 1, slice: storage.Slice{File: f, Pos: 6, Size: int64(len(records))}},
		{partition: 1, errCode: 1, hw: -1, lso: -1, lso0: -1, sendLeader: true, leaderID: 3, leaderEpoch: 7},
		{partition: 2, hw: 5, lso: 5, lso0: 0, aborted: []kmsg.FetchResponseTopicPartitionAbortedTransaction{{ProducerID: 4, FirstOffset: 2}},
			readReplica: 2, hasReadReplica: true},
	}}}
	for v := int16(4); v <= 18; v++ {
		body := flatten(t, encodeFetchResponse(v, 5, 0, 77, topics))
		resp := kmsg.NewPtrFetchResponse()
		resp.SetVersion(v)
		if err := resp.ReadFrom(body); err != nil {
			t.Fatalf("v%d: decode: %v", v, err)
		}
		checkFetchDecoded(t, v, resp, records, id)
	}
}

func checkFetchDecoded(t *testing.T, v int16, resp *kmsg.FetchResponse, records []byte, id [16]byte) {
	t.Helper()
	if resp.ThrottleMillis != 5 || (v >= 7 && resp.SessionID != 77) || len(resp.Topics) != 1 {
		t.Fatalf("v%d: header %+v", v, resp)
	}
	rt := resp.Topics[0]
	if (v < 13 && rt.Topic != "t") || (v >= 13 && rt.TopicID != id) || len(rt.Partitions) != 3 {
		t.Fatalf("v%d: topic %q %v, %d partitions", v, rt.Topic, rt.TopicID, len(rt.Partitions))
	}
	p0, p1, p2 := rt.Partitions[0], rt.Partitions[1], rt.Partitions[2]
	if p0.HighWatermark != 10 || p0.LastStableOffset != 9 || !bytes.Equal(p0.RecordBatches, records) {
		t.Errorf("v%d: partition 0 %+v", v, p0)
	}
	if v >= 5 && p0.LogStartOffset != 1 {
		t.Errorf("v%d: log start %d", v, p0.LogStartOffset)
	}
	if p1.ErrorCode != 1 || (v >= 12 && (p1.CurrentLeader.LeaderID != 3 || p1.CurrentLeader.LeaderEpoch != 7)) {
		t.Errorf("v%d: partition 1 %+v", v, p1)
	}
	if len(p2.AbortedTransactions) != 1 || p2.AbortedTransactions[0].ProducerID != 4 || len(p2.RecordBatches) != 0 {
		t.Errorf("v%d: partition 2 %+v", v, p2)
	}
	if v >= 11 && (p0.PreferredReadReplica != -1 || p2.PreferredReadReplica != 2) {
		t.Errorf("v%d: preferred read replicas %d and %d, want -1 and 2", v, p0.PreferredReadReplica, p2.PreferredReadReplica)
	}
}

// flatten reads the parts into one buffer, as the socket would see them.
func flatten(t *testing.T, parts []wire.Part) []byte {
	var out []byte
	for _, p := range parts {
		if p.File == nil {
			out = append(out, p.Bytes...)
			continue
		}
		b := make([]byte, p.N)
		if _, err := p.File.ReadAt(b, p.Off); err != nil && err != io.EOF {
			t.Fatal(err)
		}
		out = append(out, b...)
	}
	return out
}
