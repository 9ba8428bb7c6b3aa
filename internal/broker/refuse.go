package broker

// Whole-request authorization refusals. Many APIs are refused as a whole
// when the principal lacks one permission (Write on the transactional id,
// Read on the group, ClusterAction on the cluster); the answer is Kafka's
// AbstractRequest.getErrorResponse: the request's items mirrored into the
// response with the error code at every level.

import (
	"reflect"

	"github.com/gofka/gofka/internal/authz"
	"github.com/gofka/gofka/internal/wire"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// refusal is the permission a request needs as a whole and the error when
// it is missing.
type refusal struct {
	op   authz.Operation
	typ  authz.ResourceType
	name string
	code *kerr.Error
}

// wholeRequestCheck returns the whole-request checks of req (nil for APIs
// that check per item or not at all).
func wholeRequestCheck(req *wire.Request) []refusal {
	txn := func(id string) refusal {
		return refusal{opWrite, resTxnID, id, kerr.TransactionalIDAuthorizationFailed}
	}
	grp := func(op authz.Operation, g string) refusal {
		return refusal{op, resGroup, g, kerr.GroupAuthorizationFailed}
	}
	cluster := refusal{opClusterAction, resCluster, authz.ClusterName, kerr.ClusterAuthorizationFailed}
	switch r := req.Msg.(type) {
	case *kmsg.JoinGroupRequest:
		return []refusal{grp(opRead, r.Group)}
	case *kmsg.SyncGroupRequest:
		return []refusal{grp(opRead, r.Group)}
	case *kmsg.HeartbeatRequest:
		return []refusal{grp(opRead, r.Group)}
	case *kmsg.LeaveGroupRequest:
		return []refusal{grp(opRead, r.Group)}
	case *kmsg.ConsumerGroupHeartbeatRequest:
		return []refusal{grp(opRead, r.Group)}
	case *kmsg.OffsetDeleteRequest:
		return []refusal{grp(opDelete, r.Group)}
	case *kmsg.DescribeQuorumRequest, *kmsg.ListPartitionReassignmentsRequest:
		return []refusal{{opDescribe, resCluster, authz.ClusterName, kerr.ClusterAuthorizationFailed}}
	case *kmsg.AddRaftVoterRequest, *kmsg.RemoveRaftVoterRequest, *kmsg.UnregisterBrokerRequest,
		*kmsg.ElectLeadersRequest, *kmsg.AlterPartitionAssignmentsRequest:
		return []refusal{{opAlter, resCluster, authz.ClusterName, kerr.ClusterAuthorizationFailed}}
	case *kmsg.UpdateRaftVoterRequest:
		return []refusal{cluster}
	case *kmsg.AddPartitionsToTxnRequest:
		if req.Version >= 4 {
			return []refusal{cluster}
		}
		return []refusal{txn(r.TransactionalID)}
	case *kmsg.AddOffsetsToTxnRequest:
		return []refusal{txn(r.TransactionalID), grp(opRead, r.Group)}
	case *kmsg.EndTxnRequest:
		return []refusal{txn(r.TransactionalID)}
	case *kmsg.TxnOffsetCommitRequest:
		return []refusal{txn(r.TransactionalID), grp(opRead, r.Group)}
	case *kmsg.WriteTxnMarkersRequest, *kmsg.InitializeShareGroupStateRequest, *kmsg.ReadShareGroupStateRequest,
		*kmsg.WriteShareGroupStateRequest, *kmsg.DeleteShareGroupStateRequest, *kmsg.ReadShareGroupStateSummaryRequest:
		return []refusal{cluster}
	case *kmsg.ShareGroupHeartbeatRequest:
		return []refusal{grp(opRead, r.GroupID)}
	case *kmsg.ShareFetchRequest:
		return []refusal{grp(opRead, derefOr(r.GroupID))}
	case *kmsg.ShareAcknowledgeRequest:
		return []refusal{grp(opRead, derefOr(r.GroupID))}
	case *kmsg.AlterShareGroupOffsetsRequest:
		return []refusal{grp(opRead, r.GroupID)}
	case *kmsg.DeleteShareGroupOffsetsRequest:
		return []refusal{grp(opDelete, r.GroupID)}
	}
	return nil
}

func derefOr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// refused answers req with an error response when a whole-request check
// fails, reporting whether it did.
func (n *Node) refused(req *wire.Request, reply wire.Reply) bool {
	for _, c := range wholeRequestCheck(req) {
		if !n.authorize(req, c.op, c.typ, c.name) {
			reply.Send(errorResponse(req.Msg, c.code))
			return true
		}
	}
	return false
}

// errorResponse mirrors r's items into its response with code in every
// ErrorCode field, as Kafka's getErrorResponse.
func errorResponse(r kmsg.Request, code *kerr.Error) kmsg.Response {
	resp := r.ResponseKind()
	mirror(reflect.ValueOf(r).Elem(), reflect.ValueOf(resp).Elem(), code.Code)
	return resp
}

// mirror copies same-named scalar fields of src into dst, builds one dst
// element per src element for same-named slices of structs, and sets
// ErrorCode.
func mirror(src, dst reflect.Value, code int16) {
	for i := 0; i < dst.NumField(); i++ {
		f, ft := dst.Field(i), dst.Type().Field(i)
		if !ft.IsExported() || ft.Name == "Version" {
			continue
		}
		if ft.Name == "ErrorCode" && f.Kind() == reflect.Int16 {
			f.SetInt(int64(code))
			continue
		}
		sf := src.FieldByName(ft.Name)
		if !sf.IsValid() {
			continue
		}
		switch {
		case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.Struct && sf.Kind() == reflect.Slice && sf.Type().Elem().Kind() == reflect.Struct:
			f.Set(mirrorSlice(sf, f.Type(), code))
		case sf.Type() == f.Type() && f.Kind() != reflect.Struct:
			f.Set(sf)
		case sf.Kind() == reflect.Slice && f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.Struct && sf.Type().Elem().Kind() != reflect.Struct:
			f.Set(mirrorScalars(sf, f.Type(), code)) // e.g. partitions []int32 into partition structs
		}
	}
}

func mirrorSlice(src reflect.Value, typ reflect.Type, code int16) reflect.Value {
	out := reflect.MakeSlice(typ, src.Len(), src.Len())
	for i := 0; i < src.Len(); i++ {
		el := out.Index(i)
		if d, ok := el.Addr().Interface().(interface{ Default() }); ok {
			d.Default()
		}
		mirror(src.Index(i), el, code)
	}
	return out
}

// mirrorScalars turns a slice of scalars (partition ids) into elements
// whose first field of that type holds each.
func mirrorScalars(src reflect.Value, typ reflect.Type, code int16) reflect.Value {
	out := reflect.MakeSlice(typ, src.Len(), src.Len())
	for i := 0; i < src.Len(); i++ {
		el := out.Index(i)
		if d, ok := el.Addr().Interface().(interface{ Default() }); ok {
			d.Default()
		}
		for j := 0; j < el.NumField(); j++ {
			f := el.Field(j)
			switch {
			case el.Type().Field(j).Name == "ErrorCode":
				f.SetInt(int64(code))
			case f.Type() == src.Index(i).Type() && el.Type().Field(j).Name == "Partition":
				f.Set(src.Index(i))
			}
		}
	}
	return out
}
