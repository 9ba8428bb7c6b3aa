package quota

import (
	"testing"
	"time"

	"github.com/gofka/gofka/internal/metadata"
)

// BenchmarkRecordNoQuota is the produce/fetch hot path with no quota of
// the type set: one atomic load.
func BenchmarkRecordNoQuota(b *testing.B) {
	m := NewManager(Config{})
	c := Client{User: "ANONYMOUS", ClientID: "bench"}
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		m.Record(Produce, c, 1024, now)
	}
}

// BenchmarkRecordQuota records against a client-id default quota.
func BenchmarkRecordQuota(b *testing.B) {
	m := NewManager(Config{})
	img, err := metadata.Empty().Apply(0, []metadata.Record{&metadata.ClientQuotaRecord{
		Entity: Entity{ClientID: metadata.DefaultName()}.EntityData(), Key: ProducerByteRate, Value: 1e12}})
	if err != nil {
		b.Fatal(err)
	}
	m.Update(img.Quotas())
	c := Client{User: "ANONYMOUS", ClientID: "bench"}
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		m.Record(Produce, c, 1024, now)
	}
}
