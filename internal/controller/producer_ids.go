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

// FinalizeFeature records a feature level (FeatureLevelRecord) when the
// finalized level differs, e.g. transaction.version=2 once the broker
// serves transactions v2 (KIP-890).
func (c *Controller) FinalizeFeature(name string, level int16) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pub.Current().Features[name] == level {
		return nil
	}
	fl := metadata.NewFeatureLevelRecord()
	fl.Name, fl.FeatureLevel = name, level
	if err := c.commitLocked([]metadata.Record{fl}); err != nil {
		return fmt.Errorf("controller: finalize %s: %w", name, err)
	}
	return nil
}
