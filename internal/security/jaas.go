package security

import (
	"fmt"
	"strings"
	"unicode"
)

// JAAS is one login module entry of a sasl.jaas.config value:
// `module flag key="value" key=value;`.
type JAAS struct {
	Module  string
	Flag    string
	Options map[string]string
}

// ParseJAAS parses a sasl.jaas.config value holding exactly one module.
// Errors never quote option values (they hold passwords).
func ParseJAAS(s string) (*JAAS, error) {
	toks, err := jaasTokens(s)
	if err != nil {
		return nil, err
	}
	if len(toks) < 3 || toks[len(toks)-1] != ";" {
		return nil, fmt.Errorf("security: sasl.jaas.config: expected `module flag options;`")
	}
	j := &JAAS{Module: toks[0], Flag: toks[1], Options: map[string]string{}}
	opts := toks[2 : len(toks)-1]
	for i := 0; i < len(opts); i += 3 {
		if i+2 >= len(opts) || opts[i+1] != "=" {
			return nil, fmt.Errorf("security: sasl.jaas.config: malformed option after %q", j.Module)
		}
		j.Options[opts[i]] = opts[i+2]
	}
	return j, nil
}

// jaasTokens splits s into words, quoted strings, "=" and ";".
func jaasTokens(s string) ([]string, error) {
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case unicode.IsSpace(rune(c)):
			i++
		case c == '=' || c == ';':
			toks = append(toks, string(c))
			i++
		case c == '"':
			end := strings.IndexByte(s[i+1:], '"')
			if end < 0 {
				return nil, fmt.Errorf("security: sasl.jaas.config: unterminated quoted value")
			}
			toks = append(toks, s[i+1:i+1+end])
			i += end + 2
		default:
			j := i
			for j < len(s) && !unicode.IsSpace(rune(s[j])) && s[j] != '=' && s[j] != ';' && s[j] != '"' {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		}
	}
	return toks, nil
}

// PlainUsers returns the user_<name>="<password>" options of a
// PlainLoginModule entry.
func (j *JAAS) PlainUsers() map[string]string {
	users := map[string]string{}
	for k, v := range j.Options {
		if name, ok := strings.CutPrefix(k, "user_"); ok {
			users[name] = v
		}
	}
	return users
}
