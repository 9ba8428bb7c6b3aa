package wire

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// ErrAuthentication wraps a refused SASL authentication of a Client.
var ErrAuthentication = errors.New("wire: SASL authentication failed")

// authenticateLocked runs SaslHandshake v1 and the SaslAuthenticate
// exchange of c.sec.SASL on the new connection, remembering the session
// lifetime the server gave (KIP-368).
func (c *Client) authenticateLocked(ctx context.Context) error {
	mech := c.sec.SASL
	hs := kmsg.NewPtrSASLHandshakeRequest()
	hs.SetVersion(1)
	hs.Mechanism = mech.Name()
	resp, err := c.exchangeLocked(hs)
	if err != nil {
		return fmt.Errorf("SaslHandshake: %w", err)
	}
	if err := kerr.ErrorForCode(resp.(*kmsg.SASLHandshakeResponse).ErrorCode); err != nil {
		return fmt.Errorf("%w: SaslHandshake %s: %w", ErrAuthentication, mech.Name(), err)
	}
	host, _, _ := net.SplitHostPort(c.addr)
	session, out, err := mech.Authenticate(ctx, host)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrAuthentication, mech.Name(), err)
	}
	start := time.Now()
	for done := false; !done; {
		req := kmsg.NewPtrSASLAuthenticateRequest()
		req.SetVersion(1)
		req.SASLAuthBytes = out
		resp, err := c.exchangeLocked(req)
		if err != nil {
			return fmt.Errorf("SaslAuthenticate: %w", err)
		}
		r := resp.(*kmsg.SASLAuthenticateResponse)
		if err := kerr.ErrorForCode(r.ErrorCode); err != nil {
			return fmt.Errorf("%w: %s: %w", ErrAuthentication, mech.Name(), err)
		}
		if r.SessionLifetimeMillis > 0 {
			// Authenticate anew well before the server would close the
			// connection, as Kafka clients do (at 85-95% of the lifetime).
			life := time.Duration(r.SessionLifetimeMillis) * time.Millisecond
			c.mu.expiry = start.Add(life * 85 / 100)
		}
		if done, out, err = session.Challenge(r.SASLAuthBytes); err != nil {
			return fmt.Errorf("%w: %s: %w", ErrAuthentication, mech.Name(), err)
		}
	}
	return nil
}
