package txnindex

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestGoldenEntry(t *testing.T) {
	got := Encode(nil, Aborted{ProducerID: 1, FirstOffset: 2, LastOffset: 3, LastStableOffset: 4})
	want := []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 4}
	want = want[1:] // version 0 is two bytes
	if !bytes.Equal(got, want) {
		t.Fatalf("%x\n%x", got, want)
	}
}

func TestAddCollectReopen(t *testing.T) {
	dir := t.TempDir()
	x, err := Open(dir, 1<<62)
	if err != nil {
		t.Fatal(err)
	}
	es := []Aborted{
		{ProducerID: 1, FirstOffset: 0, LastOffset: 5, LastStableOffset: 6},
		{ProducerID: 2, FirstOffset: 3, LastOffset: 9, LastStableOffset: 10},
		{ProducerID: 1, FirstOffset: 12, LastOffset: 20, LastStableOffset: 21},
	}
	for i, e := range es {
		if err := x.Add(int64(i/2)*10, e); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		from, upTo int64
		want       []Aborted
	}{
		{0, 100, es},
		{6, 100, es[1:]},
		{6, 12, es[1:2]},
		{21, 100, nil},
		{0, 0, nil},
	}
	for _, tt := range tests {
		if got := x.Collect(tt.from, tt.upTo); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Collect(%d,%d) = %v, want %v", tt.from, tt.upTo, got, tt.want)
		}
	}
	y, err := Open(dir, 10) // entries at or past 10 are dropped for replay
	if err != nil {
		t.Fatal(err)
	}
	if got := y.Collect(0, 100); !reflect.DeepEqual(got, es[:2]) {
		t.Fatalf("reopened: %v", got)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName(10))); !os.IsNotExist(err) {
		t.Fatalf("emptied file must go: %v", err)
	}
	if err := y.Prune(7, []int64{10}); err != nil || y.Len() != 1 {
		t.Fatal(err, y.Len())
	}
	if _, err := os.Stat(filepath.Join(dir, FileName(0))); !os.IsNotExist(err) {
		t.Fatalf("index of a deleted segment must go: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(Encode(nil, Aborted{ProducerID: 1, FirstOffset: 2, LastOffset: 3, LastStableOffset: 4}))
	f.Add([]byte{0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		es, err := Decode(b)
		if err != nil {
			return
		}
		var again []byte
		for _, e := range es {
			again = Encode(again, e)
		}
		if !bytes.Equal(again, b) {
			t.Fatal("round trip differs")
		}
	})
}
