package faults

import (
	"context"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Topics lists the topics the broker at addr serves, nil when it does not
// answer within a second: a fault test's view of what one node knows (in
// process or not).
func Topics(addr string) []string {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.RequestTimeoutOverhead(time.Second), kgo.RetryTimeout(time.Second))
	if err != nil {
		return nil
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	ts, err := kadm.NewClient(cl).ListTopics(ctx)
	if err != nil {
		return nil
	}
	return ts.Names()
}
