package config

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/gofka/gofka/internal/javaprops"
)

// ParseProperties reads Java .properties syntax (see javaprops.Parse), as
// Kafka reads server.properties, trimming trailing unescaped whitespace from
// values as Kafka does when it parses them. Input is read as UTF-8
// (java.util.Properties.load(Reader)).
func ParseProperties(r io.Reader) (map[string]string, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("config: reading properties: %w", err)
	}
	m, err := javaprops.ParseTrimmed(string(data))
	if err != nil {
		return nil, fmt.Errorf("config: properties: %w", err)
	}
	return m, nil
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
		b.WriteString(javaprops.Escape(k, true))
		b.WriteByte('=')
		b.WriteString(javaprops.Escape(m[k], false))
		b.WriteByte('\n')
	}
	return []byte(b.String())
}
