package security

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// ErrEncryptedKey reports a PEM key encrypted with a password, which
// crypto/tls cannot read; decrypt it (openssl pkcs8 -nocrypt) first.
var ErrEncryptedKey = errors.New("security: encrypted PEM private keys are not supported")

// checkPEMType refuses store types other than PEM. The Kafka default
// (JKS) is accepted when the content is PEM, so a PEM file works without
// setting the type.
func checkPEMType(prop, typ string, content []byte) error {
	t := strings.ToUpper(strings.TrimSpace(typ))
	if t == "PEM" || ((t == "" || t == "JKS") && bytes.Contains(content, []byte("-----BEGIN"))) {
		return nil
	}
	return fmt.Errorf("security: %s %q: only PEM stores are supported", prop, typ)
}

// loadKeyPair reads the key and chain from ssl.keystore.location or the
// inline ssl.keystore.key and ssl.keystore.certificate.chain.
func loadKeyPair(s TLSSettings) (*tls.Certificate, error) {
	var keyPEM, chainPEM []byte
	switch {
	case s.KeystoreLocation != "":
		b, err := os.ReadFile(s.KeystoreLocation)
		if err != nil {
			return nil, fmt.Errorf("security: read ssl.keystore.location: %w", err)
		}
		keyPEM, chainPEM = b, b
	case s.KeystoreKey != "" && s.KeystoreCertChain != "":
		keyPEM, chainPEM = NormalizePEM(s.KeystoreKey), NormalizePEM(s.KeystoreCertChain)
	default:
		return nil, errors.New("security: an SSL listener needs ssl.keystore.location, or ssl.keystore.key and ssl.keystore.certificate.chain")
	}
	if err := checkPEMType("ssl.keystore.type", s.KeystoreType, keyPEM); err != nil {
		return nil, err
	}
	return keyPairFromPEM(keyPEM, chainPEM)
}

// keyPairFromPEM keeps only the blocks of each kind, so one file may hold
// both the key and the chain.
func keyPairFromPEM(keyPEM, chainPEM []byte) (*tls.Certificate, error) {
	certs := pemBlocks(chainPEM, func(t string) bool { return t == "CERTIFICATE" })
	keys := pemBlocks(keyPEM, func(t string) bool { return strings.HasSuffix(t, "PRIVATE KEY") })
	if bytes.Contains(keys, []byte("ENCRYPTED PRIVATE KEY")) || bytes.Contains(keys, []byte("Proc-Type: 4,ENCRYPTED")) {
		return nil, ErrEncryptedKey
	}
	cert, err := tls.X509KeyPair(certs, keys)
	if err != nil {
		return nil, fmt.Errorf("security: keystore: %w", err)
	}
	return &cert, nil
}

// pemBlocks re-encodes the PEM blocks of b whose type keep accepts.
func pemBlocks(b []byte, keep func(string) bool) []byte {
	var out bytes.Buffer
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			return out.Bytes()
		}
		if keep(blk.Type) {
			_ = pem.Encode(&out, blk)
		}
	}
}

// loadTrustPool reads the CA certificates of the trust store; nil when no
// trust store is configured.
func loadTrustPool(s TLSSettings) (*x509.CertPool, error) {
	var b []byte
	switch {
	case s.TruststoreLocation != "":
		var err error
		if b, err = os.ReadFile(s.TruststoreLocation); err != nil {
			return nil, fmt.Errorf("security: read ssl.truststore.location: %w", err)
		}
	case s.TruststoreCerts != "":
		b = NormalizePEM(s.TruststoreCerts)
	default:
		return nil, nil
	}
	if err := checkPEMType("ssl.truststore.type", s.TruststoreType, b); err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, errors.New("security: trust store holds no PEM certificate")
	}
	return pool, nil
}

// pemBlockRE finds PEM blocks whose lines were joined, as a Java
// properties value continued with backslashes gives them
// ("-----BEGIN CERTIFICATE----- MIIB... -----END CERTIFICATE-----").
var pemBlockRE = regexp.MustCompile(`-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----`)

// NormalizePEM rewrites the PEM blocks of an inline store value (Kafka's
// ssl.keystore.key, ssl.keystore.certificate.chain,
// ssl.truststore.certificates) into standard PEM, whatever whitespace
// separates their base64 lines; blocks with headers are kept as written.
func NormalizePEM(s string) []byte {
	var out bytes.Buffer
	for _, m := range pemBlockRE.FindAllStringSubmatch(s, -1) {
		body := m[2]
		if m[1] != m[3] || strings.Contains(body, ":") {
			out.WriteString(m[0] + "\n")
			continue
		}
		der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(body), ""))
		if err != nil {
			out.WriteString(m[0] + "\n")
			continue
		}
		_ = pem.Encode(&out, &pem.Block{Type: m[1], Bytes: der})
	}
	return out.Bytes()
}
