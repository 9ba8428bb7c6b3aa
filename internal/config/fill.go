package config

import (
	"fmt"
	"reflect"
	"strings"
)

// fill sets every `config`-tagged field of the struct dst points to from
// get(name); get returns nil for a null value (the field keeps its zero
// value). Values must already be validated.
func fill(dst any, get func(name string) *string) {
	v := reflect.ValueOf(dst).Elem()
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		name := t.Field(i).Tag.Get("config")
		if name == "" {
			continue
		}
		if s := get(name); s != nil {
			setField(v.Field(i), name, *s)
		}
	}
}

// setField parses s into f according to f's Go kind.
func setField(f reflect.Value, name, s string) {
	switch f.Kind() {
	case reflect.Int16, reflect.Int32, reflect.Int64, reflect.Int:
		f.SetInt(mustInt(s))
	case reflect.Float64:
		f.SetFloat(mustFloat(s))
	case reflect.Bool:
		f.SetBool(mustBool(s))
	case reflect.String:
		f.SetString(strings.TrimSpace(s))
	case reflect.Slice:
		f.Set(reflect.ValueOf(splitList(s)))
	default:
		panic(fmt.Sprintf("config: field for %s has unsupported kind %s", name, f.Kind()))
	}
}

// taggedNames lists the `config` tags of the struct type of v.
func taggedNames(v any) []string {
	t := reflect.TypeOf(v)
	var out []string
	for i := 0; i < t.NumField(); i++ {
		if name := t.Field(i).Tag.Get("config"); name != "" {
			out = append(out, name)
		}
	}
	return out
}
