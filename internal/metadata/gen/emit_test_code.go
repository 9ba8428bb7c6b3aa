package main

import (
	"fmt"
	"strconv"
)

// emitRegistry writes NewRecord and the table of generated api keys.
func (e *emitter) emitRegistry(m *model) {
	e.p("// NewRecord returns a new record, with defaults set, of the type with apiKey.")
	e.p("func NewRecord(apiKey int16) (Record, bool) {")
	e.p("\tswitch apiKey {")
	for _, s := range m.structs {
		if s.top != nil {
			e.p("\tcase %d:", *s.top.APIKey)
			e.p("\t\treturn New%s(), true", s.name)
		}
	}
	e.p("\t}")
	e.p("\treturn nil, false")
	e.p("}\n")
	e.p("// recordAPIKeys lists the api key of every generated record type.")
	e.p("var recordAPIKeys = []int16{")
	for _, s := range m.structs {
		if s.top != nil {
			e.p("\t%d, // %s", *s.top.APIKey, s.name)
		}
	}
	e.p("}\n")
}

// emitTestFill writes testFill functions that set every field to a non-default value:
// all fields when all is true, otherwise only those present at version.
func (e *emitter) emitTestFill(m *model) {
	idx := 0
	for _, s := range m.structs {
		e.p("func testFill%s(m *%s, version int16, all bool) {", s.name, s.name)
		e.p("\tm.Default()")
		for _, f := range s.fields {
			idx++
			e.p("\tif all || (%s) {", f.present.cond())
			for _, l := range sampleValue("m."+f.goName, f, idx) {
				e.p("\t\t%s", l)
			}
			e.p("\t}")
		}
		e.p("\t_ = version")
		e.p("}\n")
	}
	if !m.hasAPIKeys() {
		return
	}
	e.p("func testSample(apiKey, version int16, all bool) Record {")
	e.p("\tswitch apiKey {")
	for _, s := range m.structs {
		if s.top != nil {
			e.p("\tcase %d:", *s.top.APIKey)
			e.p("\t\tm := new(%s)", s.name)
			e.p("\t\ttestFill%s(m, version, all)", s.name)
			e.p("\t\treturn m")
		}
	}
	e.p("\t}")
	e.p("\treturn nil")
	e.p("}")
}

// sampleValue returns statements setting lhs to a non-default value derived from idx.
func sampleValue(lhs string, f *gfield, idx int) []string {
	t := f.t
	switch t.kind {
	case "array":
		if t.elem.kind == "struct" {
			return []string{
				fmt.Sprintf("%s = make([]%s, 2)", lhs, t.elem.name),
				fmt.Sprintf("for i := range %s { testFill%s(&%s[i], version, all) }", lhs, t.elem.name, lhs),
			}
		}
		a, b := scalarSample(*t.elem, idx, ""), scalarSample(*t.elem, idx+1, "")
		return []string{fmt.Sprintf("%s = %s{%s, %s}", lhs, typeName(t, false), a, b)}
	case "string":
		if f.nullableAny {
			return []string{fmt.Sprintf("%s = stringPtr(%q)", lhs, "s"+strconv.Itoa(idx))}
		}
	case "struct":
		if f.nullableAny {
			return []string{fmt.Sprintf("%s = new(%s)", lhs, t.name), fmt.Sprintf("testFill%s(%s, version, all)", t.name, lhs)}
		}
		return []string{fmt.Sprintf("testFill%s(&%s, version, all)", t.name, lhs)}
	}
	return []string{fmt.Sprintf("%s = %s", lhs, scalarSample(t, idx, f.dflt))}
}

// scalarSample is a literal of kind t, derived from idx and different from dflt.
func scalarSample(t ftype, idx int, dflt string) string {
	switch t.kind {
	case "bool":
		if dflt == "true" {
			return "false"
		}
		return "true"
	case "float64":
		return fmt.Sprintf("%d.5", idx)
	case "string":
		return strconv.Quote("s" + strconv.Itoa(idx))
	case "bytes":
		return fmt.Sprintf("[]byte{1, 2, %d}", idx%256)
	case "uuid":
		return fmt.Sprintf("UUID{%d, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, %d}", idx%256, (idx+7)%256)
	}
	v := idx%100 + 2
	if d, err := strconv.Atoi(dflt); err == nil && d == v {
		v++
	}
	return strconv.Itoa(v)
}
