package broker

import "testing"

func TestThrottledHere(t *testing.T) {
	tests := []struct {
		list            []string
		partition, node int32
		want            bool
	}{
		{nil, 0, 1, false},
		{[]string{"*"}, 3, 2, true},
		{[]string{"0:1", "1:2"}, 1, 2, true},
		{[]string{"0:1", "1:2"}, 1, 1, false},
		{[]string{" 2 : 3 "}, 2, 3, true},
		{[]string{"bad", "2:x"}, 2, 3, false},
	}
	for _, tc := range tests {
		if got := throttledHere(tc.list, tc.partition, tc.node); got != tc.want {
			t.Errorf("throttledHere(%q, %d, %d) = %v, want %v", tc.list, tc.partition, tc.node, got, tc.want)
		}
	}
}
