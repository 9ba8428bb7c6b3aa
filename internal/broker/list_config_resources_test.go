package broker

import (
	"reflect"
	"testing"

	"github.com/gofka/gofka/internal/metadata"
)

func TestConfigResourceNames(t *testing.T) {
	var recs []metadata.Record
	for _, c := range []struct {
		typ  int8
		name string
	}{{metadata.ConfigResourceGroup, "g2"}, {metadata.ConfigResourceGroup, "g1"},
		{metadata.ConfigResourceClientMetrics, "sub"}, {metadata.ConfigResourceTopic, "a"}} {
		r := metadata.NewConfigRecord()
		v := "1"
		r.ResourceType, r.ResourceName, r.Name, r.Value = c.typ, c.name, "k", &v
		recs = append(recs, r)
	}
	img, err := dtpImage(t).Apply(100, recs)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		typ      int8
		listener string
		want     []string
	}{
		{metadata.ConfigResourceTopic, "PLAINTEXT", []string{"a", "b", "c"}},
		{metadata.ConfigResourceBroker, "PLAINTEXT", []string{"1"}},
		{metadata.ConfigResourceBrokerLogger, "PLAINTEXT", []string{"1"}},
		{metadata.ConfigResourceBroker, "SSL", nil},
		{metadata.ConfigResourceGroup, "PLAINTEXT", []string{"g1", "g2"}},
		{metadata.ConfigResourceClientMetrics, "PLAINTEXT", []string{"sub"}},
	} {
		got := configResourceNames(img, tc.typ, tc.listener)
		if len(got) == 0 && len(tc.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("type %d on %s: %v, want %v", tc.typ, tc.listener, got, tc.want)
		}
	}
}
