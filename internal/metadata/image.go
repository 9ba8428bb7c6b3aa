package metadata

import (
	"maps"
	"sort"
)

// Kafka's ConfigResource type codes used by ConfigRecord.ResourceType.
const (
	ConfigResourceTopic         int8 = 2
	ConfigResourceBroker        int8 = 4
	ConfigResourceBrokerLogger  int8 = 8
	ConfigResourceClientMetrics int8 = 16
	ConfigResourceGroup         int8 = 32
)

// MetadataVersionFeature is the feature whose FeatureLevelRecord sets Image.MetadataVersion.
const MetadataVersionFeature = "metadata.version"

// Image is an immutable view of the cluster metadata after applying a prefix of the
// metadata log. Handlers share it without locks; everything reachable from it is read-only.
type Image struct {
	Offset          int64  // offset of the last applied record, -1 for empty
	ClusterID       string // not in any record: set by the node (WithClusterID)
	MetadataVersion int16  // from the FeatureLevelRecord for "metadata.version"
	// Features holds the level of every feature a FeatureLevelRecord has
	// set, metadata.version included; 0 is a feature disabled by a downgrade.
	Features map[string]int16
	// Brokers holds registered brokers by id.
	Brokers map[int32]*BrokerInfo
	// Controllers holds the controllers' registrations (KIP-919) by id.
	Controllers map[int32]*ControllerInfo

	topics         pmap[string, *TopicImage]
	topicIDs       pmap[UUID, string]
	configs        pmap[ConfigKey, *configSet]
	nextProducerID int64
	sec            securityState // image_security.go
	quotas         *Quotas       // nil until a ClientQuotaRecord; see apply_quotas.go
}

// BrokerInfo is one broker registration.
type BrokerInfo struct {
	ID                   int32
	Epoch                int64
	IncarnationID        UUID
	Endpoints            []Endpoint
	Rack                 *string
	Fenced               bool
	InControlledShutdown bool
}

// ControllerInfo is one controller registration.
type ControllerInfo struct {
	ID            int32
	IncarnationID UUID
	Endpoints     []Endpoint
}

// Endpoint is one listener of a broker.
type Endpoint struct {
	Name             string
	Host             string
	Port             int32
	SecurityProtocol int16
}

// TopicImage is one topic. Partitions is indexed by partition id; an entry is nil only
// if the log created a later partition before an earlier one.
type TopicImage struct {
	Name       string
	ID         UUID
	Partitions []*PartitionImage
}

// PartitionImage is the state of one partition, as PartitionRegistration in Kafka.
type PartitionImage struct {
	Topic               string
	TopicID             UUID
	Partition           int32
	Replicas, ISR       []int32
	RemovingReplicas    []int32
	AddingReplicas      []int32
	Directories         []UUID
	ELR, LastKnownELR   []int32 // eligible leader replicas (KIP-966)
	Leader              int32   // -1 when there is no leader
	LeaderEpoch         int32
	PartitionEpoch      int32
	LeaderRecoveryState int8 // 0 recovered, 1 recovering after an unclean election
}

// ConfigKey names a config resource: a Kafka ConfigResource type code and a name.
type ConfigKey struct {
	Type int8
	Name string
}

// configSet is the config of one resource; shared by images until a record changes it.
type configSet struct {
	m map[string]string
}

// Empty returns the image before any record: offset -1 and no state.
func Empty() *Image {
	return &Image{
		Offset:         -1,
		Features:       map[string]int16{},
		Brokers:        map[int32]*BrokerInfo{},
		nextProducerID: -1,
	}
}

// WithClusterID returns a copy of im with ClusterID set.
func (im *Image) WithClusterID(id string) *Image {
	c := *im
	c.ClusterID = id
	return &c
}

// Topic returns the topic called name, or nil.
func (im *Image) Topic(name string) *TopicImage {
	t, _ := im.topics.get(name)
	return t
}

// TopicByID returns the topic with id, or nil.
func (im *Image) TopicByID(id UUID) *TopicImage {
	name, ok := im.topicIDs.get(id)
	if !ok {
		return nil
	}
	return im.Topic(name)
}

// Partition returns one partition of a topic, or nil.
func (im *Image) Partition(topic string, partition int32) *PartitionImage {
	t := im.Topic(topic)
	if t == nil || partition < 0 || int(partition) >= len(t.Partitions) {
		return nil
	}
	return t.Partitions[partition]
}

// TopicCount returns the number of topics.
func (im *Image) TopicCount() int { return im.topics.n }

// TopicNames returns every topic name, sorted.
func (im *Image) TopicNames() []string {
	names := make([]string, 0, im.topics.n)
	im.topics.each(func(name string, _ *TopicImage) bool {
		names = append(names, name)
		return true
	})
	sort.Strings(names)
	return names
}

// EachTopic calls fn for every topic, in no particular order, until fn returns false.
func (im *Image) EachTopic(fn func(*TopicImage) bool) {
	im.topics.each(func(_ string, t *TopicImage) bool { return fn(t) })
}

// Configs returns a copy of the configs set by ConfigRecords on one resource, or nil.
// resourceType is a Kafka ConfigResource type code; broker name "" is the cluster default.
func (im *Image) Configs(resourceType int8, name string) map[string]string {
	cs, ok := im.configs.get(ConfigKey{resourceType, name})
	if !ok {
		return nil
	}
	return maps.Clone(cs.m)
}

// ConfigNames returns, sorted, the names of the resources of one type that
// have configs set (Kafka's ConfigResource type codes).
func (im *Image) ConfigNames(resourceType int8) []string {
	var names []string
	im.configs.each(func(k ConfigKey, _ *configSet) bool {
		if k.Type == resourceType {
			names = append(names, k.Name)
		}
		return true
	})
	sort.Strings(names)
	return names
}

// Config returns one config value set on a resource, without copying.
func (im *Image) Config(resourceType int8, name, key string) (string, bool) {
	cs, ok := im.configs.get(ConfigKey{resourceType, name})
	if !ok {
		return "", false
	}
	v, ok := cs.m[key]
	return v, ok
}

// NextProducerID returns the first producer id of the next block to hand out,
// from the last ProducerIdsRecord, or -1 before any.
func (im *Image) NextProducerID() int64 { return im.nextProducerID }
