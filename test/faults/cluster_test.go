package faults

import (
	"context"
	"net"
	"testing"
	"time"
)

// A node whose listener port was taken while it was down (another
// connection got it as its source port) starts again on new ports behind
// the same proxy, and clients reach it as before.
func TestRestartOnTakenPort(t *testing.T) {
	if testing.Short() {
		t.Skip("processes")
	}
	c := Start(t, gofkaBinary(t), 1)
	if err := c.Stop(1); err != nil {
		t.Fatal(err)
	}
	node := c.Node(1)
	taken, err := net.Listen("tcp", node.target(&node.addr))
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	c.Restart(1)
	if node.target(&node.addr) == taken.Addr().String() {
		t.Fatal("the node kept the taken port")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := c.Leader(ctx); err != nil {
		t.Fatalf("through the proxy after the restart: %v", err)
	}
}
