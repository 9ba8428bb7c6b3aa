// Package oauthtest is an OAuth/OIDC identity provider for tests, on
// 127.0.0.1: an RSA key made at start, its JWKS at /jwks, and a token
// endpoint at /token that grants client credentials (HTTP Basic auth,
// plain or url-encoded) with short-lived RS256 JWTs (kid, iss, aud, sub,
// iat, exp). Tests can make it fail or stall token requests, and sign
// tokens for clients directly. No key is kept in the repository.
package oauthtest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"time"
)

// Server is a running test identity provider.
type Server struct {
	Issuer   string
	Audience string
	Kid      string

	key *rsa.PrivateKey
	srv *httptest.Server

	mu struct {
		sync.Mutex
		clients  map[string]string // client id -> secret
		lifetime time.Duration
		fail     []int         // statuses for the next token requests
		stall    time.Duration // delay before answering a token request
		issued   map[string]int
		scopes   []string
		requests int
	}
}

// Options configures a Server.
type Options struct {
	Issuer   string            // default "https://idp.test"
	Audience string            // default "gofka"
	Clients  map[string]string // client id -> secret; the client id is the subject
	Lifetime time.Duration     // of issued tokens; default 15s
	TLS      bool              // serve https with a certificate for 127.0.0.1 (CertPEM)
}

// Start starts a server; Close stops it.
func Start(o Options) (*Server, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("oauthtest: %w", err)
	}
	s := &Server{Issuer: or(o.Issuer, "https://idp.test"), Audience: or(o.Audience, "gofka"), Kid: "test-key-1", key: key}
	s.mu.clients, s.mu.issued = map[string]string{}, map[string]int{}
	for id, secret := range o.Clients {
		s.mu.clients[id] = secret
	}
	s.mu.lifetime = o.Lifetime
	if s.mu.lifetime <= 0 {
		s.mu.lifetime = 15 * time.Second
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /jwks", s.serveJWKS)
	mux.HandleFunc("POST /token", s.serveToken)
	if o.TLS {
		s.srv = httptest.NewTLSServer(mux)
	} else {
		s.srv = httptest.NewServer(mux)
	}
	return s, nil
}

// CertPEM is the server's certificate in PEM (TLS servers only): the CA
// a client must trust.
func (s *Server) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.srv.Certificate().Raw})
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// JWKSURL is the URL of the key set.
func (s *Server) JWKSURL() string { return s.srv.URL + "/jwks" }

// TokenURL is the URL of the token endpoint.
func (s *Server) TokenURL() string { return s.srv.URL + "/token" }

// SetClient adds or changes a client's secret.
func (s *Server) SetClient(id, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mu.clients[id] = secret
}

// SetLifetime sets the lifetime of tokens issued from now on.
func (s *Server) SetLifetime(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mu.lifetime = d
}

// FailNext answers the next token requests with these HTTP statuses,
// one each, before granting again.
func (s *Server) FailNext(statuses ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mu.fail = append(s.mu.fail, statuses...)
}

// Stall delays every token answer by d (0 to stop).
func (s *Server) Stall(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mu.stall = d
}

// Issued is how many tokens client was granted.
func (s *Server) Issued(client string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mu.issued[client]
}

// Requests is how many token requests the server answered or is
// answering, granted or not.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mu.requests
}

// Scopes are the scope parameters of the granted requests, in order.
func (s *Server) Scopes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.mu.scopes...)
}

func (s *Server) serveJWKS(w http.ResponseWriter, _ *http.Request) {
	pub := s.key.PublicKey
	key := map[string]string{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": s.Kid,
		"n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes())}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"keys": []any{key}})
}

// serveToken grants the client-credentials grant.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	status, stall, client := s.admit(r)
	if stall > 0 {
		select {
		case <-time.After(stall):
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	if status != http.StatusOK {
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": errorCode(status), "error_description": "test identity provider refused the request"})
		return
	}
	s.mu.Lock()
	life := s.mu.lifetime
	s.mu.issued[client]++
	s.mu.scopes = append(s.mu.scopes, r.PostForm.Get("scope"))
	s.mu.Unlock()
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": s.Sign(client, life), "token_type": "Bearer",
		"expires_in": int(life.Seconds())})
}

// admit checks a token request: the status to answer, the stall and the
// authenticated client.
func (s *Server) admit(r *http.Request) (int, time.Duration, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mu.requests++
	if len(s.mu.fail) > 0 {
		status := s.mu.fail[0]
		s.mu.fail = s.mu.fail[1:]
		return status, s.mu.stall, ""
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		return http.StatusBadRequest, s.mu.stall, ""
	}
	id, secret, ok := r.BasicAuth()
	if uid, err := url.QueryUnescape(id); err == nil && s.mu.clients[uid] != "" {
		id = uid
		if us, err := url.QueryUnescape(secret); err == nil && us == s.mu.clients[uid] {
			secret = us
		}
	}
	if !ok || s.mu.clients[id] == "" || s.mu.clients[id] != secret {
		return http.StatusUnauthorized, s.mu.stall, ""
	}
	return http.StatusOK, s.mu.stall, id
}

func errorCode(status int) string {
	switch status {
	case http.StatusUnauthorized:
		return "invalid_client"
	case http.StatusBadRequest:
		return "invalid_request"
	}
	return "server_error"
}

// Sign returns an RS256 JWT for sub valid for life from now, with the
// server's kid, issuer and audience.
func (s *Server) Sign(sub string, life time.Duration) string {
	now := time.Now()
	return s.SignClaims(map[string]any{"sub": sub, "iss": s.Issuer, "aud": s.Audience,
		"iat": now.Unix(), "exp": now.Add(life).Unix()})
}

// SignClaims returns an RS256 JWT of claims with the server's kid.
func (s *Server) SignClaims(claims map[string]any) string {
	hdr, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": s.Kid})
	body, _ := json.Marshal(claims)
	signed := b64(hdr) + "." + b64(body)
	digest := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(nil, s.key, crypto.SHA256, digest[:])
	if err != nil {
		panic(fmt.Sprintf("oauthtest: sign: %v", err)) // a valid RSA key always signs
	}
	return signed + "." + b64(sig)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
