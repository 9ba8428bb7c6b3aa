package faults

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"
)

var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

// gofkaBinary builds the binary once for the package's tests (the
// checker's own tests need none), or returns GOFKA_BINARY if set (a binary
// built elsewhere, e.g. from another branch).
func gofkaBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("GOFKA_BINARY"); bin != "" {
		return bin
	}
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "gofka-faults"); built.err == nil {
			built.bin, built.err = Build(built.dir)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.bin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// sessionTimeout is broker.session.timeout.ms of the round clusters.
const sessionTimeout = 2 * time.Second

var roundProps = []string{
	fmt.Sprintf("broker.session.timeout.ms=%d", sessionTimeout.Milliseconds()),
	"broker.heartbeat.interval.ms=200",
	"replica.lag.time.max.ms=2000",
}

// rounds is GOFKA_FAULT_ROUNDS, the rounds of each test (1 by default).
func rounds() int {
	if n, err := strconv.Atoi(os.Getenv("GOFKA_FAULT_ROUNDS")); err == nil && n > 0 {
		return n
	}
	return 1
}

// TestWorkloadNoFault checks the plumbing: with no fault, every write is
// acknowledged and found where it was acknowledged.
func TestWorkloadNoFault(t *testing.T) {
	if testing.Short() {
		t.Skip("processes")
	}
	c := Start(t, gofkaBinary(t), 3, roundProps...)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	none := Fault{Name: "none", Inject: func(context.Context, *Cluster, string) (string, func(), error) {
		return "nothing", func() {}, nil
	}}
	rep, err := c.RunRound(ctx, "nofault", none, Round{Hold: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Failed != 0 || rep.Acked < 100 || rep.Read == 0 {
		t.Fatalf("fault-free round: %s", &rep)
	}
}

// TestFaultKillUnreplicated SIGKILLs the leader of an RF=1 topic: once it
// restarts, every acknowledged write is there (from the page cache: the
// process died, not the machine).
func TestFaultKillUnreplicated(t *testing.T) {
	if testing.Short() {
		t.Skip("processes")
	}
	c := Start(t, gofkaBinary(t), 3, roundProps...)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for i := 0; i < rounds(); i++ {
		rep, err := c.RunRound(ctx, fmt.Sprint("rf1-", i), Fault{Name: "kill-leader", Inject: killLeader}, Round{RF: 1, MinISR: 1})
		if err != nil {
			t.Fatal(err)
		}
		if !rep.OK() || rep.Acked == 0 {
			t.Fatalf("round %d: %s", i, &rep)
		}
	}
}

// TestFaultRounds runs the acceptance rounds on three combined nodes:
// GOFKA_FAULT_ROUNDS rounds (one of each fault by default), the faults in
// turn, each on a topic of its own (RF=3, min.insync.replicas=2, three
// partitions) loaded by idempotent acks=all writers and read_committed
// readers. Every round must check clean. The counts table is logged and
// written to the file GOFKA_FAULT_TABLE names, if set.
func TestFaultRounds(t *testing.T) {
	if testing.Short() {
		t.Skip("processes")
	}
	faults := Faults(sessionTimeout)
	n := max(rounds(), len(faults))
	c := Start(t, gofkaBinary(t), 3, roundProps...)
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(n)*2*time.Minute)
	defer cancel()
	var tally Tally
	defer func() {
		table := tally.String()
		t.Logf("counts:\n%s", table)
		if path := os.Getenv("GOFKA_FAULT_TABLE"); path != "" {
			if err := os.WriteFile(path, []byte(table), 0o644); err != nil {
				t.Error(err)
			}
		}
	}()
	for i := 0; i < n; i++ {
		f := faults[i%len(faults)]
		rep, err := c.RunRound(ctx, fmt.Sprintf("r%d-%s", i, f.Name), f, Round{})
		tally.Add(f.Name, &rep)
		if err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
		if !rep.OK() {
			t.Errorf("round %d (%s): %s", i, f.Name, &rep)
		}
	}
}
