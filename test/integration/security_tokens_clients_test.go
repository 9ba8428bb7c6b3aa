package integration

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/segmentio/kafka-go"
	kgsasl "github.com/segmentio/kafka-go/sasl"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// tokenSCRAM is a SCRAM-SHA-512 client that authenticates with a
// delegation token (the tokenauth=true extension, which the proof must
// cover), for clients whose own SCRAM cannot send it: it plugs into
// sarama's SCRAMClient and kafka-go's sasl.Mechanism. The messages come
// from franz-go's SCRAM implementation.
type tokenSCRAM struct {
	user, pass string // kafka-go; sarama passes them to Begin
	sess       sasl.Session
	first      []byte
	done       bool
}

func (c *tokenSCRAM) mechanism() sasl.Mechanism {
	return scram.Auth{User: c.user, Pass: c.pass, IsToken: true}.AsSha512Mechanism()
}

// Begin, Step and Done are sarama's SCRAMClient.
func (c *tokenSCRAM) Begin(user, pass, _ string) error {
	c.user, c.pass, c.done = user, pass, false
	sess, first, err := c.mechanism().Authenticate(context.Background(), "")
	c.sess, c.first = sess, first
	return err
}

func (c *tokenSCRAM) Step(challenge string) (string, error) {
	if challenge == "" && c.first != nil {
		first := c.first
		c.first = nil
		return string(first), nil
	}
	done, next, err := c.sess.Challenge([]byte(challenge))
	c.done = done
	return string(next), err
}

func (c *tokenSCRAM) Done() bool { return c.done }

// Name and Start are kafka-go's sasl.Mechanism.
func (c *tokenSCRAM) Name() string { return "SCRAM-SHA-512" }

func (c *tokenSCRAM) Start(ctx context.Context) (kgsasl.StateMachine, []byte, error) {
	sess, first, err := c.mechanism().Authenticate(ctx, "")
	return kafkaGoSession{sess}, first, err
}

type kafkaGoSession struct{ sess sasl.Session }

func (s kafkaGoSession) Next(_ context.Context, challenge []byte) (bool, []byte, error) {
	return s.sess.Challenge(challenge)
}

// TestSaramaKafkaGoTokens: sarama over SASL_SSL and kafka-go over
// SASL_PLAINTEXT produce, consume and consume in a group with a
// delegation token; once the token is expired, a new login fails.
func TestSaramaKafkaGoTokens(t *testing.T) {
	e := newSecEnv(t)
	c := saslCluster(t, e, "delegation.token.secret.key", tokenSecret, "group.initial.rebalance.delay.ms", "0")
	plainAddr, sslAddr := c.ListenerAddr("SASL_PLAINTEXT"), c.ListenerAddr("SASL_SSL")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	alice := newAdminOpts(t, kgo.SeedBrokers(plainAddr), plainAuth("alice", "alice-secret"))
	tok, err := alice.CreateDelegationToken(ctx, kadm.CreateDelegationToken{})
	if err != nil {
		t.Fatal(err)
	}
	hmac := base64.StdEncoding.EncodeToString(tok.HMAC)

	cfg := saramaConfig()
	cfg.Net.TLS.Enable, cfg.Net.TLS.Config = true, e.clientTLS(t, "")
	cfg.Net.SASL.Enable, cfg.Net.SASL.Mechanism = true, sarama.SASLTypeSCRAMSHA512
	cfg.Net.SASL.User, cfg.Net.SASL.Password = tok.TokenID, hmac
	cfg.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return &tokenSCRAM{} }
	saramaRoundTrip(t, sslAddr, "sarama-token", cfg)
	saramaGroupOnce(ctx, t, sslAddr, "sarama-token", "sarama-token-group", cfg)

	d := &kafka.Dialer{Timeout: 10 * time.Second, SASLMechanism: &tokenSCRAM{user: tok.TokenID, pass: hmac}}
	kafkaGoRoundTrip(ctx, t, d, plainAddr, "kafkago-token")
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{plainAddr}, Topic: "kafkago-token", GroupID: "kafkago-token-group",
		Dialer: d, MaxWait: 100 * time.Millisecond, StartOffset: kafka.FirstOffset})
	for i := 0; i < 10; i++ {
		m, err := r.FetchMessage(ctx)
		if err != nil || string(m.Value) != fmt.Sprint(i) {
			t.Fatalf("kafka-go group read %d: %q %v", i, m.Value, err)
		}
		if err := r.CommitMessages(ctx, m); err != nil {
			t.Fatalf("kafka-go commit: %v", err)
		}
	}
	r.Close()

	if _, err := alice.ExpireDelegationToken(ctx, tok.HMAC, 0); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := d.DialContext(ctx, "tcp", plainAddr)
		if err != nil {
			break
		}
		conn.Close()
		if time.Now().After(deadline) {
			t.Fatal("kafka-go still logs in with an expired token")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cfg.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return &tokenSCRAM{} }
	if cl, err := sarama.NewClient([]string{sslAddr}, cfg); err == nil || !errors.Is(err, sarama.ErrOutOfBrokers) {
		if cl != nil {
			cl.Close()
		}
		t.Errorf("sarama with an expired token: %v", err)
	}
}

// saramaGroupOnce reads a topic's first records in a sarama consumer group
// and commits them.
func saramaGroupOnce(ctx context.Context, t *testing.T, addr, topic, group string, cfg *sarama.Config) {
	t.Helper()
	cfg.Consumer.Offsets.Initial = sarama.OffsetOldest
	cg, err := sarama.NewConsumerGroup([]string{addr}, group, cfg)
	if err != nil {
		t.Fatalf("sarama group: %v", err)
	}
	defer cg.Close()
	h := &onceHandler{got: make(chan struct{})}
	gctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	defer func() { cancel(); <-done }()
	go func() {
		defer close(done)
		for gctx.Err() == nil {
			if err := cg.Consume(gctx, []string{topic}, h); err != nil && gctx.Err() == nil {
				time.Sleep(50 * time.Millisecond)
			}
		}
	}()
	select {
	case <-h.got:
	case <-ctx.Done():
		t.Fatal("sarama group consumed nothing")
	}
}

// onceHandler marks the first record of a claim and signals it.
type onceHandler struct{ got chan struct{} }

func (*onceHandler) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (*onceHandler) Cleanup(sarama.ConsumerGroupSession) error { return nil }
func (h *onceHandler) ConsumeClaim(s sarama.ConsumerGroupSession, c sarama.ConsumerGroupClaim) error {
	for m := range c.Messages() {
		s.MarkMessage(m, "")
		s.Commit()
		select {
		case <-h.got:
		default:
			close(h.got)
		}
	}
	return nil
}
