package main

// gofka token create|renew|expire|describe (kafka-delegation-tokens.sh):
// delegation tokens (KIP-48). A token authenticates through SCRAM with
// its id as user name and its HMAC (base64) as password:
// --sasl-mechanism SCRAM-SHA-512 --sasl-token, or tokenauth="true" in the
// ScramLoginModule of --command-config.

import (
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kadm"
)

func tokenCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Create, renew, expire and describe delegation tokens (delegation.token.secret.key must be set)"}
	cmd.AddCommand(tokenCreateCmd(g), tokenRenewCmd(g), tokenExpireCmd(g), tokenDescribeCmd(g))
	return cmd
}

// parsePrincipal parses "User:alice" (a bare name is a User).
func parsePrincipal(s string) kadm.Principal {
	if typ, name, ok := strings.Cut(s, ":"); ok {
		return kadm.Principal{Type: typ, Name: name}
	}
	return kadm.Principal{Type: "User", Name: s}
}

func tokenCreateCmd(g *globals) *cobra.Command {
	var owner string
	var renewers []string
	var maxLife time.Duration
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a delegation token for the caller (or, with CreateTokens on the User, for --owner)",
		Example: "  gofka token create --renewer User:ops --max-lifetime 48h --sasl-mechanism SCRAM-SHA-512 --sasl-user alice\n" +
			"  gofka token create --owner User:bob --command-config admin.properties",
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			req := kadm.CreateDelegationToken{MaxLifetime: maxLife}
			if owner != "" {
				p := parsePrincipal(owner)
				req.Owner = &p
			}
			for _, r := range renewers {
				req.Renewers = append(req.Renewers, parsePrincipal(r))
			}
			return g.withSession(cmd, func(s *session) error {
				tok, err := s.adm.CreateDelegationToken(s.ctx, req)
				if err != nil {
					return explainToken(err)
				}
				return s.printTokens(kadm.DelegationTokens{tok})
			})
		},
	}
	cmd.Flags().StringVar(&owner, "owner", "", "owner principal (KIP-373), e.g. User:bob; default the caller")
	cmd.Flags().StringSliceVar(&renewers, "renewer", nil, "principals that may renew the token, e.g. User:ops")
	cmd.Flags().DurationVar(&maxLife, "max-lifetime", 0, "maximum lifetime (default delegation.token.max.lifetime.ms)")
	return cmd
}

func tokenRenewCmd(g *globals) *cobra.Command {
	var hmac string
	var period time.Duration
	cmd := &cobra.Command{
		Use:     "renew",
		Short:   "Extend a token's expiry (owner or renewers)",
		Example: "  gofka token renew --hmac <base64> --period 24h",
		Args:    exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			mac, err := decodeHMAC(hmac)
			if err != nil {
				return err
			}
			return g.withSession(cmd, func(s *session) error {
				exp, err := s.adm.RenewDelegationToken(s.ctx, mac, period)
				if err != nil {
					return explainToken(err)
				}
				fmt.Fprintf(s.out, "Token renewed: it expires at %s\n", exp.UTC().Format(time.RFC3339))
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&hmac, "hmac", "", "the token's HMAC (base64), as create printed it")
	cmd.Flags().DurationVar(&period, "period", 0, "renew period (default delegation.token.expiry.time.ms)")
	return cmd
}

func tokenExpireCmd(g *globals) *cobra.Command {
	var hmac string
	var period time.Duration
	cmd := &cobra.Command{
		Use:     "expire",
		Short:   "Expire a token now, or after --period (owner or renewers)",
		Example: "  gofka token expire --hmac <base64>\n  gofka token expire --hmac <base64> --period 1h",
		Args:    exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			mac, err := decodeHMAC(hmac)
			if err != nil {
				return err
			}
			if period <= 0 {
				period = -time.Millisecond // Kafka: a negative period removes the token at once
			}
			return g.withSession(cmd, func(s *session) error {
				exp, err := s.adm.ExpireDelegationToken(s.ctx, mac, period)
				if err != nil {
					return explainToken(err)
				}
				fmt.Fprintf(s.out, "Token expires at %s\n", exp.UTC().Format(time.RFC3339))
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&hmac, "hmac", "", "the token's HMAC (base64), as create printed it")
	cmd.Flags().DurationVar(&period, "period", 0, "expire after this period (default: now, the token is removed)")
	return cmd
}

func tokenDescribeCmd(g *globals) *cobra.Command {
	var owners []string
	cmd := &cobra.Command{
		Use:     "describe",
		Short:   "List the tokens the caller may see (its own, and others' with Describe on the token or DescribeTokens on the owner)",
		Example: "  gofka token describe\n  gofka token describe --owner User:bob -o json",
		Args:    exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			var ps []kadm.Principal
			for _, o := range owners {
				ps = append(ps, parsePrincipal(o))
			}
			return g.withSession(cmd, func(s *session) error {
				toks, err := s.adm.DescribeDelegationTokens(s.ctx, ps...)
				if err != nil {
					return explainToken(err)
				}
				return s.printTokens(toks)
			})
		},
	}
	cmd.Flags().StringSliceVar(&owners, "owner", nil, "only tokens of these owners (or that they may renew)")
	return cmd
}

func decodeHMAC(s string) ([]byte, error) {
	if s == "" {
		return nil, usagef("give --hmac, the base64 HMAC `gofka token create` printed")
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, usagef("--hmac is not base64: %v", err)
	}
	return b, nil
}

// explainToken adds advice to the token errors users meet first.
func explainToken(err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "DELEGATION_TOKEN_AUTH_DISABLED"):
		return fmt.Errorf("%w: set delegation.token.secret.key on every node", err)
	case strings.Contains(msg, "DELEGATION_TOKEN_REQUEST_NOT_ALLOWED"):
		return fmt.Errorf("%w: connect over SASL (not with a token) or SSL with a client certificate", err)
	}
	return explain(err, "")
}

// tokenRow is one token in output.
type tokenRow struct {
	TokenID   string   `json:"token_id"`
	HMAC      string   `json:"hmac"`
	Owner     string   `json:"owner"`
	Requester string   `json:"requester"`
	Renewers  []string `json:"renewers"`
	Issued    string   `json:"issued"`
	Expires   string   `json:"expires"`
	Max       string   `json:"max"`
}

func (s *session) printTokens(toks kadm.DelegationTokens) error {
	out := make([]tokenRow, len(toks))
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	for i, t := range toks {
		r := tokenRow{TokenID: t.TokenID, HMAC: base64.StdEncoding.EncodeToString(t.HMAC), Owner: t.Owner.Type + ":" + t.Owner.Name,
			Requester: t.TokenRequesterPrincipal.Type + ":" + t.TokenRequesterPrincipal.Name,
			Issued:    ts(t.IssueTimestamp), Expires: ts(t.ExpiryTimestamp), Max: ts(t.MaxTimestamp), Renewers: []string{}}
		for _, rn := range t.Renewers {
			r.Renewers = append(r.Renewers, rn.Type+":"+rn.Name)
		}
		out[i] = r
	}
	if s.json() {
		return s.printJSON(out)
	}
	rows := make([][]string, len(out))
	for i, r := range out {
		rows[i] = []string{r.TokenID, r.HMAC, r.Owner, r.Requester, strings.Join(r.Renewers, ","), r.Issued, r.Expires, r.Max}
	}
	return s.table([]string{"TOKEN ID", "HMAC", "OWNER", "REQUESTER", "RENEWERS", "ISSUED", "EXPIRES", "MAX"}, rows)
}
