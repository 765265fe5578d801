package fastcheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// bnode is a schema being compiled: the pointer graph Build flattens into
// a Table.
type bnode struct {
	Node                 // index fields unset
	ref, addl, rest, not *bnode
	props                map[string]*bnode
	patProps             []bpat
	prefix               []*bnode
	allOf, anyOf, oneOf  []*bnode
	patternText          string
	hasPattern           bool
}

type bpat struct {
	pattern string
	sch     *bnode
}

// boolTrue and boolFalse stand for the boolean schemas (NodeTrue and
// NodeFalse of every table).
var (
	boolTrue  = &bnode{}
	boolFalse = &bnode{}
)

// Build compiles the schema files names (read by read; references between
// files resolve relative to the referring file's name) into one Table,
// sharing the definitions they have in common. A file whose schema uses
// something the checker does not implement is left out of the table;
// refused says why, by file name.
func Build(read func(name string) ([]byte, error), names []string) (t *Table, refused map[string]error) {
	b := &builder{read: read, docs: map[string]*doc{}, nodes: map[string]*bnode{}}
	roots := map[string]*bnode{}
	refused = map[string]error{}
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	for _, name := range sorted {
		var added []string
		n, err := b.node(name, "", &added)
		if err == nil {
			err = checkCycles(n)
		}
		if err != nil {
			// Leave no half-built node for another file to reuse.
			for _, k := range added {
				delete(b.nodes, k)
			}
			refused[name] = err
			continue
		}
		roots[name] = n
	}
	return flatten(roots, sorted), refused
}

// flatten numbers the nodes reachable from the roots breadth first, roots
// in name order, and builds the table.
func flatten(roots map[string]*bnode, names []string) *Table {
	t := &Table{Nodes: make([]Node, 3)}
	t.Nodes[NodeTrue].Always = true
	t.Nodes[NodeFalse].Never = true
	index := map[*bnode]int32{boolTrue: NodeTrue, boolFalse: NodeFalse}
	var queue []*bnode
	visit := func(n *bnode) {
		if _, ok := index[n]; n != nil && !ok {
			index[n] = int32(len(t.Nodes) + len(queue))
			queue = append(queue, n)
		}
	}
	for _, name := range names {
		if n := roots[name]; n != nil {
			visit(n)
			t.Roots = append(t.Roots, Root{Name: name, Node: index[n]})
		}
	}
	patterns := map[string]int32{}
	pattern := func(p string) int32 {
		if i, ok := patterns[p]; ok {
			return i
		}
		i := int32(len(t.Patterns))
		patterns[p] = i
		t.Patterns = append(t.Patterns, p)
		return i
	}
	var order []*bnode
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		order = append(order, n)
		t.Nodes = append(t.Nodes, Node{}) // placeholder, filled below
		visit(n.ref)
		names := make([]string, 0, len(n.props))
		for k := range n.props {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			visit(n.props[k])
		}
		for _, pp := range n.patProps {
			visit(pp.sch)
		}
		visit(n.addl)
		for _, s := range n.prefix {
			visit(s)
		}
		visit(n.rest)
		for _, l := range [][]*bnode{n.allOf, n.anyOf, n.oneOf} {
			for _, s := range l {
				visit(s)
			}
		}
		visit(n.not)
	}
	idx := func(n *bnode) int32 {
		if n == nil {
			return 0
		}
		return index[n]
	}
	list := func(l []*bnode) []int32 {
		if len(l) == 0 {
			return nil
		}
		out := make([]int32, len(l))
		for i, s := range l {
			out[i] = index[s]
		}
		return out
	}
	for _, n := range order {
		out := n.Node
		out.Ref, out.Addl, out.Rest, out.Not = idx(n.ref), idx(n.addl), idx(n.rest), idx(n.not)
		out.Prefix, out.AllOf, out.AnyOf, out.OneOf = list(n.prefix), list(n.allOf), list(n.anyOf), list(n.oneOf)
		for k, s := range n.props {
			out.Props = append(out.Props, Prop{Name: k, Node: index[s]})
		}
		sort.Slice(out.Props, func(i, j int) bool { return out.Props[i].Name < out.Props[j].Name })
		for _, pp := range n.patProps {
			out.PatProps = append(out.PatProps, PatProp{Pattern: pattern(pp.pattern), Node: index[pp.sch]})
		}
		if n.hasPattern {
			out.Pattern = pattern(n.patternText) + 1
		}
		t.Nodes[index[n]] = out
	}
	return t
}

// doc is one parsed file.
type doc struct {
	root  any
	draft int // 7 or 2020
	id    bool
}

type builder struct {
	read  func(name string) ([]byte, error)
	docs  map[string]*doc
	nodes map[string]*bnode // file#pointer (or content) -> node
}

func (b *builder) doc(name string) (*doc, error) {
	if d, ok := b.docs[name]; ok {
		return d, nil
	}
	data, err := b.read(name)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	d := &doc{root: root, draft: 2020}
	if m, ok := root.(map[string]any); ok {
		if s, ok := m["$schema"]; ok {
			switch s {
			case "https://json-schema.org/draft/2020-12/schema":
			case "http://json-schema.org/draft-07/schema#":
				d.draft = 7
			default:
				return nil, fmt.Errorf("%s: unsupported $schema %v", name, s)
			}
		}
		// jsonschema v6 reads a file without $schema as 2020-12, its
		// default draft.
		_, d.id = m["$id"]
	}
	b.docs[name] = d
	return d, nil
}

// node compiles the schema at the JSON pointer ptr of file name. Schemas
// with no $ref in them are shared by content across files.
func (b *builder) node(name, ptr string, added *[]string) (*bnode, error) {
	d, err := b.doc(name)
	if err != nil {
		return nil, err
	}
	v, ok := lookup(d.root, ptr)
	if !ok {
		return nil, fmt.Errorf("%s#%s does not resolve", name, ptr)
	}
	key := name + "#" + ptr
	if ptr != "" && !hasRef(v) {
		content, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		key = "draft" + strconv.Itoa(d.draft) + " " + string(content)
	}
	if n, ok := b.nodes[key]; ok {
		return n, nil
	}
	switch v := v.(type) {
	case bool:
		if v {
			return boolTrue, nil
		}
		return boolFalse, nil
	case map[string]any:
		if len(v) == 0 {
			// jsonschema v6 compiles {} as the schema true: it accepts even
			// values of types it rejects elsewhere (NaN).
			return boolTrue, nil
		}
		n := &bnode{}
		b.nodes[key] = n
		*added = append(*added, key)
		c := compiler{b: b, name: name, ptr: ptr, doc: d, obj: v, added: added}
		if err := c.compile(n); err != nil {
			return nil, fmt.Errorf("%s#%s: %w", name, ptr, err)
		}
		return n, nil
	}
	return nil, fmt.Errorf("%s#%s: not a schema", name, ptr)
}

func hasRef(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x["$ref"]; ok {
			return true
		}
		for _, e := range x {
			if hasRef(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if hasRef(e) {
				return true
			}
		}
	}
	return false
}

type compiler struct {
	b     *builder
	name  string
	ptr   string
	doc   *doc
	obj   map[string]any
	added *[]string
}

// draft07RefSiblings are the keywords jsonschema v6 still applies beside a
// draft-07 $ref (it ignores the others, as the draft says); the checker
// does not implement them there.
var draft07RefSiblings = []string{"const", "contains", "propertyNames", "if", "then", "else", "contentEncoding", "contentMediaType"}

func (c *compiler) sub(tok ...string) (*bnode, error) {
	p := c.ptr
	for _, t := range tok {
		p += "/" + escapeToken(t)
	}
	return c.b.node(c.name, p, c.added)
}

func (c *compiler) subArray(kw string) ([]*bnode, error) {
	arr, ok := c.obj[kw].([]any)
	if !ok {
		return nil, fmt.Errorf("%s is not an array", kw)
	}
	out := make([]*bnode, len(arr))
	for i := range arr {
		s, err := c.sub(kw, strconv.Itoa(i))
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// compile reads one schema object. Every keyword it does not know makes
// it fail: the checker never accepts what it does not check.
func (c *compiler) compile(n *bnode) (err error) {
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
	keys := make([]string, 0, len(c.obj))
	for k := range c.obj {
		keys = append(keys, k)
	}
	sort.Strings(keys) // deterministic errors
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
			n.Types, err = parseTypes(v)
		case "const":
			n.HasConst = true
			n.Const, err = schemaValue(v)
		case "enum":
			arr, ok := v.([]any)
			if !ok {
				return fmt.Errorf("enum is not an array")
			}
			n.HasEnum = true
			for _, e := range arr {
				sv, err := schemaValue(e)
				if err != nil {
					return err
				}
				n.Enum = append(n.Enum, sv)
				n.EnumTypes |= TypeOf(e)
			}
		case "minimum", "maximum":
			num, ok := v.(json.Number)
			if !ok {
				return fmt.Errorf("%s is not a number", k)
			}
			f, err := NewNum(string(num))
			if err != nil {
				return err
			}
			if k == "minimum" {
				n.Minimum = &f
			} else {
				n.Maximum = &f
			}
			n.NumKw = true
		case "minLength", "maxLength", "minItems", "maxItems":
			i, err := count(k, v)
			if err != nil {
				return err
			}
			switch k {
			case "minLength":
				n.MinLen, n.StrKw = i+1, true
			case "maxLength":
				n.MaxLen, n.StrKw = i+1, true
			case "minItems":
				n.MinItems, n.ArrKw = i+1, true
			case "maxItems":
				n.MaxItems, n.ArrKw = i+1, true
			}
		case "pattern":
			s, ok := v.(string)
			if !ok {
				return fmt.Errorf("pattern is not a string")
			}
			// jsonschema v6 compiles patterns with Go's regexp by default
			// (unanchored); a pattern Go cannot compile fails its
			// compilation, and the checker refuses too.
			if _, err := regexp.Compile(s); err != nil {
				return err
			}
			n.patternText, n.hasPattern, n.StrKw = s, true, true
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
				n.Required = append(n.Required, s)
			}
			n.ObjKw = true
		case "properties":
			m, ok := v.(map[string]any)
			if !ok {
				return fmt.Errorf("properties is not an object")
			}
			n.props = make(map[string]*bnode, len(m))
			for p := range m {
				if n.props[p], err = c.sub(k, p); err != nil {
					return err
				}
			}
			n.ObjKw = true
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
				if _, err := regexp.Compile(p); err != nil {
					return err
				}
				s, err := c.sub(k, p)
				if err != nil {
					return err
				}
				n.patProps = append(n.patProps, bpat{p, s})
			}
			n.ObjKw = true
		case "additionalProperties":
			if n.addl, err = c.sub(k); err == nil {
				n.ObjKw = true
			}
		case "items":
			if _, isArr := v.([]any); isArr {
				if c.doc.draft != 7 {
					return fmt.Errorf("items is an array in draft 2020-12")
				}
				n.prefix, err = c.subArray(k)
				if a, ok := c.obj["additionalItems"]; ok && err == nil {
					n.rest, err = c.sub("additionalItems")
					n.ClosedItems = a == false
				}
			} else {
				// 2020-12: applies after prefixItems; draft-07: to all
				// items, and additionalItems is ignored.
				n.rest, err = c.sub(k)
			}
			n.ArrKw = true
		case "prefixItems":
			if c.doc.draft == 7 {
				return fmt.Errorf("prefixItems in draft-07")
			}
			n.prefix, err = c.subArray(k)
			n.ArrKw = true
		case "additionalItems":
			// draft-07, read with an array "items"; without one jsonschema
			// ignores it.
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
// file name (plus pointer) among the files.
func (c *compiler) ref(v any) (*bnode, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("$ref is not a string")
	}
	file, frag, _ := strings.Cut(s, "#")
	// jsonschema percent-decodes the fragment, then unescapes each token.
	frag, err := url.PathUnescape(frag)
	if err != nil {
		return nil, fmt.Errorf("$ref %s: %w", s, err)
	}
	if frag != "" && !strings.HasPrefix(frag, "/") {
		return nil, fmt.Errorf("$ref %s: anchors are not implemented", s)
	}
	name := c.name
	if file != "" {
		if c.doc.id || strings.Contains(file, ":") || strings.HasPrefix(file, "/") {
			return nil, fmt.Errorf("$ref %s: only references relative to an embedded file are implemented", s)
		}
		name = path.Join(path.Dir(c.name), file)
	}
	ptr := ""
	if frag != "" {
		for _, tok := range strings.Split(frag, "/")[1:] {
			ptr += "/" + escapeToken(unescapeToken(tok))
		}
	}
	return c.b.node(name, ptr, c.added)
}

func escapeToken(t string) string {
	return strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1")
}

func unescapeToken(t string) string {
	return strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
}

// lookup resolves a JSON pointer (escaped tokens) within doc.
func lookup(doc any, ptr string) (any, bool) {
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

var typeBits = map[string]uint8{
	"null": TNull, "boolean": TBool, "number": TNumber, "integer": TInteger,
	"string": TString, "array": TArray, "object": TObject,
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

// schemaValue converts a const or enum value: numbers become Num.
func schemaValue(v any) (any, error) {
	switch x := v.(type) {
	case json.Number:
		return NewNum(string(x))
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

func count(k string, v any) (int32, error) {
	num, ok := v.(json.Number)
	if !ok {
		return 0, fmt.Errorf("%s is not a number", k)
	}
	i, err := num.Int64()
	if err != nil || i < 0 || i >= math.MaxInt32 {
		return 0, fmt.Errorf("%s is not a small non-negative integer", k)
	}
	return int32(i), nil
}

// checkCycles refuses a schema graph in which a schema can reach itself
// without descending into the instance ($ref, allOf, anyOf, oneOf, not):
// jsonschema reports such a loop as an error, the checker would not end.
func checkCycles(root *bnode) error {
	const (
		visiting = 1
		done     = 2
	)
	state := map[*bnode]int{}
	var inPlace func(n *bnode) error
	inPlace = func(n *bnode) error {
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
	seen := map[*bnode]bool{}
	stack := []*bnode{root}
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
		for _, s := range []*bnode{n.addl, n.rest} {
			if s != nil {
				stack = append(stack, s)
			}
		}
	}
	return nil
}

func (n *bnode) inPlaceEdges() []*bnode {
	var out []*bnode
	for _, s := range []*bnode{n.ref, n.not} {
		if s != nil {
			out = append(out, s)
		}
	}
	out = append(out, n.allOf...)
	out = append(out, n.anyOf...)
	out = append(out, n.oneOf...)
	return out
}
