// Package wire owns Gofka's Kafka network layer: it accepts connections,
// reads size-prefixed request frames (bounded by socket.request.max.bytes),
// parses request headers, decodes request bodies with
// github.com/twmb/franz-go/pkg/kmsg, hands each request to a Handler, and
// writes the responses back strictly in request order, whatever order the
// handler completes them in.
//
// Each connection has exactly two goroutines: a reader, which parses frames
// and calls Handler.Handle in request order, and a writer, which writes
// completed responses in order. Responses are encoded into pooled buffers
// and written with a single write (writev for multi-part responses);
// file-backed parts go to the socket with sendfile(2), so record data read
// from segment files never passes through Go memory.
//
// The package never interprets requests beyond their header and never
// decides how to answer them; it must never block the reader on a handler's
// long wait (handlers park requests and Reply later), never allocate a frame
// before its size has been checked, and never let a malformed frame on one
// connection affect another.
package wire
