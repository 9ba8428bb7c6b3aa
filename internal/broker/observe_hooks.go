package broker

import (
	"context"
	"encoding/binary"
	"log/slog"
	"time"

	"github.com/gofka/gofka/internal/metrics"
	"github.com/gofka/gofka/internal/storage"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// observeProduce is called after a successful append.
func (n *Node) observeProduce(p *partition, res storage.AppendResult) {
	if r := n.observe.reg; r != nil {
		r.TopicIn(p.tp.Topic, res.LastOffset-res.FirstOffset+1, int64(res.Bytes))
	}
}

// observeFetch is called with the partitions of each Fetch response: it
// counts bytes and records out per topic and the partitions' error codes.
func (n *Node) observeFetch(topics []fetchTopic) {
	r := n.observe.reg
	if r == nil {
		return
	}
	for i := range topics {
		t := &topics[i]
		var bytes, records int64
		for j := range t.parts {
			fp := &t.parts[j]
			r.RequestErrorCode(1, fp.errCode)
			bytes += fp.slice.Size
			records += countRecords(fp.slice)
		}
		if bytes > 0 {
			r.TopicOut(t.name, records, bytes)
		}
	}
}

// batchHeaderLen is the RecordBatch v2 header size; its record count is the
// int32 at recordsCountAt.
const (
	batchHeaderLen = 61
	recordsCountAt = 57
	magicAt        = 16
)

// countRecords reads the batch headers of a fetch slice (61 bytes each,
// from the page cache the sendfile reads anyway) and sums their record
// counts. Old-format batches count nothing.
func countRecords(s storage.Slice) int64 {
	if s.File == nil || s.Size == 0 {
		return 0
	}
	var hdr [batchHeaderLen]byte
	var total int64
	for pos, end := s.Pos, s.Pos+s.Size; pos+batchHeaderLen <= end; {
		if _, err := s.File.ReadAt(hdr[:], pos); err != nil {
			return total
		}
		size := 12 + int64(int32(binary.BigEndian.Uint32(hdr[8:])))
		if hdr[magicAt] == 2 {
			total += int64(int32(binary.BigEndian.Uint32(hdr[recordsCountAt:])))
		}
		if size <= 12 {
			return total
		}
		pos += size
	}
	return total
}

// wireObserver is the wire server's observer: the node itself when it
// keeps metrics or logs at debug level, else nil.
func (n *Node) wireObserver() wire.Observer {
	if n.observe.reg == nil && !n.log.Enabled(context.Background(), slog.LevelDebug) {
		return nil
	}
	return nodeObserver{n}
}

// nodeObserver implements wire.Observer for a node.
type nodeObserver struct{ n *Node }

func (o nodeObserver) ConnOpened() {
	if r := o.n.observe.reg; r != nil {
		r.ConnOpened()
	}
}

func (o nodeObserver) ConnClosed() {
	if r := o.n.observe.reg; r != nil {
		r.ConnClosed()
	}
}

func (o nodeObserver) Response(key int16, resp kmsg.Response) {
	if r := o.n.observe.reg; r != nil {
		r.Response(key, resp)
	}
}

// RequestDone records the request's latency and, at debug level only, logs
// it: nothing is logged per request at info.
func (o nodeObserver) RequestDone(key, version int16, dur time.Duration, closed bool) {
	if r := o.n.observe.reg; r != nil {
		r.Request(key, dur, closed)
	}
	if o.n.log.Enabled(context.Background(), slog.LevelDebug) {
		o.n.log.Debug("request", "api", metrics.APIName(key), "version", version, "duration", dur, "closed", closed)
	}
}
