package checkpoint

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"
)

// checkpointVersion is the only version of Kafka's CheckpointFile formats
// (OffsetCheckpointFile and LeaderEpochCheckpointFile CURRENT_VERSION).
const checkpointVersion = 0

// encodeCheckpoint lays out Kafka's CheckpointFile: the version, the entry
// count and one entry per line, each line ended by '\n'.
func encodeCheckpoint(entries []string) []byte {
	var b strings.Builder
	b.WriteString(strconv.Itoa(checkpointVersion) + "\n")
	b.WriteString(strconv.Itoa(len(entries)) + "\n")
	for _, e := range entries {
		b.WriteString(e)
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// readCheckpointFile reads path and splits it into the whitespace-separated
// fields of each entry line. A missing file yields nil, nil.
func readCheckpointFile(path string) ([][]string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("checkpoint: read %s: %w", path, err)
	}
	entries, err := parseCheckpoint(data)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %s: %w", path, err)
	}
	return entries, nil
}

// parseCheckpoint follows Kafka's CheckpointReadBuffer: an empty file, or one
// holding only the version line, has no entries (Kafka creates checkpoint
// files empty); otherwise the version must be 0 and exactly count entry lines
// must follow, with nothing after them.
func parseCheckpoint(data []byte) ([][]string, error) {
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%w: not UTF-8", ErrMalformed)
	}
	lines := splitJavaLines(string(data))
	if len(lines) == 0 {
		return nil, nil
	}
	v, err := strconv.ParseInt(lines[0], 10, 32)
	if err != nil || v != checkpointVersion {
		return nil, fmt.Errorf("%w: version line %q, want %d", ErrMalformed, lines[0], checkpointVersion)
	}
	if len(lines) == 1 {
		return nil, nil
	}
	n, err := strconv.ParseInt(lines[1], 10, 32)
	if err != nil || n < 0 {
		return nil, fmt.Errorf("%w: count line %q", ErrMalformed, lines[1])
	}
	if int64(len(lines)-2) != n {
		return nil, fmt.Errorf("%w: expected %d entries, found %d", ErrMalformed, n, len(lines)-2)
	}
	entries := make([][]string, 0, n)
	for _, l := range lines[2:] {
		entries = append(entries, splitJavaWhitespace(l))
	}
	return entries, nil
}

// splitJavaLines splits like BufferedReader.readLine: lines end at "\n",
// "\r" or "\r\n", and a final terminator does not start another line.
func splitJavaLines(s string) []string {
	var lines []string
	for s != "" {
		i := strings.IndexAny(s, "\r\n")
		if i < 0 {
			return append(lines, s)
		}
		lines = append(lines, s[:i])
		if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			i++
		}
		s = s[i+1:]
	}
	return lines
}

// isJavaSpace reports whether c is in the regex class \s of java.util.regex.
func isJavaSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// splitJavaWhitespace splits like Pattern.compile("\\s+").split(line): a
// leading run of whitespace yields an empty first field, trailing whitespace
// yields nothing.
func splitJavaWhitespace(line string) []string {
	var fields []string
	if line != "" && isJavaSpace(line[0]) {
		fields = append(fields, "")
	}
	i := 0
	for {
		for i < len(line) && isJavaSpace(line[i]) {
			i++
		}
		if i == len(line) {
			break
		}
		j := i
		for j < len(line) && !isJavaSpace(line[j]) {
			j++
		}
		fields = append(fields, line[i:j])
		i = j
	}
	if len(fields) == 0 {
		return []string{""}
	}
	return fields
}

// hasJavaSpace reports whether s holds a character that would split it.
func hasJavaSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		if isJavaSpace(s[i]) {
			return true
		}
	}
	return false
}
