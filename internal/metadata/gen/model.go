package main

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// ftype is a resolved field type.
type ftype struct {
	kind string // bool int8 int16 int32 int64 uint16 uint32 float64 string bytes uuid array struct
	elem *ftype
	name string // struct type name, for kind == "struct"
}

// gfield is a field resolved for code generation.
type gfield struct {
	src         field
	goName      string
	t           ftype
	present     vrange
	nullable    vrange
	tagged      vrange
	tag         int
	nullableAny bool
	dflt        string // the schema default, "" when absent
	hasDflt     bool
}

// gstruct is a generated Go struct: a top-level record or a nested element type.
type gstruct struct {
	name   string
	fields []*gfield
	top    *schema // nil for nested structs
	src    []field // a nested struct's schema fields, to reuse it when repeated
}

// tagged returns the fields that are tagged in some version, sorted by tag.
func (s *gstruct) taggedFields() []*gfield {
	var out []*gfield
	for _, f := range s.fields {
		if !f.tagged.none {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].tag < out[j].tag })
	return out
}

var primitives = map[string]bool{
	"bool": true, "int8": true, "int16": true, "int32": true, "int64": true,
	"uint16": true, "uint32": true, "float64": true, "string": true, "bytes": true, "uuid": true,
}

// model collects every struct generated from a set of schemas.
type model struct {
	structs []*gstruct
	byName  map[string]*gstruct
	common  map[string][]field // the current schema's commonStructs
}

// hasAPIKeys reports whether any record has an api key (metadata records).
func (m *model) hasAPIKeys() bool {
	for _, s := range m.structs {
		if s.top != nil && s.top.APIKey != nil {
			return true
		}
	}
	return false
}

// addSchema resolves a top-level schema and its nested structs.
func (m *model) addSchema(s *schema) error {
	if s.Type != "metadata" && s.Type != "data" {
		return fmt.Errorf("%s: unsupported schema type %q", s.Name, s.Type)
	}
	m.common = map[string][]field{}
	for _, cs := range s.CommonStructs {
		m.common[cs.Name] = cs.Fields
	}
	_, err := m.addStruct(s.Name, s.Fields, s)
	return err
}

func (m *model) addStruct(name string, fields []field, top *schema) (*gstruct, error) {
	if _, dup := m.byName[name]; dup {
		return nil, fmt.Errorf("duplicate struct name %s", name)
	}
	gs := &gstruct{name: name, top: top}
	m.byName[name] = gs
	m.structs = append(m.structs, gs)
	for _, f := range fields {
		gf, err := m.resolveField(f)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", name, f.Name, err)
		}
		gs.fields = append(gs.fields, gf)
	}
	return gs, nil
}

func (m *model) resolveField(f field) (*gfield, error) {
	gf := &gfield{src: f, goName: goName(f.Name)}
	var err error
	if gf.present, err = parseRange(f.Versions); err != nil {
		return nil, err
	}
	if gf.nullable, err = parseRange(f.NullableVersions); err != nil {
		return nil, err
	}
	if gf.tagged, err = parseRange(f.TaggedVersions); err != nil {
		return nil, err
	}
	if gf.tag, err = f.tagNumber(); err != nil {
		return nil, err
	}
	if !gf.tagged.none && gf.tag < 0 {
		return nil, fmt.Errorf("taggedVersions without tag")
	}
	gf.nullableAny = !gf.nullable.none
	gf.dflt, gf.hasDflt = rawString(f.Default)
	gf.t, err = m.resolveType(f.Type, f.Fields)
	return gf, err
}

func (m *model) resolveType(t string, fields []field) (ftype, error) {
	if strings.HasPrefix(t, "[]") {
		elem, err := m.resolveType(t[2:], fields)
		if err != nil {
			return ftype{}, err
		}
		if elem.kind == "bytes" || elem.kind == "array" {
			return ftype{}, fmt.Errorf("unsupported array element %s", t)
		}
		return ftype{kind: "array", elem: &elem}, nil
	}
	if primitives[t] {
		return ftype{kind: t}, nil
	}
	if len(fields) == 0 {
		cf, ok := m.common[t]
		if !ok {
			return ftype{}, fmt.Errorf("unsupported type %q", t)
		}
		if _, done := m.byName[t]; done {
			return ftype{kind: "struct", name: t}, nil
		}
		fields = cf
	}
	if prev, ok := m.byName[t]; ok && prev.top == nil && reflect.DeepEqual(prev.src, fields) {
		// The same nested struct in two schemas (StateBatch of
		// ShareSnapshotValue and ShareUpdateValue): one Go type.
		return ftype{kind: "struct", name: t}, nil
	}
	gs, err := m.addStruct(t, fields, nil)
	if err != nil {
		return ftype{}, err
	}
	gs.src = fields
	return ftype{kind: "struct", name: t}, nil
}

// initialisms maps schema name words to Go spellings.
var initialisms = map[string]string{"Id": "ID", "Ids": "IDs", "Isr": "ISR", "Elr": "ELR"}

// goName turns a schema field name into a Go field name.
func goName(s string) string {
	var words []string
	start := 0
	for i := 1; i <= len(s); i++ {
		if i == len(s) || (s[i] >= 'A' && s[i] <= 'Z') {
			words = append(words, s[start:i])
			start = i
		}
	}
	for i, w := range words {
		if r, ok := initialisms[w]; ok {
			words[i] = r
		}
	}
	return strings.Join(words, "")
}

// goType is the Go type of a field.
func (f *gfield) goType() string { return typeName(f.t, f.nullableAny) }

func typeName(t ftype, nullable bool) string {
	switch t.kind {
	case "string":
		if nullable {
			return "*string"
		}
		return "string"
	case "bytes":
		return "[]byte"
	case "uuid":
		return "UUID"
	case "array":
		return "[]" + typeName(*t.elem, false)
	case "struct":
		if nullable {
			return "*" + t.name
		}
		return t.name
	}
	return t.kind
}

// nullDefault reports whether the field defaults to null.
func (f *gfield) nullDefault() bool { return f.nullableAny && f.hasDflt && f.dflt == "null" }

// defaultExpr is the Go expression of a field's default, "" when the zero value is the default.
func (f *gfield) defaultExpr() (string, error) {
	switch f.t.kind {
	case "bool":
		if f.dflt == "true" {
			return "true", nil
		}
		return "", nil
	case "int8", "int16", "int32", "int64", "uint16", "uint32":
		return f.intDefault()
	case "float64":
		if !f.hasDflt {
			return "", nil
		}
		v, err := strconv.ParseFloat(f.dflt, 64)
		if err != nil || v == 0 {
			return "", err
		}
		return strconv.FormatFloat(v, 'g', -1, 64), nil
	case "string":
		return f.stringDefault(), nil
	case "bytes", "array":
		if f.nullableAny && !f.nullDefault() {
			return f.goType() + "{}", nil
		}
	}
	return "", nil
}

func (f *gfield) intDefault() (string, error) {
	if !f.hasDflt || f.dflt == "" {
		return "", nil
	}
	v, err := strconv.ParseInt(f.dflt, 0, 64)
	if err != nil {
		return "", fmt.Errorf("%s: bad default %q", f.src.Name, f.dflt)
	}
	if v == 0 {
		return "", nil
	}
	return strconv.FormatInt(v, 10), nil
}

func (f *gfield) stringDefault() string {
	if f.nullableAny {
		if f.nullDefault() {
			return ""
		}
		return "stringPtr(" + strconv.Quote(f.dflt) + ")"
	}
	if f.dflt == "" {
		return ""
	}
	return strconv.Quote(f.dflt)
}

// nonDefault is a Go expression true when the field differs from its default;
// tagged fields are only written when it holds.
func (f *gfield) nonDefault(expr string) (string, error) {
	switch f.t.kind {
	case "string":
		if f.nullableAny {
			if f.nullDefault() {
				return expr + " != nil", nil
			}
			return fmt.Sprintf("(%s == nil || *%s != %q)", expr, expr, f.dflt), nil
		}
		return fmt.Sprintf("%s != %q", expr, f.dflt), nil
	case "bytes", "array":
		if f.nullDefault() {
			return expr + " != nil", nil
		}
		if f.nullableAny {
			return fmt.Sprintf("(%s == nil || len(%s) > 0)", expr, expr), nil
		}
		return fmt.Sprintf("len(%s) > 0", expr), nil
	case "uuid":
		return expr + " != (UUID{})", nil
	case "struct":
		if f.nullableAny { // a nullable struct defaults to null
			return expr + " != nil", nil
		}
		return "", fmt.Errorf("tagged non-nullable struct fields are not supported")
	}
	d, err := f.defaultExpr()
	if err != nil {
		return "", err
	}
	if d == "" {
		d = "0"
		if f.t.kind == "bool" {
			d = "false"
		}
	}
	return fmt.Sprintf("%s != %s", expr, d), nil
}
