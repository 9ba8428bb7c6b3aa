package security

// Whether new stores may replace the ones in use, as Kafka's SslFactory
// decides on a dynamic reconfiguration (validateReconfiguration and
// CertificateEntries.ensureCompatible): a keystore may be neither added to
// stores that had none nor removed, a truststore may not be added, the
// new certificate must have the current one's subject DN unless
// ssl.allow.dn.changes is true, and every one of its subject alternative
// names unless ssl.allow.san.changes is true (new names may be added).
// Gofka applies it to replaced store files too.

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Errors of stores that may not replace the current ones.
var (
	// ErrDNChanged: the new certificate names another subject.
	ErrDNChanged = errors.New("security: Keystore DistinguishedName does not match")
	// ErrSANChanged: the new certificate lacks a name of the current one.
	ErrSANChanged = errors.New("security: Keystore SubjectAltNames do not match")
	// ErrStoreAdded and ErrStoreRemoved: a store appears or disappears.
	ErrStoreAdded   = errors.New("security: a store was added")
	ErrStoreRemoved = errors.New("security: a store was removed")
)

// pemAlias is the alias of the key entry of Kafka's PEM keystores, named
// in the errors as Kafka names it.
const pemAlias = "kafka"

// compatible checks next (loaded from nextS) against cur (from curS).
func compatible(curS, nextS TLSSettings, cur, next *tls.Config) error {
	hadKeystore, hasKeystore := len(cur.Certificates) > 0, len(next.Certificates) > 0
	switch {
	case !hadKeystore && hasKeystore:
		return fmt.Errorf("%w: cannot add an SSL keystore to an existing listener for which no keystore was configured", ErrStoreAdded)
	case hadKeystore && !hasKeystore:
		return fmt.Errorf("%w: cannot remove the SSL keystore from an existing listener for which a keystore was configured", ErrStoreRemoved)
	case !hasTruststore(curS) && hasTruststore(nextS):
		return fmt.Errorf("%w: cannot add an SSL truststore to an existing listener for which no truststore was configured", ErrStoreAdded)
	case !hasKeystore:
		return nil
	}
	old, err := leaf(cur.Certificates[0])
	if err != nil {
		return err
	}
	nw, err := leaf(next.Certificates[0])
	if err != nil {
		return err
	}
	if od, nd := CertificateDN(old), CertificateDN(nw); !nextS.AllowDNChanges && !strings.EqualFold(od, nd) {
		return fmt.Errorf("%w:  existing={alias=%s, DN=%s}, new={alias=%s, DN=%s}", ErrDNChanged, pemAlias, od, pemAlias, nd)
	}
	if on, nn := altNames(old), altNames(nw); !nextS.AllowSANChanges && !containsAll(nn, on) {
		return fmt.Errorf("%w:  existing={alias=%s, SAN=%s}, new={alias=%s, SAN=%s}", ErrSANChanged, pemAlias, formatNames(on), pemAlias, formatNames(nn))
	}
	return nil
}

func hasTruststore(s TLSSettings) bool { return s.TruststoreLocation != "" || s.TruststoreCerts != "" }

// leaf is the end-entity certificate of a key pair.
func leaf(c tls.Certificate) (*x509.Certificate, error) {
	if c.Leaf != nil {
		return c.Leaf, nil
	}
	if len(c.Certificate) == 0 {
		return nil, errors.New("security: keystore holds no certificate")
	}
	l, err := x509.ParseCertificate(c.Certificate[0])
	if err != nil {
		return nil, fmt.Errorf("security: keystore certificate: %w", err)
	}
	return l, nil
}

// altNames are a certificate's subject alternative names as Java's
// getSubjectAlternativeNames types them: 1 email, 2 DNS, 6 URI, 7 IP.
func altNames(c *x509.Certificate) []string {
	var out []string
	for _, e := range c.EmailAddresses {
		out = append(out, "1, "+e)
	}
	for _, d := range c.DNSNames {
		out = append(out, "2, "+d)
	}
	for _, u := range c.URIs {
		out = append(out, "6, "+u.String())
	}
	for _, ip := range c.IPAddresses {
		out = append(out, "7, "+ip.String())
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func containsAll(set, of []string) bool {
	for _, n := range of {
		if _, ok := slices.BinarySearch(set, n); !ok {
			return false
		}
	}
	return true
}

// formatNames writes names as Kafka's error does: [[2, localhost], ...].
func formatNames(names []string) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = "[" + n + "]"
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
