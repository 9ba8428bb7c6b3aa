package main

import "fmt"

// emitReadDone writes readDone, which wraps a Reader's unprefixed error with the
// package's prefix and ErrCorrupt, as the hand-written readers of each package did.
func (e *emitter) emitReadDone(pkg string) {
	e.p("// readDone reports r's first error, or bytes left after the record body name,")
	e.p("// wrapping ErrCorrupt.")
	e.p("func readDone(r *schemacodec.Reader, name string) error {")
	e.p("\tif err := r.Err(); err != nil {")
	e.p("\t\treturn fmt.Errorf(\"%s: %%s: %%w\", name, corruptf(\"%%w\", err))", pkg)
	e.p("\t}")
	e.p("\tif n := len(r.Remaining()); n != 0 {")
	e.p("\t\treturn corruptf(\"%%s: %%d bytes of garbage after record\", name, n)")
	e.p("\t}")
	e.p("\treturn nil")
	e.p("}\n")
}

func (e *emitter) emitRead(s *gstruct) {
	e.p("func (m *%s) readFrom(r *schemacodec.Reader, version int16, flex bool) {", s.name)
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
		e.p("\tif flex { r.SkipTaggedFields() }")
		return
	}
	e.p("\tif flex {")
	e.p("\t\tfor nt := r.Uvarint(); nt > 0 && r.Err() == nil; nt-- {")
	e.p("\t\t\ttag, sr := r.TaggedField()")
	e.p("\t\t\tswitch {")
	for _, f := range tagged {
		e.p("\t\t\tcase %s:", and(fmt.Sprintf("tag == %d", f.tag), f.tagged.cond()))
		for _, l := range readValue("m."+f.goName, "sr", f.t, f.nullable.cond(), f.nullableAny) {
			e.p("\t\t\t\t%s", l)
		}
		e.p("\t\t\t\tr.EndTagged(sr)")
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
			return []string{fmt.Sprintf("%s = %s.NullableString(%s, flex)", lhs, rv, nullCond)}
		}
		return []string{fmt.Sprintf("%s = %s.String(flex)", lhs, rv)}
	case "bytes":
		return []string{fmt.Sprintf("%s = %s.Bytes(%s, flex, %t)", lhs, rv, nullCond, nullableAny)}
	case "array":
		return readArray(lhs, rv, t, nullCond, nullableAny)
	case "struct":
		if nullableAny {
			return []string{fmt.Sprintf("if %s.Int8() >= 0 { %s = new(%s); %s.readFrom(%s, version, flex) }", rv, lhs, t.name, lhs, rv)}
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
	open := fmt.Sprintf("if n, ok := %s.ArrayLen(%s, flex, %d); ok {", rv, nc, minSizes[t.elem.kind])
	if !nullableAny {
		open = fmt.Sprintf("if n, ok := %s.ArrayLen(false, flex, %d); ok && n > 0 {", rv, minSizes[t.elem.kind])
	}
	return []string{
		open,
		fmt.Sprintf("\t%s = make(%s, n)", lhs, typeName(t, false)),
		fmt.Sprintf("\tfor i := range %s { %s }", lhs, elem),
		"}",
	}
}
