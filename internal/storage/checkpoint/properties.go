package checkpoint

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// javaDateLayout is java.util.Date.toString(): "EEE MMM dd HH:mm:ss zzz yyyy".
const javaDateLayout = "Mon Jan 02 15:04:05 MST 2006"

// property is one key=value pair of a Java .properties file.
type property struct{ key, value string }

// encodeProperties writes props the way Kafka's PropertiesUtils does,
// Properties.store(writer, ""): an empty "#" comment line, a "#<date>" line,
// then "key=value" lines in the order given, keys and values escaped as
// Properties.store escapes them (no \uXXXX escapes when writing to a Writer).
func encodeProperties(props []property, now time.Time) []byte {
	var b strings.Builder
	b.WriteString("#\n#" + now.Format(javaDateLayout) + "\n")
	for _, p := range props {
		b.WriteString(escapeProperty(p.key, true) + "=" + escapeProperty(p.value, false) + "\n")
	}
	return []byte(b.String())
}

// escapeProperty is Properties.saveConvert without unicode escapes: a
// backslash before '\\', '=', ':', '#', '!', escapes for tab, newline,
// return and form feed, and a backslash before a space when it leads the
// string or, in keys, anywhere.
func escapeProperty(s string, isKey bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ' ':
			if i == 0 || isKey {
				b.WriteByte('\\')
			}
			b.WriteByte(' ')
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\f':
			b.WriteString(`\f`)
		case '\\', '=', ':', '#', '!':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// parseProperties reads a Java .properties file like Properties.load: blank
// lines and lines starting with '#' or '!' are skipped, a line ending in an
// odd number of backslashes continues on the next, the key ends at the first
// unescaped '=', ':' or whitespace, and escapes are decoded. A later key
// overrides an earlier one.
func parseProperties(data string) (map[string]string, error) {
	props := make(map[string]string)
	for _, line := range logicalPropertyLines(data) {
		k, v := splitProperty(line)
		key, err := unescapeProperty(k)
		if err != nil {
			return nil, err
		}
		value, err := unescapeProperty(v)
		if err != nil {
			return nil, err
		}
		props[key] = value
	}
	return props, nil
}

// isPropertySpace is the whitespace of Properties.load: space, tab, form feed.
func isPropertySpace(c byte) bool { return c == ' ' || c == '\t' || c == '\f' }

func trimPropertySpace(s string) string {
	for s != "" && isPropertySpace(s[0]) {
		s = s[1:]
	}
	return s
}

// logicalPropertyLines joins continued lines, drops comments and blank lines
// and strips leading whitespace, leaving escapes in place.
func logicalPropertyLines(data string) []string {
	var out []string
	var cur strings.Builder
	continuing := false
	for _, raw := range splitJavaLines(data) {
		line := trimPropertySpace(raw)
		if !continuing && (line == "" || line[0] == '#' || line[0] == '!') {
			continue
		}
		cont := trailingBackslashes(line)%2 == 1
		if cont {
			line = line[:len(line)-1]
		}
		cur.WriteString(line)
		if continuing = cont; !cont {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	if continuing {
		out = append(out, cur.String())
	}
	return out
}

func trailingBackslashes(s string) int {
	n := 0
	for n < len(s) && s[len(s)-1-n] == '\\' {
		n++
	}
	return n
}

// splitProperty splits a logical line into its still-escaped key and value.
func splitProperty(line string) (key, value string) {
	i := 0
	for i < len(line) {
		c := line[i]
		if c == '\\' {
			i += 2
			continue
		}
		if c == '=' || c == ':' || isPropertySpace(c) {
			break
		}
		i++
	}
	i = min(i, len(line))
	key = line[:i]
	switch {
	case i == len(line):
		return key, ""
	case line[i] == '=' || line[i] == ':':
		return key, trimPropertySpace(line[i+1:])
	}
	// The key ended at whitespace: one '=' or ':' may still follow it.
	value = trimPropertySpace(line[i:])
	if value != "" && (value[0] == '=' || value[0] == ':') {
		value = trimPropertySpace(value[1:])
	}
	return key, value
}

// unescapeProperty is Properties.loadConvert: \t \n \r \f, \uXXXX, and a
// backslash before any other character stands for that character.
func unescapeProperty(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch c := s[i]; c {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 'f':
			b.WriteByte('\f')
		case 'u':
			r, err := strconv.ParseUint(s[i+1:min(i+5, len(s))], 16, 16)
			if err != nil || i+5 > len(s) {
				return "", fmt.Errorf("%w: bad \\u escape in %q", ErrMalformed, s)
			}
			b.WriteRune(rune(r))
			i += 4
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// javaPropertiesBins is the table size of a new java.util.Properties'
// ConcurrentHashMap (initial capacity 8), which stays 16 up to 12 keys.
const javaPropertiesBins = 16

// javaStoreOrder sorts props into the order Properties.store writes them on
// the Java 17 runtime Kafka runs on: the iteration order of the backing
// ConcurrentHashMap, by hash bin, then by insertion within a bin. For
// meta.properties v1 that is node.id, directory.id, version, cluster.id.
// (Java 18+ sorts keys instead; readers accept any order.)
func javaStoreOrder(props []property) []property {
	out := make([]property, 0, len(props))
	for bin := range javaPropertiesBins {
		for _, p := range props {
			if javaSpreadHash(p.key)%javaPropertiesBins == bin {
				out = append(out, p)
			}
		}
	}
	return out
}

// javaSpreadHash is ConcurrentHashMap.spread(key.hashCode()) for a key of
// Latin-1 characters, as meta.properties keys are.
func javaSpreadHash(s string) int {
	var h int32
	for i := 0; i < len(s); i++ {
		h = 31*h + int32(s[i])
	}
	u := uint32(h)
	return int((u ^ u>>16) & 0x7fffffff)
}
