package integration

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/segmentio/kafka-go"
	kgplain "github.com/segmentio/kafka-go/sasl/plain"
	kgscram "github.com/segmentio/kafka-go/sasl/scram"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/xdg-go/scram"
)

// TestSecuredSaramaKafkaGo drives sarama and kafka-go over every secured
// listener type: sarama with mTLS (SSL), SCRAM-SHA-512 and OAUTHBEARER over
// SASL_SSL; kafka-go with PLAIN over SASL_PLAINTEXT and SCRAM-SHA-256 over
// SASL_SSL. Each produces records and reads them back.
func TestSecuredSaramaKafkaGo(t *testing.T) {
	e := newSecEnv(t)
	c := gofkatestStartAll(t, e)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	adm := newAdminOpts(t, kgo.SeedBrokers(c.plain), plainAuth("admin", "admin-secret"))
	if res, err := adm.AlterUserSCRAMs(ctx, nil, []kadm.UpsertSCRAM{
		{User: "sam", Mechanism: kadm.ScramSha512, Iterations: 4096, Password: "sam-512"},
		{User: "kim", Mechanism: kadm.ScramSha256, Iterations: 4096, Password: "kim-256"},
	}); err != nil || res.Error() != nil {
		t.Fatalf("alter SCRAM: %v %v", err, res.Error())
	}

	mtls := saramaConfig()
	mtls.Net.TLS.Enable, mtls.Net.TLS.Config = true, e.clientTLS(t, "sarama")
	saramaRoundTrip(t, c.ssl, "sarama-mtls", mtls)

	scramCfg := saramaConfig()
	scramCfg.Net.TLS.Enable, scramCfg.Net.TLS.Config = true, e.clientTLS(t, "")
	scramCfg.Net.SASL.Enable, scramCfg.Net.SASL.Mechanism = true, sarama.SASLTypeSCRAMSHA512
	scramCfg.Net.SASL.User, scramCfg.Net.SASL.Password = "sam", "sam-512"
	scramCfg.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return &saramaSCRAM{hash: scram.SHA512} }
	saramaRoundTrip(t, c.saslSSL, "sarama-scram", scramCfg)

	oauthCfg := saramaConfig()
	oauthCfg.Net.TLS.Enable, oauthCfg.Net.TLS.Config = true, e.clientTLS(t, "")
	oauthCfg.Net.SASL.Enable, oauthCfg.Net.SASL.Mechanism = true, sarama.SASLTypeOAuth
	oauthCfg.Net.SASL.TokenProvider = tokenProvider{unsecuredToken("sarama", time.Hour)}
	saramaRoundTrip(t, c.saslSSL, "sarama-oauth", oauthCfg)

	kafkaGoRoundTrip(ctx, t, &kafka.Dialer{Timeout: 10 * time.Second, SASLMechanism: kgplain.Mechanism{Username: "alice", Password: "alice-secret"}},
		c.plain, "kafkago-plain")
	mech, err := kgscram.Mechanism(kgscram.SHA256, "kim", "kim-256")
	if err != nil {
		t.Fatal(err)
	}
	kafkaGoRoundTrip(ctx, t, &kafka.Dialer{Timeout: 10 * time.Second, TLS: e.clientTLS(t, ""), SASLMechanism: mech}, c.saslSSL, "kafkago-scram")
}

// securedAddrs are the listeners of a node serving every protocol.
type securedAddrs struct{ ssl, plain, saslSSL string }

func gofkatestStartAll(t *testing.T, e *secEnv) securedAddrs {
	t.Helper()
	c := gofkatest.Start(t, e.options("SSL://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0",
		"ssl.client.auth", "requested",
		"sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER",
		"sasl.jaas.config", plainJAAS,
		"connection.failed.authentication.delay.ms", "0")...)
	return securedAddrs{ssl: c.ListenerAddr("SSL"), plain: c.ListenerAddr("SASL_PLAINTEXT"), saslSSL: c.ListenerAddr("SASL_SSL")}
}

type tokenProvider struct{ tok string }

func (p tokenProvider) Token() (*sarama.AccessToken, error) {
	return &sarama.AccessToken{Token: p.tok}, nil
}

// saramaSCRAM adapts xdg-go/scram to sarama's SCRAMClient.
type saramaSCRAM struct {
	hash scram.HashGeneratorFcn
	conv *scram.ClientConversation
}

func (s *saramaSCRAM) Begin(user, pass, authzID string) error {
	cl, err := s.hash.NewClient(user, pass, authzID)
	if err != nil {
		return err
	}
	s.conv = cl.NewConversation()
	return nil
}

func (s *saramaSCRAM) Step(challenge string) (string, error) { return s.conv.Step(challenge) }
func (s *saramaSCRAM) Done() bool                            { return s.conv.Done() }

func saramaRoundTrip(t *testing.T, addr, topic string, cfg *sarama.Config) {
	t.Helper()
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	cfg.Metadata.AllowAutoTopicCreation = true
	p, err := sarama.NewSyncProducer([]string{addr}, cfg)
	if err != nil {
		t.Fatalf("%s: producer: %v", topic, err)
	}
	defer p.Close()
	for i := 0; i < 50; i++ {
		if _, _, err := p.SendMessage(&sarama.ProducerMessage{Topic: topic, Value: sarama.StringEncoder(fmt.Sprint(i))}); err != nil {
			t.Fatalf("%s: send: %v", topic, err)
		}
	}
	cons, err := sarama.NewConsumer([]string{addr}, cfg)
	if err != nil {
		t.Fatalf("%s: consumer: %v", topic, err)
	}
	defer cons.Close()
	pc, err := cons.ConsumePartition(topic, 0, sarama.OffsetOldest)
	if err != nil {
		t.Fatalf("%s: consume: %v", topic, err)
	}
	defer pc.Close()
	for i := 0; i < 50; i++ {
		select {
		case m := <-pc.Messages():
			if string(m.Value) != fmt.Sprint(i) {
				t.Fatalf("%s: record %d = %q", topic, i, m.Value)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: consumed %d of 50", topic, i)
		}
	}
}

func kafkaGoRoundTrip(ctx context.Context, t *testing.T, d *kafka.Dialer, addr, topic string) {
	t.Helper()
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		t.Fatalf("%s: dial: %v", topic, err)
	}
	err = conn.CreateTopics(kafka.TopicConfig{Topic: topic, NumPartitions: 1, ReplicationFactor: 1})
	conn.Close()
	if err != nil {
		t.Fatalf("%s: create topic: %v", topic, err)
	}
	w := &kafka.Writer{Addr: kafka.TCP(addr), Topic: topic, BatchTimeout: time.Millisecond,
		Transport: &kafka.Transport{TLS: d.TLS, SASL: d.SASLMechanism}}
	defer w.Close()
	var msgs []kafka.Message
	for i := 0; i < 50; i++ {
		msgs = append(msgs, kafka.Message{Value: []byte(fmt.Sprint(i))})
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatalf("%s: write: %v", topic, err)
	}
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{addr}, Topic: topic, Dialer: d, MaxWait: 100 * time.Millisecond})
	defer r.Close()
	for i := 0; i < 50; i++ {
		m, err := r.ReadMessage(ctx)
		if err != nil || string(m.Value) != fmt.Sprint(i) {
			t.Fatalf("%s: record %d = %q, %v", topic, i, m.Value, err)
		}
	}
}
