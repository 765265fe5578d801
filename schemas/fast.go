package schemas

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"math/big"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// The fast checker decides only whether a resource is valid, exactly as
// santhosh-tekuri/jsonschema v6 does for the embedded schemas, without
// building error trees. Almost every resource lint and render see is valid,
// so Validate asks the checker first and compiles a kind with jsonschema (to
// explain what is wrong) only when the checker says invalid. The checker is
// built from the same embedded files, lazily per kind, sharing the bundle's
// definitions across kinds. It implements the keywords the generated
// schemas use; a schema with any other keyword makes the build fail, and
// that kind is then always validated by jsonschema (TestFastCoversEveryKind
// asserts that no embedded kind falls back today). FuzzFastValidity and
// TestFastAgreesWithJSONSchema prove it agrees with jsonschema.

// JSON types as bits, for "type" and the types of enum values.
const (
	tNull uint8 = 1 << iota
	tBool
	tNumber
	tInteger // only in a "type" set: a number with no fractional part
	tString
	tArray
	tObject
)

var typeBits = map[string]uint8{
	"null": tNull, "boolean": tBool, "number": tNumber, "integer": tInteger,
	"string": tString, "array": tArray, "object": tObject,
}

// fnode is one compiled schema object (or boolean schema).
type fnode struct {
	// always/never are the boolean schemas true and false.
	always, never bool

	types uint8 // 0: no "type"

	hasConst bool
	constv   any // JSON value; numbers as *fnum

	hasEnum   bool
	enum      []any
	enumTypes uint8

	ref *fnode

	// objects
	props    map[string]*fnode
	patProps []fpattern
	addl     *fnode // nil: absent
	required []string

	// arrays: prefix holds prefixItems (2020-12) or an array "items"
	// (draft-07); rest applies to the items after them: "items" (2020-12),
	// a single-schema "items" or "additionalItems" (draft-07).
	prefix             []*fnode
	rest               *fnode
	minItems, maxItems int // -1: absent

	// strings
	minLen, maxLen int // -1: absent
	pattern        *regexp.Regexp

	// numbers
	minimum, maximum *fnum

	allOf, anyOf, oneOf []*fnode
	not                 *fnode

	// which kinds of instance have keywords to check
	objKw, arrKw, strKw, numKw bool
}

type fpattern struct {
	re  *regexp.Regexp
	sch *fnode
}

var (
	fastTrue  = &fnode{always: true}
	fastFalse = &fnode{never: true}
)

// fnum is a number of a schema: exact as a big.Rat, with the cases the
// validator meets most precomputed.
type fnum struct {
	rat *big.Rat
	// class: numSmall (an integer of at most 2^53 in magnitude, in i),
	// numAbove/numBelow (an integer beyond the int64 range, above or
	// below), numOther (anything else: compared through rat only).
	class int8
	i     int64
}

const (
	numSmall int8 = iota
	numAbove
	numBelow
	numOther
)

const exactFloat = 1 << 53 // every integer of smaller magnitude is a float64

func newFnum(n json.Number) (*fnum, error) {
	r, ok := new(big.Rat).SetString(string(n))
	if !ok {
		return nil, fmt.Errorf("bad number %q", n)
	}
	f := &fnum{rat: r, class: numOther}
	if r.IsInt() {
		num := r.Num()
		switch {
		case num.IsInt64() && num.Int64() <= exactFloat && num.Int64() >= -exactFloat:
			f.class, f.i = numSmall, num.Int64()
		case num.Sign() > 0 && !num.IsInt64():
			f.class = numAbove
		case num.Sign() < 0 && !num.IsInt64():
			f.class = numBelow
		}
	}
	return f, nil
}

// instRat is the number jsonschema v6 compares: the decimal fmt prints for
// the value, read as a big.Rat.
func instRat(v any) (*big.Rat, bool) {
	return new(big.Rat).SetString(fmt.Sprint(v))
}

// cmpNum compares the instance number v with b as jsonschema v6 does; ok is
// false when v6 could not read v as a number.
func cmpNum(v any, b *fnum) (c int, ok bool) {
	switch b.class {
	case numSmall, numAbove, numBelow:
		var f float64
		switch x := v.(type) {
		case int64:
			return cmpInt(x, b), true
		case int:
			return cmpInt(int64(x), b), true
		case float64:
			f = x
		default:
			goto slow
		}
		// A float64 of magnitude below 2^53 compares with an integer as
		// the decimal fmt prints for it does: an integral one prints
		// exactly, and no integer lies between a fractional one and the
		// shortest decimal that reads back as it.
		if !(f < exactFloat && f > -exactFloat) {
			goto slow // also NaN and infinities
		}
		switch b.class {
		case numAbove:
			return -1, true
		case numBelow:
			return 1, true
		}
		bf := float64(b.i)
		switch {
		case f < bf:
			return -1, true
		case f > bf:
			return 1, true
		}
		return 0, true
	}
slow:
	r, ok := instRat(v)
	if !ok {
		return 0, false
	}
	return r.Cmp(b.rat), true
}

func cmpInt(x int64, b *fnum) int {
	switch b.class {
	case numAbove:
		return -1
	case numBelow:
		return 1
	}
	switch {
	case x < b.i:
		return -1
	case x > b.i:
		return 1
	}
	return 0
}

// jsonType is jsonschema v6's typeOf as bits; 0 for a value it rejects.
func jsonType(v any) uint8 {
	switch x := v.(type) {
	case nil:
		return tNull
	case bool:
		return tBool
	case string:
		return tString
	case map[string]any:
		return tObject
	case []any:
		return tArray
	case int64, int:
		return tNumber
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0
		}
		return tNumber
	case float32:
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return 0
		}
		return tNumber
	case json.Number, int8, int16, int32, uint, uint8, uint16, uint32, uint64:
		return tNumber
	}
	return 0
}

// integral reports whether the number v has no fractional part.
func integral(v any) bool {
	switch x := v.(type) {
	case int64, int:
		return true
	case float64:
		if x < exactFloat && x > -exactFloat {
			return x == math.Trunc(x)
		}
	}
	r, ok := instRat(v)
	return ok && r.IsInt()
}

// fastEqual is jsonschema v6's equals for an instance value v and a schema
// value s; bad reports a value of a type the validator rejects, which fails
// validation.
func fastEqual(v, s any) (eq, bad bool) {
	switch x := v.(type) {
	case map[string]any:
		y, ok := s.(map[string]any)
		if !ok || len(x) != len(y) {
			return false, false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok {
				return false, false
			}
			if eq, bad := fastEqual(xv, yv); !eq || bad {
				return eq, bad
			}
		}
		return true, false
	case []any:
		y, ok := s.([]any)
		if !ok || len(x) != len(y) {
			return false, false
		}
		for i := range x {
			if eq, bad := fastEqual(x[i], y[i]); !eq || bad {
				return eq, bad
			}
		}
		return true, false
	case nil:
		return s == nil, false
	case bool:
		y, ok := s.(bool)
		return ok && x == y, false
	case string:
		y, ok := s.(string)
		return ok && x == y, false
	case json.Number, float32, float64, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		y, ok := s.(*fnum)
		if !ok {
			return false, false
		}
		c, ok := cmpNum(v, y)
		return ok && c == 0, false
	}
	return false, true
}

// valid reports whether v satisfies n.
func (n *fnode) valid(v any) bool {
	if n.always {
		return true
	}
	if n.never {
		return false
	}
	t := jsonType(v)
	if t == 0 {
		return false
	}
	if n.types != 0 && n.types&t == 0 {
		if !(n.types&tInteger != 0 && t == tNumber && integral(v)) {
			return false
		}
	}
	if n.hasConst {
		if eq, bad := fastEqual(v, n.constv); !eq || bad {
			return false
		}
	}
	if n.hasEnum {
		if n.enumTypes&t == 0 {
			return false
		}
		matched := false
		for _, e := range n.enum {
			eq, bad := fastEqual(v, e)
			if bad {
				return false
			}
			if eq {
				matched = true
				break
			}
		}
		if !matched {
			return false
		}
	}
	if n.ref != nil && !n.ref.valid(v) {
		return false
	}
	switch x := v.(type) {
	case map[string]any:
		if n.objKw && !n.validObject(x) {
			return false
		}
	case []any:
		if n.arrKw && !n.validArray(x) {
			return false
		}
	case string:
		if n.strKw && !n.validString(x) {
			return false
		}
	case nil, bool:
	default:
		if n.numKw && !n.validNumber(v) {
			return false
		}
	}
	if n.not != nil && n.not.valid(v) {
		return false
	}
	for _, s := range n.allOf {
		if !s.valid(v) {
			return false
		}
	}
	if len(n.anyOf) > 0 {
		matched := false
		for _, s := range n.anyOf {
			if s.valid(v) {
				matched = true
				break
			}
		}
		if !matched {
			return false
		}
	}
	if len(n.oneOf) > 0 {
		matched := 0
		for _, s := range n.oneOf {
			if s.valid(v) {
				matched++
				if matched > 1 {
					return false
				}
			}
		}
		if matched != 1 {
			return false
		}
	}
	return true
}

func (n *fnode) validObject(obj map[string]any) bool {
	for _, r := range n.required {
		if _, ok := obj[r]; !ok {
			return false
		}
	}
	for k, pv := range obj {
		evaluated := false
		if s, ok := n.props[k]; ok {
			evaluated = true
			if !s.valid(pv) {
				return false
			}
		}
		for _, pp := range n.patProps {
			if pp.re.MatchString(k) {
				evaluated = true
				if !pp.sch.valid(pv) {
					return false
				}
			}
		}
		if !evaluated && n.addl != nil && !n.addl.valid(pv) {
			return false
		}
	}
	return true
}

func (n *fnode) validArray(arr []any) bool {
	if n.minItems >= 0 && len(arr) < n.minItems {
		return false
	}
	if n.maxItems >= 0 && len(arr) > n.maxItems {
		return false
	}
	for i, item := range arr {
		var s *fnode
		if i < len(n.prefix) {
			s = n.prefix[i]
		} else {
			s = n.rest
		}
		if s != nil && !s.valid(item) {
			return false
		}
	}
	return true
}

func (n *fnode) validString(s string) bool {
	if n.minLen >= 0 || n.maxLen >= 0 {
		l := utf8.RuneCountInString(s)
		if n.minLen >= 0 && l < n.minLen {
			return false
		}
		if n.maxLen >= 0 && l > n.maxLen {
			return false
		}
	}
	return n.pattern == nil || n.pattern.MatchString(s)
}

func (n *fnode) validNumber(v any) bool {
	if n.minimum != nil {
		if c, ok := cmpNum(v, n.minimum); !ok || c < 0 {
			return false
		}
	}
	if n.maximum != nil {
		if c, ok := cmpNum(v, n.maximum); !ok || c > 0 {
			return false
		}
	}
	return true
}

// fastDoc is one parsed embedded file.
type fastDoc struct {
	root  any
	draft int // 7 or 2020
	id    bool
}

// fastBuilder compiles embedded schema files into fnodes; one builder is
// shared by every kind, so the bundle's definitions are parsed and compiled
// once.
type fastBuilder struct {
	fsys  fs.FS
	mu    sync.Mutex
	docs  map[string]*fastDoc
	nodes map[string]*fnode // file#pointer -> node
}

var fastSchemas = newFastBuilder(files)

func newFastBuilder(fsys fs.FS) *fastBuilder {
	return &fastBuilder{fsys: fsys, docs: map[string]*fastDoc{}, nodes: map[string]*fnode{}}
}

// build returns the checker for the embedded file name, or an error when
// one of its schemas uses something the checker does not implement.
func (b *fastBuilder) build(name string) (*fnode, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var added []string
	n, err := b.node(name, "", &added)
	if err == nil {
		err = checkCycles(n)
	}
	if err != nil {
		// Leave no half-built node for another kind to reuse.
		for _, k := range added {
			delete(b.nodes, k)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return n, nil
}

func (b *fastBuilder) doc(name string) (*fastDoc, error) {
	if d, ok := b.docs[name]; ok {
		return d, nil
	}
	data, err := fs.ReadFile(b.fsys, name)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		return nil, err
	}
	d := &fastDoc{root: root, draft: 2020}
	if m, ok := root.(map[string]any); ok {
		if s, ok := m["$schema"]; ok {
			switch s {
			case "https://json-schema.org/draft/2020-12/schema":
			case "http://json-schema.org/draft-07/schema#":
				d.draft = 7
			default:
				return nil, fmt.Errorf("unsupported $schema %v", s)
			}
		}
		_, d.id = m["$id"]
	}
	b.docs[name] = d
	return d, nil
}

// node compiles the schema at the JSON pointer ptr of file name.
func (b *fastBuilder) node(name, ptr string, added *[]string) (*fnode, error) {
	key := name + "#" + ptr
	if n, ok := b.nodes[key]; ok {
		return n, nil
	}
	d, err := b.doc(name)
	if err != nil {
		return nil, err
	}
	v, _ := fastLookup(d.root, ptr)
	switch v := v.(type) {
	case bool:
		if v {
			return fastTrue, nil
		}
		return fastFalse, nil
	case map[string]any:
		if len(v) == 0 {
			// jsonschema v6 compiles {} as the schema true: it accepts
			// even values of types it rejects elsewhere (NaN).
			return fastTrue, nil
		}
		n := &fnode{minItems: -1, maxItems: -1, minLen: -1, maxLen: -1}
		b.nodes[key] = n
		*added = append(*added, key)
		c := nodeCompiler{b: b, name: name, ptr: ptr, doc: d, obj: v, added: added}
		if err := c.compile(n); err != nil {
			return nil, fmt.Errorf("%s: %w", ptr, err)
		}
		return n, nil
	}
	return nil, fmt.Errorf("%s: not a schema", ptr)
}

type nodeCompiler struct {
	b     *fastBuilder
	name  string
	ptr   string
	doc   *fastDoc
	obj   map[string]any
	added *[]string
}

// draft07RefSiblings are the keywords jsonschema v6 still applies beside a
// draft-07 $ref (it ignores the others, as the draft says); the checker
// does not implement them there.
var draft07RefSiblings = []string{"const", "contains", "propertyNames", "if", "then", "else", "contentEncoding", "contentMediaType"}

func (c *nodeCompiler) sub(tok ...string) (*fnode, error) {
	p := c.ptr
	for _, t := range tok {
		p += "/" + escapeToken(t)
	}
	return c.b.node(c.name, p, c.added)
}

func (c *nodeCompiler) subArray(kw string) ([]*fnode, error) {
	arr, ok := c.obj[kw].([]any)
	if !ok {
		return nil, fmt.Errorf("%s is not an array", kw)
	}
	out := make([]*fnode, len(arr))
	for i := range arr {
		s, err := c.sub(kw, fmt.Sprint(i))
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

func (c *nodeCompiler) compile(n *fnode) (err error) {
	root := c.ptr == ""
	if ref, ok := c.obj["$ref"]; ok && c.doc.draft == 7 {
		for _, k := range draft07RefSiblings {
			if _, ok := c.obj[k]; ok {
				return fmt.Errorf("%s beside a draft-07 $ref", k)
			}
		}
		n.ref, err = c.ref(ref)
		return err
	}
	// Keywords in a fixed order, so that errors are deterministic.
	keys := make([]string, 0, len(c.obj))
	for k := range c.obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := c.obj[k]
		switch k {
		case "$schema", "$id":
			if !root {
				return fmt.Errorf("%s below the document root", k)
			}
		case "description", "default", "title", "$comment", "examples", "deprecated", "readOnly", "writeOnly":
			// annotations
		case "$defs", "definitions":
			// containers, compiled where referred to
		case "$ref":
			n.ref, err = c.ref(v)
		case "type":
			n.types, err = parseTypes(v)
		case "const":
			n.hasConst = true
			n.constv, err = schemaValue(v)
		case "enum":
			arr, ok := v.([]any)
			if !ok {
				return fmt.Errorf("enum is not an array")
			}
			n.hasEnum = true
			for _, e := range arr {
				sv, err := schemaValue(e)
				if err != nil {
					return err
				}
				n.enum = append(n.enum, sv)
				n.enumTypes |= jsonType(e)
			}
		case "minimum", "maximum":
			num, ok := v.(json.Number)
			if !ok {
				return fmt.Errorf("%s is not a number", k)
			}
			f, err := newFnum(num)
			if err != nil {
				return err
			}
			if k == "minimum" {
				n.minimum = f
			} else {
				n.maximum = f
			}
			n.numKw = true
		case "minLength", "maxLength", "minItems", "maxItems":
			i, err := nonNegative(k, v)
			if err != nil {
				return err
			}
			switch k {
			case "minLength":
				n.minLen, n.strKw = i, true
			case "maxLength":
				n.maxLen, n.strKw = i, true
			case "minItems":
				n.minItems, n.arrKw = i, true
			case "maxItems":
				n.maxItems, n.arrKw = i, true
			}
		case "pattern":
			s, ok := v.(string)
			if !ok {
				return fmt.Errorf("pattern is not a string")
			}
			// jsonschema v6 compiles patterns with Go's regexp by default
			// (unanchored); a pattern Go cannot compile fails its
			// compilation, and the checker refuses too.
			if n.pattern, err = regexp.Compile(s); err != nil {
				return err
			}
			n.strKw = true
		case "required":
			arr, ok := v.([]any)
			if !ok {
				return fmt.Errorf("required is not an array")
			}
			for _, r := range arr {
				s, ok := r.(string)
				if !ok {
					return fmt.Errorf("required holds a non-string")
				}
				n.required = append(n.required, s)
			}
			n.objKw = true
		case "properties":
			m, ok := v.(map[string]any)
			if !ok {
				return fmt.Errorf("properties is not an object")
			}
			n.props = make(map[string]*fnode, len(m))
			for p := range m {
				if n.props[p], err = c.sub(k, p); err != nil {
					return err
				}
			}
			n.objKw = true
		case "patternProperties":
			m, ok := v.(map[string]any)
			if !ok {
				return fmt.Errorf("patternProperties is not an object")
			}
			pats := make([]string, 0, len(m))
			for p := range m {
				pats = append(pats, p)
			}
			sort.Strings(pats)
			for _, p := range pats {
				re, err := regexp.Compile(p)
				if err != nil {
					return err
				}
				s, err := c.sub(k, p)
				if err != nil {
					return err
				}
				n.patProps = append(n.patProps, fpattern{re, s})
			}
			n.objKw = true
		case "additionalProperties":
			if n.addl, err = c.sub(k); err == nil {
				n.objKw = true
			}
		case "items":
			if _, isArr := v.([]any); isArr {
				if c.doc.draft != 7 {
					return fmt.Errorf("items is an array in draft 2020-12")
				}
				n.prefix, err = c.subArray(k)
				if err == nil {
					if _, ok := c.obj["additionalItems"]; ok {
						n.rest, err = c.sub("additionalItems")
					}
				}
			} else {
				// 2020-12: applies after prefixItems; draft-07: to all.
				n.rest, err = c.sub(k)
			}
			n.arrKw = true
		case "prefixItems":
			if c.doc.draft == 7 {
				return fmt.Errorf("prefixItems in draft-07")
			}
			n.prefix, err = c.subArray(k)
			n.arrKw = true
		case "additionalItems":
			// draft-07, with an array "items": compiled there; without
			// one jsonschema ignores it.
			if c.doc.draft != 7 {
				return fmt.Errorf("additionalItems in draft 2020-12")
			}
		case "allOf":
			n.allOf, err = c.subArray(k)
		case "anyOf":
			n.anyOf, err = c.subArray(k)
		case "oneOf":
			n.oneOf, err = c.subArray(k)
		case "not":
			n.not, err = c.sub(k)
		default:
			return fmt.Errorf("keyword %q is not implemented by the fast checker", k)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// ref resolves a $ref: a JSON pointer into the same file, or a relative
// file name (plus pointer) among the embedded files.
func (c *nodeCompiler) ref(v any) (*fnode, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("$ref is not a string")
	}
	file, frag, _ := strings.Cut(s, "#")
	if frag != "" && !strings.HasPrefix(frag, "/") {
		return nil, fmt.Errorf("$ref %s: anchors are not implemented", s)
	}
	name := c.name
	if file != "" {
		if c.doc.id || strings.Contains(file, ":") || strings.HasPrefix(file, "/") {
			return nil, fmt.Errorf("$ref %s: only relative references are implemented", s)
		}
		name = path.Join(path.Dir(c.name), file)
	}
	// Unescape the pointer as jsonschema does (percent-decoding of the
	// whole fragment, then ~1 and ~0 per token) and re-escape each token
	// for the node key.
	frag, err := url.PathUnescape(frag)
	if err != nil {
		return nil, fmt.Errorf("$ref %s: %w", s, err)
	}
	ptr := ""
	if frag != "" {
		for _, tok := range strings.Split(frag, "/")[1:] {
			ptr += "/" + escapeToken(unescapeToken(tok))
		}
	}
	d, err := c.b.doc(name)
	if err != nil {
		return nil, err
	}
	if _, ok := fastLookup(d.root, ptr); !ok {
		return nil, fmt.Errorf("$ref %s does not resolve", s)
	}
	return c.b.node(name, ptr, c.added)
}

func escapeToken(t string) string {
	return strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1")
}

func unescapeToken(t string) string {
	return strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
}

// fastLookup resolves a JSON pointer (escaped tokens, no percent-encoding)
// within doc.
func fastLookup(doc any, ptr string) (any, bool) {
	if ptr == "" {
		return doc, true
	}
	cur := doc
	for _, tok := range strings.Split(ptr, "/")[1:] {
		tok = unescapeToken(tok)
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[tok]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

func parseTypes(v any) (uint8, error) {
	var names []any
	switch x := v.(type) {
	case string:
		names = []any{x}
	case []any:
		names = x
	default:
		return 0, fmt.Errorf("type is neither a string nor an array")
	}
	var t uint8
	for _, nm := range names {
		s, _ := nm.(string)
		bit, ok := typeBits[s]
		if !ok {
			return 0, fmt.Errorf("unknown type %v", nm)
		}
		t |= bit
	}
	return t, nil
}

// schemaValue converts a const or enum value: numbers become *fnum.
func schemaValue(v any) (any, error) {
	switch x := v.(type) {
	case json.Number:
		return newFnum(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			sv, err := schemaValue(e)
			if err != nil {
				return nil, err
			}
			out[k] = sv
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			sv, err := schemaValue(e)
			if err != nil {
				return nil, err
			}
			out[i] = sv
		}
		return out, nil
	}
	return v, nil
}

func nonNegative(k string, v any) (int, error) {
	num, ok := v.(json.Number)
	if !ok {
		return 0, fmt.Errorf("%s is not a number", k)
	}
	i, err := num.Int64()
	if err != nil || i < 0 || i > math.MaxInt32 {
		return 0, fmt.Errorf("%s is not a small non-negative integer", k)
	}
	return int(i), nil
}

// checkCycles refuses a schema graph in which a schema can reach itself
// without descending into the instance ($ref, allOf, anyOf, oneOf, not):
// jsonschema reports such a loop as an error, the checker would not end.
func checkCycles(root *fnode) error {
	const (
		visiting = 1
		done     = 2
	)
	state := map[*fnode]int{}
	// inPlace walks the edges that stay at one instance location.
	var inPlace func(n *fnode) error
	inPlace = func(n *fnode) error {
		switch state[n] {
		case visiting:
			return fmt.Errorf("schema loop without descending into the instance")
		case done:
			return nil
		}
		state[n] = visiting
		for _, s := range n.inPlaceEdges() {
			if err := inPlace(s); err != nil {
				return err
			}
		}
		state[n] = done
		return nil
	}
	// Visit every reachable node.
	seen := map[*fnode]bool{}
	stack := []*fnode{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[n] {
			continue
		}
		seen[n] = true
		if err := inPlace(n); err != nil {
			return err
		}
		stack = append(stack, n.inPlaceEdges()...)
		for _, s := range n.props {
			stack = append(stack, s)
		}
		for _, pp := range n.patProps {
			stack = append(stack, pp.sch)
		}
		stack = append(stack, n.prefix...)
		for _, s := range []*fnode{n.addl, n.rest} {
			if s != nil {
				stack = append(stack, s)
			}
		}
	}
	return nil
}

func (n *fnode) inPlaceEdges() []*fnode {
	var out []*fnode
	if n.ref != nil {
		out = append(out, n.ref)
	}
	if n.not != nil {
		out = append(out, n.not)
	}
	out = append(out, n.allOf...)
	out = append(out, n.anyOf...)
	out = append(out, n.oneOf...)
	return out
}
