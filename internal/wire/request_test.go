package wire

import (
	"bytes"
	"errors"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// servedVersions is the version lookup of the test handler.
func servedVersions(key int16) (int16, int16, bool) {
	return (&testHandler{}).Versions(key)
}

// body strips the size prefix of an encoded request frame.
func body(frame []byte) []byte { return frame[4:] }

func TestParseRequest(t *testing.T) {
	produce := kmsg.NewPtrProduceRequest()
	produce.Acks = -1
	pt := kmsg.NewProduceRequestTopic()
	pt.Topic = "t"
	pp := kmsg.NewProduceRequestTopicPartition()
	pp.Records = []byte("batch-bytes")
	pt.Partitions = append(pt.Partitions, pp)
	produce.Topics = append(produce.Topics, pt)

	nullClient := body(frameOf(kmsg.NewPtrMetadataRequest(), 4, 5))
	nullClient = append(nullClient[:8:8], append([]byte{0xff, 0xff}, nullClient[8+2+len("wire-test"):]...)...)

	flexTags := body(frameOf(kmsg.NewPtrMetadataRequest(), 12, 6))
	at := 8 + 2 + len("wire-test")
	flexTags = append(flexTags[:at:at], append([]byte{1, 9, 2, 'h', 'i'}, flexTags[at+1:]...)...)

	tests := []struct {
		name        string
		frame       []byte
		err         error
		key, ver    int16
		corr        int32
		client      string
		flexHeader  bool
		unsupported bool
	}{
		{name: "ApiVersions v3", frame: body(frameOf(kmsg.NewPtrApiVersionsRequest(), 3, 1)), key: 18, ver: 3, corr: 1, client: "wire-test"},
		{name: "ApiVersions v0", frame: body(frameOf(kmsg.NewPtrApiVersionsRequest(), 0, 2)), key: 18, ver: 0, corr: 2, client: "wire-test"},
		{name: "ApiVersions too new", frame: rawVersion(frameOf(kmsg.NewPtrApiVersionsRequest(), 4, 3), 77)[4:], key: 18, ver: 77, corr: 3, client: "wire-test", unsupported: true},
		{name: "Metadata v12 flexible", frame: body(frameOf(kmsg.NewPtrMetadataRequest(), 12, 4)), key: 3, ver: 12, corr: 4, client: "wire-test", flexHeader: true},
		{name: "null client id", frame: nullClient, key: 3, ver: 4, corr: 5},
		{name: "header tagged fields", frame: flexTags, key: 3, ver: 12, corr: 6, client: "wire-test", flexHeader: true},
		{name: "Produce v9", frame: body(frameOf(produce, 9, 7)), key: 0, ver: 9, corr: 7, client: "wire-test", flexHeader: true},
		{name: "Produce v3", frame: body(frameOf(produce, 3, 8)), key: 0, ver: 3, corr: 8, client: "wire-test"},
		{name: "empty", frame: nil, err: ErrTruncated},
		{name: "short header", frame: []byte{0, 18, 0, 3, 0, 0, 0}, err: ErrTruncated},
		{name: "no client id", frame: []byte{0, 18, 0, 3, 0, 0, 0, 1}, err: ErrTruncated},
		{name: "client id too long", frame: []byte{0, 18, 0, 3, 0, 0, 0, 1, 0, 5, 'a'}, err: ErrTruncated},
		{name: "unknown key", frame: []byte{0x7f, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff}, err: ErrUnknownAPIKey, key: 0x7f00, corr: 1},
		{name: "key not served", frame: body(frameOf(kmsg.NewPtrCreateTopicsRequest(), 5, 9)), err: ErrUnknownAPIKey, key: 19, ver: 5, corr: 9, client: "wire-test"},
		{name: "version too new", frame: rawVersion(frameOf(kmsg.NewPtrMetadataRequest(), 12, 10), 14)[4:], err: ErrUnsupportedVersion, key: 3, ver: 14, corr: 10, client: "wire-test"},
		{name: "version too old", frame: body(frameOf(produce, 2, 11)), err: ErrUnsupportedVersion, key: 0, ver: 2, corr: 11, client: "wire-test"},
		{name: "truncated body", frame: body(frameOf(produce, 9, 12))[:30], err: ErrDecode, key: 0, ver: 9, corr: 12, client: "wire-test"},
		{name: "bad header tags", frame: append(body(frameOf(kmsg.NewPtrMetadataRequest(), 12, 13))[:at:at], 0x80), err: ErrDecode, key: 3, ver: 12, corr: 13, client: "wire-test"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := ParseRequest(tt.frame, servedVersions)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err %v, want %v", err, tt.err)
			}
			if req == nil {
				if tt.err != ErrTruncated {
					t.Fatal("nil request")
				}
				return
			}
			if req.Key != tt.key || req.Version != tt.ver || req.CorrelationID != tt.corr || req.ClientIDString() != tt.client {
				t.Fatalf("header %d v%d corr %d client %q", req.Key, req.Version, req.CorrelationID, req.ClientIDString())
			}
			if req.Size != len(tt.frame) {
				t.Fatalf("Size %d, want %d", req.Size, len(tt.frame))
			}
			if tt.err != nil {
				return
			}
			if req.Unsupported != tt.unsupported || req.ResponseHeaderFlexible() != tt.flexHeader {
				t.Fatalf("unsupported %v flexHeader %v", req.Unsupported, req.ResponseHeaderFlexible())
			}
			if !tt.unsupported && (req.Msg == nil || req.Msg.Key() != tt.key || req.Msg.GetVersion() != tt.ver) {
				t.Fatalf("Msg %#v", req.Msg)
			}
		})
	}
}

// TestParseRequestAliasesFrame checks produce records alias the frame, the
// zero-copy contract handlers rely on.
func TestParseRequestAliasesFrame(t *testing.T) {
	produce := kmsg.NewPtrProduceRequest()
	pt := kmsg.NewProduceRequestTopic()
	pp := kmsg.NewProduceRequestTopicPartition()
	pp.Records = []byte("RECORDS!")
	pt.Partitions = append(pt.Partitions, pp)
	produce.Topics = append(produce.Topics, pt)
	frame := body(frameOf(produce, 9, 1))
	req, err := ParseRequest(frame, servedVersions)
	if err != nil {
		t.Fatal(err)
	}
	recs := req.Msg.(*kmsg.ProduceRequest).Topics[0].Partitions[0].Records
	i := bytes.Index(frame, []byte("RECORDS!"))
	if i < 0 || &frame[i] != &recs[0] {
		t.Fatal("records do not alias the frame")
	}
}

// TestControlledShutdownV0Header parses request header v0, which has no
// client id.
func TestControlledShutdownV0Header(t *testing.T) {
	frame := []byte{0, 7, 0, 0, 0, 0, 0, 42, 0, 0, 0, 3}
	req, err := ParseRequest(frame, func(int16) (int16, int16, bool) { return 0, 3, true })
	if err != nil {
		t.Fatal(err)
	}
	if req.ClientID != nil || req.Msg.(*kmsg.ControlledShutdownRequest).BrokerID != 3 {
		t.Fatalf("client %v msg %+v", req.ClientID, req.Msg)
	}
}

// TestResponseHeaderBytes pins the encoded response frames: header v0 for
// ApiVersions (even flexible v3) and non-flexible versions, v1 with an
// empty tag section otherwise.
func TestResponseHeaderBytes(t *testing.T) {
	av := kmsg.NewPtrApiVersionsResponse()
	av.SetVersion(3)
	md := kmsg.NewPtrMetadataResponse()
	md.SetVersion(12)
	tests := []struct {
		name string
		flex bool
		resp kmsg.Response
		want []byte
	}{
		// size 12 | corr 7 | error 0, no keys, throttle 0, no tags
		{"ApiVersions v3", false, av, []byte{0, 0, 0, 12, 0, 0, 0, 7, 0, 0, 1, 0, 0, 0, 0, 0}},
		// size 17 | corr 7, empty header tags | throttle 0, no brokers,
		// null cluster id, controller -1, no topics, no tags
		{"Metadata v12", true, md, []byte{0, 0, 0, 17, 0, 0, 0, 7, 0, 0, 0, 0, 0, 1, 0, 0xff, 0xff, 0xff, 0xff, 1, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bp := encodeResponse(7, tt.flex, tt.resp)
			defer putBuf(bp)
			if !bytes.Equal(*bp, tt.want) {
				t.Fatalf("got  % x\nwant % x", *bp, tt.want)
			}
		})
	}
	hp := encodePartsHeader(7, true, []Part{{Bytes: []byte("ab")}, {N: 10, File: nil}, {File: nil}})
	if !bytes.Equal(*hp, []byte{0, 0, 0, 7, 0, 0, 0, 7, 0}) {
		t.Fatalf("parts header % x", *hp)
	}
}
