package broker

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// jbodNode starts a node on two log dirs with topic "t" (4 partitions,
// spread over both) holding one record per partition.
func jbodNode(t *testing.T) (*Node, []string, *kgo.Client, *kadm.Client) {
	root := t.TempDir()
	dirs := []string{filepath.Join(root, "a"), filepath.Join(root, "b")}
	n := startTestNode(t, dirs[0], map[string]string{"log.dirs": dirs[0] + "," + dirs[1],
		"metadata.log.dir": filepath.Join(root, "meta")})
	t.Cleanup(func() { n.Close() })
	cl, err := kgo.NewClient(kgo.SeedBrokers(n.Addr()), kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.RecordRetries(3), kgo.RetryTimeout(500*time.Millisecond), kgo.RecordDeliveryTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	adm := kadm.NewClient(cl)
	ctx := context.Background()
	if _, err := adm.CreateTopic(ctx, 4, 1, nil, "t"); err != nil {
		t.Fatal(err)
	}
	for p := range int32(4) {
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "t", Partition: p, Value: []byte("v")}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	return n, dirs, cl, adm
}

func TestDescribeAndAlterLogDirs(t *testing.T) {
	n, dirs, cl, adm := jbodNode(t)
	ctx := context.Background()
	desc, err := adm.DescribeBrokerLogDirs(ctx, n.nodeID, nil)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	desc.Each(func(d kadm.DescribedLogDir) { count[d.Dir] = len(d.Topics["t"]) })
	if count[dirs[0]] != 2 || count[dirs[1]] != 2 {
		t.Fatalf("partitions per dir %v", count)
	}
	dirOf := n.logs.DirOf(n.parts.get("t", 0).tp)
	other := dirs[0]
	if dirOf == other {
		other = dirs[1]
	}
	res, err := adm.AlterAllReplicaLogDirs(ctx, moveReq(other, 0))
	if err != nil {
		t.Fatal(err)
	}
	res.Each(func(r kadm.AlterReplicaLogDirsResponse) {
		if r.Err != nil {
			t.Fatalf("move: %v", r.Err)
		}
	})
	if got := n.logs.DirOf(n.parts.get("t", 0).tp); got != other {
		t.Fatalf("partition 0 in %s, want %s", got, other)
	}
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "t", Partition: 0, Value: []byte("w")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	if leo := n.parts.get("t", 0).log.LogEndOffset(); leo != 2 {
		t.Fatalf("log end %d after move and produce", leo)
	}
	bad, err := adm.AlterAllReplicaLogDirs(ctx, moveReq("/nowhere", 1))
	if err != nil {
		t.Fatal(err)
	}
	bad.Each(func(r kadm.AlterReplicaLogDirsResponse) {
		if r.Err != kerr.LogDirNotFound {
			t.Fatalf("unknown dir: %v", r.Err)
		}
	})
}

func TestFailedLogDir(t *testing.T) {
	n, dirs, cl, adm := jbodNode(t)
	ctx := context.Background()
	n.failLogDir(dirs[0])
	for p := range int32(4) {
		tp := n.parts.get("t", p)
		err := cl.ProduceSync(ctx, &kgo.Record{Topic: "t", Partition: p, Value: []byte("x")}).FirstErr()
		if offline := tp.offline.Load(); offline != (err != nil) {
			t.Fatalf("partition %d offline %v, produce err %v", p, offline, err)
		}
	}
	desc, err := adm.DescribeBrokerLogDirs(ctx, n.nodeID, nil)
	if err != nil {
		t.Fatal(err)
	}
	desc.Each(func(d kadm.DescribedLogDir) {
		if (d.Dir == dirs[0]) != (d.Err == kerr.KafkaStorageError) {
			t.Fatalf("dir %s err %v", d.Dir, d.Err)
		}
	})
}

func moveReq(dir string, p int32) kadm.AlterReplicaLogDirsReq {
	req := kadm.AlterReplicaLogDirsReq{}
	req.Add(dir, kadm.TopicsSet{"t": {p: {}}})
	return req
}
