package integration

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestListConfigResources lists config resources by type at versions 0
// and 1 (a group with a config set among them), and refuses a type Kafka
// does not list.
func TestListConfigResources(t *testing.T) {
	c := gofkatest.Start(t)
	ctx := ctxT(t, 30*time.Second)
	adm := newAdmin(t, c.Addr())
	if _, err := adm.CreateTopic(ctx, 1, 1, nil, "lcr-b"); err != nil {
		t.Fatal(err)
	}
	if _, err := adm.CreateTopic(ctx, 1, 1, nil, "lcr-a"); err != nil {
		t.Fatal(err)
	}
	alter := kmsg.NewPtrIncrementalAlterConfigsRequest()
	alter.Resources = []kmsg.IncrementalAlterConfigsRequestResource{{ResourceType: 32, ResourceName: "lcr-group",
		Configs: []kmsg.IncrementalAlterConfigsRequestResourceConfig{{Name: "share.record.lock.duration.ms", Op: 0, Value: kmsg.StringPtr("20000")}}}}
	if resp, err := alter.RequestWith(ctx, newClient(t, c.Addr())); err != nil || resp.Resources[0].ErrorCode != 0 {
		t.Fatalf("group config: %v %+v", err, resp)
	}
	list := func(v int16, types ...int8) (int16, []string) {
		req := kmsg.NewPtrListConfigResourcesRequest()
		req.ResourceTypes = types
		resp, err := req.RequestWith(ctx, pinnedClient(t, c.Addr(), 74, v))
		if err != nil {
			t.Fatal(err)
		}
		if resp.Version != v {
			t.Fatalf("answered at v%d, asked v%d", resp.Version, v)
		}
		var out []string
		for _, r := range resp.ConfigResources {
			out = append(out, fmt.Sprintf("%d:%s", r.Type, r.Name))
		}
		return resp.ErrorCode, out
	}
	for _, tc := range []struct {
		v     int16
		types []int8
		code  int16
		want  []string
	}{
		{1, nil, 0, []string{"32:lcr-group", "8:1", "4:1", "2:lcr-a", "2:lcr-b"}},
		{1, []int8{2}, 0, []string{"2:lcr-a", "2:lcr-b"}},
		{1, []int8{2, 4}, 0, []string{"4:1", "2:lcr-a", "2:lcr-b"}},
		{1, []int8{16, 32}, 0, []string{"32:lcr-group"}},
		{1, []int8{2, 1}, kerr.UnsupportedVersion.Code, nil},
		{1, []int8{0}, kerr.UnsupportedVersion.Code, nil},
		{0, nil, 0, nil}, // client-metrics subscriptions only: none
	} {
		code, got := list(tc.v, tc.types...)
		if code != tc.code || !slices.Equal(got, tc.want) {
			t.Errorf("v%d types %v: code %d %v, want %d %v", tc.v, tc.types, code, got, tc.code, tc.want)
		}
	}
}
