package checkpoint

import (
	"fmt"
	"strconv"
	"strings"
)

// maxTopicLength is Kafka's limit on a topic name (Topic.MAX_NAME_LENGTH).
const maxTopicLength = 249

// TopicPartition names one partition.
type TopicPartition struct {
	Topic     string
	Partition int32
}

// String returns "<topic>-<partition>", which is also the partition's
// directory name inside a log dir.
func (tp TopicPartition) String() string {
	return tp.Topic + "-" + strconv.FormatInt(int64(tp.Partition), 10)
}

// ParseDirName parses a partition directory name "<topic>-<partition>". The
// topic may itself contain '-': the partition is what follows the last one.
// The topic must be a legal Kafka topic name and the partition a canonical
// non-negative decimal, so names with Kafka's "-delete", "-future" or
// "-stray" suffixes (e.g. "x-1.abc-delete") and stray files are rejected.
func ParseDirName(name string) (TopicPartition, error) {
	i := strings.LastIndexByte(name, '-')
	if i < 0 {
		return TopicPartition{}, fmt.Errorf("%w: dir name %q has no '-'", ErrInvalidTopicPartition, name)
	}
	topic, part := name[:i], name[i+1:]
	if err := validateTopicName(topic); err != nil {
		return TopicPartition{}, fmt.Errorf("%w: dir name %q: %v", ErrInvalidTopicPartition, name, err)
	}
	p, ok := parseCanonicalPartition(part)
	if !ok {
		return TopicPartition{}, fmt.Errorf("%w: dir name %q: bad partition %q", ErrInvalidTopicPartition, name, part)
	}
	return TopicPartition{Topic: topic, Partition: p}, nil
}

// parseCanonicalPartition accepts the digits strconv would print for a
// non-negative int32: no sign, no leading zeros.
func parseCanonicalPartition(s string) (int32, bool) {
	if s == "" || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 32)
	return int32(n), err == nil
}

// validateTopicName applies Kafka's Topic.validate: 1..249 characters of
// [a-zA-Z0-9._-], and neither "." nor "..".
func validateTopicName(t string) error {
	switch {
	case t == "":
		return fmt.Errorf("empty topic")
	case t == "." || t == "..":
		return fmt.Errorf("topic %q is not allowed", t)
	case len(t) > maxTopicLength:
		return fmt.Errorf("topic longer than %d characters", maxTopicLength)
	}
	for i := 0; i < len(t); i++ {
		if !isTopicChar(t[i]) {
			return fmt.Errorf("topic %q has illegal character %q", t, t[i])
		}
	}
	return nil
}

func isTopicChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '.' || c == '_' || c == '-'
}
