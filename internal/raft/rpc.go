package raft

import (
	"fmt"

	sc "github.com/gofka/gofka/internal/schemacodec"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.etcd.io/raft/v3/raftpb"
)

// MessageKey is the API key of GofkaRaftMessage, Gofka's own request that
// carries etcd raft messages between controllers on the controller
// listener (KIP-595's Vote, BeginQuorumEpoch and Fetch are not spoken).
//
//	GofkaRaftMessage Request (Version: 0) => cluster_id [message]
//	  cluster_id => STRING
//	  message => BYTES (a raftpb.Message, protobuf)
//	GofkaRaftMessage Response (Version: 0) => error_code
//	  error_code => INT16 (0, or INCONSISTENT_CLUSTER_ID, NOT_CONTROLLER)
const MessageKey = wire.PrivateKeyBase

func init() {
	wire.RegisterRequest(MessageKey, func() kmsg.Request { return new(MessageRequest) })
}

// MessageRequest carries raft messages to one controller.
type MessageRequest struct {
	Version   int16
	ClusterID string
	Messages  []raftpb.Message
}

// MessageResponse acknowledges a MessageRequest.
type MessageResponse struct {
	Version   int16
	ErrorCode int16
}

func (*MessageRequest) Key() int16                    { return MessageKey }
func (*MessageRequest) MaxVersion() int16             { return 0 }
func (r *MessageRequest) SetVersion(v int16)          { r.Version = v }
func (r *MessageRequest) GetVersion() int16           { return r.Version }
func (*MessageRequest) IsFlexible() bool              { return false }
func (r *MessageRequest) ResponseKind() kmsg.Response { return &MessageResponse{Version: r.Version} }

// AppendTo appends the request body.
func (r *MessageRequest) AppendTo(dst []byte) []byte {
	dst = sc.AppendString(dst, r.ClusterID, false)
	dst = sc.AppendArrayLen(dst, len(r.Messages), false, false)
	for _, m := range r.Messages {
		b, _ := m.Marshal()
		dst = sc.AppendBytes(dst, b, false, false)
	}
	return dst
}

// ReadFrom decodes the request body.
func (r *MessageRequest) ReadFrom(src []byte) error {
	rd := sc.NewReader(src)
	r.ClusterID = rd.String(false)
	n, _ := rd.ArrayLen(false, false, 4)
	r.Messages = make([]raftpb.Message, 0, min(n, 1024))
	for i := 0; i < n && rd.Err() == nil; i++ {
		var m raftpb.Message
		if err := m.Unmarshal(rd.Bytes(false, false, true)); err != nil {
			return fmt.Errorf("raft: message %d: %w", i, err)
		}
		r.Messages = append(r.Messages, m)
	}
	if rd.Err() == nil && len(rd.Remaining()) != 0 {
		return fmt.Errorf("raft: %d trailing bytes", len(rd.Remaining()))
	}
	return rd.Err()
}

func (*MessageResponse) Key() int16                  { return MessageKey }
func (*MessageResponse) MaxVersion() int16           { return 0 }
func (r *MessageResponse) SetVersion(v int16)        { r.Version = v }
func (r *MessageResponse) GetVersion() int16         { return r.Version }
func (*MessageResponse) IsFlexible() bool            { return false }
func (r *MessageResponse) RequestKind() kmsg.Request { return &MessageRequest{Version: r.Version} }
func (r *MessageResponse) AppendTo(dst []byte) []byte {
	return sc.AppendInt16(dst, r.ErrorCode)
}

// ReadFrom decodes the response body.
func (r *MessageResponse) ReadFrom(src []byte) error {
	rd := sc.NewReader(src)
	r.ErrorCode = rd.Int16()
	return rd.Err()
}
