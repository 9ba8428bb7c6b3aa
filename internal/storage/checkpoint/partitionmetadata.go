package checkpoint

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"
)

// PartitionMetadataFile is the name of the file holding a partition's topic
// id in its partition dir.
const PartitionMetadataFile = "partition.metadata"

// partitionMetadataVersion is PartitionMetadataFile.CURRENT_VERSION.
const partitionMetadataVersion = 0

// WritePartitionMetadata atomically replaces the partition.metadata at path.
func WritePartitionMetadata(path string, topicID UUID) error {
	return WriteFileAtomic(path, EncodePartitionMetadata(topicID))
}

// EncodePartitionMetadata returns Kafka's PartitionMetadata.encode():
// "version: 0\ntopic_id: <id>", with no newline after the id.
func EncodePartitionMetadata(topicID UUID) []byte {
	return []byte("version: " + strconv.Itoa(partitionMetadataVersion) + "\ntopic_id: " + topicID.String())
}

// ReadPartitionMetadata reads the topic id from the partition.metadata at
// path. A missing file is an error wrapping fs.ErrNotExist; bad content is
// an error wrapping ErrMalformed.
func ReadPartitionMetadata(path string) (UUID, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return UUID{}, fmt.Errorf("checkpoint: read %s: %w", path, err)
	}
	id, err := ParsePartitionMetadata(data)
	if err != nil {
		return UUID{}, fmt.Errorf("checkpoint: %s: %w", path, err)
	}
	return id, nil
}

// ParsePartitionMetadata parses the bytes of a partition.metadata file the
// way Kafka's PartitionMetadataReadBuffer does: a "version: <n>" line with
// n >= 0 (newer versions are read for downgrade safety), then a
// "topic_id: <uuid>" line holding a non-zero id; keys and values are
// separated by ':' and at least one whitespace. Later lines are ignored.
func ParsePartitionMetadata(data []byte) (UUID, error) {
	if !utf8.Valid(data) {
		return UUID{}, fmt.Errorf("%w: not UTF-8", ErrMalformed)
	}
	lines := splitJavaLines(string(data))
	if len(lines) < 2 {
		return UUID{}, fmt.Errorf("%w: partition metadata has %d lines, want 2", ErrMalformed, len(lines))
	}
	version, err := metadataValue(lines[0], "version")
	if err != nil {
		return UUID{}, err
	}
	if v, err := strconv.ParseInt(version, 10, 32); err != nil || v < partitionMetadataVersion {
		return UUID{}, fmt.Errorf("%w: partition metadata version %q", ErrMalformed, version)
	}
	return parseTopicIDLine(lines[1])
}

func parseTopicIDLine(line string) (UUID, error) {
	text, err := metadataValue(line, "topic_id")
	if err != nil {
		return UUID{}, err
	}
	id, err := ParseUUID(text)
	if err != nil {
		return UUID{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if id.IsZero() {
		return UUID{}, fmt.Errorf("%w: zero topic id", ErrMalformed)
	}
	return id, nil
}

// metadataValue splits line like Pattern.compile(":\\s+").split(line, 2)
// and returns the value if the part before the separator is key. As key holds
// no ':', that means line starts with key, ':' and whitespace.
func metadataValue(line, key string) (string, error) {
	rest, ok := strings.CutPrefix(line, key+":")
	if !ok || rest == "" || !isJavaSpace(rest[0]) {
		return "", fmt.Errorf("%w: partition metadata line %q, want %q", ErrMalformed, line, key+": ")
	}
	for rest != "" && isJavaSpace(rest[0]) {
		rest = rest[1:]
	}
	return rest, nil
}
