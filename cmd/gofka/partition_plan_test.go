package main

import (
	"strings"
	"testing"
)

func TestParsePlan(t *testing.T) {
	for _, tc := range []struct{ in, err string }{
		{`{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2],"log_dirs":["any","any"]}]}`, ""},
		{`{"version":2,"partitions":[{"topic":"t","partition":0,"replicas":[1]}]}`, "version 2"},
		{`{"version":1,"partitions":[]}`, "no partitions"},
		{`{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1]},{"topic":"t","partition":0,"replicas":[2]}]}`, "listed twice"},
		{`{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[]}]}`, "no replicas"},
		{`{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,1]}]}`, "a broker twice"},
		{`[1,2]`, "not Kafka's reassignment JSON"},
	} {
		_, err := parsePlan([]byte(tc.in), "p.json")
		if (err == nil) != (tc.err == "") || err != nil && !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: %v, want %q", tc.in, err, tc.err)
		}
	}
}

// FuzzParsePlan: any file content is refused or accepted, never a crash,
// and an accepted plan keeps the promises execute relies on.
func FuzzParsePlan(f *testing.F) {
	f.Add([]byte(`{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2]}]}`))
	f.Add([]byte(`{"version":1,"partitions":[{"topic":"","partition":-1,"replicas":[0]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := parsePlan(b, "fuzz")
		if err != nil {
			return
		}
		if len(p.Partitions) == 0 {
			t.Fatal("accepted a plan without partitions")
		}
		for _, pp := range p.Partitions {
			if len(pp.Replicas) == 0 {
				t.Fatal("accepted a partition without replicas")
			}
		}
	})
}
