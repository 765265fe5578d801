// Package fastcheck decides whether a value is valid against meshfleet's
// embedded JSON Schemas exactly as santhosh-tekuri/jsonschema v6 does,
// without building error trees and without allocating (Valid), and for an
// invalid value says what failed, in a tree shaped as jsonschema's errors
// are (Explain, explain.go). Package schemas needs nothing else, so the
// binary does not link jsonschema; its tests hold this package to it.
//
// Build compiles schema files into a Table; Emit writes a Table as Go
// source, which `go generate ./schemas/...` commits as schemas/fast_gen.go,
// so a process pays nothing to set the checker up: the table is static
// data, and only the regular expressions a run meets are compiled, on
// first use. Build implements the keywords the generated schemas use (see
// compile in build.go) and refuses a schema with any other rather than
// check it wrongly; Generate then fails, naming the keyword to implement.
package fastcheck

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// JSON types as bits, for "type" and the types of enum values.
const (
	TNull uint8 = 1 << iota
	TBool
	TNumber
	TInteger // only in a "type" set: a number with no fractional part
	TString
	TArray
	TObject
)

// Table is a compiled set of schemas: nodes refer to each other by index.
// Node 0 is unused (index 0 means "absent"), node 1 is the schema true and
// node 2 the schema false.
type Table struct {
	Nodes    []Node
	Patterns []string // regular expressions, compiled on first use
	Roots    []Root   // sorted by Name

	reOnce sync.Once
	re     []atomic.Pointer[regexp.Regexp]
}

// Root names the node of one schema file.
type Root struct {
	Name string
	Node int32
}

// The fixed nodes of every table.
const (
	NodeTrue  = 1
	NodeFalse = 2
)

// Node is one schema object. Index fields are 0 when the keyword is absent;
// the Min*/Max* counts hold the bound plus one, so that 0 means absent.
type Node struct {
	Always, Never bool // the boolean schemas

	Types uint8 // 0: no "type"

	HasConst bool
	Const    any // JSON value; numbers as Num

	HasEnum   bool
	Enum      []any
	EnumTypes uint8

	Ref int32

	Props    []Prop // sorted by Name
	PatProps []PatProp
	Addl     int32
	Required []string

	// Prefix holds prefixItems (2020-12) or an array "items" (draft-07);
	// Rest applies to the items after them: "items" (2020-12), a single
	// "items" or "additionalItems" (draft-07).
	Prefix             []int32
	Rest               int32
	MinItems, MaxItems int32
	// ClosedItems marks a draft-07 "additionalItems": false after an array
	// "items" (Rest is then the schema false): the extra items fail the
	// array once rather than each, which only an explanation tells apart.
	ClosedItems bool

	MinLen, MaxLen int32
	Pattern        int32 // index into Patterns, plus one

	Minimum, Maximum *Num

	AllOf, AnyOf, OneOf []int32
	Not                 int32

	// which kinds of instance have keywords to check
	ObjKw, ArrKw, StrKw, NumKw bool
}

// Prop is one entry of "properties".
type Prop struct {
	Name string
	Node int32
}

// PatProp is one entry of "patternProperties".
type PatProp struct {
	Pattern int32 // index into Patterns
	Node    int32
}

// Num is a number of a schema, classified for the comparisons the validator
// makes most: Small is an integer of at most 2^53 in magnitude (in I),
// Above/Below an integer beyond the int64 range, Other anything else,
// compared exactly through its decimal text.
type Num struct {
	Class NumClass
	I     int64
	Text  string
}

// NumClass classifies a Num.
type NumClass int8

// The classes of Num.
const (
	Small NumClass = iota
	Above
	Below
	Other
)

const exactFloat = 1 << 53 // every integer of smaller magnitude is a float64

// NewNum classifies the decimal number text.
func NewNum(text string) (Num, error) {
	r, ok := new(big.Rat).SetString(text)
	if !ok {
		return Num{}, fmt.Errorf("bad number %q", text)
	}
	n := Num{Class: Other, Text: r.RatString()}
	if r.IsInt() {
		num := r.Num()
		switch {
		case num.IsInt64() && num.Int64() <= exactFloat && num.Int64() >= -exactFloat:
			n = Num{Class: Small, I: num.Int64()}
		case num.Sign() > 0 && !num.IsInt64():
			n = Num{Class: Above, Text: n.Text}
		case num.Sign() < 0 && !num.IsInt64():
			n = Num{Class: Below, Text: n.Text}
		}
	}
	return n, nil
}

// String prints the number in decimal: exactly, unless it is a fraction
// with no finite decimal form (then as p/q).
func (b Num) String() string {
	if b.Class == Small {
		return strconv.FormatInt(b.I, 10)
	}
	r := b.Rat()
	if r.IsInt() {
		return r.Num().String()
	}
	d := new(big.Int).Set(r.Denom())
	twos := d.TrailingZeroBits()
	d.Rsh(d, twos)
	fives := uint(0)
	five, m := big.NewInt(5), new(big.Int)
	for {
		q, rem := new(big.Int).QuoRem(d, five, m)
		if rem.Sign() != 0 {
			break
		}
		d, fives = q, fives+1
	}
	if d.Cmp(big.NewInt(1)) != 0 {
		return r.RatString()
	}
	return r.FloatString(int(max(twos, fives)))
}

// Rat is the number's exact value.
func (b *Num) Rat() *big.Rat {
	if b.Class == Small {
		return new(big.Rat).SetInt64(b.I)
	}
	r, _ := new(big.Rat).SetString(b.Text)
	return r
}

// instRat is the number jsonschema v6 compares: the decimal fmt prints for
// the value, read as a big.Rat.
func instRat(v any) (*big.Rat, bool) {
	return new(big.Rat).SetString(fmt.Sprint(v))
}

// cmpNum compares the instance number v with b as jsonschema v6 does; ok is
// false when v6 could not read v as a number.
func cmpNum(v any, b *Num) (c int, ok bool) {
	if b.Class != Other {
		var f float64
		switch x := v.(type) {
		case int64:
			return cmpInt(x, b), true
		case int:
			return cmpInt(int64(x), b), true
		case float64:
			f = x
		default:
			return cmpSlow(v, b)
		}
		// A float64 of magnitude below 2^53 compares with an integer as the
		// decimal fmt prints for it does: an integral one prints exactly,
		// and no integer lies between a fractional one and the shortest
		// decimal that reads back as it (such an integer would be a
		// float64 itself, nearer to that decimal).
		if !(f < exactFloat && f > -exactFloat) {
			return cmpSlow(v, b) // also NaN and infinities
		}
		switch b.Class {
		case Above:
			return -1, true
		case Below:
			return 1, true
		}
		bf := float64(b.I)
		switch {
		case f < bf:
			return -1, true
		case f > bf:
			return 1, true
		}
		return 0, true
	}
	return cmpSlow(v, b)
}

func cmpSlow(v any, b *Num) (int, bool) {
	r, ok := instRat(v)
	if !ok {
		return 0, false
	}
	return r.Cmp(b.Rat()), true
}

func cmpInt(x int64, b *Num) int {
	switch b.Class {
	case Above:
		return -1
	case Below:
		return 1
	}
	switch {
	case x < b.I:
		return -1
	case x > b.I:
		return 1
	}
	return 0
}

// TypeOf is jsonschema v6's typeOf as bits; 0 for a value it rejects.
func TypeOf(v any) uint8 {
	switch x := v.(type) {
	case nil:
		return TNull
	case bool:
		return TBool
	case string:
		return TString
	case map[string]any:
		return TObject
	case []any:
		return TArray
	case int64, int:
		return TNumber
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0
		}
		return TNumber
	case float32:
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return 0
		}
		return TNumber
	case json.Number, int8, int16, int32, uint, uint8, uint16, uint32, uint64:
		return TNumber
	}
	return 0
}

// TypeNames names the types of a set of type bits, in jsonschema v6's order.
func TypeNames(types uint8) []string {
	var out []string
	for i, name := range []string{"null", "boolean", "number", "integer", "string", "array", "object"} {
		if types&(1<<i) != 0 {
			out = append(out, name)
		}
	}
	return out
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

// equal is jsonschema v6's equals for an instance value v and a schema
// value s; bad reports a value of a type the validator rejects, which fails
// validation.
func equal(v, s any) (eq, bad bool) {
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
			if eq, bad := equal(xv, yv); !eq || bad {
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
			if eq, bad := equal(x[i], y[i]); !eq || bad {
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
		y, ok := s.(Num)
		if !ok {
			return false, false
		}
		c, ok := cmpNum(v, &y)
		return ok && c == 0, false
	}
	return false, true
}

// Root returns the node of the schema file name, or 0.
func (t *Table) Root(name string) int32 {
	lo, hi := 0, len(t.Roots)
	for lo < hi {
		m := (lo + hi) / 2
		switch {
		case t.Roots[m].Name == name:
			return t.Roots[m].Node
		case t.Roots[m].Name < name:
			lo = m + 1
		default:
			hi = m
		}
	}
	return 0
}

// Valid reports whether v satisfies the schema at node root.
func (t *Table) Valid(root int32, v any) bool {
	return t.valid(root, v)
}

func (t *Table) regexp(i int32) *regexp.Regexp {
	t.reOnce.Do(func() { t.re = make([]atomic.Pointer[regexp.Regexp], len(t.Patterns)) })
	p := &t.re[i]
	if re := p.Load(); re != nil {
		return re
	}
	// Build checked that every pattern compiles.
	re := regexp.MustCompile(t.Patterns[i])
	p.Store(re)
	return re
}

func (t *Table) valid(i int32, v any) bool {
	n := &t.Nodes[i]
	if n.Always {
		return true
	}
	if n.Never {
		return false
	}
	ty := TypeOf(v)
	if ty == 0 {
		return false
	}
	if n.Types != 0 && n.Types&ty == 0 {
		if !(n.Types&TInteger != 0 && ty == TNumber && integral(v)) {
			return false
		}
	}
	if n.HasConst {
		if eq, bad := equal(v, n.Const); !eq || bad {
			return false
		}
	}
	if n.HasEnum {
		if n.EnumTypes&ty == 0 {
			return false
		}
		matched := false
		for _, e := range n.Enum {
			eq, bad := equal(v, e)
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
	if n.Ref != 0 && !t.valid(n.Ref, v) {
		return false
	}
	switch x := v.(type) {
	case map[string]any:
		if n.ObjKw && !t.validObject(n, x) {
			return false
		}
	case []any:
		if n.ArrKw && !t.validArray(n, x) {
			return false
		}
	case string:
		if n.StrKw && !t.validString(n, x) {
			return false
		}
	case nil, bool:
	default:
		if n.NumKw && !validNumber(n, v) {
			return false
		}
	}
	if n.Not != 0 && t.valid(n.Not, v) {
		return false
	}
	for _, s := range n.AllOf {
		if !t.valid(s, v) {
			return false
		}
	}
	if len(n.AnyOf) > 0 {
		matched := false
		for _, s := range n.AnyOf {
			if t.valid(s, v) {
				matched = true
				break
			}
		}
		if !matched {
			return false
		}
	}
	if len(n.OneOf) > 0 {
		matched := 0
		for _, s := range n.OneOf {
			if t.valid(s, v) {
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

// prop finds the schema of property k: a binary search of the sorted
// properties (a linear scan when there are few).
func prop(props []Prop, k string) int32 {
	if len(props) <= 8 {
		for i := range props {
			if props[i].Name == k {
				return props[i].Node
			}
		}
		return 0
	}
	lo, hi := 0, len(props)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if props[m].Name < k {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(props) && props[lo].Name == k {
		return props[lo].Node
	}
	return 0
}

func (t *Table) validObject(n *Node, obj map[string]any) bool {
	for _, r := range n.Required {
		if _, ok := obj[r]; !ok {
			return false
		}
	}
	for k, pv := range obj {
		evaluated := false
		if s := prop(n.Props, k); s != 0 {
			evaluated = true
			if !t.valid(s, pv) {
				return false
			}
		}
		for _, pp := range n.PatProps {
			if t.regexp(pp.Pattern).MatchString(k) {
				evaluated = true
				if !t.valid(pp.Node, pv) {
					return false
				}
			}
		}
		if !evaluated && n.Addl != 0 && !t.valid(n.Addl, pv) {
			return false
		}
	}
	return true
}

func (t *Table) validArray(n *Node, arr []any) bool {
	if n.MinItems > 0 && len(arr) < int(n.MinItems-1) {
		return false
	}
	if n.MaxItems > 0 && len(arr) > int(n.MaxItems-1) {
		return false
	}
	for i, item := range arr {
		s := n.Rest
		if i < len(n.Prefix) {
			s = n.Prefix[i]
		}
		if s != 0 && !t.valid(s, item) {
			return false
		}
	}
	return true
}

func (t *Table) validString(n *Node, s string) bool {
	if n.MinLen > 0 || n.MaxLen > 0 {
		l := utf8.RuneCountInString(s)
		if n.MinLen > 0 && l < int(n.MinLen-1) {
			return false
		}
		if n.MaxLen > 0 && l > int(n.MaxLen-1) {
			return false
		}
	}
	return n.Pattern == 0 || t.regexp(n.Pattern-1).MatchString(s)
}

func validNumber(n *Node, v any) bool {
	if n.Minimum != nil {
		if c, ok := cmpNum(v, n.Minimum); !ok || c < 0 {
			return false
		}
	}
	if n.Maximum != nil {
		if c, ok := cmpNum(v, n.Maximum); !ok || c > 0 {
			return false
		}
	}
	return true
}
