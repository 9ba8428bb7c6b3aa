package security

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// ErrNoMatchingRule reports a certificate DN that no
// ssl.principal.mapping.rules rule matches; the handshake is refused.
var ErrNoMatchingRule = errors.New("security: no ssl.principal.mapping.rules rule matches the certificate DN")

// PrincipalMapper maps the distinguished name of a client certificate to a
// principal name, following Kafka's SslPrincipalMapper rules:
// "RULE:pattern/replacement/[LU]" entries and "DEFAULT", comma or newline
// separated, the first matching rule winning.
type PrincipalMapper struct {
	rules []mappingRule
}

type mappingRule struct {
	isDefault bool
	re        *regexp.Regexp
	repl      string
	caseFn    func(string) string
}

// ruleRE splits one rule off the front of the rules string, as Kafka's
// RULE_SPLITTER does (a pattern or replacement may hold escaped slashes).
var ruleRE = regexp.MustCompile(`^\s*(?:(DEFAULT)|RULE:((?:\\.|[^\\/])*)/((?:\\.|[^\\/])*)/([LU]?))\s*(?:[,\n]\s*|$)`)

// javaGroupRE finds Java-style $N group references in a replacement.
var javaGroupRE = regexp.MustCompile(`\$(\d+)`)

// ParseMappingRules parses ssl.principal.mapping.rules; "" means DEFAULT.
func ParseMappingRules(s string) (*PrincipalMapper, error) {
	m := &PrincipalMapper{}
	rest := strings.TrimSpace(s)
	if rest == "" {
		rest = "DEFAULT"
	}
	for rest != "" {
		loc := ruleRE.FindStringSubmatchIndex(rest)
		if loc == nil {
			return nil, fmt.Errorf("security: invalid ssl.principal.mapping.rules at %q", rest)
		}
		r, err := newMappingRule(rest, loc)
		if err != nil {
			return nil, err
		}
		m.rules = append(m.rules, r)
		rest = rest[loc[1]:]
	}
	return m, nil
}

func newMappingRule(s string, loc []int) (mappingRule, error) {
	if loc[2] >= 0 {
		return mappingRule{isDefault: true}, nil
	}
	re, err := regexp.Compile("^(?:" + s[loc[4]:loc[5]] + ")$")
	if err != nil {
		return mappingRule{}, fmt.Errorf("security: ssl.principal.mapping.rules pattern: %w", err)
	}
	r := mappingRule{re: re, repl: javaGroupRE.ReplaceAllString(s[loc[6]:loc[7]], "$${$1}")}
	switch s[loc[8]:loc[9]] {
	case "L":
		r.caseFn = strings.ToLower
	case "U":
		r.caseFn = strings.ToUpper
	}
	return r, nil
}

// Map returns the short name for dn.
func (m *PrincipalMapper) Map(dn string) (string, error) {
	for _, r := range m.rules {
		if r.isDefault {
			return dn, nil
		}
		if !r.re.MatchString(dn) {
			continue
		}
		out := r.re.ReplaceAllString(dn, r.repl)
		if r.caseFn != nil {
			out = r.caseFn(out)
		}
		return out, nil
	}
	return "", ErrNoMatchingRule
}

// CertificateDN formats the certificate's subject as an RFC 2253 string,
// in the order of the certificate (as Java's X500Principal.getName does).
func CertificateDN(cert *x509.Certificate) string {
	var seq pkix.RDNSequence
	if _, err := asn1.Unmarshal(cert.RawSubject, &seq); err != nil {
		return cert.Subject.String()
	}
	return seq.String()
}
