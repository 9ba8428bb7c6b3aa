package controller

// Delegation tokens (KIP-48) as Kafka's DelegationTokenControlManager
// takes them: a token is a DelegationTokenRecord (owner, requester,
// renewers, issue, max and expiry timestamps; never its HMAC, which every
// node derives from the token id and delegation.token.secret.key), renewed
// or expired by writing the record again with a new expiry, and removed
// with a RemoveDelegationTokenRecord when expired at once or by the
// active controller's periodic sweep. The principals are strings in
// Kafka's "Type:name" form; the broker decides who the caller is and
// whether it may act for the owner.

import (
	"crypto/hmac"
	"crypto/rand"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/security"
	"github.com/twmb/franz-go/pkg/kerr"
)

// TokenRequest is a CreateDelegationToken as the controller takes it.
type TokenRequest struct {
	Owner, Requester string
	Renewers         []string
	MaxLifetimeMs    int64 // <= 0 for delegation.token.max.lifetime.ms
}

// TokensEnabled reports whether delegation.token.secret.key is set.
func (c *Controller) TokensEnabled() bool { return c.static.DelegationTokenSecretKey != "" }

// TokenMetadataVersion is the first metadata.version with delegation
// token records (3.6-IV2), as Kafka's isDelegationTokenSupported.
const TokenMetadataVersion int16 = 14

// tokensUnavailable is the error of a token operation the cluster cannot
// take: DELEGATION_TOKEN_AUTH_DISABLED without a secret key,
// UNSUPPORTED_VERSION below metadata.version 3.6-IV2.
func (c *Controller) tokensUnavailable() *kerr.Error {
	switch {
	case !c.TokensEnabled():
		return kerr.DelegationTokenAuthDisabled
	case c.pub.Current().Features["metadata.version"] < TokenMetadataVersion:
		return kerr.UnsupportedVersion
	}
	return nil
}

// TokenHMAC is the HMAC of a token id under this node's secret key.
func (c *Controller) TokenHMAC(tokenID string) []byte {
	return security.TokenHMAC(tokenID, c.static.DelegationTokenSecretKey)
}

// CreateToken issues a token for r.Owner.
func (c *Controller) CreateToken(r TokenRequest) (metadata.DelegationToken, []byte, *kerr.Error) {
	if e := c.tokensUnavailable(); e != nil {
		return metadata.DelegationToken{}, nil, e
	}
	for _, p := range r.Renewers {
		if !strings.HasPrefix(p, security.UserType+":") {
			return metadata.DelegationToken{}, nil, kerr.InvalidPrincipalType
		}
	}
	now := c.now().UnixMilli()
	maxLife := c.static.DelegationTokenMaxLifetimeMs
	if r.MaxLifetimeMs > 0 {
		maxLife = min(maxLife, r.MaxLifetimeMs)
	}
	maxTS := addMs(now, maxLife)
	var id metadata.UUID
	rand.Read(id[:])
	t := metadata.DelegationToken{TokenID: id.String(), Owner: r.Owner, Requester: r.Requester, Renewers: r.Renewers,
		IssueTimestamp: now, MaxTimestamp: maxTS, ExpirationTimestamp: min(maxTS, addMs(now, c.static.DelegationTokenExpiryTimeMs))}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.commitLocked([]metadata.Record{tokenRecord(t)}); err != nil {
		c.log.Error("controller: create delegation token", "err", err)
		return metadata.DelegationToken{}, nil, ErrorCode(err)
	}
	return t, c.TokenHMAC(t.TokenID), nil
}

// RenewToken extends the expiry of the token with hmac by periodMs (at
// most delegation.token.expiry.time.ms, never past its max timestamp);
// principal must own it or be one of its renewers.
func (c *Controller) RenewToken(principal string, hmac []byte, periodMs int64) (int64, *kerr.Error) {
	return c.changeToken(principal, hmac, func(t metadata.DelegationToken, now int64) (int64, metadata.Record, *kerr.Error) {
		if expired(t, now) {
			return 0, nil, kerr.DelegationTokenExpired
		}
		period := c.static.DelegationTokenExpiryTimeMs
		if periodMs > 0 {
			period = min(period, periodMs)
		}
		t.ExpirationTimestamp = min(t.MaxTimestamp, addMs(now, period))
		return t.ExpirationTimestamp, tokenRecord(t), nil
	})
}

// ExpireToken sets the expiry of the token with hmac periodMs from now,
// or removes it at once when periodMs is negative.
func (c *Controller) ExpireToken(principal string, hmac []byte, periodMs int64) (int64, *kerr.Error) {
	return c.changeToken(principal, hmac, func(t metadata.DelegationToken, now int64) (int64, metadata.Record, *kerr.Error) {
		switch {
		case periodMs < 0:
			return now, &metadata.RemoveDelegationTokenRecord{TokenID: t.TokenID}, nil
		case expired(t, now):
			return 0, nil, kerr.DelegationTokenExpired
		}
		t.ExpirationTimestamp = min(t.MaxTimestamp, addMs(now, periodMs))
		return t.ExpirationTimestamp, tokenRecord(t), nil
	})
}

// changeToken finds the token with hmac, checks principal may change it
// and commits the record change builds.
func (c *Controller) changeToken(principal string, mac []byte,
	change func(t metadata.DelegationToken, now int64) (int64, metadata.Record, *kerr.Error)) (int64, *kerr.Error) {
	if e := c.tokensUnavailable(); e != nil {
		return -1, e
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.tokenByHMAC(c.pub.Current(), mac)
	switch {
	case !ok:
		return -1, kerr.DelegationTokenNotFound
	case t.Owner != principal && !slices.Contains(t.Renewers, principal):
		return -1, kerr.DelegationTokenOwnerMismatch
	}
	ts, rec, kerrc := change(t, c.now().UnixMilli())
	if kerrc != nil {
		return -1, kerrc
	}
	if err := c.commitLocked([]metadata.Record{rec}); err != nil {
		c.log.Error("controller: change delegation token", "err", err)
		return -1, ErrorCode(err)
	}
	return ts, nil
}

// tokenByHMAC finds a token by its HMAC. Tokens are few: each id's HMAC
// is computed again rather than indexed.
func (c *Controller) tokenByHMAC(img *metadata.Image, mac []byte) (metadata.DelegationToken, bool) {
	for _, t := range img.DelegationTokens() {
		if hmac.Equal(c.TokenHMAC(t.TokenID), mac) {
			return t, true
		}
	}
	return metadata.DelegationToken{}, false
}

// ExpireTokens removes every token past its expiry or max timestamp (the
// active controller's sweep, every delegation.token.expiry.check.interval.ms).
func (c *Controller) ExpireTokens(now time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var recs []metadata.Record
	tokens := c.pub.Current().DelegationTokens()
	for _, id := range slices.Sorted(maps.Keys(tokens)) {
		if t := tokens[id]; expired(t, now.UnixMilli()) {
			c.log.Info("delegation token expired", "token", t.TokenID, "owner", t.Owner)
			recs = append(recs, &metadata.RemoveDelegationTokenRecord{TokenID: t.TokenID})
		}
	}
	return c.commitLocked(recs)
}

// expired is Kafka's test: past the max timestamp or the expiry.
func expired(t metadata.DelegationToken, now int64) bool {
	return t.MaxTimestamp < now || t.ExpirationTimestamp < now
}

func tokenRecord(t metadata.DelegationToken) *metadata.DelegationTokenRecord {
	return &metadata.DelegationTokenRecord{TokenID: t.TokenID, Owner: t.Owner, Requester: t.Requester, Renewers: t.Renewers,
		IssueTimestamp: t.IssueTimestamp, MaxTimestamp: t.MaxTimestamp, ExpirationTimestamp: t.ExpirationTimestamp}
}

// addMs adds without overflowing, as Kafka's sum.
func addMs(now, d int64) int64 {
	if now > math.MaxInt64-d {
		return math.MaxInt64
	}
	return now + d
}
