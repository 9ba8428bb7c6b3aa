package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// schema is one Kafka message schema file.
type schema struct {
	APIKey           *int16  `json:"apiKey"`
	Type             string  `json:"type"`
	Name             string  `json:"name"`
	ValidVersions    string  `json:"validVersions"`
	FlexibleVersions string  `json:"flexibleVersions"`
	Fields           []field `json:"fields"`
	CommonStructs    []field `json:"commonStructs"`
}

// field is one field of a schema or of a nested struct.
type field struct {
	Name             string          `json:"name"`
	Type             string          `json:"type"`
	Versions         string          `json:"versions"`
	NullableVersions string          `json:"nullableVersions"`
	TaggedVersions   string          `json:"taggedVersions"`
	Tag              json.RawMessage `json:"tag"`
	Default          json.RawMessage `json:"default"`
	About            string          `json:"about"`
	Fields           []field         `json:"fields"`
}

// loadSchemas reads every *.json file in dir whose schema name starts
// with include, sorted by api key (schemas without one by name).
func loadSchemas(dir, include string) ([]*schema, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	var out []*schema
	for _, p := range paths {
		s, err := loadSchema(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if strings.HasPrefix(s.Name, include) {
			out = append(out, s)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return schemaLess(out[i], out[j]) })
	return out, nil
}

func schemaLess(a, b *schema) bool {
	switch {
	case a.APIKey != nil && b.APIKey != nil:
		return *a.APIKey < *b.APIKey
	case a.APIKey != nil || b.APIKey != nil:
		return a.APIKey != nil
	}
	return a.Name < b.Name
}

// loadSchema parses one schema file after removing its // comment lines.
func loadSchema(path string) (*schema, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var b strings.Builder
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<22)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(line), "//") {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	var s schema
	if err := json.Unmarshal([]byte(b.String()), &s); err != nil {
		return nil, err
	}
	if s.APIKey == nil && s.Type != "data" {
		return nil, fmt.Errorf("no apiKey")
	}
	return &s, nil
}

// rawString returns a JSON string's contents or the raw token text otherwise.
func rawString(m json.RawMessage) (string, bool) {
	if len(m) == 0 {
		return "", false
	}
	var s string
	if err := json.Unmarshal(m, &s); err == nil {
		return s, true
	}
	return string(m), true
}

// tagNumber parses a field's tag, written as a number or a string.
func (f *field) tagNumber() (int, error) {
	s, ok := rawString(f.Tag)
	if !ok {
		return -1, nil
	}
	return strconv.Atoi(s)
}

// vrange is a version range from a schema: "none", "N", "N+" or "N-M".
type vrange struct {
	none   bool
	lo, hi int // hi < 0 means open-ended
}

// parseRange parses a version range; "" is treated as none.
func parseRange(s string) (vrange, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "" || s == "none":
		return vrange{none: true}, nil
	case strings.HasSuffix(s, "+"):
		lo, err := strconv.Atoi(strings.TrimSuffix(s, "+"))
		return vrange{lo: lo, hi: -1}, err
	case strings.Contains(s, "-"):
		parts := strings.SplitN(s, "-", 2)
		lo, err1 := strconv.Atoi(parts[0])
		hi, err2 := strconv.Atoi(parts[1])
		if err1 != nil || err2 != nil {
			return vrange{}, fmt.Errorf("bad version range %q", s)
		}
		return vrange{lo: lo, hi: hi}, nil
	default:
		v, err := strconv.Atoi(s)
		return vrange{lo: v, hi: v}, err
	}
}

// cond renders a Go boolean expression testing whether `version` is in r.
func (r vrange) cond() string {
	switch {
	case r.none:
		return "false"
	case r.hi < 0 && r.lo == 0:
		return "true"
	case r.hi < 0:
		return fmt.Sprintf("version >= %d", r.lo)
	case r.lo == r.hi:
		return fmt.Sprintf("version == %d", r.lo)
	default:
		return fmt.Sprintf("(version >= %d && version <= %d)", r.lo, r.hi)
	}
}

// mustRange parses a range and panics on error (schemas are trusted input).
func mustRange(s string) vrange {
	r, err := parseRange(s)
	if err != nil {
		panic(err)
	}
	return r
}

// covers reports whether every version in o is also in r.
func (r vrange) covers(o vrange) bool {
	switch {
	case o.none:
		return true
	case r.none || o.lo < r.lo:
		return false
	case r.hi < 0:
		return true
	}
	return o.hi >= 0 && o.hi <= r.hi
}
