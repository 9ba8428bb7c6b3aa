package config

import (
	"bytes"
	"maps"
	"strings"
	"testing"
)

func TestParseProperties(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want map[string]string
	}{
		{"separators", "a=1\nb:2\nc 3\nd\t=\t4\ne = : 5", map[string]string{"a": "1", "b": "2", "c": "3", "d": "4", "e": ": 5"}},
		{"comments and blanks", "# c\n! c\n   # indented\n\n  \nk=v", map[string]string{"k": "v"}},
		{"key only", "flag\nempty=", map[string]string{"flag": "", "empty": ""}},
		{"whitespace trimmed", "  key  =  value  \t\n", map[string]string{"key": "value"}},
		{"escaped whitespace kept", `k=\ v\ `, map[string]string{"k": " v "}},
		{"escaped separators in key", `a\=b\:c\ d=e`, map[string]string{"a=b:c d": "e"}},
		{"escapes", `k=tab\there\nnl\\back\q`, map[string]string{"k": "tab\there\nnl\\backq"}},
		{"unicode", `k=\u00e9\u20AC`, map[string]string{"k": "é€"}},
		{"surrogate pair", `k=\ud83d\ude00`, map[string]string{"k": "😀"}},
		{"continuation", "k=a,\\\n    b,\\\n\tc", map[string]string{"k": "a,b,c"}},
		{"even backslashes do not continue", "k=a\\\\\nj=b", map[string]string{"k": `a\`, "j": "b"}},
		{"continuation into comment-like line", "k=a\\\n#b", map[string]string{"k": "a#b"}},
		{"comment does not continue", "# c \\\nk=v", map[string]string{"k": "v"}},
		{"trailing backslash at EOF", "k=v\\", map[string]string{"k": "v"}},
		{"CRLF and CR", "a=1\r\nb=2\rc=3", map[string]string{"a": "1", "b": "2", "c": "3"}},
		{"duplicate last wins", "k=1\nk=2", map[string]string{"k": "2"}},
		{"value keeps separators", "listeners=PLAINTEXT://:9092,SSL://h:9093", map[string]string{"listeners": "PLAINTEXT://:9092,SSL://h:9093"}},
		{"empty key", "=v", map[string]string{"": "v"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseProperties(strings.NewReader(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParsePropertiesMalformedUnicode(t *testing.T) {
	for _, in := range []string{`k=\u12`, `k=\uZZZZ`, `\u00=v`} {
		if _, err := ParseProperties(strings.NewReader(in)); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

func TestFormatPropertiesRoundTrip(t *testing.T) {
	m := map[string]string{"a b": " lead", "x=y:z": "trail \t", "#c": "!v", "nl": "a\nb\r", "back": `c:\dir\`, "": "e"}
	got, err := ParseProperties(bytes.NewReader(FormatProperties(m)))
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(got, m) {
		t.Errorf("got %q, want %q", got, m)
	}
}

func FuzzParseProperties(f *testing.F) {
	for _, s := range []string{"a=b\n", "# c\nk v\n", "k=a\\\n  b", `k=\u0041\t`, "a\\=b:c", "k=\\", "\r\n=\\u00zz", "  x  :  y  "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		m, err := ParseProperties(strings.NewReader(in))
		if err != nil {
			return
		}
		again, err := ParseProperties(bytes.NewReader(FormatProperties(m)))
		if err != nil {
			t.Fatalf("reparse: %v", err)
		}
		if !maps.Equal(m, again) {
			t.Fatalf("round trip:\n got %q\nwant %q", again, m)
		}
	})
}
