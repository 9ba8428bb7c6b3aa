package security

// Access token retrieval for OAUTHBEARER logins (KIP-768), as Kafka's
// HttpAccessTokenRetriever and FileTokenRetriever do it: an HTTP(S) token
// endpoint is asked with the OAuth client-credentials grant (a form POST
// of grant_type=client_credentials and an optional scope, the client id
// and secret in HTTP Basic auth, url-encoded first only with
// sasl.oauthbearer.header.urlencode); a file: URL names a file holding
// the token. Failed requests are retried with exponential backoff from
// sasl.login.retry.backoff.ms for at most sasl.login.retry.backoff.max.ms
// in all, except answers that retrying cannot change (400, 401, 403, 404
// and the other statuses Kafka lists). Errors never hold the secret, the
// token or the response body (only an OAuth error code and description).

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// ErrTokenEndpoint wraps every failure to get a token from the token
// endpoint or the token file.
var ErrTokenEndpoint = errors.New("security: OAUTHBEARER token retrieval failed")

// TokenRetriever gets an access token (a serialized JWT).
type TokenRetriever interface {
	Retrieve(ctx context.Context) (string, error)
}

// ClientCredentials are the settings of an HTTP token retriever.
type ClientCredentials struct {
	TokenURL        string // sasl.oauthbearer.token.endpoint.url (http or https)
	ClientID        string // JAAS clientId
	ClientSecret    string // JAAS clientSecret: never logged or returned
	Scope           string // JAAS scope, optional
	URLEncodeHeader bool   // sasl.oauthbearer.header.urlencode
	ConnectTimeout  time.Duration
	ReadTimeout     time.Duration // each read of the response, as a socket timeout
	RetryBackoff    time.Duration // sasl.login.retry.backoff.ms
	RetryBackoffMax time.Duration // sasl.login.retry.backoff.max.ms
	TLS             *tls.Config   // for https; nil: the system's roots
}

// HTTPTokenRetriever asks a token endpoint for tokens.
type HTTPTokenRetriever struct {
	c      ClientCredentials
	client *http.Client
}

// NewHTTPTokenRetriever checks c and returns its retriever.
func NewHTTPTokenRetriever(c ClientCredentials) (*HTTPTokenRetriever, error) {
	c.ClientID, c.ClientSecret, c.Scope = strings.TrimSpace(c.ClientID), strings.TrimSpace(c.ClientSecret), strings.TrimSpace(c.Scope)
	switch {
	case c.ClientID == "":
		return nil, errors.New("security: OAUTHBEARER login needs clientId in the sasl.jaas.config")
	case c.ClientSecret == "":
		return nil, errors.New("security: OAUTHBEARER login needs clientSecret in the sasl.jaas.config")
	case c.RetryBackoff < 0 || c.RetryBackoffMax < c.RetryBackoff:
		return nil, errors.New("security: sasl.login.retry.backoff.max.ms must be at least sasl.login.retry.backoff.ms, both at least 0")
	}
	u, err := url.Parse(c.TokenURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("security: sasl.oauthbearer.token.endpoint.url %q is not an http(s) or file URL", c.TokenURL)
	}
	return &HTTPTokenRetriever{c: c, client: &http.Client{Transport: newTokenTransport(c)}}, nil
}

// newTokenTransport dials with the connect timeout and bounds each read
// by the read timeout; connections are not kept (tokens are rare).
func newTokenTransport(c ClientCredentials) *http.Transport {
	d := &net.Dialer{Timeout: c.ConnectTimeout}
	return &http.Transport{
		Proxy:             http.ProxyFromEnvironment,
		TLSClientConfig:   c.TLS,
		DisableKeepAlives: true,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := d.DialContext(ctx, network, addr)
			if err != nil || c.ReadTimeout <= 0 {
				return conn, err
			}
			return &readTimeoutConn{Conn: conn, timeout: c.ReadTimeout}, nil
		},
	}
}

// readTimeoutConn fails a read that waits longer than timeout.
type readTimeoutConn struct {
	net.Conn
	timeout time.Duration
}

func (c *readTimeoutConn) Read(b []byte) (int, error) {
	_ = c.Conn.SetReadDeadline(time.Now().Add(c.timeout))
	return c.Conn.Read(b)
}

// Retrieve asks the token endpoint for a token, retrying as Kafka does.
func (r *HTTPTokenRetriever) Retrieve(ctx context.Context) (string, error) {
	body, err := retryBackoff(ctx, r.c.RetryBackoff, r.c.RetryBackoffMax, func() ([]byte, error) {
		return r.post(ctx)
	})
	if err != nil {
		return "", fmt.Errorf("%w: %s: %w", ErrTokenEndpoint, r.c.TokenURL, err)
	}
	tok, err := parseAccessToken(body)
	if err != nil {
		return "", fmt.Errorf("%w: %s: %w", ErrTokenEndpoint, r.c.TokenURL, err)
	}
	return tok, nil
}

// post makes one token request; a status retrying cannot change is
// returned as an unretryable error.
func (r *HTTPTokenRetriever) post(ctx context.Context) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.c.TokenURL, strings.NewReader(r.form()))
	if err != nil {
		return nil, unretryable{fmt.Errorf("request: %w", err)}
	}
	req.Header.Set("Authorization", r.authorization())
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Cache-Control", "no-cache")
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("reading the response: %w", err)
	}
	if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusCreated {
		return body, nil
	}
	err = fmt.Errorf("HTTP status %d%s", resp.StatusCode, oauthErrorText(body))
	if unretryableStatus[resp.StatusCode] {
		return nil, unretryable{err}
	}
	return nil, err
}

// form is the client-credentials grant request body.
func (r *HTTPTokenRetriever) form() string {
	s := "grant_type=client_credentials"
	if r.c.Scope != "" {
		s += "&scope=" + url.QueryEscape(r.c.Scope)
	}
	return s
}

// authorization is the Basic header of the client id and secret
// (standard base64, RFC 7617), url-encoded first when asked (RFC 6749
// 2.3.1).
func (r *HTTPTokenRetriever) authorization() string {
	id, secret := r.c.ClientID, r.c.ClientSecret
	if r.c.URLEncodeHeader {
		id, secret = url.QueryEscape(id), url.QueryEscape(secret)
	}
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
}

// unretryableStatus are the HTTP statuses Kafka's retriever does not
// retry: the request itself is wrong.
var unretryableStatus = map[int]bool{400: true, 401: true, 402: true, 403: true, 404: true, 405: true,
	406: true, 407: true, 409: true, 410: true, 411: true, 412: true, 413: true, 414: true, 415: true, 501: true, 505: true}

// oauthErrorText is the RFC 6749 5.2 error and description of an error
// response (Okta's errorCode and errorSummary too), quoted; anything else
// in the body is left out, as it might echo a credential.
func oauthErrorText(body []byte) string {
	var e struct {
		Error        string `json:"error"`
		Description  string `json:"error_description"`
		ErrorCode    string `json:"errorCode"`
		ErrorSummary string `json:"errorSummary"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	code, desc := cmp(e.Error, e.ErrorCode), cmp(e.Description, e.ErrorSummary)
	switch {
	case code == "":
		return ""
	case desc == "":
		return " (" + strconv.Quote(code) + ")"
	}
	return " (" + strconv.Quote(code) + ": " + strconv.Quote(desc) + ")"
}

// parseAccessToken reads access_token from a token response.
func parseAccessToken(body []byte) (string, error) {
	var resp struct {
		AccessToken *string `json:"access_token"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return "", errors.New("the token response is not a JSON object")
	}
	if resp.AccessToken == nil || strings.TrimSpace(*resp.AccessToken) == "" {
		return "", errors.New("the token response has no access_token")
	}
	return strings.TrimSpace(*resp.AccessToken), nil
}

// FileTokenRetriever reads the token from a file, again at every
// retrieval (Kafka reads it once; reading again lets a sidecar renew it).
type FileTokenRetriever struct{ Path string }

// Retrieve implements TokenRetriever.
func (f FileTokenRetriever) Retrieve(context.Context) (string, error) {
	b, err := os.ReadFile(f.Path)
	if err != nil {
		return "", fmt.Errorf("%w: token file: %w", ErrTokenEndpoint, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// unretryable marks an error retrying cannot fix.
type unretryable struct{ error }

func (u unretryable) Unwrap() error { return u.error }

// retryBackoff calls f until it succeeds, returns an unretryable error,
// or max has passed since the first call: the waits double from backoff,
// as Kafka's Retry. The first error is returned, as Kafka does.
func retryBackoff(ctx context.Context, backoff, max time.Duration, f func() ([]byte, error)) ([]byte, error) {
	end := time.Now().Add(max)
	var first error
	for attempt := 0; ; attempt++ {
		out, err := f()
		if err == nil {
			return out, nil
		}
		if first == nil {
			first = err
		}
		var u unretryable
		if errors.As(err, &u) {
			return nil, first
		}
		wait := min(backoff<<min(attempt, 30), time.Until(end))
		if wait <= 0 || backoff <= 0 {
			return nil, first
		}
		if err := sleepCtx(ctx, wait); err != nil {
			return nil, errors.Join(first, err)
		}
	}
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
