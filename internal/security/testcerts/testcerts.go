// Package testcerts makes throwaway certificate authorities and
// certificates for tests, so no test keeps a key in the repository.
package testcerts

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// CA is a self-signed certificate authority.
type CA struct {
	Cert    *x509.Certificate
	CertPEM []byte
	key     *ecdsa.PrivateKey
}

// Pair is a certificate issued by a CA, with its key, in PEM.
type Pair struct {
	CertPEM, KeyPEM []byte
	Cert            *x509.Certificate
}

// NewCA makes a CA named cn.
func NewCA(cn string) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := template(pkix.Name{CommonName: cn})
	tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("testcerts: create CA: %w", err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &CA{Cert: cert, CertPEM: encode("CERTIFICATE", der), key: key}, nil
}

func template(subject pkix.Name) *x509.Certificate {
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	return &x509.Certificate{
		SerialNumber: serial, Subject: subject,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
	}
}

func encode(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// Server issues a server certificate for localhost and 127.0.0.1.
func (ca *CA) Server(cn string) (*Pair, error) {
	t := template(pkix.Name{CommonName: cn})
	t.DNSNames = []string{"localhost"}
	t.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	return ca.issue(t)
}

// ServerFor issues a server certificate for hosts only (DNS names and IP
// addresses).
func (ca *CA) ServerFor(cn string, hosts ...string) (*Pair, error) {
	t := template(pkix.Name{CommonName: cn})
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			t.IPAddresses = append(t.IPAddresses, ip)
		} else {
			t.DNSNames = append(t.DNSNames, h)
		}
	}
	t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	return ca.issue(t)
}

// Node issues a certificate for a node of a cluster, which is both a
// server (its listeners, for localhost and 127.0.0.1) and a client (its
// connections to the other nodes, for mTLS).
func (ca *CA) Node(subject pkix.Name) (*Pair, error) {
	t := template(subject)
	t.DNSNames = []string{"localhost"}
	t.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
	return ca.issue(t)
}

// Client issues a client certificate with the given subject.
func (ca *CA) Client(subject pkix.Name) (*Pair, error) {
	t := template(subject)
	t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	return ca.issue(t)
}

func (ca *CA) issue(t *x509.Certificate) (*Pair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	t.KeyUsage = x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, t, ca.Cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, fmt.Errorf("testcerts: issue: %w", err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	cert, _ := x509.ParseCertificate(der)
	return &Pair{CertPEM: encode("CERTIFICATE", der), KeyPEM: encode("PRIVATE KEY", kder), Cert: cert}, nil
}

// Pool returns a pool holding the CA.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Cert)
	return p
}

// TLS returns the pair as a tls.Certificate.
func (p *Pair) TLS() tls.Certificate {
	c, err := tls.X509KeyPair(p.CertPEM, p.KeyPEM)
	if err != nil {
		panic(err) // a pair made here always parses
	}
	return c
}

// Keystore returns a Kafka PEM keystore: the key followed by the chain.
func (p *Pair) Keystore() []byte { return append(append([]byte{}, p.KeyPEM...), p.CertPEM...) }

// WriteFile writes b to dir/name (mode 0600) and returns the path.
func WriteFile(dir, name string, b []byte) (string, error) {
	path := filepath.Join(dir, name)
	return path, os.WriteFile(path, b, 0o600)
}

// ReplaceFile writes b to path atomically (a temp file renamed over it),
// as an operator rotating a certificate would.
func ReplaceFile(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Broker makes a CA and a broker certificate for localhost and writes the
// broker's PEM keystore and the CA's PEM truststore to dir.
func Broker(dir string) (ca *CA, keystore, truststore string, err error) {
	if ca, err = NewCA("gofka-test-ca"); err != nil {
		return nil, "", "", err
	}
	srv, err := ca.Server("broker")
	if err != nil {
		return nil, "", "", err
	}
	if keystore, err = WriteFile(dir, "broker.keystore.pem", srv.Keystore()); err != nil {
		return nil, "", "", err
	}
	truststore, err = WriteFile(dir, "ca.pem", ca.CertPEM)
	return ca, keystore, truststore, err
}
