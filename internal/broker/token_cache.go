package broker

// The SCRAM credentials of delegation tokens, as Kafka's
// DelegationTokenCache holds them: derived on a node's first use of a
// token from its password (the base64 HMAC under
// delegation.token.secret.key) with a random salt and 4096 iterations,
// kept until the token leaves the metadata image, and the active
// controller's periodic sweep of expired tokens.

import (
	"sync"
	"time"

	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/security"
)

type tokenCredKey struct {
	id   string
	mech int8
}

// tokenCreds caches derived token credentials.
type tokenCreds struct {
	mu sync.Mutex
	m  map[tokenCredKey]security.ScramCredential
}

// credential returns the token's credential for mech, deriving it once.
func (tc *tokenCreds) credential(id string, mech int8, secret string) (security.ScramCredential, error) {
	k := tokenCredKey{id, mech}
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if c, ok := tc.m[k]; ok {
		return c, nil
	}
	c, err := security.ScramFromPassword(mech, security.TokenPassword(security.TokenHMAC(id, secret)), security.TokenScramIterations)
	if err != nil {
		return c, err
	}
	if tc.m == nil {
		tc.m = map[tokenCredKey]security.ScramCredential{}
	}
	tc.m[k] = c
	return c, nil
}

// keep drops the credentials of tokens no longer in tokens.
func (tc *tokenCreds) keep(tokens map[string]metadata.DelegationToken) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	for k := range tc.m {
		if _, ok := tokens[k.id]; !ok {
			delete(tc.m, k)
		}
	}
}

// tokenLookup finds a live token of the current image for SCRAM
// authentication with mech. A token past its expiry no longer
// authenticates, even before the sweep removes it.
func (n *Node) tokenLookup(mech int8) security.TokenLookup {
	return func(id string) (security.TokenCredential, bool) {
		t, ok := n.meta.Current().DelegationTokens()[id]
		now := n.now().UnixMilli()
		if !ok || t.ExpirationTimestamp < now || t.MaxTimestamp < now {
			return security.TokenCredential{}, false
		}
		cred, err := n.tokenCreds.credential(id, mech, n.cfg.DelegationTokenSecretKey)
		if err != nil {
			n.log.Error("derive a delegation token's SCRAM credential", "token", id, "err", err)
			return security.TokenCredential{}, false
		}
		return security.TokenCredential{Cred: cred, Owner: principalOf(t.Owner).Name,
			Expiry: time.UnixMilli(t.ExpirationTimestamp)}, true
	}
}

// startTokenCache drops cached credentials as tokens leave the image.
func (n *Node) startTokenCache() {
	if n.cfg.DelegationTokenSecretKey == "" {
		return
	}
	n.meta.Subscribe(func(_, next *metadata.Image, _ metadata.Delta) { n.tokenCreds.keep(next.DelegationTokens()) })
}

// sweepTokens removes expired tokens every
// delegation.token.expiry.check.interval.ms (active controller).
func (n *Node) sweepTokens(last *time.Time) {
	interval := ms(n.cfg.DelegationTokenExpiryCheckMs)
	if n.cfg.DelegationTokenSecretKey == "" || n.now().Sub(*last) < interval {
		return
	}
	*last = n.now()
	if err := n.ctrl.ExpireTokens(n.now()); err != nil {
		n.log.Warn("remove expired delegation tokens", "err", err)
	}
}
