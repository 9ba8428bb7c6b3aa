package faultnet

import (
	"bufio"
	"encoding/binary"
	"strings"
)

// KafkaClientID returns the client id of the first Kafka request on r
// (request header v1 and later: size, api key, version, correlation id,
// then the client id as a nullable int16-length string), or "". A TLS
// connection (a handshake record first) is not read further: its bytes
// name no one, and waiting for more than the client sent would stall its
// handshake.
func KafkaClientID(r *bufio.Reader) string {
	const fixed = 4 + 2 + 2 + 4 + 2
	if b, err := r.Peek(1); err != nil || b[0] == tlsHandshakeRecord {
		return ""
	}
	b, err := r.Peek(fixed)
	if err != nil {
		return ""
	}
	size := int64(binary.BigEndian.Uint32(b))
	n := int(int16(binary.BigEndian.Uint16(b[fixed-2:])))
	if n <= 0 || fixed+n > r.Size() || int64(fixed-4+n) > size {
		return ""
	}
	if b, err = r.Peek(fixed + n); err != nil {
		return ""
	}
	return string(b[fixed:])
}

// tlsHandshakeRecord opens every TLS connection (a ClientHello record).
const tlsHandshakeRecord = 0x16

// GofkaNode names the source of a connection by the node id in the Kafka
// client id Gofka's inter-node clients use, "gofka-<role>-<node.id>"
// (gofka-raft-2, gofka-broker-2); other clients are unknown ("").
func GofkaNode(r *bufio.Reader) string {
	id, ok := strings.CutPrefix(KafkaClientID(r), "gofka-")
	if !ok {
		return ""
	}
	i := strings.LastIndexByte(id, '-')
	if i < 0 || i == len(id)-1 || strings.Trim(id[i+1:], "0123456789") != "" {
		return ""
	}
	return id[i+1:]
}
