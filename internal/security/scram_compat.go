package security

import (
	"crypto/hmac"
	"crypto/subtle"
	"encoding/base64"
	"strings"
)

// librdkafka (to at least 2.x) sends the client nonce again in front of
// the server's combined nonce in its client-final message. Kafka accepts
// it (it checks that the nonce ends with the server's); xdg-go/scram
// checks equality. compatFinal verifies such a final message itself, as
// RFC 5802 defines the proof over the messages as sent.

// clientFirstBare strips the GS2 header ("n,," or "n,a=...,") of a
// client-first message.
func clientFirstBare(msg string) string {
	i := strings.Index(msg, ",")
	if i < 0 {
		return msg
	}
	j := strings.Index(msg[i+1:], ",")
	if j < 0 {
		return msg
	}
	return msg[i+1+j+1:]
}

// scramAttr returns attribute key of a SCRAM message.
func scramAttr(msg string, key byte) (string, bool) {
	for _, a := range strings.Split(msg, ",") {
		if len(a) >= 2 && a[0] == key && a[1] == '=' {
			return a[2:], true
		}
	}
	return "", false
}

// compatFinal handles a client-final message whose nonce repeats the
// client nonce; ok=false leaves every other message to xdg-go/scram.
func (x *scramExchange) compatFinal(msg string) (out []byte, ok bool, err error) {
	nonce, _ := scramAttr(msg, 'r')
	serverNonce, _ := scramAttr(x.serverFirst, 'r')
	if nonce == serverNonce || !strings.HasSuffix(nonce, serverNonce) {
		return nil, false, nil
	}
	i := strings.LastIndex(msg, ",p=")
	proofB64, _ := scramAttr(msg, 'p')
	proof, perr := base64.StdEncoding.DecodeString(proofB64)
	cred, found := x.lookup(x.user)
	if i < 0 || perr != nil || !found {
		return nil, true, ErrAuthFailed
	}
	auth := x.clientBare + "," + x.serverFirst + "," + msg[:i]
	clientSig := hmacOf(x.s.hash, cred.StoredKey, auth)
	if len(proof) != len(clientSig) {
		return nil, true, ErrAuthFailed
	}
	clientKey := make([]byte, len(proof))
	subtle.XORBytes(clientKey, proof, clientSig)
	h := x.s.hash()
	h.Write(clientKey)
	if !hmac.Equal(h.Sum(nil), cred.StoredKey) {
		return nil, true, ErrAuthFailed
	}
	x.done = true
	return []byte("v=" + base64.StdEncoding.EncodeToString(hmacOf(x.s.hash, cred.ServerKey, auth))), true, nil
}
