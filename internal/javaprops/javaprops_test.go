package javaprops

import (
	"reflect"
	"testing"
)

func TestParse(t *testing.T) {
	for name, tc := range map[string]struct {
		in   string
		want map[string]string
	}{
		"separators":     {"a=1\nb:2\nc 3\nd = 4\ne : 5\nf\t=\t6\n", map[string]string{"a": "1", "b": "2", "c": "3", "d": "4", "e": "5", "f": "6"}},
		"second sep":     {"a==1\nb = =2\n", map[string]string{"a": "=1", "b": "=2"}},
		"key only":       {"a\nb=\n", map[string]string{"a": "", "b": ""}},
		"comments":       {"# x=1\n! y=2\n  # z=3\nw=4\n", map[string]string{"w": "4"}},
		"escaped key":    {"a\\=b\\ c=d\n", map[string]string{"a=b c": "d"}},
		"continuation":   {"a=1\\\n   2\\\n3\n", map[string]string{"a": "123"}},
		"even backslash": {"a=1\\\\\nb=2\n", map[string]string{"a": "1\\", "b": "2"}},
		"comment inside": {"a=1\\\n#2\n", map[string]string{"a": "1#2"}},
		"eof backslash":  {"a=1\\", map[string]string{"a": "1"}},
		"escapes":        {"a=\\t\\n\\r\\f\\q\\u00e9\n", map[string]string{"a": "\t\n\r\fqé"}},
		"trailing space": {"a=1  \n", map[string]string{"a": "1  "}},
	} {
		got, err := Parse(tc.in)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: Parse(%q) = %q, %v; want %q", name, tc.in, got, err, tc.want)
		}
	}
}

func TestParseTrimmed(t *testing.T) {
	for in, want := range map[string]map[string]string{
		"a=1  \n":     {"a": "1"},
		`k=\ v\ `:     {"k": " v "},
		"k = v \\ \n": {"k": "v  "}, // the escaped space stays
		"k=\t v\t\n":  {"k": "v"},
		"k=v\\\n":     {"k": "v"},
	} {
		got, err := ParseTrimmed(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseTrimmed(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestBadUnicodeEscape(t *testing.T) {
	for _, in := range []string{`a=\u12`, `a=\uzzzz`} {
		if _, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) accepted a bad \\u escape", in)
		}
	}
}

// FuzzRoundTrip: Parse never panics, and any key and value survive Escape
// then Parse.
func FuzzRoundTrip(f *testing.F) {
	f.Add("k", "v")
	f.Add(" k=:#!", "\t\n x ")
	f.Fuzz(func(t *testing.T, k, v string) {
		_, _ = Parse(k + "=" + v)
		if k == "" {
			return
		}
		got, err := Parse(Escape(k, true) + "=" + Escape(v, false) + "\n")
		if err != nil || len(got) != 1 || got[k] != v {
			t.Fatalf("round trip of %q=%q: %q, %v", k, v, got, err)
		}
	})
}
