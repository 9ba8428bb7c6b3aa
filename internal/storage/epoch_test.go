package storage

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/gofka/gofka/internal/storage/checkpoint"
)

// eps builds epoch entries from (epoch, start offset) pairs.
func eps(pairs ...int64) []checkpoint.EpochEntry {
	var out []checkpoint.EpochEntry
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, checkpoint.EpochEntry{Epoch: int32(pairs[i]), StartOffset: pairs[i+1]})
	}
	return out
}

func TestEpochCacheAssign(t *testing.T) {
	for _, tc := range []struct {
		name   string
		assign []checkpoint.EpochEntry
		want   []checkpoint.EpochEntry
	}{
		{"increasing", eps(1, 0, 2, 10, 4, 30), eps(1, 0, 2, 10, 4, 30)},
		{"same epoch later offset ignored", eps(1, 0, 1, 5), eps(1, 0)},
		{"same epoch earlier offset replaces", eps(1, 5, 1, 2), eps(1, 2)},
		{"lower epoch drops newer", eps(1, 0, 3, 10, 2, 20), eps(1, 0, 2, 20)},
		{"lower offset drops later", eps(1, 0, 2, 10, 3, 5), eps(1, 0, 3, 5)},
		{"negative ignored", eps(-1, 0, 2, -1), nil},
	} {
		c := &epochCache{}
		for _, e := range tc.assign {
			c.assign(e.Epoch, e.StartOffset)
		}
		if got := c.snapshot(); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestEpochCacheEndOffsetFor(t *testing.T) {
	c := &epochCache{}
	if e, o := c.endOffsetFor(1, 100); e != -1 || o != -1 {
		t.Fatalf("empty: %d %d", e, o)
	}
	for _, e := range eps(2, 10, 4, 30, 7, 50) {
		c.assign(e.Epoch, e.StartOffset)
	}
	for _, tc := range []struct {
		req     int32
		epoch   int32
		endOffs int64
	}{
		{-1, -1, -1},
		{1, 1, 10}, // below the first epoch: that epoch, first start
		{2, 2, 30}, // known epoch: next epoch's start
		{3, 2, 30}, // unknown in-between: largest below
		{4, 4, 50},
		{6, 4, 50},
		{7, 7, 100}, // latest: log end offset
		{8, -1, -1}, // above latest
	} {
		if e, o := c.endOffsetFor(tc.req, 100); e != tc.epoch || o != tc.endOffs {
			t.Errorf("epoch %d: (%d, %d), want (%d, %d)", tc.req, e, o, tc.epoch, tc.endOffs)
		}
	}
}

func TestEpochCacheTruncate(t *testing.T) {
	mk := func() *epochCache {
		c := &epochCache{}
		for _, e := range eps(2, 10, 4, 30, 7, 50) {
			c.assign(e.Epoch, e.StartOffset)
		}
		return c
	}
	for _, tc := range []struct {
		name string
		fn   func(*epochCache) bool
		ch   bool
		want []checkpoint.EpochEntry
	}{
		{"end above", func(c *epochCache) bool { return c.truncateFromEnd(51) }, false, eps(2, 10, 4, 30, 7, 50)},
		{"end at start", func(c *epochCache) bool { return c.truncateFromEnd(50) }, true, eps(2, 10, 4, 30)},
		{"end middle", func(c *epochCache) bool { return c.truncateFromEnd(20) }, true, eps(2, 10)},
		{"start below", func(c *epochCache) bool { return c.truncateFromStart(5) }, false, eps(2, 10, 4, 30, 7, 50)},
		{"start equal", func(c *epochCache) bool { return c.truncateFromStart(10) }, false, eps(2, 10, 4, 30, 7, 50)},
		{"start inside", func(c *epochCache) bool { return c.truncateFromStart(35) }, true, eps(4, 35, 7, 50)},
		{"start on entry", func(c *epochCache) bool { return c.truncateFromStart(50) }, true, eps(7, 50)},
	} {
		c := mk()
		ch := tc.fn(c)
		if got := c.snapshot(); ch != tc.ch || !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v %v, want %v %v", tc.name, ch, got, tc.ch, tc.want)
		}
	}
}

func TestLogEpochs(t *testing.T) {
	dir := t.TempDir()
	l := openTest(t, dir, testConfig())
	for i, ep := range []int32{0, 0, 1, 1, 3, 2} { // 2 < 3: ignored by the cache
		mustAppend(t, l, makeBatch(2, int64(i), int64(i), 10), AppendOptions{LeaderEpoch: ep})
	}
	want := eps(0, 0, 1, 4, 3, 8)
	if got := l.Epochs(); !slices.Equal(got, want) {
		t.Fatalf("epochs %v, want %v", got, want)
	}
	if e, o := l.EndOffsetForEpoch(1); e != 1 || o != 8 {
		t.Fatalf("end offset for 1: %d %d", e, o)
	}
	if e, o := l.EndOffsetForEpoch(3); e != 3 || o != 12 {
		t.Fatalf("end offset for 3: %d %d", e, o)
	}
	if got, _ := checkpoint.ReadEpochs(filepath.Join(dir, epochFile)); !slices.Equal(got, want) {
		t.Fatalf("checkpoint file %v", got)
	}
	l.Close()
	// A crash rebuild agrees with the file.
	l = openTest(t, dir, testConfig())
	defer l.Close()
	if got := l.Epochs(); !slices.Equal(got, want) {
		t.Fatalf("after recovery %v", got)
	}
	if err := l.TruncateTo(6); err != nil {
		t.Fatal(err)
	}
	if got := l.Epochs(); !slices.Equal(got, want[:2]) {
		t.Fatalf("after truncate %v", got)
	}
}
