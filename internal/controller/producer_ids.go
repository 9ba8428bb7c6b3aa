package controller

import (
	"fmt"

	"github.com/gofka/gofka/internal/metadata"
)

// ProducerIDBlockSize is how many producer ids one allocation hands out,
// as Kafka's ProducerIdControlManager does.
const ProducerIDBlockSize = 1000

// AllocateProducerIDs reserves the next block of producer ids for a broker
// by appending a ProducerIdsRecord, and returns the block's first id.
// Every node replays the record, so a restart never reuses an id.
func (c *Controller) AllocateProducerIDs(brokerID int32, brokerEpoch int64) (first int64, size int32, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	first = max(c.pub.Current().NextProducerID(), 0)
	r := metadata.NewProducerIdsRecord()
	r.BrokerID, r.BrokerEpoch, r.NextProducerID = brokerID, brokerEpoch, first+ProducerIDBlockSize
	if err := c.commitLocked([]metadata.Record{r}); err != nil {
		return 0, 0, fmt.Errorf("controller: allocate producer ids: %w", err)
	}
	return first, ProducerIDBlockSize, nil
}
