package main

// Client-side security of every command: TLS (--tls, --tls-ca,
// --tls-cert, --tls-key) and SASL (--sasl-mechanism, --sasl-user,
// --sasl-password or $GOFKA_SASL_PASSWORD), also read from a Kafka client
// properties file (--command-config) as Kafka's tools take it:
// security.protocol, ssl.truststore.location, ssl.keystore.location (PEM),
// ssl.truststore.certificates, ssl.keystore.certificate.chain and
// ssl.keystore.key (PEM text), sasl.mechanism and sasl.jaas.config
// (username, password, tokenauth). Flags override the file.

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"strings"

	"github.com/gofka/gofka/internal/javaprops"
	"github.com/gofka/gofka/internal/security"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/oauth"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// saslPasswordEnv is read when --sasl-password is unset, so the password
// need not appear in the process list.
const saslPasswordEnv = "GOFKA_SASL_PASSWORD"

// authFlags are the client security settings.
type authFlags struct {
	tls                    bool
	tlsCA, tlsCert, tlsKey string
	mechanism, user, pass  string
	token                  bool // SCRAM with a delegation token (tokenauth=true)
	commandConfig          string
	// PEM text from the properties file (ssl.truststore.certificates,
	// ssl.keystore.certificate.chain, ssl.keystore.key).
	caPEM, certPEM, keyPEM string
}

func (a *authFlags) register(f interface {
	BoolVar(*bool, string, bool, string)
	StringVar(*string, string, string, string)
}) {
	f.BoolVar(&a.tls, "tls", false, "connect with TLS (implied by --tls-ca and --tls-cert)")
	f.StringVar(&a.tlsCA, "tls-ca", "", "PEM file of the CA certificates that sign the brokers' certificates")
	f.StringVar(&a.tlsCert, "tls-cert", "", "PEM client certificate, for brokers with ssl.client.auth")
	f.StringVar(&a.tlsKey, "tls-key", "", "PEM private key of --tls-cert (default: the --tls-cert file)")
	f.StringVar(&a.mechanism, "sasl-mechanism", "", "SASL mechanism: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER")
	f.StringVar(&a.user, "sasl-user", "", "SASL user name")
	f.StringVar(&a.pass, "sasl-password", "", "SASL password, or the token for OAUTHBEARER (default $"+saslPasswordEnv+")")
	f.BoolVar(&a.token, "sasl-token", false, "SCRAM with a delegation token: --sasl-user is the token id, --sasl-password its HMAC (base64)")
	f.StringVar(&a.commandConfig, "command-config", "", "Kafka client properties file (security.protocol, ssl.*.location, sasl.mechanism, sasl.jaas.config)")
}

// securityOpts returns the kgo options of the flags and the file.
func (a *authFlags) securityOpts() ([]kgo.Opt, error) {
	eff, err := a.effective()
	if err != nil {
		return nil, err
	}
	var opts []kgo.Opt
	if eff.tls || eff.tlsCA != "" || eff.tlsCert != "" || eff.caPEM != "" || eff.certPEM != "" {
		cfg, err := eff.tlsConfig()
		if err != nil {
			return nil, err
		}
		opts = append(opts, kgo.DialTLSConfig(cfg))
	}
	if eff.mechanism != "" {
		m, err := eff.saslMechanism()
		if err != nil {
			return nil, err
		}
		opts = append(opts, kgo.SASL(m))
	}
	return opts, nil
}

// effective merges the properties file under the flags.
func (a *authFlags) effective() (authFlags, error) {
	eff := *a
	if a.commandConfig != "" {
		file, err := readCommandConfig(a.commandConfig)
		if err != nil {
			return eff, err
		}
		eff = file.under(eff)
	}
	if eff.pass == "" {
		eff.pass = os.Getenv(saslPasswordEnv)
	}
	if eff.tlsKey == "" {
		eff.tlsKey = eff.tlsCert
	}
	return eff, nil
}

// under returns flags with f's settings where flags has none.
func (f authFlags) under(flags authFlags) authFlags {
	pick := func(a, b string) string {
		if a != "" {
			return a
		}
		return b
	}
	return authFlags{tls: flags.tls || f.tls, tlsCA: pick(flags.tlsCA, f.tlsCA), tlsCert: pick(flags.tlsCert, f.tlsCert),
		tlsKey: pick(flags.tlsKey, f.tlsKey), mechanism: pick(flags.mechanism, f.mechanism),
		user: pick(flags.user, f.user), pass: pick(flags.pass, f.pass), token: flags.token || f.token,
		commandConfig: flags.commandConfig, caPEM: f.caPEM, certPEM: f.certPEM, keyPEM: f.keyPEM}
}

// readCommandConfig reads the security settings of a client properties
// file.
func readCommandConfig(path string) (authFlags, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return authFlags{}, fmt.Errorf("--command-config: %w", err)
	}
	props, err := javaprops.Parse(string(b))
	if err != nil {
		return authFlags{}, fmt.Errorf("--command-config %s: %w", path, err)
	}
	proto := strings.ToUpper(props["security.protocol"])
	f := authFlags{tls: strings.HasSuffix(proto, "SSL"), tlsCA: props["ssl.truststore.location"],
		tlsCert: props["ssl.keystore.location"], mechanism: props["sasl.mechanism"],
		caPEM: props["ssl.truststore.certificates"], certPEM: props["ssl.keystore.certificate.chain"], keyPEM: props["ssl.keystore.key"]}
	if strings.HasPrefix(proto, "SASL_") && f.mechanism == "" {
		f.mechanism = "GSSAPI"
	}
	if jaas := props["sasl.jaas.config"]; jaas != "" {
		j, err := security.ParseJAAS(jaas)
		if err != nil {
			return authFlags{}, fmt.Errorf("--command-config %s: %w", path, err)
		}
		f.user, f.pass = j.Options["username"], j.Options["password"]
		f.token = strings.EqualFold(j.Options["tokenauth"], "true")
	}
	return f, nil
}

func (a authFlags) tlsConfig() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	ca := security.NormalizePEM(a.caPEM)
	if a.tlsCA != "" {
		pem, err := os.ReadFile(a.tlsCA)
		if err != nil {
			return nil, fmt.Errorf("--tls-ca: %w", err)
		}
		ca = pem
	}
	if len(ca) > 0 {
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(ca) {
			return nil, fmt.Errorf("--tls-ca %s: no PEM certificate", a.tlsCA)
		}
	}
	switch {
	case a.tlsCert != "":
		cert, err := tls.LoadX509KeyPair(a.tlsCert, a.tlsKey)
		if err != nil {
			return nil, fmt.Errorf("--tls-cert/--tls-key: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	case a.certPEM != "":
		cert, err := tls.X509KeyPair(security.NormalizePEM(a.certPEM), security.NormalizePEM(a.keyPEM))
		if err != nil {
			return nil, fmt.Errorf("--command-config ssl.keystore.certificate.chain/ssl.keystore.key: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

func (a authFlags) saslMechanism() (sasl.Mechanism, error) {
	switch strings.ToUpper(a.mechanism) {
	case "PLAIN":
		return plain.Auth{User: a.user, Pass: a.pass}.AsMechanism(), nil
	case "SCRAM-SHA-256":
		return scram.Auth{User: a.user, Pass: a.pass, IsToken: a.token}.AsSha256Mechanism(), nil
	case "SCRAM-SHA-512":
		return scram.Auth{User: a.user, Pass: a.pass, IsToken: a.token}.AsSha512Mechanism(), nil
	case "OAUTHBEARER":
		return oauth.Auth{Token: a.pass}.AsMechanism(), nil
	}
	return nil, usagef("--sasl-mechanism %q: want PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER", a.mechanism)
}
