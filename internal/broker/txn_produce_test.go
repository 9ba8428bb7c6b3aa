package broker

import (
	"testing"
	"time"

	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/record"
)

// A producer id from a block this node's metadata has not applied yet (the
// controller gave it to another node a moment ago) is taken once the
// metadata catches up, not refused with UNKNOWN_PRODUCER_ID.
func TestCheckProducerIDWaitsForMetadata(t *testing.T) {
	img, err := metadata.Empty().Apply(1, []metadata.Record{&metadata.ProducerIdsRecord{NextProducerID: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	n := &Node{meta: metadata.NewPublisher(img)}
	if rej := n.checkProducerID(&record.Header{ProducerID: 999}); rej != nil {
		t.Fatalf("a known id: %v", rej.err)
	}
	next, err := img.Apply(2, []metadata.Record{&metadata.ProducerIdsRecord{NextProducerID: 2000}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		time.Sleep(50 * time.Millisecond)
		n.meta.Publish(next)
	}()
	if rej := n.checkProducerID(&record.Header{ProducerID: 1500}); rej != nil {
		t.Fatalf("an id of the block the metadata was about to learn: %v", rej.err)
	}
	<-done
}
