package security

import (
	"crypto/tls"
	"fmt"
	"strings"
)

// TLSSettings are the ssl.* properties of one listener (after the
// listener.name.<listener>. overrides).
type TLSSettings struct {
	KeystoreType       string // ssl.keystore.type (PEM)
	KeystoreLocation   string // ssl.keystore.location: a PEM file with the key and chain
	KeystoreKey        string // ssl.keystore.key: PEM key inline
	KeystoreCertChain  string // ssl.keystore.certificate.chain: PEM chain inline
	KeyPassword        string // ssl.key.password (encrypted keys are refused)
	TruststoreType     string // ssl.truststore.type (PEM)
	TruststoreLocation string // ssl.truststore.location: a PEM file of CA certificates
	TruststoreCerts    string // ssl.truststore.certificates: PEM CA certificates inline
	ClientAuth         string // ssl.client.auth: none, requested, required
	// EndpointIdentification is ssl.endpoint.identification.algorithm:
	// a node's clients check the host name of the nodes they dial unless
	// it is empty.
	EndpointIdentification string
	EnabledProtocols       []string
	// AllowDNChanges and AllowSANChanges are ssl.allow.dn.changes and
	// ssl.allow.san.changes: whether reloaded stores may bring a
	// certificate of another subject, or without some of the current
	// one's alternative names (tls_compat.go).
	AllowDNChanges, AllowSANChanges bool
	CipherSuites                    []string
}

// TLSSettingsFrom reads the settings through get, which returns a
// property's effective value for the listener ("" when unset).
func TLSSettingsFrom(get func(name string) string) TLSSettings {
	return TLSSettings{
		KeystoreType:           get("ssl.keystore.type"),
		KeystoreLocation:       get("ssl.keystore.location"),
		KeystoreKey:            get("ssl.keystore.key"),
		KeystoreCertChain:      get("ssl.keystore.certificate.chain"),
		KeyPassword:            get("ssl.key.password"),
		TruststoreType:         get("ssl.truststore.type"),
		TruststoreLocation:     get("ssl.truststore.location"),
		TruststoreCerts:        get("ssl.truststore.certificates"),
		ClientAuth:             get("ssl.client.auth"),
		EndpointIdentification: get("ssl.endpoint.identification.algorithm"),
		AllowDNChanges:         strings.EqualFold(strings.TrimSpace(get("ssl.allow.dn.changes")), "true"),
		AllowSANChanges:        strings.EqualFold(strings.TrimSpace(get("ssl.allow.san.changes")), "true"),
		EnabledProtocols:       splitList(get("ssl.enabled.protocols")),
		CipherSuites:           splitList(get("ssl.cipher.suites")),
	}
}

func splitList(s string) []string {
	var out []string
	for _, e := range strings.Split(s, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

// clientAuthType maps ssl.client.auth to crypto/tls.
func clientAuthType(s string) (tls.ClientAuthType, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "none":
		return tls.NoClientCert, nil
	case "requested":
		return tls.VerifyClientCertIfGiven, nil
	case "required":
		return tls.RequireAndVerifyClientCert, nil
	}
	return 0, fmt.Errorf("security: ssl.client.auth %q is not none, requested or required", s)
}

// tlsVersions maps ssl.enabled.protocols to a version range.
func tlsVersions(protos []string) (lo, hi uint16, err error) {
	names := map[string]uint16{"TLSv1.2": tls.VersionTLS12, "TLSv1.3": tls.VersionTLS13,
		"TLSv1.1": tls.VersionTLS11, "TLSv1": tls.VersionTLS10}
	if len(protos) == 0 {
		return tls.VersionTLS12, tls.VersionTLS13, nil
	}
	for _, p := range protos {
		v, ok := names[p]
		if !ok {
			return 0, 0, fmt.Errorf("security: ssl.enabled.protocols: unknown protocol %q", p)
		}
		if lo == 0 || v < lo {
			lo = v
		}
		hi = max(hi, v)
	}
	return lo, hi, nil
}

// cipherSuites maps ssl.cipher.suites (IANA names, as Java takes them) to
// crypto/tls ids. TLS 1.3 suites are not configurable in crypto/tls and are
// accepted and ignored; nil means every default suite.
func cipherSuites(names []string) ([]uint16, error) {
	if len(names) == 0 {
		return nil, nil
	}
	known := map[string]uint16{}
	for _, cs := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		known[cs.Name] = cs.ID
	}
	var out []uint16
	for _, n := range names {
		if id, ok := known[n]; ok {
			out = append(out, id)
		} else if !strings.HasPrefix(n, "TLS_AES_") && !strings.HasPrefix(n, "TLS_CHACHA20_") {
			return nil, fmt.Errorf("security: ssl.cipher.suites: unknown cipher suite %q", n)
		}
	}
	return out, nil
}
