package config

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ParseProperties reads Java .properties syntax: '#' and '!' comment lines,
// "key=value", "key: value" and "key value" pairs, backslash escapes
// (\t \n \r \f \uXXXX, and \ before any other character), and logical lines
// continued by an odd number of trailing backslashes (leading whitespace of
// the continuation line is dropped). Whitespace around keys and values is
// trimmed; escaped whitespace is kept. Later duplicates win. Input is read as
// UTF-8 (java.util.Properties.load(Reader)).
func ParseProperties(r io.Reader) (map[string]string, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("config: reading properties: %w", err)
	}
	lines := naturalLines(string(data))
	out := map[string]string{}
	for i := 0; i < len(lines); i++ {
		line := trimLeftWS(lines[i])
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue
		}
		for continued(line) && i+1 < len(lines) {
			i++
			line = line[:len(line)-1] + trimLeftWS(lines[i])
		}
		if continued(line) {
			line = line[:len(line)-1]
		}
		k, v, err := splitPair(line)
		if err != nil {
			return nil, fmt.Errorf("config: properties line %d: %w", i+1, err)
		}
		out[k] = v
	}
	return out, nil
}

// naturalLines splits s at \n, \r and \r\n.
func naturalLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Split(s, "\n")
}

func isWS(c byte) bool { return c == ' ' || c == '\t' || c == '\f' }

func trimLeftWS(s string) string {
	i := 0
	for i < len(s) && isWS(s[i]) {
		i++
	}
	return s[i:]
}

// continued reports whether line ends in an odd number of backslashes.
func continued(line string) bool {
	n := 0
	for i := len(line) - 1; i >= 0 && line[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

// splitPair splits a logical line into its unescaped key and value.
func splitPair(line string) (string, string, error) {
	i := 0
	for i < len(line) {
		c := line[i]
		if c == '\\' {
			i += 2
			continue
		}
		if c == '=' || c == ':' || isWS(c) {
			break
		}
		i++
	}
	i = min(i, len(line))
	key := line[:i]
	j := i
	for j < len(line) && isWS(line[j]) {
		j++
	}
	if j < len(line) && (line[j] == '=' || line[j] == ':') {
		j++
	}
	for j < len(line) && isWS(line[j]) {
		j++
	}
	k, err := unescape(key)
	if err != nil {
		return "", "", err
	}
	v, err := unescape(line[j:])
	return k, v, err
}

// unescape decodes backslash escapes and drops trailing unescaped whitespace.
func unescape(s string) (string, error) {
	var b strings.Builder
	keep := 0 // length of b up to the last escaped or non-space char
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			if !isWS(c) {
				keep = b.Len()
			}
			continue
		}
		i++
		if i == len(s) {
			break
		}
		n, err := writeEscape(&b, s[i:])
		if err != nil {
			return "", err
		}
		i += n - 1
		keep = b.Len()
	}
	return b.String()[:keep], nil
}

// writeEscape decodes the escape starting at s[0] (after the backslash) and
// returns how many bytes it consumed.
func writeEscape(b *strings.Builder, s string) (int, error) {
	switch s[0] {
	case 't':
		b.WriteByte('\t')
	case 'n':
		b.WriteByte('\n')
	case 'r':
		b.WriteByte('\r')
	case 'f':
		b.WriteByte('\f')
	case 'u':
		return writeUnicode(b, s)
	default:
		_, size := utf8.DecodeRuneInString(s)
		b.WriteString(s[:size])
		return size, nil
	}
	return 1, nil
}

// writeUnicode decodes \uXXXX, combining UTF-16 surrogate pairs.
func writeUnicode(b *strings.Builder, s string) (int, error) {
	if len(s) < 5 {
		return 0, fmt.Errorf("malformed \\uxxxx encoding")
	}
	u, err := strconv.ParseUint(s[1:5], 16, 16)
	if err != nil {
		return 0, fmt.Errorf("malformed \\uxxxx encoding")
	}
	r := rune(u)
	if r >= 0xD800 && r < 0xDC00 && len(s) >= 11 && s[5] == '\\' && s[6] == 'u' {
		if lo, err := strconv.ParseUint(s[7:11], 16, 16); err == nil && lo >= 0xDC00 && lo < 0xE000 {
			b.WriteRune((r-0xD800)<<10 + (rune(lo) - 0xDC00) + 0x10000)
			return 11, nil
		}
	}
	b.WriteRune(r)
	return 5, nil
}

// FormatProperties writes m in .properties syntax, keys sorted, escaping so
// that ParseProperties returns m again.
func FormatProperties(m map[string]string) []byte {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(escape(k, true))
		b.WriteByte('=')
		b.WriteString(escape(m[k], false))
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// escape escapes s for a key (all whitespace, separators) or value (leading
// and trailing whitespace). Bytes other than the escaped ASCII ones are
// written unchanged, so invalid UTF-8 survives a round trip.
func escape(s string, key bool) string {
	var b strings.Builder
	last := len(strings.TrimRight(s, " \t\f"))
	for i := 0; i < len(s); i++ {
		c := s[i]
		edge := key || i == 0 || i >= last
		switch {
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t' && edge:
			b.WriteString(`\t`)
		case c == '\f' && edge:
			b.WriteString(`\f`)
		case c == ' ' && edge:
			b.WriteString(`\ `)
		case (c == '=' || c == ':' || c == '#' || c == '!') && (key || i == 0):
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
