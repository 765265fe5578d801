package fastcheck

import (
	"maps"
	"slices"
	"strconv"
	"unicode/utf8"
)

// FailKind names the keyword a Failure reports.
type FailKind uint8

// The kinds of Failure, one per keyword (and FailGroup for several
// failures of one schema at one value).
const (
	FailFalse        FailKind = iota + 1 // the schema false
	FailInvalidValue                     // a value of no JSON type (NaN, infinities)
	FailType
	FailConst
	FailEnum
	FailRef
	FailRequired
	FailAdditionalProperties
	FailMinItems
	FailMaxItems
	FailAdditionalItems // draft-07 additionalItems false
	FailMinLength
	FailMaxLength
	FailPattern
	FailMinimum
	FailMaximum
	FailNot
	FailAllOf
	FailAnyOf
	FailOneOf
	FailGroup
)

// Failure is one failed keyword of an invalid value. Explain shapes the
// failures as jsonschema v6 shapes its ValidationError tree (which keyword
// fails first, which failures nest, where a lone failure stands for its
// group), so that an explanation phrased from it reads exactly as one
// phrased from jsonschema's.
type Failure struct {
	Kind FailKind
	// Node is the schema node whose keyword failed: its Props, Required,
	// bounds and branches say what was wanted.
	Node int32
	// Loc is the value's location: object keys and item indexes as text.
	Loc []string
	// Value is the value at Loc.
	Value any
	// Names are the missing fields of FailRequired and the unexpected ones
	// of FailAdditionalProperties, in schema and key order.
	Names []string
	// Matched holds the two branches of a FailOneOf that both matched; it
	// is empty when none did (Causes then says why each failed).
	Matched []int
	// Causes are the failures beneath FailRef, FailAllOf, FailAnyOf,
	// FailOneOf (when none matched) and FailGroup.
	Causes []*Failure
}

// Explain returns why v fails the schema at node root: the failures at the
// top of the tree, none when v is valid. It walks what Valid walks, without
// stopping at the first failure.
func (t *Table) Explain(root int32, v any) []*Failure {
	f := t.explain(root, v, nil)
	if f == nil {
		return nil
	}
	return lift(f)
}

// lift returns the failures a group stands for, or f alone.
func lift(f *Failure) []*Failure {
	if f.Kind == FailGroup {
		return f.Causes
	}
	return []*Failure{f}
}

func (t *Table) explain(i int32, v any, loc []string) *Failure {
	n := &t.Nodes[i]
	if n.Always {
		return nil
	}
	fail := func(k FailKind) *Failure { return &Failure{Kind: k, Node: i, Loc: loc, Value: v} }
	if n.Never {
		return fail(FailFalse)
	}
	ty := TypeOf(v)
	if ty == 0 {
		return fail(FailInvalidValue)
	}
	// type, const and enum end the schema's checks, as in jsonschema.
	if n.Types != 0 && n.Types&ty == 0 {
		if !(n.Types&TInteger != 0 && ty == TNumber && integral(v)) {
			return fail(FailType)
		}
	}
	if n.HasConst {
		if eq, bad := equal(v, n.Const); bad {
			return fail(FailInvalidValue)
		} else if !eq {
			return fail(FailConst)
		}
	}
	if n.HasEnum {
		matched := false
		if n.EnumTypes&ty != 0 {
			for _, e := range n.Enum {
				eq, bad := equal(v, e)
				if bad {
					return fail(FailInvalidValue)
				}
				if eq {
					matched = true
					break
				}
			}
		}
		if !matched {
			return fail(FailEnum)
		}
	}
	var errs []*Failure
	if n.Ref != 0 {
		if f := t.explain(n.Ref, v, loc); f != nil {
			r := fail(FailRef)
			r.Causes = lift(f)
			errs = append(errs, r)
		}
	}
	switch x := v.(type) {
	case map[string]any:
		if n.ObjKw {
			errs = t.explainObject(i, n, x, loc, errs)
		}
	case []any:
		if n.ArrKw {
			errs = t.explainArray(i, n, x, loc, errs)
		}
	case string:
		if n.StrKw {
			errs = t.explainString(i, n, x, loc, errs)
		}
	case nil, bool:
	default:
		if n.NumKw {
			if n.Minimum != nil {
				if c, ok := cmpNum(v, n.Minimum); !ok || c < 0 {
					errs = append(errs, fail(FailMinimum))
				}
			}
			if n.Maximum != nil {
				if c, ok := cmpNum(v, n.Maximum); !ok || c > 0 {
					errs = append(errs, fail(FailMaximum))
				}
			}
		}
	}
	if n.Not != 0 && t.valid(n.Not, v) {
		errs = append(errs, fail(FailNot))
	}
	if len(n.AllOf) > 0 {
		var causes []*Failure
		for _, s := range n.AllOf {
			if f := t.explain(s, v, loc); f != nil {
				causes = append(causes, f)
			}
		}
		if len(causes) > 0 {
			f := fail(FailAllOf)
			f.Causes = causes
			errs = append(errs, f)
		}
	}
	if len(n.AnyOf) > 0 {
		var causes []*Failure
		for _, s := range n.AnyOf {
			f := t.explain(s, v, loc)
			if f == nil {
				causes = nil
				break
			}
			causes = append(causes, f)
		}
		if causes != nil {
			f := fail(FailAnyOf)
			f.Causes = causes
			errs = append(errs, f)
		}
	}
	if len(n.OneOf) > 0 {
		matched := -1
		var causes []*Failure
		for j, s := range n.OneOf {
			if matched == -1 {
				if f := t.explain(s, v, loc); f != nil {
					causes = append(causes, f)
				} else {
					matched = j
				}
				continue
			}
			if t.valid(s, v) {
				f := fail(FailOneOf)
				f.Matched = []int{matched, j}
				errs = append(errs, f)
				break
			}
		}
		if matched == -1 {
			f := fail(FailOneOf)
			f.Causes = causes
			errs = append(errs, f)
		}
	}
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	g := fail(FailGroup)
	g.Causes = errs
	return g
}

// child is the location of a member of the value at loc, in a slice of its
// own.
func child(loc []string, tok string) []string {
	return append(loc[:len(loc):len(loc)], tok)
}

func (t *Table) explainObject(i int32, n *Node, obj map[string]any, loc []string, errs []*Failure) []*Failure {
	if len(n.Required) > 0 {
		var missing []string
		for _, r := range n.Required {
			if _, ok := obj[r]; !ok {
				missing = append(missing, r)
			}
		}
		if missing != nil {
			errs = append(errs, &Failure{Kind: FailRequired, Node: i, Loc: loc, Value: obj, Names: missing})
		}
	}
	// Keys in order, so the explanation does not depend on map order.
	var extra []string
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		pv := obj[k]
		evaluated := false
		if s := prop(n.Props, k); s != 0 {
			evaluated = true
			if f := t.explain(s, pv, child(loc, k)); f != nil {
				errs = append(errs, f)
			}
		}
		for _, pp := range n.PatProps {
			if t.regexp(pp.Pattern).MatchString(k) {
				evaluated = true
				if f := t.explain(pp.Node, pv, child(loc, k)); f != nil {
					errs = append(errs, f)
				}
			}
		}
		switch {
		case evaluated || n.Addl == 0:
		case n.Addl == NodeFalse:
			// additionalProperties false: one failure names every
			// unexpected key.
			extra = append(extra, k)
		default:
			if f := t.explain(n.Addl, pv, child(loc, k)); f != nil {
				errs = append(errs, f)
			}
		}
	}
	if extra != nil {
		errs = append(errs, &Failure{Kind: FailAdditionalProperties, Node: i, Loc: loc, Value: obj, Names: extra})
	}
	return errs
}

func (t *Table) explainArray(i int32, n *Node, arr []any, loc []string, errs []*Failure) []*Failure {
	fail := func(k FailKind) *Failure { return &Failure{Kind: k, Node: i, Loc: loc, Value: arr} }
	if n.MinItems > 0 && len(arr) < int(n.MinItems-1) {
		errs = append(errs, fail(FailMinItems))
	}
	if n.MaxItems > 0 && len(arr) > int(n.MaxItems-1) {
		errs = append(errs, fail(FailMaxItems))
	}
	for j, item := range arr {
		s := n.Rest
		if j < len(n.Prefix) {
			s = n.Prefix[j]
		} else if n.ClosedItems {
			// draft-07 additionalItems false fails the array once.
			errs = append(errs, fail(FailAdditionalItems))
			break
		}
		if s == 0 {
			continue
		}
		if f := t.explain(s, item, child(loc, strconv.Itoa(j))); f != nil {
			errs = append(errs, f)
		}
	}
	return errs
}

func (t *Table) explainString(i int32, n *Node, s string, loc []string, errs []*Failure) []*Failure {
	fail := func(k FailKind) *Failure { return &Failure{Kind: k, Node: i, Loc: loc, Value: s} }
	if n.MinLen > 0 || n.MaxLen > 0 {
		l := utf8.RuneCountInString(s)
		if n.MinLen > 0 && l < int(n.MinLen-1) {
			errs = append(errs, fail(FailMinLength))
		}
		if n.MaxLen > 0 && l > int(n.MaxLen-1) {
			errs = append(errs, fail(FailMaxLength))
		}
	}
	if n.Pattern != 0 && !t.regexp(n.Pattern-1).MatchString(s) {
		errs = append(errs, fail(FailPattern))
	}
	return errs
}
