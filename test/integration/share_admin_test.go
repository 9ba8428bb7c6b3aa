package integration

import (
	"testing"
	"time"

	"github.com/gofka/gofka/pkg/gofkatest"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

func shareStart(t *testing.T, adm *kadm.Client, group, topic string, p int32) kadm.ShareOffset {
	t.Helper()
	ds, err := adm.DescribeShareGroupOffsets(ctxT(t, 10*time.Second), group)
	if err != nil {
		t.Fatal(err)
	}
	d := ds[group]
	if d.Err != nil {
		t.Fatal(d.Err)
	}
	return d.Offsets[topic][p]
}

// TestShareOffsetsAdmin: DescribeShareGroupOffsets shows the start offset
// and lag, AlterShareGroupOffsets moves the start back on an empty group
// so the records are delivered again, DeleteShareGroupOffsets makes it
// start over, and a share group is listed, described and deleted.
func TestShareOffsetsAdmin(t *testing.T) {
	c := gofkatest.Start(t, shareOpts()...)
	adm := newAdmin(t, c.Addr())
	createTopic(t, c.Addr(), "o", 1)
	produceN(t, c.Addr(), "o", 0, 10)
	consume := func(want int) []string {
		cl := newShareConsumer(t, c.Addr(), "g", "o")
		defer cl.Close()
		var keys []string
		pollUntil(t, cl, 30*time.Second, func(r *kgo.Record) {
			keys = append(keys, string(r.Key))
			cl.MarkAcks(kgo.AckAccept, r) // else Close gives back the last poll
		}, func() bool { return len(keys) >= want })
		if err := cl.FlushAcks(ctxT(t, 10*time.Second)); err != nil {
			t.Fatal(err)
		}
		return keys
	}
	consume(10)
	waitFor(t, 10*time.Second, "all accepted", func() bool { return shareStart(t, adm, "g", "o", 0).StartOffset == 10 })
	if o := shareStart(t, adm, "g", "o", 0); o.Lag != 0 {
		t.Fatalf("lag %d after everything was accepted", o.Lag)
	}
	waitFor(t, 10*time.Second, "group empty", func() bool {
		ds, err := adm.DescribeShareGroups(ctxT(t, 5*time.Second), "g")
		return err == nil && ds["g"].GroupState == "Empty"
	})
	res, err := adm.AlterShareGroupOffsets(ctxT(t, 10*time.Second), "g", kadm.Offsets{"o": {0: {At: 6}}})
	if err != nil || res.Error() != nil {
		t.Fatalf("alter: %v %v", err, res.Error())
	}
	if o := shareStart(t, adm, "g", "o", 0); o.StartOffset != 6 || o.Lag != 4 {
		t.Fatalf("after alter: start %d lag %d, want 6 and 4", o.StartOffset, o.Lag)
	}
	if got := consume(4); len(got) != 4 || got[0] != "key-6" {
		t.Fatalf("after moving the start to 6, got %v", got)
	}
	del, err := adm.DeleteShareGroupOffsets(ctxT(t, 10*time.Second), "g", "o")
	if err != nil || del.Error() != nil {
		t.Fatalf("delete offsets: %v %v", err, del.Error())
	}
	if got := consume(10); len(got) != 10 { // earliest again
		t.Fatalf("after deleting the start offset, got %v", got)
	}
	listed, err := adm.ListGroups(ctxT(t, 10*time.Second), "Empty", "Stable")
	if err != nil {
		t.Fatal(err)
	}
	if l, ok := listed["g"]; !ok || l.ProtocolType != "share" {
		t.Fatalf("share group not listed: %+v", listed)
	}
	waitFor(t, 10*time.Second, "group empty", func() bool { return shareStart(t, adm, "g", "o", 0).StartOffset >= 0 })
	if _, err := adm.DeleteShareGroupOffsets(ctxT(t, 10*time.Second), "g", "o"); err != nil { // the group stays, empty
		t.Fatal(err)
	}
	dg, err := adm.DeleteGroups(ctxT(t, 10*time.Second), "g")
	if err != nil || dg.Error() != nil {
		t.Fatalf("delete group: %v %v", err, dg.Error())
	}
	ds, err := adm.DescribeShareGroupOffsets(ctxT(t, 10*time.Second), "g")
	if err != nil || ds["g"].Err == nil {
		t.Fatalf("deleted group still described: %v %+v", err, ds["g"])
	}
}
