package checkpoint

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gofka/gofka/internal/javaprops"
)

// MetaPropertiesFile is the name of the file identifying a log dir.
const MetaPropertiesFile = "meta.properties"

// Keys of meta.properties (MetaProperties.*_PROP in Kafka).
const (
	propVersion     = "version"
	propClusterID   = "cluster.id"
	propBrokerID    = "broker.id"
	propNodeID      = "node.id"
	propDirectoryID = "directory.id"
)

// Versions of meta.properties (MetaPropertiesVersion).
const (
	// MetaPropertiesV0 is the ZooKeeper-era file: broker.id instead of
	// node.id, every field optional.
	MetaPropertiesV0 = 0
	// MetaPropertiesV1 is the KRaft file: node.id and cluster.id required.
	MetaPropertiesV1 = 1
	// MetaPropertiesV2 makes cluster.id optional and directory.id required.
	MetaPropertiesV2 = 2
)

// MetaProperties is the content of a log dir's meta.properties.
type MetaProperties struct {
	// Version is MetaPropertiesV0, V1 or V2.
	Version int
	// ClusterID is the cluster id, "" if absent (only allowed in V0 and V2).
	ClusterID string
	// NodeID is node.id (broker.id in V0), -1 if absent (only in V0).
	NodeID int32
	// DirectoryID is directory.id, ZeroUUID if absent (not allowed in V2).
	DirectoryID UUID
}

// Validate checks the fields each version requires, as Kafka's
// MetaProperties.Builder.build and MetaPropertiesEnsemble do.
func (mp MetaProperties) Validate() error {
	switch mp.Version {
	case MetaPropertiesV0:
		if mp.NodeID < -1 {
			return fmt.Errorf("%w: meta.properties broker.id %d", ErrMalformed, mp.NodeID)
		}
		return nil
	case MetaPropertiesV1:
		if mp.ClusterID == "" {
			return fmt.Errorf("%w: meta.properties v1 needs cluster.id", ErrMalformed)
		}
	case MetaPropertiesV2:
		if mp.DirectoryID.IsZero() {
			return fmt.Errorf("%w: meta.properties v2 needs directory.id", ErrMalformed)
		}
	default:
		return fmt.Errorf("%w: unknown meta.properties version %d", ErrMalformed, mp.Version)
	}
	if mp.NodeID < 0 {
		return fmt.Errorf("%w: meta.properties v%d needs node.id, got %d", ErrMalformed, mp.Version, mp.NodeID)
	}
	return nil
}

// WriteMetaProperties atomically replaces the meta.properties at path.
func WriteMetaProperties(path string, mp MetaProperties) error {
	data, err := EncodeMetaProperties(mp, time.Now())
	if err != nil {
		return fmt.Errorf("checkpoint: write %s: %w", path, err)
	}
	return WriteFileAtomic(path, data)
}

// EncodeMetaProperties returns the bytes Kafka writes for mp, with now on the
// date comment line.
func EncodeMetaProperties(mp MetaProperties, now time.Time) ([]byte, error) {
	if err := mp.Validate(); err != nil {
		return nil, err
	}
	return encodeProperties(javaStoreOrder(metaPropertyList(mp)), now), nil
}

// metaPropertyList is MetaProperties.toProperties: the keys present, in the
// order Kafka puts them into its Properties.
func metaPropertyList(mp MetaProperties) []property {
	props := []property{{propVersion, strconv.Itoa(mp.Version)}}
	if mp.ClusterID != "" {
		props = append(props, property{propClusterID, mp.ClusterID})
	}
	switch {
	case mp.Version == MetaPropertiesV0 && mp.NodeID >= 0:
		props = append(props, property{propBrokerID, strconv.Itoa(int(mp.NodeID))})
	case mp.Version != MetaPropertiesV0:
		props = append(props, property{propNodeID, strconv.Itoa(int(mp.NodeID))})
	}
	if !mp.DirectoryID.IsZero() {
		props = append(props, property{propDirectoryID, mp.DirectoryID.String()})
	}
	return props
}

// ReadMetaProperties reads the meta.properties at path. A missing file is an
// error wrapping fs.ErrNotExist; bad content is an error wrapping
// ErrMalformed. Keys may come in any order, among comments; unknown keys are
// ignored.
func ReadMetaProperties(path string) (MetaProperties, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return MetaProperties{}, fmt.Errorf("checkpoint: read %s: %w", path, err)
	}
	mp, err := ParseMetaProperties(data)
	if err != nil {
		return MetaProperties{}, fmt.Errorf("checkpoint: %s: %w", path, err)
	}
	return mp, nil
}

// ParseMetaProperties parses the bytes of a meta.properties file like
// Kafka's MetaProperties.Builder(Properties) followed by build().
func ParseMetaProperties(data []byte) (MetaProperties, error) {
	props, err := javaprops.Parse(string(data))
	if errors.Is(err, javaprops.ErrSyntax) {
		err = fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if err != nil {
		return MetaProperties{}, err
	}
	mp := MetaProperties{NodeID: -1}
	if mp.Version, err = parseMetaVersion(props); err != nil {
		return MetaProperties{}, err
	}
	if mp.NodeID, err = parseMetaNodeID(props, mp.Version); err != nil {
		return MetaProperties{}, err
	}
	mp.ClusterID = props[propClusterID]
	if s, ok := props[propDirectoryID]; ok {
		if mp.DirectoryID, err = ParseUUID(s); err != nil {
			return MetaProperties{}, fmt.Errorf("%w: directory.id: %w", ErrMalformed, err)
		}
	}
	if err := mp.Validate(); err != nil {
		return MetaProperties{}, err
	}
	return mp, nil
}

// parseMetaVersion reads "version", 0 when absent (MetaPropertiesVersion
// trims the value before parsing it).
func parseMetaVersion(props map[string]string) (int, error) {
	s, ok := props[propVersion]
	if !ok {
		return MetaPropertiesV0, nil
	}
	v, err := strconv.ParseInt(strings.TrimFunc(s, isJavaTrimmed), 10, 32)
	if err != nil || v < MetaPropertiesV0 || v > MetaPropertiesV2 {
		return 0, fmt.Errorf("%w: meta.properties version %q", ErrMalformed, s)
	}
	return int(v), nil
}

// isJavaTrimmed reports the characters String.trim removes.
func isJavaTrimmed(r rune) bool { return r <= ' ' }

// parseMetaNodeID reads broker.id (optional) in V0 and node.id (required)
// in later versions; -1 means absent.
func parseMetaNodeID(props map[string]string, version int) (int32, error) {
	key := propNodeID
	if version == MetaPropertiesV0 {
		key = propBrokerID
	}
	s, ok := props[key]
	if !ok {
		if version == MetaPropertiesV0 {
			return -1, nil
		}
		return 0, fmt.Errorf("%w: meta.properties has no %s", ErrMalformed, key)
	}
	id, err := strconv.ParseInt(s, 10, 32)
	if err != nil || (version == MetaPropertiesV0 && id < 0) {
		return 0, fmt.Errorf("%w: %s %q is not a base-10 number", ErrMalformed, key, s)
	}
	return int32(id), nil
}
