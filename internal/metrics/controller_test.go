package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestControllerGauges(t *testing.T) {
	r := New()
	stat := ControllerStat{Active: true, Topics: 2, Partitions: 5, Offline: 1, Imbalanced: 2, WithELR: 1, ActiveBrokers: 3, FencedBrokers: 1}
	r.AddController(func() ControllerStat { return stat })
	srv := httptest.NewServer(r.Handler())
	defer srv.Close()
	scrape := func() string {
		res, err := srv.Client().Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	body := scrape()
	for _, want := range []string{"gofka_controller_active 1", "gofka_controller_partitions 5", "gofka_controller_offline_partitions 1",
		"gofka_controller_preferred_replica_imbalance 2", "gofka_controller_elr_partitions 1", "gofka_controller_fenced_brokers 1",
		"gofka_controller_reassigning_partitions 0"} {
		if !strings.Contains(body, want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
	stat = ControllerStat{}
	if body := scrape(); !strings.Contains(body, "gofka_controller_active 0") || !strings.Contains(body, "gofka_controller_partitions 0") {
		t.Errorf("an inactive controller reports: %s", body)
	}
}
