package controller

import "testing"

func TestAllocateProducerIDsSurvivesReplay(t *testing.T) {
	dir := t.TempDir()
	c, j := newTestController(t, dir)
	for want := int64(0); want < 3*ProducerIDBlockSize; want += ProducerIDBlockSize {
		first, size, err := c.AllocateProducerIDs(1, 1)
		if err != nil || first != want || size != ProducerIDBlockSize {
			t.Fatalf("got %d/%d %v, want %d", first, size, err, want)
		}
	}
	j.Close()
	c2, _ := newTestController(t, dir)
	if first, _, _ := c2.AllocateProducerIDs(1, 2); first != 3*ProducerIDBlockSize {
		t.Fatalf("after replay the next block starts at %d", first)
	}
}
