package main

import (
	"fmt"
	"strings"
)

// emitter accumulates generated Go source.
type emitter struct {
	b   strings.Builder
	err error
}

func (e *emitter) p(format string, args ...any) {
	fmt.Fprintf(&e.b, format, args...)
	e.b.WriteByte('\n')
}

func (e *emitter) fail(err error) {
	if err != nil && e.err == nil {
		e.err = err
	}
}

// appendFuncs names the append helper of each fixed-size kind.
var appendFuncs = map[string]string{
	"bool": "AppendBool", "int8": "AppendInt8", "int16": "AppendInt16", "int32": "AppendInt32",
	"int64": "AppendInt64", "uint16": "AppendUint16", "uint32": "AppendUint32",
	"float64": "AppendFloat64", "uuid": "AppendUUID",
}

// readFuncs names the reader method of each fixed-size kind.
var readFuncs = map[string]string{
	"bool": "Bool", "int8": "Int8", "int16": "Int16", "int32": "Int32", "int64": "Int64",
	"uint16": "Uint16", "uint32": "Uint32", "float64": "Float64", "uuid": "UUID",
}

// minSizes is the smallest encoding of an array element of each kind.
var minSizes = map[string]int{
	"bool": 1, "int8": 1, "int16": 2, "int32": 4, "int64": 8, "uint16": 2, "uint32": 4,
	"float64": 8, "uuid": 16, "string": 1, "struct": 1,
}

// emitStruct writes a struct type, its Default method and its codec methods.
func (e *emitter) emitStruct(s *gstruct) {
	e.emitType(s)
	e.emitDefault(s)
	if s.top != nil {
		e.emitTopMethods(s)
	}
	e.emitAppend(s)
	e.emitRead(s)
}

func (e *emitter) emitType(s *gstruct) {
	if s.top != nil && s.top.APIKey != nil {
		e.p("// %s is the KRaft metadata record with api key %d (versions %s).", s.name, *s.top.APIKey, s.top.ValidVersions)
	} else if s.top != nil {
		e.p("// %s is a record of %s (versions %s).", s.name, "__consumer_offsets", s.top.ValidVersions)
	} else {
		e.p("// %s is a nested element type of a metadata record.", s.name)
	}
	e.p("type %s struct {", s.name)
	for _, f := range s.fields {
		e.p("\t// %s %s", f.goName, describe(f))
		e.p("\t%s %s", f.goName, f.goType())
	}
	e.p("}\n")
}

// describe is a field's doc comment text.
func describe(f *gfield) string {
	about := strings.TrimSpace(f.src.About)
	s := fmt.Sprintf("(versions %s", f.src.Versions)
	if !f.nullable.none {
		s += ", nullable " + f.src.NullableVersions
	}
	if !f.tagged.none {
		s += fmt.Sprintf(", tag %d in %s", f.tag, f.src.TaggedVersions)
	}
	return about + " " + s + ")"
}

func (e *emitter) emitDefault(s *gstruct) {
	e.p("// New%s returns a %s with every field set to its schema default.", s.name, s.name)
	e.p("func New%s() *%s { m := new(%s); m.Default(); return m }\n", s.name, s.name, s.name)
	e.p("// Default sets every field to its schema default.")
	e.p("func (m *%s) Default() {", s.name)
	e.p("\t*m = %s{}", s.name)
	for _, f := range s.fields {
		d, err := f.defaultExpr()
		e.fail(err)
		if d != "" {
			e.p("\tm.%s = %s", f.goName, d)
		}
	}
	e.p("}\n")
}

func (e *emitter) emitTopMethods(s *gstruct) {
	valid := mustRange(s.top.ValidVersions)
	hi := valid.hi
	if hi < 0 {
		hi = valid.lo
	}
	flex := mustRange(s.top.FlexibleVersions).cond()
	if s.top.APIKey != nil {
		e.p("// APIKey returns the record's api key, %d.", *s.top.APIKey)
		e.p("func (m *%s) APIKey() int16 { return %d }\n", s.name, *s.top.APIKey)
	}
	e.p("// LowestVersion returns the lowest supported version, %d.", valid.lo)
	e.p("func (m *%s) LowestVersion() int16 { return %d }\n", s.name, valid.lo)
	e.p("// HighestVersion returns the highest supported version, %d.", hi)
	e.p("func (m *%s) HighestVersion() int16 { return %d }\n", s.name, hi)
	e.p("// AppendTo appends the record body encoded at version to dst.")
	e.p("func (m *%s) AppendTo(dst []byte, version int16) []byte { return m.appendTo(dst, version, %s) }\n", s.name, flex)
	e.p("// ReadFrom decodes the record body src, encoded at version, into m.")
	e.p("func (m *%s) ReadFrom(src []byte, version int16) error {", s.name)
	e.p("\tif version < %d || version > %d { return unsupportedVersion(%q, version) }", valid.lo, hi, s.name)
	e.p("\tr := schemacodec.NewReader(src)")
	e.p("\tm.readFrom(&r, version, %s)", flex)
	e.p("\treturn readDone(&r, %q)", s.name)
	e.p("}\n")
}

// regularCond is the condition under which a field is encoded in the body (not tagged).
func regularCond(f *gfield) string {
	p, t := f.present.cond(), f.tagged.cond()
	switch {
	case f.tagged.none:
		return p
	case f.tagged.covers(f.present):
		return "false"
	case p == "true":
		return "!(" + t + ")"
	}
	return "(" + p + ") && !(" + t + ")"
}

func (e *emitter) emitAppend(s *gstruct) {
	e.p("func (m *%s) appendTo(dst []byte, version int16, flex bool) []byte {", s.name)
	for _, f := range s.fields {
		cond := regularCond(f)
		if cond == "false" {
			continue
		}
		e.guarded(cond, writeValue("m."+f.goName, f.t, f.nullable.cond(), f.nullableAny))
	}
	e.emitAppendTagged(s)
	e.p("\treturn dst")
	e.p("}\n")
}

// guarded writes code lines inside `if cond { }` unless cond is "true".
func (e *emitter) guarded(cond string, lines []string) {
	if cond == "true" {
		for _, l := range lines {
			e.p("\t%s", l)
		}
		return
	}
	e.p("\tif %s {", cond)
	for _, l := range lines {
		e.p("\t\t%s", l)
	}
	e.p("\t}")
}

func (e *emitter) emitAppendTagged(s *gstruct) {
	tagged := s.taggedFields()
	if len(tagged) == 0 {
		e.p("\tif flex { dst = schemacodec.AppendUvarint(dst, 0) }")
		return
	}
	conds := make([]string, len(tagged))
	for i, f := range tagged {
		nd, err := f.nonDefault("m." + f.goName)
		e.fail(err)
		conds[i] = and(f.tagged.cond(), nd)
	}
	e.p("\tif flex {")
	e.p("\t\tvar tags uint64")
	for _, c := range conds {
		e.p("\t\tif %s { tags++ }", c)
	}
	e.p("\t\tdst = schemacodec.AppendUvarint(dst, tags)")
	for i, f := range tagged {
		e.p("\t\tif %s {", conds[i])
		e.p("\t\t\tdst = schemacodec.AppendUvarint(dst, %d)", f.tag)
		e.p("\t\t\tstart := len(dst)")
		for _, l := range writeValue("m."+f.goName, f.t, f.nullable.cond(), f.nullableAny) {
			e.p("\t\t\t%s", l)
		}
		e.p("\t\t\tdst = schemacodec.InsertSize(dst, start)")
		e.p("\t\t}")
	}
	e.p("\t}")
}

// writeValue returns the statements appending expression x of type t.
func writeValue(x string, t ftype, nullCond string, nullableAny bool) []string {
	switch t.kind {
	case "string":
		if nullableAny {
			return []string{fmt.Sprintf("dst = schemacodec.AppendNullableString(dst, %s, %s, flex)", x, nullCond)}
		}
		return []string{fmt.Sprintf("dst = schemacodec.AppendString(dst, %s, flex)", x)}
	case "bytes":
		return []string{fmt.Sprintf("dst = schemacodec.AppendBytes(dst, %s, %s, flex)", x, nullCond)}
	case "struct":
		if nullableAny {
			return []string{fmt.Sprintf("if %s == nil { dst = schemacodec.AppendInt8(dst, -1) } else { dst = schemacodec.AppendInt8(dst, 1); dst = %s.appendTo(dst, version, flex) }", x, x)}
		}
		return []string{fmt.Sprintf("dst = %s.appendTo(dst, version, flex)", x)}
	case "array":
		null := "false"
		if nullableAny {
			null = and(nullCond, x+" == nil")
		}
		lines := []string{fmt.Sprintf("dst = schemacodec.AppendArrayLen(dst, len(%s), %s, flex)", x, null)}
		if t.elem.kind == "struct" {
			return append(lines, fmt.Sprintf("for i := range %s { dst = %s[i].appendTo(dst, version, flex) }", x, x))
		}
		inner := writeValue("v", *t.elem, "false", false)
		return append(lines, fmt.Sprintf("for _, v := range %s { %s }", x, inner[0]))
	}
	return []string{fmt.Sprintf("dst = schemacodec.%s(dst, %s)", appendFuncs[t.kind], x)}
}

// and joins two Go boolean expressions, dropping a literal true.
func and(a, b string) string {
	switch {
	case a == "true":
		return b
	case b == "true":
		return a
	case a == "false" || b == "false":
		return "false"
	}
	return "(" + a + ") && " + b
}
