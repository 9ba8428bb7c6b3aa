package security

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

// JWKS is a JSON Web Key Set read from a file (file:// URL or path) or an
// HTTP(S) URL, read again after the refresh interval or when a token names
// an unknown key id (at most every minRefetch).
type JWKS struct {
	url     string
	refresh time.Duration
	client  *http.Client

	mu      sync.Mutex
	keys    map[string]crypto.PublicKey
	fetched time.Time
}

// minRefetch bounds how often an unknown kid triggers a fetch.
const minRefetch = 10 * time.Second

// NewJWKS reads the key set at url once, so a broken URL fails start-up.
func NewJWKS(url string, refresh time.Duration) (*JWKS, error) {
	j := &JWKS{url: url, refresh: refresh, client: &http.Client{Timeout: 10 * time.Second}}
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.fetchLocked(); err != nil {
		return nil, err
	}
	return j, nil
}

// Key returns the key with id kid ("" matches a set of one key).
func (j *JWKS) Key(kid string) (crypto.PublicKey, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if k := j.lookupLocked(kid); k != nil && time.Since(j.fetched) < j.refresh {
		return k, nil
	}
	if time.Since(j.fetched) >= minRefetch {
		if err := j.fetchLocked(); err != nil {
			return nil, err
		}
	}
	if k := j.lookupLocked(kid); k != nil {
		return k, nil
	}
	return nil, errors.New("no JWKS key for the token's kid")
}

func (j *JWKS) lookupLocked(kid string) crypto.PublicKey {
	if kid == "" && len(j.keys) == 1 {
		for _, k := range j.keys {
			return k
		}
	}
	return j.keys[kid]
}

func (j *JWKS) fetchLocked() error {
	b, err := j.read()
	if err != nil {
		return fmt.Errorf("security: read JWKS: %w", err)
	}
	keys, err := ParseJWKS(b)
	if err != nil {
		return err
	}
	j.keys, j.fetched = keys, time.Now()
	return nil
}

func (j *JWKS) read() ([]byte, error) {
	if path, ok := strings.CutPrefix(j.url, "file://"); ok || !strings.Contains(j.url, "://") {
		if !ok {
			path = j.url
		}
		return os.ReadFile(path)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, j.url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := j.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP status %d", resp.StatusCode)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 1<<20))
}

// jwk is the subset of RFC 7517 fields Gofka reads.
type jwk struct {
	Kty, Kid, Use, Crv, N, E, X, Y string
}

// ParseJWKS parses a key set, keeping RSA and EC signing keys by kid.
func ParseJWKS(b []byte) (map[string]crypto.PublicKey, error) {
	var set struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.Unmarshal(b, &set); err != nil {
		return nil, fmt.Errorf("security: JWKS is not JSON: %w", err)
	}
	keys := map[string]crypto.PublicKey{}
	for _, k := range set.Keys {
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		pk, err := k.publicKey()
		if err != nil {
			return nil, fmt.Errorf("security: JWKS key %q: %w", k.Kid, err)
		}
		if pk != nil {
			keys[k.Kid] = pk
		}
	}
	return keys, nil
}

func (k jwk) publicKey() (crypto.PublicKey, error) {
	switch k.Kty {
	case "RSA":
		n, e := b64Int(k.N), b64Int(k.E)
		if n == nil || e == nil || !e.IsInt64() {
			return nil, errors.New("bad RSA modulus or exponent")
		}
		return &rsa.PublicKey{N: n, E: int(e.Int64())}, nil
	case "EC":
		curve := map[string]elliptic.Curve{"P-256": elliptic.P256(), "P-384": elliptic.P384(), "P-521": elliptic.P521()}[k.Crv]
		x, y := b64Int(k.X), b64Int(k.Y)
		if curve == nil || x == nil || y == nil {
			return nil, errors.New("bad EC curve or point")
		}
		size := (curve.Params().BitSize + 7) / 8
		if x.BitLen() > 8*size || y.BitLen() > 8*size {
			return nil, errors.New("bad EC point")
		}
		point := append([]byte{4}, x.FillBytes(make([]byte, size))...)
		pk, err := ecdsa.ParseUncompressedPublicKey(curve, append(point, y.FillBytes(make([]byte, size))...))
		if err != nil {
			return nil, errors.New("bad EC point")
		}
		return pk, nil
	}
	return nil, nil // other key types are skipped
}

func b64Int(s string) *big.Int {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) == 0 {
		return nil
	}
	return new(big.Int).SetBytes(b)
}
