package raft

import (
	"context"
	"fmt"

	sc "github.com/gofka/gofka/internal/schemacodec"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.etcd.io/raft/v3/raftpb"
)

// FetchKey is the API key of GofkaMetadataFetch, Gofka's own request by
// which an observer (a broker-only node) follows the committed metadata
// log from any controller, on the controller listener:
//
//	GofkaMetadataFetch Request (Version: 0) => cluster_id node_id next_index max_bytes
//	    [directory_id]
//	  directory_id => UUID (the observer's metadata log directory.id; absent
//	    from the requests of Gofka before it, which controllers that know it
//	    accept, and ignored as trailing bytes by controllers before it)
//	GofkaMetadataFetch Response (Version: 0) => error_code leader_id commit_index
//	    [voter] snapshot_index snapshot [entry]
//	  voter => id listener host port
//	  snapshot => NULLABLE BYTES (a .checkpoint file, when next_index is
//	    below the controller's log or 0)
//	  entry => index last_offset batch (BYTES; empty for entries without
//	    metadata records)
//
// Only committed entries are sent. The leader notes each fetch: its
// observers are listed in DescribeQuorum (observers.go).
const FetchKey = wire.PrivateKeyBase + 1

func init() {
	wire.RegisterRequest(FetchKey, func() kmsg.Request { return new(FetchRequest) })
}

// FetchRequest asks for committed entries from NextIndex on.
type FetchRequest struct {
	Version   int16
	ClusterID string
	NodeID    int32
	NextIndex uint64
	MaxBytes  int32
	// DirectoryID is the observer's directory.id (zero when unknown).
	DirectoryID [16]byte
}

// FetchEntry is one committed entry: its records' batch, if any.
type FetchEntry struct {
	Index      uint64
	LastOffset int64
	Batch      []byte
}

// FetchResponse carries a snapshot and/or committed entries.
type FetchResponse struct {
	Version       int16
	ErrorCode     int16
	LeaderID      int32
	Commit        uint64
	Voters        []Voter
	SnapshotIndex uint64
	Snapshot      []byte
	Entries       []FetchEntry
}

func (*FetchRequest) Key() int16                    { return FetchKey }
func (*FetchRequest) MaxVersion() int16             { return 0 }
func (r *FetchRequest) SetVersion(v int16)          { r.Version = v }
func (r *FetchRequest) GetVersion() int16           { return r.Version }
func (*FetchRequest) IsFlexible() bool              { return false }
func (r *FetchRequest) ResponseKind() kmsg.Response { return &FetchResponse{Version: r.Version} }

// AppendTo appends the request body.
func (r *FetchRequest) AppendTo(dst []byte) []byte {
	dst = sc.AppendString(dst, r.ClusterID, false)
	dst = sc.AppendInt32(dst, r.NodeID)
	dst = sc.AppendInt64(dst, int64(r.NextIndex))
	dst = sc.AppendInt32(dst, r.MaxBytes)
	return sc.AppendUUID(dst, r.DirectoryID)
}

// ReadFrom decodes the request body.
func (r *FetchRequest) ReadFrom(src []byte) error {
	rd := sc.NewReader(src)
	r.ClusterID, r.NodeID = rd.String(false), rd.Int32()
	r.NextIndex, r.MaxBytes = rd.Uint64(), rd.Int32()
	if rd.Err() == nil && len(rd.Remaining()) > 0 {
		r.DirectoryID = rd.UUID()
	}
	return rd.Err()
}

func (*FetchResponse) Key() int16                  { return FetchKey }
func (*FetchResponse) MaxVersion() int16           { return 0 }
func (r *FetchResponse) SetVersion(v int16)        { r.Version = v }
func (r *FetchResponse) GetVersion() int16         { return r.Version }
func (*FetchResponse) IsFlexible() bool            { return false }
func (r *FetchResponse) RequestKind() kmsg.Request { return &FetchRequest{Version: r.Version} }

// AppendTo appends the response body.
func (r *FetchResponse) AppendTo(dst []byte) []byte {
	dst = sc.AppendInt16(dst, r.ErrorCode)
	dst = sc.AppendInt32(dst, r.LeaderID)
	dst = sc.AppendInt64(dst, int64(r.Commit))
	dst = sc.AppendArrayLen(dst, len(r.Voters), false, false)
	for _, v := range r.Voters {
		dst = sc.AppendInt32(dst, v.ID)
		dst = sc.AppendString(dst, v.Listener, false)
		dst = sc.AppendString(dst, v.Host, false)
		dst = sc.AppendUint16(dst, v.Port)
	}
	dst = sc.AppendInt64(dst, int64(r.SnapshotIndex))
	dst = sc.AppendBytes(dst, r.Snapshot, true, false)
	dst = sc.AppendArrayLen(dst, len(r.Entries), false, false)
	for _, e := range r.Entries {
		dst = sc.AppendInt64(dst, int64(e.Index))
		dst = sc.AppendInt64(dst, e.LastOffset)
		dst = sc.AppendBytes(dst, e.Batch, false, false)
	}
	return dst
}

// ReadFrom decodes the response body.
func (r *FetchResponse) ReadFrom(src []byte) error {
	rd := sc.NewReader(src)
	r.ErrorCode, r.LeaderID, r.Commit = rd.Int16(), rd.Int32(), rd.Uint64()
	n, _ := rd.ArrayLen(false, false, 10)
	for i := 0; i < n && rd.Err() == nil; i++ {
		r.Voters = append(r.Voters, Voter{ID: rd.Int32(), Listener: rd.String(false), Host: rd.String(false), Port: rd.Uint16()})
	}
	r.SnapshotIndex = rd.Uint64()
	r.Snapshot = rd.Bytes(true, false, true)
	n, _ = rd.ArrayLen(false, false, 20)
	for i := 0; i < n && rd.Err() == nil; i++ {
		r.Entries = append(r.Entries, FetchEntry{Index: rd.Uint64(), LastOffset: rd.Int64(), Batch: rd.Bytes(false, false, true)})
	}
	return rd.Err()
}

// Committed answers an observer's fetch: committed entries from
// req.NextIndex on (at most req.MaxBytes of them, at least one), after the
// snapshot when that is below the log. The leader notes the fetch.
func (n *Node) Committed(ctx context.Context, req *FetchRequest) (*FetchResponse, error) {
	ch := make(chan *FetchResponse, 1)
	errc := make(chan error, 1)
	err := n.do(ctx, func(c *core) {
		r, err := c.fetch(req)
		ch <- r
		errc <- err
	})
	if err != nil {
		return nil, err
	}
	select {
	case r := <-ch:
		return r, <-errc
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// fetch answers an observer's fetch; the leader notes it.
func (c *core) fetch(req *FetchRequest) (*FetchResponse, error) {
	c.observed(req.NodeID, req.DirectoryID, req.NextIndex)
	return c.committed(req.NextIndex, int(req.MaxBytes))
}

func (c *core) committed(next uint64, maxBytes int) (*FetchResponse, error) {
	bs := c.rn.BasicStatus()
	r := &FetchResponse{LeaderID: -1, Commit: c.applied, Voters: c.voters}
	if bs.Lead != 0 {
		r.LeaderID = nodeID(bs.Lead)
	}
	first, _ := c.mem.FirstIndex()
	if next < first {
		snap, err := c.mem.Snapshot()
		if err != nil {
			return nil, fmt.Errorf("raft: fetch: %w", err)
		}
		r.SnapshotIndex, r.Snapshot, next = snap.Metadata.Index, snap.Data, snap.Metadata.Index+1
	}
	if next > c.applied {
		return r, nil
	}
	ents, err := c.mem.Entries(next, c.applied+1, uint64(max(maxBytes, 1)))
	if err != nil {
		return nil, fmt.Errorf("raft: fetch: %w", err)
	}
	for _, e := range ents {
		fe := FetchEntry{Index: e.Index, LastOffset: c.disk.endOffsetAt(e.Index) - 1}
		if e.Type == raftpb.EntryNormal && len(e.Data) > idSize {
			fe.Batch = e.Data[idSize:]
		}
		r.Entries = append(r.Entries, fe)
	}
	return r, nil
}
