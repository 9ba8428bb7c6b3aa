package broker

import (
	"reflect"
	"testing"
)

// TestTokenForwardCodec: GofkaDelegationToken requests and responses
// decode to what was encoded.
func TestTokenForwardCodec(t *testing.T) {
	req := &tokenForwardRequest{Op: tokenCreate, Principal: "User:bob", Requester: "User:alice",
		Renewers: []string{"User:a", "User:b"}, MaxLifetimeMs: 1000, HMAC: []byte{1, 2}, PeriodMs: -1}
	var got tokenForwardRequest
	if err := got.ReadFrom(req.AppendTo(nil)); err != nil || !reflect.DeepEqual(&got, req) {
		t.Fatalf("request = %+v, %v", got, err)
	}
	resp := &tokenForwardResponse{ErrorCode: 3, TokenID: "id", IssueMs: 1, MaxMs: 2, ExpiryMs: 3, HMAC: []byte{9}}
	var gotResp tokenForwardResponse
	if err := gotResp.ReadFrom(resp.AppendTo(nil)); err != nil || !reflect.DeepEqual(&gotResp, resp) {
		t.Fatalf("response = %+v, %v", gotResp, err)
	}
}

// FuzzTokenForward: arbitrary bytes never panic the decoders, and what
// decodes encodes back to a request that decodes the same.
func FuzzTokenForward(f *testing.F) {
	f.Add((&tokenForwardRequest{Op: tokenRenew, Principal: "User:a", HMAC: []byte("h")}).AppendTo(nil))
	f.Add([]byte{0, 0, 1, 'x', 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, in []byte) {
		var r tokenForwardRequest
		if r.ReadFrom(in) != nil {
			return
		}
		var again tokenForwardRequest
		if err := again.ReadFrom(r.AppendTo(nil)); err != nil || !reflect.DeepEqual(again, r) {
			t.Fatalf("re-decoded %+v, %v; want %+v", again, err, r)
		}
		var resp tokenForwardResponse
		_ = resp.ReadFrom(in)
	})
}
