package format

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// checkFile decodes one file by its name and checks it against its
// segment where it indexes one; it returns the file's kind.
func checkFile(path string) (string, error) {
	name := filepath.Base(path)
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	switch ext := filepath.Ext(name); {
	case ext == ".log":
		return ext, checkSegment(path, data)
	case ext == ".index", ext == ".timeindex":
		return ext, nil // checked with their segment
	case ext == ".txnindex":
		_, err := decodeTxnIndex(data)
		return ext, err
	case ext == ".snapshot":
		_, err := decodeSnapshot(data)
		return ext, err
	case ext == ".checkpoint" && strings.Contains(path, "__cluster_metadata"):
		return "metadata snapshot", nil // KRaft snapshot: a record log
	case name == "leader-epoch-checkpoint":
		_, err := decodeCheckpoint(data, 2)
		return name, err
	case name == "partition.metadata":
		_, err := decodePartitionMetadata(data)
		return name, err
	case name == "meta.properties":
		return name, checkMetaProperties(data)
	case strings.HasSuffix(name, "-offset-checkpoint"):
		_, err := decodeCheckpoint(data, 3)
		return name, err
	case name == "journal" && strings.Contains(path, "__cluster_metadata"):
		// Gap: the metadata journal (internal/metadata) is Gofka's own
		// framing until the Raft log lands as Kafka-format segments.
		return "metadata journal (not Kafka format yet)", nil
	case name == ".kafka_cleanshutdown", name == ".lock", name == "quorum-state", name == "bootstrap.checkpoint":
		return name, nil // markers and files outside the log format
	}
	return name, errors.New("unknown file kind")
}

func checkMetaProperties(data []byte) error {
	p, err := decodeProperties(data)
	if err != nil {
		return err
	}
	for _, k := range []string{"version", "cluster.id", "node.id"} {
		if p[k] == "" {
			return fmt.Errorf("meta.properties has no %s", k)
		}
	}
	return nil
}

// checkSegment decodes a segment and its indexes: the file name is a base
// offset at or below its first batch, offsets increase, every .index entry
// points at a batch start and names that batch's last offset, every
// .timeindex entry names an offset in the segment with a timestamp no
// larger than the segment's largest.
func checkSegment(path string, data []byte) error {
	base, err := strconv.ParseInt(strings.TrimSuffix(filepath.Base(path), ".log"), 10, 64)
	if err != nil || len(filepath.Base(path)) != 24 {
		return fmt.Errorf("segment name %q", filepath.Base(path))
	}
	batches, err := decodeLog(data)
	if err != nil {
		return err
	}
	starts, next, maxTs := map[int32]int64{}, base, int64(-1)
	pos := 0
	for _, b := range batches {
		if b.baseOffset < next {
			return fmt.Errorf("batch %d below %d", b.baseOffset, next)
		}
		for _, r := range b.records {
			if r.offset < b.baseOffset || r.offset > b.lastOffset() {
				return fmt.Errorf("record offset %d outside batch %d..%d", r.offset, b.baseOffset, b.lastOffset())
			}
		}
		starts[int32(pos)] = b.lastOffset()
		pos += b.size
		next = b.lastOffset() + 1
		maxTs = max(maxTs, b.maxTimestamp)
	}
	stem := strings.TrimSuffix(path, ".log")
	if err := checkOffsetIndex(stem+".index", base, starts); err != nil {
		return err
	}
	return checkTimeIndex(stem+".timeindex", base, next, maxTs)
}

func checkOffsetIndex(path string, base int64, starts map[int32]int64) error {
	d, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	es, err := decodeOffsetIndex(d)
	if err != nil {
		return err
	}
	last := int32(-1)
	for _, e := range es {
		off, ok := starts[e.pos]
		if !ok || base+int64(e.rel) != off || e.rel <= last {
			return fmt.Errorf(".index entry %+v does not name a batch's last offset", e)
		}
		last = e.rel
	}
	return nil
}

func checkTimeIndex(path string, base, next, maxTs int64) error {
	d, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	es, err := decodeTimeIndex(d)
	if err != nil {
		return err
	}
	lastTs := int64(-1 << 63)
	for _, e := range es {
		if e.ts < lastTs || e.ts > maxTs || base+int64(e.rel) >= next {
			return fmt.Errorf(".timeindex entry %+v (max ts %d, next %d)", e, maxTs, next)
		}
		lastTs = e.ts
	}
	return nil
}
