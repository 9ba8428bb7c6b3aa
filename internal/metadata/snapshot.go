package metadata

import (
	"cmp"
	"maps"
	"slices"
)

// Records returns records that rebuild im when applied to an empty image:
// the content of a metadata snapshot. The order is deterministic: features,
// brokers, topics with their partitions, configs, SCRAM credentials, ACLs and
// delegation tokens, then the producer id block.
func (im *Image) Records() []Record {
	var out []Record
	out = append(out, im.featureRecords()...)
	out = append(out, im.brokerRecords()...)
	out = append(out, im.controllerRecords()...)
	out = append(out, im.topicRecords()...)
	out = append(out, im.configRecords()...)
	out = append(out, im.securityRecords()...)
	out = append(out, im.quotaRecords()...)
	if im.nextProducerID >= 0 {
		r := NewProducerIdsRecord()
		r.BrokerID, r.NextProducerID = -1, im.nextProducerID
		out = append(out, r)
	}
	return out
}

func (im *Image) featureRecords() []Record {
	var out []Record
	for _, name := range slices.Sorted(maps.Keys(im.Features)) {
		r := NewFeatureLevelRecord()
		r.Name, r.FeatureLevel = name, im.Features[name]
		out = append(out, r)
	}
	return out
}

func (im *Image) brokerRecords() []Record {
	var out []Record
	for _, id := range slices.Sorted(maps.Keys(im.Brokers)) {
		b := im.Brokers[id]
		r := NewRegisterBrokerRecord()
		r.BrokerID, r.BrokerEpoch, r.IncarnationID = b.ID, b.Epoch, b.IncarnationID
		r.Rack, r.Fenced, r.InControlledShutdown = b.Rack, b.Fenced, b.InControlledShutdown
		for _, e := range b.Endpoints {
			r.EndPoints = append(r.EndPoints, BrokerEndpoint{Name: e.Name, Host: e.Host,
				Port: uint16(e.Port), SecurityProtocol: e.SecurityProtocol})
		}
		out = append(out, r)
	}
	return out
}

func (im *Image) controllerRecords() []Record {
	var out []Record
	for _, id := range slices.Sorted(maps.Keys(im.Controllers)) {
		c := im.Controllers[id]
		r := NewRegisterControllerRecord()
		r.ControllerID, r.IncarnationID = c.ID, c.IncarnationID
		for _, e := range c.Endpoints {
			r.EndPoints = append(r.EndPoints, ControllerEndpoint{Name: e.Name, Host: e.Host, Port: uint16(e.Port), SecurityProtocol: e.SecurityProtocol})
		}
		out = append(out, r)
	}
	return out
}

func (im *Image) topicRecords() []Record {
	var out []Record
	for _, name := range im.TopicNames() {
		t := im.Topic(name)
		tr := NewTopicRecord()
		tr.Name, tr.TopicID = t.Name, t.ID
		out = append(out, tr)
		for _, p := range t.Partitions {
			if p != nil {
				out = append(out, partitionRecord(p))
			}
		}
	}
	return out
}

func partitionRecord(p *PartitionImage) *PartitionRecord {
	r := NewPartitionRecord()
	r.PartitionID, r.TopicID = p.Partition, p.TopicID
	r.Replicas, r.ISR = p.Replicas, p.ISR
	r.RemovingReplicas, r.AddingReplicas = p.RemovingReplicas, p.AddingReplicas
	r.Leader, r.LeaderRecoveryState = p.Leader, p.LeaderRecoveryState
	r.LeaderEpoch, r.PartitionEpoch = p.LeaderEpoch, p.PartitionEpoch
	r.Directories = p.Directories
	r.EligibleLeaderReplicas, r.LastKnownELR = p.ELR, p.LastKnownELR
	return r
}

func (im *Image) configRecords() []Record {
	var keys []ConfigKey
	im.configs.each(func(k ConfigKey, _ *configSet) bool {
		keys = append(keys, k)
		return true
	})
	slices.SortFunc(keys, func(a, b ConfigKey) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.Name, b.Name))
	})
	var out []Record
	for _, k := range keys {
		cs, _ := im.configs.get(k)
		for _, name := range slices.Sorted(maps.Keys(cs.m)) {
			r := NewConfigRecord()
			r.ResourceType, r.ResourceName, r.Name = k.Type, k.Name, name
			r.Value = stringPtr(cs.m[name])
			out = append(out, r)
		}
	}
	return out
}
