package raft

import (
	"reflect"
	"testing"
)

// FuzzFetchRequest checks the GofkaMetadataFetch request decoder (bytes
// from the network): it never panics, and what it accepts encodes back to
// a request that decodes the same. Requests of nodes before the directory
// id (no trailing UUID) decode with a zero one.
func FuzzFetchRequest(f *testing.F) {
	f.Add((&FetchRequest{ClusterID: "c", NodeID: 4, NextIndex: 9, MaxBytes: 1 << 20, DirectoryID: [16]byte{1}}).AppendTo(nil))
	old := (&FetchRequest{ClusterID: "c", NodeID: 4, NextIndex: 9, MaxBytes: 1 << 20}).AppendTo(nil)
	f.Add(old[:len(old)-16])
	f.Fuzz(func(t *testing.T, data []byte) {
		var r FetchRequest
		if r.ReadFrom(data) != nil {
			return
		}
		var back FetchRequest
		if err := back.ReadFrom(r.AppendTo(nil)); err != nil || !reflect.DeepEqual(back, r) {
			t.Fatalf("round trip: %+v, %v; want %+v", back, err, r)
		}
	})
}

// FuzzFetchResponse checks the GofkaMetadataFetch response decoder never
// panics.
func FuzzFetchResponse(f *testing.F) {
	f.Add((&FetchResponse{LeaderID: 1, Commit: 3, Voters: []Voter{{ID: 1, Listener: "CONTROLLER", Host: "h", Port: 9}},
		Entries: []FetchEntry{{Index: 3, LastOffset: 7, Batch: []byte{1}}}}).AppendTo(nil))
	f.Fuzz(func(_ *testing.T, data []byte) {
		var r FetchResponse
		_ = r.ReadFrom(data)
	})
}
