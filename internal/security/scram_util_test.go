package security

import (
	"crypto/hmac"
	"encoding/binary"

	"github.com/xdg-go/scram"
)

// pbkdf is PBKDF2 with HMAC over hf: SCRAM's Hi().
func pbkdf(hf scram.HashGeneratorFcn, password string, salt []byte, iters int) []byte {
	m := hmac.New(hf, []byte(password))
	m.Write(salt)
	m.Write(binary.BigEndian.AppendUint32(nil, 1))
	u := m.Sum(nil)
	out := append([]byte{}, u...)
	for i := 1; i < iters; i++ {
		m.Reset()
		m.Write(u)
		u = m.Sum(u[:0])
		for j := range out {
			out[j] ^= u[j]
		}
	}
	return out
}
