package cleaner

import (
	"fmt"
	"testing"
)

func TestOffsetMap(t *testing.T) {
	m := NewOffsetMap(24*100, 0.75)
	if m.Slots() != 100 || m.Capacity() != 75 {
		t.Fatalf("slots %d capacity %d", m.Slots(), m.Capacity())
	}
	for i := range 75 {
		m.Put(fmt.Appendf(nil, "k%d", i), int64(i))
	}
	m.Put([]byte("k3"), 1000)
	tests := []struct {
		key  string
		want int64
	}{{"k0", 0}, {"k3", 1000}, {"k74", 74}, {"absent", -1}, {"", -1}}
	for _, tc := range tests {
		if got := m.Get([]byte(tc.key)); got != tc.want {
			t.Errorf("Get(%q) = %d, want %d", tc.key, got, tc.want)
		}
	}
	if !m.Full() || m.Len() != 75 || m.Latest() != 1000 {
		t.Fatalf("full %v len %d latest %d", m.Full(), m.Len(), m.Latest())
	}
	m.Clear()
	if m.Len() != 0 || m.Get([]byte("k0")) != -1 || m.Latest() != -1 {
		t.Fatal("Clear left entries")
	}
}

func TestOffsetMapNeverOverflows(t *testing.T) {
	m := NewOffsetMap(24*8, 1)
	for i := range 100 {
		m.Put(fmt.Appendf(nil, "k%d", i), int64(i))
	}
	if m.Len() != 8 {
		t.Fatalf("len %d, want 8", m.Len())
	}
}
