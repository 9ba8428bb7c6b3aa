package wire

import (
	"errors"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// fuzzVersions serves every kmsg key at all its versions, except
// ApiVersions, capped at v3 so the KIP-511 path is reachable.
func fuzzVersions(key int16) (int16, int16, bool) {
	req := kmsg.RequestForKey(key)
	if req == nil {
		return 0, 0, false
	}
	if key == apiVersionsKey {
		return 0, 3, true
	}
	return 0, req.MaxVersion(), true
}

// FuzzParseRequest feeds arbitrary frames to the header and body decoder:
// it must never panic, and a success must be self-consistent.
func FuzzParseRequest(f *testing.F) {
	for key := int16(0); key <= kmsg.MaxKey; key++ {
		req := kmsg.RequestForKey(key)
		if req == nil {
			continue
		}
		for _, v := range []int16{0, req.MaxVersion()} {
			f.Add(body(frameOf(kmsg.RequestForKey(key), v, int32(key))))
		}
	}
	f.Add([]byte{0, 18, 0, 9, 0, 0, 0, 1, 0xff, 0xff, 0})
	f.Add([]byte{0, 3, 0, 12, 0, 0, 0, 1, 0, 0, 2, 1, 1, 'x', 5, 0x80})
	f.Add([]byte("GET / HTTP/1.1\r\n"))
	f.Fuzz(func(t *testing.T, frame []byte) {
		req, err := ParseRequest(frame, fuzzVersions)
		if err != nil {
			checkParseError(t, req, err)
			return
		}
		if req.Size != len(frame) {
			t.Fatalf("Size %d, want %d", req.Size, len(frame))
		}
		if req.Unsupported {
			if req.Key != apiVersionsKey || req.Msg != nil || req.Version <= 3 {
				t.Fatalf("bad Unsupported request %+v", req)
			}
			return
		}
		if req.Msg == nil || req.Msg.Key() != req.Key || req.Msg.GetVersion() != req.Version {
			t.Fatalf("Msg %#v for key %d v%d", req.Msg, req.Key, req.Version)
		}
		_ = req.Msg.AppendTo(nil)
	})
}

// checkParseError checks a failure is one of the package's sentinels.
func checkParseError(t *testing.T, req *Request, err error) {
	for _, sentinel := range []error{ErrTruncated, ErrUnknownAPIKey, ErrUnsupportedVersion, ErrDecode} {
		if errors.Is(err, sentinel) {
			if req == nil && sentinel != ErrTruncated {
				t.Fatalf("nil request with %v", err)
			}
			return
		}
	}
	t.Fatalf("unclassified error %v", err)
}
