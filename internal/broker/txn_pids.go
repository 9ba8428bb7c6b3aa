package broker

// Producer ids: the node hands them out from blocks of 1000 reserved
// through the controller (a ProducerIdsRecord in the metadata log), as
// Kafka's RPCProducerIdManager does, so a restart never reuses an id.

import (
	"fmt"
	"sync"
)

// pidBlock is the node's current block of producer ids.
type pidBlock struct {
	mu         sync.Mutex
	next, end  int64
	allocBlock func() (first int64, size int32, err error)
}

// newProducerID returns an unused producer id.
func (b *pidBlock) newProducerID() (int64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.next >= b.end {
		first, size, err := b.allocBlock()
		if err != nil {
			return -1, fmt.Errorf("broker: allocate producer ids: %w", err)
		}
		b.next, b.end = first, first+int64(size)
	}
	id := b.next
	b.next++
	return id, nil
}
