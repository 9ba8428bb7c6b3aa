package metrics

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Response counts the error codes in resp, as Kafka's ErrorsPerSec counts
// every error code of a response (including NONE, which is not counted
// here). Responses of APIs not listed in eachErrorCode count nothing.
func (r *Registry) Response(key int16, resp kmsg.Response) {
	eachErrorCode(resp, func(code int16) {
		if code != 0 {
			r.RequestError(key, errorName(code))
		}
	})
}

// errorName is Kafka's name of an error code.
func errorName(code int16) string {
	if err := kerr.ErrorForCode(code); err != nil {
		if ke, ok := err.(*kerr.Error); ok {
			return ke.Message
		}
	}
	return "UNKNOWN_SERVER_ERROR"
}

// eachErrorCode calls fn with the top-level, topic and partition error codes
// of the responses Gofka's handlers send with Reply.Send.
func eachErrorCode(resp kmsg.Response, fn func(int16)) {
	switch v := resp.(type) {
	case *kmsg.ProduceResponse:
		for _, t := range v.Topics {
			for _, p := range t.Partitions {
				fn(p.ErrorCode)
			}
		}
	case *kmsg.FetchResponse:
		fn(v.ErrorCode)
	case *kmsg.ApiVersionsResponse:
		fn(v.ErrorCode)
	case *kmsg.ListOffsetsResponse:
		for _, t := range v.Topics {
			for _, p := range t.Partitions {
				fn(p.ErrorCode)
			}
		}
	case *kmsg.MetadataResponse:
		for _, t := range v.Topics {
			fn(t.ErrorCode)
		}
	default:
		eachAdminErrorCode(resp, fn)
	}
}

// eachAdminErrorCode covers admin and group responses.
func eachAdminErrorCode(resp kmsg.Response, fn func(int16)) {
	switch v := resp.(type) {
	case *kmsg.CreateTopicsResponse:
		for _, t := range v.Topics {
			fn(t.ErrorCode)
		}
	case *kmsg.DeleteTopicsResponse:
		for _, t := range v.Topics {
			fn(t.ErrorCode)
		}
	case *kmsg.CreatePartitionsResponse:
		for _, t := range v.Topics {
			fn(t.ErrorCode)
		}
	case *kmsg.DeleteRecordsResponse:
		for _, t := range v.Topics {
			for _, p := range t.Partitions {
				fn(p.ErrorCode)
			}
		}
	case *kmsg.DescribeConfigsResponse:
		for _, rs := range v.Resources {
			fn(rs.ErrorCode)
		}
	case *kmsg.AlterConfigsResponse:
		for _, rs := range v.Resources {
			fn(rs.ErrorCode)
		}
	case *kmsg.IncrementalAlterConfigsResponse:
		for _, rs := range v.Resources {
			fn(rs.ErrorCode)
		}
	default:
		eachGroupErrorCode(resp, fn)
	}
}

// eachGroupErrorCode covers the group coordinator's responses.
func eachGroupErrorCode(resp kmsg.Response, fn func(int16)) {
	switch v := resp.(type) {
	case *kmsg.FindCoordinatorResponse:
		fn(v.ErrorCode)
		for _, c := range v.Coordinators {
			fn(c.ErrorCode)
		}
	case *kmsg.JoinGroupResponse:
		fn(v.ErrorCode)
	case *kmsg.SyncGroupResponse:
		fn(v.ErrorCode)
	case *kmsg.HeartbeatResponse:
		fn(v.ErrorCode)
	case *kmsg.LeaveGroupResponse:
		fn(v.ErrorCode)
	case *kmsg.OffsetCommitResponse:
		for _, t := range v.Topics {
			for _, p := range t.Partitions {
				fn(p.ErrorCode)
			}
		}
	case *kmsg.DescribeGroupsResponse:
		for _, g := range v.Groups {
			fn(g.ErrorCode)
		}
	case *kmsg.DeleteGroupsResponse:
		for _, g := range v.Groups {
			fn(g.ErrorCode)
		}
	case *kmsg.ListGroupsResponse:
		fn(v.ErrorCode)
	case *kmsg.DescribeClusterResponse:
		fn(v.ErrorCode)
	case *kmsg.OffsetFetchResponse:
		fn(v.ErrorCode)
		for _, g := range v.Groups {
			fn(g.ErrorCode)
		}
	case *kmsg.ConsumerGroupHeartbeatResponse:
		fn(v.ErrorCode)
	default:
		eachTxnErrorCode(resp, fn)
	}
}

// eachTxnErrorCode covers the producer-id and transaction responses.
func eachTxnErrorCode(resp kmsg.Response, fn func(int16)) {
	switch v := resp.(type) {
	case *kmsg.InitProducerIDResponse:
		fn(v.ErrorCode)
	case *kmsg.AddOffsetsToTxnResponse:
		fn(v.ErrorCode)
	case *kmsg.EndTxnResponse:
		fn(v.ErrorCode)
	case *kmsg.TxnOffsetCommitResponse:
		for _, t := range v.Topics {
			for _, p := range t.Partitions {
				fn(p.ErrorCode)
			}
		}
	}
}

// RequestErrorCode counts one non-zero error code in a response to API key
// that did not pass through Response (Fetch partitions sent as parts).
func (r *Registry) RequestErrorCode(key, code int16) {
	if code != 0 {
		r.RequestError(key, errorName(code))
	}
}
