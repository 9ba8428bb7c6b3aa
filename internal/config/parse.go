package config

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// commaSep splits list values the way Kafka does: commas with any
// surrounding whitespace.
var commaSep = regexp.MustCompile(`\s*,\s*`)

// splitList parses a List value: empty (after trimming) is the empty list.
func splitList(v string) []string {
	v = strings.TrimSpace(v)
	if v == "" {
		return []string{}
	}
	return commaSep.Split(v, -1)
}

// typeCheck reports why v is not a valid value of type t ("" if it is).
// Values are trimmed first, as Kafka's ConfigDef does.
func typeCheck(t Type, v string) error {
	v = strings.TrimSpace(v)
	var err error
	switch t {
	case Boolean:
		if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
			err = fmt.Errorf("value %q is not a boolean (true or false)", v)
		}
	case Int:
		_, err = parseInt(v, 32, "an int")
	case Short:
		_, err = parseInt(v, 16, "a short")
	case Long:
		_, err = parseInt(v, 64, "a long")
	case Double:
		if _, perr := strconv.ParseFloat(v, 64); perr != nil {
			err = fmt.Errorf("value %q is not a double", v)
		}
	}
	return err
}

func parseInt(v string, bits int, what string) (int64, error) {
	n, err := strconv.ParseInt(v, 10, bits)
	if err != nil {
		return 0, fmt.Errorf("value %q is not %s", v, what)
	}
	return n, nil
}

// check validates v (non-nil) against d: type first, then d.Validate.
func (d *Def) check(v string) error {
	if err := typeCheck(d.Type, v); err != nil {
		return invalidErr(d.Name, err.Error())
	}
	if d.Validate == nil {
		return nil
	}
	if err := d.Validate(strings.TrimSpace(v)); err != nil {
		return invalidErr(d.Name, err.Error())
	}
	return nil
}

// Check validates value v for this property: it must parse as the Def's type
// and pass its validator. The error wraps ErrInvalid and names the property.
func (d *Def) Check(v string) error { return d.check(v) }

// mustInt parses an already validated integer value.
func mustInt(v string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		panic("config: unvalidated integer " + strconv.Quote(v))
	}
	return n
}

// mustFloat parses an already validated double value.
func mustFloat(v string) float64 {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil {
		panic("config: unvalidated double " + strconv.Quote(v))
	}
	return f
}

// mustBool parses an already validated boolean value.
func mustBool(v string) bool { return strings.EqualFold(strings.TrimSpace(v), "true") }

// formatLong formats an int64 the way Kafka prints a long default.
func formatLong(n int64) string { return strconv.FormatInt(n, 10) }

// maxLong and maxInt are Kafka's Long.MAX_VALUE and Integer.MAX_VALUE defaults.
var (
	maxLong = formatLong(math.MaxInt64)
	maxInt  = formatLong(math.MaxInt32)
)
