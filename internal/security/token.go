package security

// Delegation tokens (KIP-48) as SCRAM credentials: a token's password is
// the base64 of its HMAC, HmacSHA512 of the token id keyed with
// delegation.token.secret.key, so every node with the key derives the
// same password from the token id alone. A client authenticates with the
// token id as SCRAM user name and the extension tokenauth=true in its
// client-first message; the principal is then the token's owner.

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/xdg-go/scram"
)

// TokenScramIterations is the iteration count of a token's SCRAM
// credential, Kafka's ScramMechanism minimum.
const TokenScramIterations = 4096

// TokenHMAC is Kafka's delegation token HMAC: HmacSHA512 of the UTF-8
// token id keyed with the UTF-8 secret key.
func TokenHMAC(tokenID, secretKey string) []byte {
	m := hmac.New(sha512.New, []byte(secretKey))
	m.Write([]byte(tokenID))
	return m.Sum(nil)
}

// TokenPassword is the SCRAM password of a token: its HMAC in standard
// base64, as Kafka's DelegationToken.hmacAsBase64String.
func TokenPassword(hmac []byte) string { return base64.StdEncoding.EncodeToString(hmac) }

// ScramFromPassword derives a SCRAM credential for password with a random
// salt, as Kafka's ScramFormatter.generateCredential.
func ScramFromPassword(mechanism int8, password string, iterations int) (ScramCredential, error) {
	hf, err := scramHash(mechanism)
	if err != nil {
		return ScramCredential{}, err
	}
	salt := make([]byte, 32)
	if _, err := rand.Read(salt); err != nil {
		return ScramCredential{}, fmt.Errorf("security: scram salt: %w", err)
	}
	cl, err := hf.NewClientUnprepped("", password, "")
	if err != nil {
		return ScramCredential{}, fmt.Errorf("security: scram client: %w", err)
	}
	sc, err := cl.GetStoredCredentialsWithError(scram.KeyFactors{Salt: string(salt), Iters: iterations})
	if err != nil {
		return ScramCredential{}, fmt.Errorf("security: scram credential: %w", err)
	}
	return ScramCredential{Salt: salt, StoredKey: sc.StoredKey, ServerKey: sc.ServerKey, Iterations: iterations}, nil
}

// TokenCredential is what SCRAM needs of a delegation token: its SCRAM
// credential, its owner's principal name and its expiry.
type TokenCredential struct {
	Cred   ScramCredential
	Owner  string
	Expiry time.Time
}

// TokenLookup returns the credential of a live token, ok=false for an
// unknown or expired one.
type TokenLookup func(tokenID string) (TokenCredential, bool)

// TokenAuthenticated is implemented by exchanges that can authenticate
// with a delegation token; a connection so authenticated may not create
// or renew tokens.
type TokenAuthenticated interface {
	TokenAuthenticated() bool
}

// tokenAuthExtension is the SCRAM extension of token authentication.
const tokenAuthExtension = "tokenauth"

// scramExtensions parses the extensions that follow the nonce of a
// client-first-message-bare ("n=user,r=nonce,key=value,...").
func scramExtensions(bare string) (map[string]string, error) {
	fields := strings.Split(bare, ",")
	if len(fields) < 2 {
		return nil, nil // xdg-go/scram refuses it
	}
	var ext map[string]string
	for _, f := range fields[2:] {
		k, v, ok := strings.Cut(f, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%w: malformed SCRAM extension", ErrMalformed)
		}
		if ext == nil {
			ext = map[string]string{}
		}
		ext[k] = v
	}
	for k := range ext {
		if k != tokenAuthExtension {
			return nil, fmt.Errorf("%w: unsupported SCRAM extension", ErrAuthFailed)
		}
	}
	return ext, nil
}
