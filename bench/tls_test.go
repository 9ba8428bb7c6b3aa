package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"testing"
	"time"

	"github.com/gofka/gofka/internal/security/testcerts"
	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// BenchmarkTLS compares produce and consume throughput over a PLAINTEXT
// and an SSL listener of the same in-process broker, in the same run:
//
//	go test ./bench -run '^$' -bench TLS -benchmem
//
// A produce op is one 1 MiB batch of 1 KiB random records (acks=1, no
// compression); a consume op reads a 64 MiB topic, filled once, from the
// start with a new consumer (from the page cache).
// Results are reported, never asserted (docs/benchmarks.md).
func BenchmarkTLS(b *testing.B) {
	ca, err := testcerts.NewCA("bench-ca")
	if err != nil {
		b.Fatal(err)
	}
	srv, _ := ca.Server("broker")
	ks, _ := testcerts.WriteFile(b.TempDir(), "ks.pem", srv.Keystore())
	c := gofkatest.Start(b,
		gofkatest.WithConfig("listeners", "PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0"),
		gofkatest.WithConfig("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SSL:SSL"),
		gofkatest.WithConfig("ssl.keystore.type", "PEM"),
		gofkatest.WithConfig("ssl.keystore.location", ks))
	tlsCfg := &tls.Config{RootCAs: ca.Pool(), ServerName: "localhost"}
	listeners := []struct {
		name string
		opts []kgo.Opt
	}{
		{"plaintext", []kgo.Opt{kgo.SeedBrokers(c.ListenerAddr("PLAINTEXT"))}},
		{"tls", []kgo.Opt{kgo.SeedBrokers(c.ListenerAddr("SSL")), kgo.DialTLSConfig(tlsCfg)}},
	}
	for _, l := range listeners {
		b.Run("produce/"+l.name, func(b *testing.B) { benchProduce(b, l.name+"-p", l.opts) })
	}
	fillTopic(b, "tls-consume", listeners[0].opts, 64)
	for _, l := range listeners {
		b.Run("consume/"+l.name, func(b *testing.B) { benchConsume(b, "tls-consume", 64, l.opts) })
	}
}

const benchBatch = 1 << 20 // bytes of values per op

// benchRecords are 1 KiB random (incompressible) values, sent
// uncompressed, so bytes on the wire are the bytes counted.
func benchRecords(topic string) []*kgo.Record {
	rs := make([]*kgo.Record, benchBatch/1024)
	for i := range rs {
		v := make([]byte, 1024)
		_, _ = rand.Read(v)
		rs[i] = &kgo.Record{Topic: topic, Value: v}
	}
	return rs
}

func benchProduce(b *testing.B, topic string, opts []kgo.Opt) {
	ctx := context.Background()
	newTopic(b, topic, opts)
	cl, err := kgo.NewClient(append(opts, kgo.RequiredAcks(kgo.LeaderAck()), kgo.DisableIdempotentWrite(), kgo.ProducerLinger(0), kgo.ProducerBatchCompression(kgo.NoCompression()))...)
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	rs := benchRecords(topic)
	b.SetBytes(benchBatch)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := cl.ProduceSync(ctx, rs...).FirstErr(); err != nil {
			b.Fatal(err)
		}
	}
}

func newTopic(b *testing.B, topic string, opts []kgo.Opt) {
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	if _, err := kadm.NewClient(cl).CreateTopic(context.Background(), 4, 1, nil, topic); err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
		b.Fatal(err)
	}
}

// fillTopic produces mib MiB to topic.
func fillTopic(b *testing.B, topic string, opts []kgo.Opt, mib int) {
	newTopic(b, topic, opts)
	cl, err := kgo.NewClient(append(opts, kgo.RequiredAcks(kgo.LeaderAck()), kgo.DisableIdempotentWrite(), kgo.ProducerBatchCompression(kgo.NoCompression()))...)
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	rs := benchRecords(topic)
	for i := 0; i < mib; i++ {
		if err := cl.ProduceSync(context.Background(), rs...).FirstErr(); err != nil {
			b.Fatal(err)
		}
	}
}

// benchConsume reads the whole topic (mib MiB) from the start with a new
// consumer per op.
func benchConsume(b *testing.B, topic string, mib int, opts []kgo.Opt) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	b.SetBytes(int64(mib) * benchBatch)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cl, err := kgo.NewClient(append(opts, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))...)
		if err != nil {
			b.Fatal(err)
		}
		for left := mib * benchBatch; left > 0; {
			fs := cl.PollFetches(ctx)
			if err := fs.Err0(); err != nil {
				b.Fatal(err)
			}
			fs.EachRecord(func(r *kgo.Record) { left -= len(r.Value) })
		}
		cl.Close()
	}
}
