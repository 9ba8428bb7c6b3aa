package security

// The handshake check of a dynamic change of stores, as Kafka's
// SslFactory runs its SslEngineValidator on the inter-broker listener: a
// client with the new keystore and truststore must complete a TLS
// handshake with a server of the current ones, and a client of the
// current ones with a server of the new ones, so that a node whose stores
// change still reaches, and is reached by, nodes that have not changed
// theirs. The handshakes run in memory (net.Pipe), without a host name
// check, as Kafka's validator creates its engines for an empty host.

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// ErrHandshake: new stores cannot complete a TLS handshake with the
// stores in use.
var ErrHandshake = errors.New("security: SSL handshake failed")

// handshakeTimeout bounds one in-memory handshake: both ends are in this
// process, so only a bug could make it wait.
const handshakeTimeout = 10 * time.Second

// validateHandshakes checks server stores next (built by
// buildServerConfig) against the current ones cur, both ways.
func validateHandshakes(cur, next *tls.Config) error {
	if err := pipeHandshake(cur, storesClient(next)); err != nil {
		return fmt.Errorf("%w between a client with the new keystore and truststore and a server with the current ones: %w", ErrHandshake, err)
	}
	if err := pipeHandshake(next, storesClient(cur)); err != nil {
		return fmt.Errorf("%w between a client with the current keystore and truststore and a server with the new ones: %w", ErrHandshake, err)
	}
	return nil
}

// storesClient is a client of a server's stores, as another node of the
// same stores dials: the keystore's certificate whenever asked for one,
// the truststore (the system's CAs without one) checking the server's
// chain, no host name check.
func storesClient(server *tls.Config) *tls.Config {
	cfg := &tls.Config{
		InsecureSkipVerify: true, // verified below, without a host name
		VerifyConnection:   func(cs tls.ConnectionState) error { return verifyChain(cs, server.ClientCAs, "") },
		MinVersion:         server.MinVersion, MaxVersion: server.MaxVersion, CipherSuites: server.CipherSuites,
	}
	if len(server.Certificates) > 0 {
		cert := server.Certificates[0]
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &cert, nil }
	}
	return cfg
}

// pipeHandshake runs a TLS handshake between a server of server and a
// client of client over an in-memory connection. The error is the one
// that says why: a side's own failure rather than the alert its peer
// received.
func pipeHandshake(server, client *tls.Config) error {
	sc, cc := net.Pipe()
	s, c := newQueuedConn(sc), newQueuedConn(cc)
	defer s.Close()
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), handshakeTimeout)
	defer cancel()
	var serverErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		serverErr = tls.Server(s, server).HandshakeContext(ctx)
	}()
	clientErr := tls.Client(c, client).HandshakeContext(ctx)
	<-done
	switch {
	case serverErr == nil:
		return clientErr
	case clientErr == nil || isRemoteAlert(clientErr):
		return serverErr
	}
	return clientErr
}

// queuedConn is one end of a net.Pipe whose writes do not wait for the
// peer to read: a goroutine carries them over. Over a bare pipe, two
// ends that write at once (an alert against the server's session
// tickets) would wait on each other.
type queuedConn struct {
	net.Conn
	out    chan []byte
	quit   chan struct{}
	once   sync.Once
	pumped sync.WaitGroup
}

func newQueuedConn(c net.Conn) *queuedConn {
	q := &queuedConn{Conn: c, out: make(chan []byte, 64), quit: make(chan struct{})}
	q.pumped.Add(1)
	go q.pump()
	return q
}

func (q *queuedConn) pump() {
	defer q.pumped.Done()
	for {
		select {
		case b := <-q.out:
			if _, err := q.Conn.Write(b); err != nil {
				return
			}
		case <-q.quit:
			return
		}
	}
}

func (q *queuedConn) Write(b []byte) (int, error) {
	select {
	case q.out <- bytes.Clone(b):
		return len(b), nil
	case <-q.quit:
		return 0, net.ErrClosed
	}
}

// Close closes the pipe end and waits for the pump.
func (q *queuedConn) Close() error {
	var err error
	q.once.Do(func() {
		close(q.quit)
		err = q.Conn.Close()
		q.pumped.Wait()
	})
	return err
}

// isRemoteAlert reports an error that only tells of the peer's alert.
func isRemoteAlert(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "remote error"
}
