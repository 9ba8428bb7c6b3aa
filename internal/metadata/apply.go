package metadata

import (
	"fmt"
	"maps"
)

// Apply returns a new Image with recs applied; offset is the offset of the last record
// in recs. The receiver is never modified, and the new image shares every topic, config
// shard and broker that recs do not change. Inconsistent records (such as a partition of
// an unknown topic or a duplicate topic id) return an error wrapping ErrInconsistent,
// and no image.
func (im *Image) Apply(offset int64, recs []Record) (*Image, error) {
	a := newApplier(im)
	for i, r := range recs {
		if err := a.apply(r); err != nil {
			return nil, fmt.Errorf("metadata: record at offset %d: %w", offset-int64(len(recs)-1-i), err)
		}
	}
	return a.finish(offset), nil
}

// applier builds one new image from an old one. Everything it copies while applying
// a batch is recorded as owned, so that later records in the batch change it in place.
type applier struct {
	next          *Image
	topics        *pbuilder[string, *TopicImage]
	ids           *pbuilder[UUID, string]
	configs       *pbuilder[ConfigKey, *configSet]
	ownedTopics   map[*TopicImage]bool
	ownedConfigs  map[*configSet]bool
	brokersOwned  bool
	featuresOwned bool
	scramOwned    bool // apply_security.go
	aclsOwned     bool
	tokensOwned   bool
	// quotasOwned is set once the batch copied the quota set;
	// ownedQuotaKeys names the entities whose key maps it copied.
	quotasOwned    bool
	ownedQuotaKeys map[QuotaEntity]bool
}

func newApplier(old *Image) *applier {
	next := *old
	return &applier{
		next:         &next,
		ownedTopics:  map[*TopicImage]bool{},
		ownedConfigs: map[*configSet]bool{},
	}
}

func (a *applier) apply(rec Record) error {
	switch r := rec.(type) {
	case *TopicRecord:
		return a.topicRecord(r)
	case *PartitionRecord:
		return a.partitionRecord(r)
	case *PartitionChangeRecord:
		return a.partitionChange(r)
	case *RemoveTopicRecord:
		return a.removeTopic(r)
	case *ConfigRecord:
		a.configRecord(r)
	case *FeatureLevelRecord:
		a.featureLevel(r)
	case *RegisterBrokerRecord:
		a.registerBroker(r)
	case *RegisterControllerRecord:
		a.registerController(r)
	case *FenceBrokerRecord:
		return a.setFenced(r.ID, r.Epoch, true, "fence")
	case *UnfenceBrokerRecord:
		return a.setFenced(r.ID, r.Epoch, false, "unfence")
	case *BrokerRegistrationChangeRecord:
		return a.brokerChange(r)
	case *UnregisterBrokerRecord:
		return a.unregisterBroker(r)
	case *ClientQuotaRecord:
		return a.clientQuota(r)
	case *ProducerIdsRecord:
		a.next.nextProducerID = r.NextProducerID
	case *NoOpRecord:
	default:
		// SCRAM credentials, ACLs and delegation tokens are applied in
		// apply_security.go; every other record type (transaction markers,
		// ZK migration state)
		// does not change the image yet: it is accepted and ignored.
		a.applySecurity(rec)
	}
	return nil
}

// finish freezes the builders into the new image.
func (a *applier) finish(offset int64) *Image {
	if a.topics != nil {
		a.next.topics = a.topics.build()
	}
	if a.ids != nil {
		a.next.topicIDs = a.ids.build()
	}
	if a.configs != nil {
		a.next.configs = a.configs.build()
	}
	a.next.Offset = offset
	return a.next
}

// brokers returns the new image's broker map, copying it on first use.
func (a *applier) brokers() map[int32]*BrokerInfo {
	if !a.brokersOwned {
		a.next.Brokers = maps.Clone(a.next.Brokers)
		if a.next.Brokers == nil {
			a.next.Brokers = map[int32]*BrokerInfo{}
		}
		a.brokersOwned = true
	}
	return a.next.Brokers
}

// features returns the new image's feature map, copying it on first use.
func (a *applier) features() map[string]int16 {
	if !a.featuresOwned {
		a.next.Features = maps.Clone(a.next.Features)
		if a.next.Features == nil {
			a.next.Features = map[string]int16{}
		}
		a.featuresOwned = true
	}
	return a.next.Features
}
