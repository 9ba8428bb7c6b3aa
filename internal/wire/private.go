package wire

import (
	"sync"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// private holds the request types of Gofka's own APIs, which kmsg does not
// know: keys from PrivateKeyBase on, spoken only between Gofka nodes.
var private struct {
	sync.RWMutex
	m map[int16]func() kmsg.Request
}

// PrivateKeyBase is the first API key of Gofka's own requests; Kafka's
// keys stay far below it.
const PrivateKeyBase int16 = 1000

// RegisterRequest makes the server decode requests with key through newReq.
// Packages call it from init for their private APIs.
func RegisterRequest(key int16, newReq func() kmsg.Request) {
	private.Lock()
	defer private.Unlock()
	if private.m == nil {
		private.m = map[int16]func() kmsg.Request{}
	}
	private.m[key] = newReq
}

// requestForKey returns an empty request of kmsg's or a registered type.
func requestForKey(key int16) kmsg.Request {
	if r := kmsg.RequestForKey(key); r != nil {
		return r
	}
	private.RLock()
	defer private.RUnlock()
	if f := private.m[key]; f != nil {
		return f()
	}
	return nil
}
