package security

// OAuthLogin is the client side of an OAUTHBEARER login with signed
// tokens (KIP-768), as Kafka's OAuthBearerLoginCallbackHandler with its
// ExpiringCredentialRefreshingLogin: it retrieves a token, validates it,
// keeps it, and a refresher goroutine retrieves the next one before it
// expires, at a point of the token's lifetime set by
// sasl.login.refresh.window.factor and .window.jitter, no sooner than
// sasl.login.refresh.min.period.seconds from now and no later than
// sasl.login.refresh.buffer.seconds before expiry (both ignored when the
// token lives shorter than their sum). A failed refresh is tried again
// after 10 seconds while the current token lasts. Connections
// authenticate (and re-authenticate, KIP-368) with the current token.

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
)

// RefreshConfig is when a login refreshes its token (Kafka's
// sasl.login.refresh.* settings).
type RefreshConfig struct {
	WindowFactor float64       // sasl.login.refresh.window.factor, 0.5-1.0
	WindowJitter float64       // sasl.login.refresh.window.jitter, 0-0.25
	MinPeriod    time.Duration // sasl.login.refresh.min.period.seconds
	Buffer       time.Duration // sasl.login.refresh.buffer.seconds
}

// DefaultRefresh are Kafka's defaults.
var DefaultRefresh = RefreshConfig{WindowFactor: 0.8, WindowJitter: 0.05, MinPeriod: 60 * time.Second, Buffer: 300 * time.Second}

// reloginRetry is how long a failed refresh waits before the next try
// (Kafka's DELAY_SECONDS_BEFORE_NEXT_RETRY_WHEN_RELOGIN_FAILS).
const reloginRetry = 10 * time.Second

// OAuthLoginConfig configures an OAuthLogin.
type OAuthLoginConfig struct {
	Retriever TokenRetriever
	Refresh   RefreshConfig
	SubClaim  string       // sasl.oauthbearer.sub.claim.name
	Logger    *slog.Logger // nil: slog.Default()
	Now       func() time.Time
}

// OAuthLogin holds the current token of one login and refreshes it.
type OAuthLogin struct {
	cfg   OAuthLoginConfig
	retry time.Duration // reloginRetry; shorter in tests

	fetchMu sync.Mutex // one retrieval at a time; taken before mu
	mu      struct {
		sync.Mutex
		tok *LoginToken
		got time.Time // when tok was retrieved
	}
	stop context.CancelFunc
	done chan struct{}
}

// NewOAuthLogin returns a login that has no token yet; Start logs in.
func NewOAuthLogin(cfg OAuthLoginConfig) *OAuthLogin {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &OAuthLogin{cfg: cfg, retry: reloginRetry}
}

// SetLogger sets the logger; call it before Start.
func (l *OAuthLogin) SetLogger(log *slog.Logger) { l.cfg.Logger = log }

// Start retrieves the first token (bounded by ctx) and starts the
// refresher; Close stops it. A failed first login starts nothing.
func (l *OAuthLogin) Start(ctx context.Context) error {
	if _, err := l.fetch(ctx, true); err != nil {
		return err
	}
	rctx, cancel := context.WithCancel(context.Background())
	l.stop, l.done = cancel, make(chan struct{})
	go l.refresher(rctx)
	return nil
}

// Close stops the refresher and waits for it.
func (l *OAuthLogin) Close() {
	if l.stop != nil {
		l.stop()
		<-l.done
	}
}

// Token returns the current token, retrieving one when there is none
// that is still valid (the refresher fell behind, or Start was not
// called).
func (l *OAuthLogin) Token(ctx context.Context) (*LoginToken, error) {
	if t := l.valid(); t != nil {
		return t, nil
	}
	return l.fetch(ctx, false)
}

// valid returns the current token unless it has expired.
func (l *OAuthLogin) valid() *LoginToken {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.mu.tok != nil && l.cfg.Now().Before(l.mu.tok.Expiry) {
		return l.mu.tok
	}
	return nil
}

// fetch retrieves and validates a token and makes it current; unless
// force, a valid token another caller retrieved meanwhile is kept.
func (l *OAuthLogin) fetch(ctx context.Context, force bool) (*LoginToken, error) {
	l.fetchMu.Lock()
	defer l.fetchMu.Unlock()
	if t := l.valid(); t != nil && !force {
		return t, nil
	}
	raw, err := l.cfg.Retriever.Retrieve(ctx)
	if err != nil {
		return nil, err
	}
	now := l.cfg.Now()
	tok, err := ParseLoginToken(raw, l.cfg.SubClaim, now)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.mu.tok, l.mu.got = tok, now
	l.mu.Unlock()
	l.cfg.Logger.Info("OAUTHBEARER login token retrieved", "token", tok.String())
	return tok, nil
}

// refresher retrieves a new token at each refresh time until ctx ends.
func (l *OAuthLogin) refresher(ctx context.Context) {
	defer close(l.done)
	failed := false
	for {
		wait := l.nextRefresh(failed)
		if sleepCtx(ctx, wait) != nil {
			return
		}
		_, err := l.fetch(ctx, true)
		if ctx.Err() != nil {
			return
		}
		if failed = err != nil; failed {
			l.cfg.Logger.Warn("OAUTHBEARER token refresh failed; trying again", "in", l.retry, "err", err)
		}
	}
}

// nextRefresh is how long to wait before the next refresh.
func (l *OAuthLogin) nextRefresh(failed bool) time.Duration {
	l.mu.Lock()
	tok, got := l.mu.tok, l.mu.got
	l.mu.Unlock()
	now := l.cfg.Now()
	if failed || tok == nil || now.After(tok.Expiry) {
		return l.retry
	}
	start := got
	if !tok.IssuedAt.IsZero() {
		start = tok.IssuedAt
	}
	return refreshAt(l.cfg.Refresh, start, tok.Expiry, now, rand.Float64()).Sub(now)
}

// refreshAt is Kafka's ExpiringCredentialRefreshingLogin.refreshMs for a
// credential valid from start to exp, computed at now, with r in [0, 1)
// drawing the jitter.
func refreshAt(c RefreshConfig, start, exp, now time.Time, r float64) time.Time {
	pct := c.WindowFactor + c.WindowJitter*r
	if now.Add(c.MinPeriod + c.Buffer).After(exp) {
		return now.Add(time.Duration(float64(exp.Sub(now)) * pct))
	}
	at := start.Add(time.Duration(float64(exp.Sub(start)) * pct))
	if bufStart := exp.Add(-c.Buffer); at.After(bufStart) {
		return bufStart
	}
	if minAt := now.Add(c.MinPeriod); at.Before(minAt) {
		return minAt
	}
	return at
}

// String describes the login for logs without its token.
func (l *OAuthLogin) String() string {
	if t := l.valid(); t != nil {
		return fmt.Sprintf("OAUTHBEARER login (%s)", t)
	}
	return "OAUTHBEARER login (no token)"
}
