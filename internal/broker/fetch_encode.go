package broker

import (
	"github.com/gofka/gofka/internal/storage"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// fetchPartition is one partition's part of a Fetch response. Its record
// bytes stay in the segment file (slice) and are spliced into the response
// as a file region, so they go to the socket by sendfile.
type fetchPartition struct {
	partition     int32
	errCode       int16
	hw, lso, lso0 int64 // high watermark, last stable offset, log start offset
	aborted       []kmsg.FetchResponseTopicPartitionAbortedTransaction
	slice         storage.Slice
	leaderID      int32
	leaderEpoch   int32
	sendLeader    bool // set CurrentLeader (tag 1) for NOT_LEADER / FENCED errors
	diverging     bool // set DivergingEpoch (tag 0): the follower must truncate
	divEpoch      int32
	divEnd        int64
	// readReplica is PreferredReadReplica (v11+, KIP-392) when
	// hasReadReplica; -1 is sent otherwise.
	readReplica    int32
	hasReadReplica bool
}

type fetchTopic struct {
	name  string
	id    [16]byte
	parts []fetchPartition
}

// encodeFetchResponse writes a Fetch response body (versions 4-18) as parts:
// encoded bytes interleaved with file regions holding the record batches.
func encodeFetchResponse(version int16, throttle int32, errCode int16, sessionID int32, topics []fetchTopic) []wire.Part {
	e := &enc{flexible: version >= 12}
	var parts []wire.Part
	e.i32(throttle)
	if version >= 7 {
		e.i16(errCode)
		e.i32(sessionID)
	}
	e.arrayLen(len(topics))
	for i := range topics {
		t := &topics[i]
		if version >= 13 {
			e.b = append(e.b, t.id[:]...)
		} else {
			e.str(t.name)
		}
		e.arrayLen(len(t.parts))
		for j := range t.parts {
			parts = encodeFetchPartition(e, parts, version, &t.parts[j])
		}
		e.noTags()
	}
	e.noTags()
	return append(parts, wire.Part{Bytes: e.b})
}

func encodeFetchPartition(e *enc, parts []wire.Part, version int16, p *fetchPartition) []wire.Part {
	e.i32(p.partition)
	e.i16(p.errCode)
	e.i64(p.hw)
	e.i64(p.lso)
	if version >= 5 {
		e.i64(p.lso0)
	}
	if p.aborted == nil {
		e.arrayLen(-1)
	} else {
		e.arrayLen(len(p.aborted))
		for _, a := range p.aborted {
			e.i64(a.ProducerID)
			e.i64(a.FirstOffset)
			e.noTags()
		}
	}
	if version >= 11 {
		if p.hasReadReplica {
			e.i32(p.readReplica)
		} else {
			e.i32(-1)
		}
	}
	n := int(p.slice.Size)
	e.bytesLen(n)
	if n > 0 {
		parts = append(parts, wire.Part{Bytes: e.b}, wire.Part{File: p.slice.File, Off: p.slice.Pos, N: p.slice.Size})
		e.b = nil
	}
	if e.flexible {
		encodeFetchPartitionTags(e, p)
	}
	return parts
}

// encodeFetchPartitionTags writes DivergingEpoch (tag 0) when a follower's
// log diverges from the leader's (KIP-320) and CurrentLeader (tag 1) when
// the partition error tells the client to look for a new leader (KIP-951).
func encodeFetchPartitionTags(e *enc, p *fetchPartition) {
	n := 0
	if p.diverging {
		n++
	}
	if p.sendLeader {
		n++
	}
	e.uvarint(uint64(n))
	if p.diverging {
		e.uvarint(0) // tag 0: DivergingEpoch
		e.uvarint(4 + 8 + 1)
		e.i32(p.divEpoch)
		e.i64(p.divEnd)
		e.uvarint(0)
	}
	if p.sendLeader {
		e.uvarint(1) // tag 1: CurrentLeader
		e.uvarint(4 + 4 + 1)
		e.i32(p.leaderID)
		e.i32(p.leaderEpoch)
		e.uvarint(0)
	}
}
