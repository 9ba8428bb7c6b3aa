// Package javaprops reads and writes Java .properties text as
// java.util.Properties does. It owns the syntax only; what the keys mean
// belongs to its callers (server.properties in config, meta.properties in
// storage/checkpoint).
package javaprops

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// ErrSyntax marks text that is not valid .properties syntax.
var ErrSyntax = errors.New("javaprops: syntax error")

// Parse reads text as Properties.load does: blank lines and lines starting
// with '#' or '!' are skipped, a line ending in an odd number of
// backslashes continues on the next (whose leading whitespace is dropped),
// the key ends at the first unescaped '=', ':' or whitespace, and escapes
// (\t \n \r \f \uXXXX, backslash before any other character) are decoded.
// A later key overrides an earlier one.
func Parse(text string) (map[string]string, error) { return parse(text, false) }

// ParseTrimmed is Parse, but trailing unescaped whitespace of values is
// dropped too, as Kafka does when it parses config values; escaped
// whitespace ("\ ") is kept.
func ParseTrimmed(text string) (map[string]string, error) { return parse(text, true) }

func parse(text string, trim bool) (map[string]string, error) {
	props := make(map[string]string)
	for n, line := range logicalLines(text) {
		k, v := split(line)
		if trim {
			v = trimRightSpace(v)
		}
		key, err := Unescape(k)
		if err != nil {
			return nil, fmt.Errorf("entry %d: %w", n+1, err)
		}
		value, err := Unescape(v)
		if err != nil {
			return nil, fmt.Errorf("entry %d: %w", n+1, err)
		}
		props[key] = value
	}
	return props, nil
}

// isSpace is the whitespace of Properties.load: space, tab, form feed.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\f' }

func trimLeftSpace(s string) string {
	for s != "" && isSpace(s[0]) {
		s = s[1:]
	}
	return s
}

// trimRightSpace drops trailing whitespace that is not escaped.
func trimRightSpace(s string) string {
	for s != "" && isSpace(s[len(s)-1]) && trailingBackslashes(s[:len(s)-1])%2 == 0 {
		s = s[:len(s)-1]
	}
	return s
}

// lines splits at \n, \r and \r\n, as Java's LineReader does.
func lines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Split(strings.ReplaceAll(s, "\r", "\n"), "\n")
}

// logicalLines joins continued lines, drops comments and blank lines and
// strips leading whitespace, leaving escapes in place.
func logicalLines(text string) []string {
	var out []string
	var cur strings.Builder
	continuing := false
	for _, raw := range lines(text) {
		line := trimLeftSpace(raw)
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

// split splits a logical line into its still-escaped key and value.
func split(line string) (key, value string) {
	i := 0
	for i < len(line) {
		c := line[i]
		if c == '\\' {
			i += 2
			continue
		}
		if c == '=' || c == ':' || isSpace(c) {
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
		return key, trimLeftSpace(line[i+1:])
	}
	// The key ended at whitespace: one '=' or ':' may still follow it.
	value = trimLeftSpace(line[i:])
	if value != "" && (value[0] == '=' || value[0] == ':') {
		value = trimLeftSpace(value[1:])
	}
	return key, value
}

// Unescape is Properties.loadConvert: \t \n \r \f, \uXXXX, and a backslash
// before any other character stands for that character. A lone trailing
// backslash is dropped.
func Unescape(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		if i++; i == len(s) {
			break
		}
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
			r, n, err := unicodeEscape(s[i+1:])
			if err != nil {
				return "", fmt.Errorf("%w in %q", err, s)
			}
			b.WriteRune(r)
			i += n
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// unicodeEscape decodes the four hex digits after "\\u", and the low half
// of a UTF-16 surrogate pair when another "\\uXXXX" follows a high half.
// It returns the rune and how many bytes after the 'u' it used.
func unicodeEscape(s string) (rune, int, error) {
	hex := func(s string) (rune, error) {
		if len(s) < 4 {
			return 0, fmt.Errorf("%w: short \\u escape", ErrSyntax)
		}
		v, err := strconv.ParseUint(s[:4], 16, 16)
		if err != nil {
			return 0, fmt.Errorf("%w: bad \\u escape", ErrSyntax)
		}
		return rune(v), nil
	}
	r, err := hex(s)
	if err != nil {
		return 0, 0, err
	}
	if utf16.IsSurrogate(r) && len(s) >= 10 && s[4:6] == `\u` {
		if lo, err := hex(s[6:]); err == nil {
			if pair := utf16.DecodeRune(r, lo); pair != utf8.RuneError {
				return pair, 10, nil
			}
		}
	}
	return r, 4, nil
}

// Escape is Properties.saveConvert when storing to a Writer (no \uXXXX
// escapes): a backslash before '\\', '=', ':', '#', '!', escapes for tab,
// newline, return and form feed, and a backslash before a space when it
// leads the string or, in keys, anywhere. Unlike Java it also escapes
// trailing spaces, so ParseTrimmed reads the value back whole; Java reads
// the result the same either way.
func Escape(s string, isKey bool) string {
	var b strings.Builder
	last := len(strings.TrimRight(s, " "))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ' ':
			if i == 0 || isKey || i >= last {
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
