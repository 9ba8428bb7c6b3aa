package main

import "fmt"

func (e *emitter) emitRead(s *gstruct) {
	e.p("func (m *%s) readFrom(r *reader, version int16, flex bool) {", s.name)
	e.p("\tm.Default()")
	for _, f := range s.fields {
		cond := regularCond(f)
		if cond == "false" {
			continue
		}
		e.guarded(cond, readValue("m."+f.goName, "r", f.t, f.nullable.cond(), f.nullableAny))
	}
	e.emitReadTagged(s)
	e.p("}\n")
}

func (e *emitter) emitReadTagged(s *gstruct) {
	tagged := s.taggedFields()
	if len(tagged) == 0 {
		e.p("\tif flex { r.skipTaggedFields() }")
		return
	}
	e.p("\tif flex {")
	e.p("\t\tfor nt := r.uvarint(); nt > 0 && r.err == nil; nt-- {")
	e.p("\t\t\ttag, sr := r.taggedField()")
	e.p("\t\t\tswitch {")
	for _, f := range tagged {
		e.p("\t\t\tcase %s:", and(fmt.Sprintf("tag == %d", f.tag), f.tagged.cond()))
		for _, l := range readValue("m."+f.goName, "sr", f.t, f.nullable.cond(), f.nullableAny) {
			e.p("\t\t\t\t%s", l)
		}
		e.p("\t\t\t\tr.endTagged(sr)")
	}
	e.p("\t\t\t}")
	e.p("\t\t}")
	e.p("\t}")
}

// readValue returns the statements decoding into lhs of type t from reader rv.
func readValue(lhs, rv string, t ftype, nullCond string, nullableAny bool) []string {
	switch t.kind {
	case "string":
		if nullableAny {
			return []string{fmt.Sprintf("%s = %s.nullableString(%s, flex)", lhs, rv, nullCond)}
		}
		return []string{fmt.Sprintf("%s = %s.string(flex)", lhs, rv)}
	case "bytes":
		return []string{fmt.Sprintf("%s = %s.bytes(%s, flex, %t)", lhs, rv, nullCond, nullableAny)}
	case "array":
		return readArray(lhs, rv, t, nullCond, nullableAny)
	case "struct":
		if nullableAny {
			return []string{fmt.Sprintf("if %s.int8() >= 0 { %s = new(%s); %s.readFrom(%s, version, flex) }", rv, lhs, t.name, lhs, rv)}
		}
		return []string{fmt.Sprintf("%s.readFrom(%s, version, flex)", lhs, rv)}
	}
	return []string{fmt.Sprintf("%s = %s.%s()", lhs, rv, readFuncs[t.kind])}
}

func readArray(lhs, rv string, t ftype, nullCond string, nullableAny bool) []string {
	var elem string
	if t.elem.kind == "struct" {
		elem = fmt.Sprintf("%s[i].readFrom(%s, version, flex)", lhs, rv)
	} else {
		elem = readValue(lhs+"[i]", rv, *t.elem, "false", false)[0]
	}
	nc := "false"
	if nullableAny {
		nc = nullCond
	}
	open := fmt.Sprintf("if n, ok := %s.arrayLen(%s, flex, %d); ok {", rv, nc, minSizes[t.elem.kind])
	if !nullableAny {
		open = fmt.Sprintf("if n, ok := %s.arrayLen(false, flex, %d); ok && n > 0 {", rv, minSizes[t.elem.kind])
	}
	return []string{
		open,
		fmt.Sprintf("\t%s = make(%s, n)", lhs, typeName(t, false)),
		fmt.Sprintf("\tfor i := range %s { %s }", lhs, elem),
		"}",
	}
}
