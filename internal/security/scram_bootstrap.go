package security

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// DefaultScramIterations is Kafka's default iteration count for a SCRAM
// credential made from a password.
const DefaultScramIterations = 4096

// ScramUser is one credential of kafka-storage format --add-scram.
type ScramUser struct {
	Name       string
	Mechanism  int8
	Credential ScramCredential
}

// ParseAddScram reads one --add-scram value as Kafka's format tool takes
// it: `SCRAM-SHA-256=[name=alice,password=alice-secret]`, with an optional
// iterations=N (4096 by default; a random salt is made). Errors never
// quote the password.
func ParseAddScram(s string) (ScramUser, error) {
	mechName, rest, ok := strings.Cut(strings.TrimSpace(s), "=")
	if !ok || !strings.HasPrefix(rest, "[") || !strings.HasSuffix(rest, "]") {
		return ScramUser{}, errors.New("security: --add-scram wants SCRAM-SHA-256=[name=<user>,password=<password>]")
	}
	u := ScramUser{}
	switch strings.ToUpper(mechName) {
	case "SCRAM-SHA-256":
		u.Mechanism = ScramSHA256
	case "SCRAM-SHA-512":
		u.Mechanism = ScramSHA512
	default:
		return ScramUser{}, fmt.Errorf("security: --add-scram: unknown mechanism %q", mechName)
	}
	password, iterations := "", DefaultScramIterations
	for _, kv := range strings.Split(rest[1:len(rest)-1], ",") {
		k, v, _ := strings.Cut(kv, "=")
		switch strings.TrimSpace(k) {
		case "name":
			u.Name = strings.Trim(strings.TrimSpace(v), `"`)
		case "password":
			password = strings.Trim(v, `"`)
		case "iterations":
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < 4096 || n > 16384 {
				return ScramUser{}, errors.New("security: --add-scram: iterations must be 4096 to 16384")
			}
			iterations = n
		default:
			return ScramUser{}, fmt.Errorf("security: --add-scram: unknown key %q (name, password, iterations)", k)
		}
	}
	if u.Name == "" || password == "" {
		return ScramUser{}, errors.New("security: --add-scram needs name and password")
	}
	cred, err := ScramFromPassword(u.Mechanism, password, iterations)
	u.Credential = cred
	return u, err
}
