// Command kfakepeer runs franz-go's kfake as a single-broker Kafka peer in
// its own process, so the benchmark measures its RSS and CPU the same way
// as Gofka's. It writes its log segments to -data-dir (kfake.DataDir) and
// stops on SIGTERM or SIGINT.
//
// It is its own Go module so that the main module does not depend on kfake;
// the benchmark runner builds it with `go build -C bench/kfakepeer`.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/twmb/franz-go/pkg/kfake"
)

func main() {
	port := flag.Int("port", 9092, "TCP port to listen on at 127.0.0.1")
	dataDir := flag.String("data-dir", "", "directory for kfake's on-disk segments (empty: keep data in memory)")
	flag.Parse()

	opts := []kfake.Opt{kfake.Ports(*port), kfake.NumBrokers(1)}
	if *dataDir != "" {
		opts = append(opts, kfake.DataDir(*dataDir))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kfakepeer:", err)
		os.Exit(1)
	}
	fmt.Println(c.ListenAddrs()[0])

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	<-sigs
	c.Close()
}
