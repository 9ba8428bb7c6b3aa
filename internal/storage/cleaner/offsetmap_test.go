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

func TestMapSizedToDirtyRange(t *testing.T) {
	const budget = 128 << 20
	if got := mapBytes(10, 0.9, budget); got != 64*entrySize {
		t.Fatalf("10 keys: %d bytes, want the 64-slot floor %d", got, 64*entrySize)
	}
	if got := mapBytes(1e6, 0.9, budget); got != 1111112*entrySize {
		t.Fatalf("1e6 keys: %d bytes", got)
	}
	if got := mapBytes(1e9, 0.9, budget); got != budget {
		t.Fatalf("1e9 keys: %d bytes, want the budget", got)
	}
	w := &worker{budget: budget, load: 0.9}
	m := w.sizeMap(1000)
	if m.Capacity() < 1000 {
		t.Fatalf("capacity %d < 1000 keys", m.Capacity())
	}
	m.Put([]byte("k"), 7)
	if w.sizeMap(900) != m || m.Len() != 0 {
		t.Fatal("a big enough map is not reused empty")
	}
	big := w.sizeMap(1e8)
	if big == m || big.MemoryBytes() <= budget-entrySize {
		t.Fatalf("large range: %d bytes", big.MemoryBytes())
	}
	w.dropLargeMap()
	if w.m != nil {
		t.Fatal("a map over keepMapBytes is kept between passes")
	}
	small := w.sizeMap(10)
	w.dropLargeMap()
	if w.m != small {
		t.Fatal("a small map is dropped")
	}
}
