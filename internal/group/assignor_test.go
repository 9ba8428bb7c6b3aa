package group

import (
	"testing"
)

func TestAssignors(t *testing.T) {
	parts := map[string]int32{"a": 6, "b": 3}
	subs := []subscriber{{"m1", []string{"a", "b"}}, {"m2", []string{"a", "b"}}, {"m3", []string{"a"}}}
	for name, fn := range assignors {
		t.Run(name, func(t *testing.T) {
			out := fn(subs, parts, nil)
			seen := map[tp]string{}
			for id, a := range out {
				a.each(func(x tp) {
					if o, dup := seen[x]; dup {
						t.Errorf("%v owned by %s and %s", x, o, id)
					}
					seen[x] = id
					if id == "m3" && x.topic == "b" {
						t.Errorf("m3 got unsubscribed %v", x)
					}
				})
			}
			if len(seen) != 9 {
				t.Errorf("%d partitions assigned, want 9: %v", len(seen), out)
			}
			if name == "uniform" {
				for id, a := range out {
					if a.size() != 3 {
						t.Errorf("%s has %d partitions, want 3", id, a.size())
					}
				}
				// Sticky: removing m3 keeps m1's and m2's partitions.
				again := fn(subs[:2], parts, out)
				for _, id := range []string{"m1", "m2"} {
					out[id].each(func(x tp) {
						if !again[id].has(x) {
							t.Errorf("%s lost %v", id, x)
						}
					})
				}
			}
		})
	}
}
