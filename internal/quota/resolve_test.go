package quota

import (
	"testing"

	"github.com/gofka/gofka/internal/metadata"
)

// quotasOf builds a quota set through the metadata applier, as the broker
// sees it.
func quotasOf(t *testing.T, set map[Entity]float64, key string) *metadata.Quotas {
	t.Helper()
	var recs []metadata.Record
	for e, v := range set {
		recs = append(recs, &metadata.ClientQuotaRecord{Entity: e.EntityData(), Key: key, Value: v})
	}
	img, err := metadata.Empty().Apply(int64(len(recs)-1), recs)
	if err != nil {
		t.Fatal(err)
	}
	return img.Quotas()
}

func TestResolvePrecedence(t *testing.T) {
	u, d, c := metadata.Named("alice"), metadata.DefaultName(), metadata.Named("app")
	all := []Entity{
		{User: u, ClientID: c}, {User: u, ClientID: d}, {User: u}, {User: d, ClientID: c},
		{User: d, ClientID: d}, {User: d}, {ClientID: c}, {ClientID: d},
	}
	// with the first i entities removed, entity i applies
	for i := range all {
		set := map[Entity]float64{}
		for j := i; j < len(all); j++ {
			set[all[j]] = float64(j + 1)
		}
		set[Entity{User: metadata.Named("bob")}] = 99 // another user's quota never applies
		set[Entity{ClientID: metadata.Named("other")}] = 98
		r := Resolve(quotasOf(t, set, ProducerByteRate), Client{User: "alice", ClientID: "app"}, ProducerByteRate)
		if !r.OK || r.Bound != float64(i+1) || r.Entity != all[i] {
			t.Errorf("level %d (%s): got %+v", i, String(all[i]), r)
		}
	}
}

func TestResolveSensor(t *testing.T) {
	u, d, c := metadata.Named("alice"), metadata.DefaultName(), metadata.Named("app")
	tests := []struct {
		entity Entity
		want   Client
	}{
		{Entity{User: u, ClientID: c}, Client{"alice", "app"}},
		{Entity{User: u, ClientID: d}, Client{"alice", "app"}},
		{Entity{User: u}, Client{User: "alice"}},
		{Entity{User: d}, Client{User: "alice"}},
		{Entity{ClientID: d}, Client{ClientID: "app"}},
	}
	for _, tc := range tests {
		q := quotasOf(t, map[Entity]float64{tc.entity: 10}, ConsumerByteRate)
		r := Resolve(q, Client{"alice", "app"}, ConsumerByteRate)
		if r.Sensor != tc.want {
			t.Errorf("%s: sensor %+v, want %+v", String(tc.entity), r.Sensor, tc.want)
		}
		if Resolve(q, Client{"alice", "app"}, ProducerByteRate).OK {
			t.Errorf("%s: a consumer quota applies to produce", String(tc.entity))
		}
	}
}

func TestResolveIP(t *testing.T) {
	q := quotasOf(t, map[Entity]float64{
		{IP: metadata.Named("10.0.0.1")}: 5,
		{IP: metadata.DefaultName()}:     50,
	}, ConnectionCreationRate)
	if v, _ := ResolveIP(q, "10.0.0.1"); v != 5 {
		t.Errorf("named ip: %v", v)
	}
	if v, _ := ResolveIP(q, "10.0.0.2"); v != 50 {
		t.Errorf("default ip: %v", v)
	}
	if _, ok := ResolveIP(nil, "10.0.0.2"); ok {
		t.Error("no quotas resolved an ip quota")
	}
}
