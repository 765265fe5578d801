package schemas

import (
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/meshfleet/meshfleet/internal/manifest"
	"github.com/meshfleet/meshfleet/internal/suggest"
	"github.com/meshfleet/meshfleet/schemas/internal/fastcheck"
)

// ProblemKind classifies a Problem, so callers can choose a rule or a
// severity without parsing messages.
type ProblemKind int

// The kinds of problem a schema finds.
const (
	// UnknownField is a field the schema does not define (a typo, or a field
	// of another API version).
	UnknownField ProblemKind = iota + 1
	// WrongType is a value of the wrong JSON type.
	WrongType
	// BadEnum is a value outside a fixed set (or not the one constant).
	BadEnum
	// Required is a missing required field.
	Required
	// Invalid is any other constraint: a range, a pattern, a length, one of
	// a set of fields.
	Invalid
)

func (k ProblemKind) String() string {
	switch k {
	case UnknownField:
		return "unknown field"
	case WrongType:
		return "type"
	case BadEnum:
		return "enum"
	case Required:
		return "required"
	case Invalid:
		return "invalid"
	}
	return "ProblemKind(" + strconv.Itoa(int(k)) + ")"
}

// Problem is one schema violation at one field.
type Problem struct {
	// Path is the field in manifest path syntax
	// (spec.http[0].route[0].destination.subnet); manifest.Find maps it to
	// a line and column. For a missing field it names the field that is
	// missing; Find then stops at its parent.
	Path string
	Msg  string
	Kind ProblemKind
}

func (p Problem) String() string {
	if p.Path == "" {
		return p.Msg
	}
	return p.Path + ": " + p.Msg
}

// explain says why obj fails the schema at the table's node root: problems
// at the deepest fields, phrased for people. It reads the failures of
// fastcheck's Explain, shaped as jsonschema v6 shapes its errors, and
// phrases them as meshfleet always has (explain_ref_test.go keeps the
// jsonschema-based original as the reference).
func explain(t *fastcheck.Table, root int32, obj any) []Problem {
	e := explainer{t: t, obj: obj}
	var ps []Problem
	for _, f := range t.Explain(root, obj) {
		ps = append(ps, e.walk(f)...)
	}
	return normalize(ps)
}

type explainer struct {
	t   *fastcheck.Table
	obj any
}

// instancePath converts an instance location into manifest path syntax: a
// segment is an index only where the instance holds a list.
func instancePath(obj any, loc []string) string {
	p := ""
	cur := obj
	for _, seg := range loc {
		switch c := cur.(type) {
		case []any:
			n, err := strconv.Atoi(seg)
			if err == nil && n >= 0 && n < len(c) {
				p = manifest.AppendIndex(p, n)
				cur = c[n]
				continue
			}
			p = manifest.AppendKey(p, seg)
			cur = nil
		case map[string]any:
			p = manifest.AppendKey(p, seg)
			cur = c[seg]
		default:
			p = manifest.AppendKey(p, seg)
			cur = nil
		}
	}
	return p
}

func (e *explainer) walk(f *fastcheck.Failure) []Problem {
	at := instancePath(e.obj, f.Loc)
	n := &e.t.Nodes[f.Node]
	switch f.Kind {
	case fastcheck.FailAdditionalProperties:
		known := make([]string, len(n.Props))
		for i, p := range n.Props {
			known[i] = p.Name
		}
		var ps []Problem
		if len(n.PatProps) > 0 && len(known) == 0 {
			// A map whose keys must match a pattern (label keys, subset
			// names): the key is malformed rather than unknown. (No
			// schema has two key patterns there; jsonschema's
			// explanation named either.)
			pat := e.t.Patterns[n.PatProps[0].Pattern]
			for _, name := range f.Names {
				ps = append(ps, Problem{Path: manifest.AppendKey(at, name), Kind: Invalid, Msg: "invalid key: " + patternMsg(name, pat)})
			}
			return ps
		}
		for _, name := range f.Names {
			ps = append(ps, Problem{Path: manifest.AppendKey(at, name), Kind: UnknownField, Msg: "unknown field" + hint(name, known)})
		}
		return ps
	case fastcheck.FailFalse:
		return []Problem{{Path: at, Kind: UnknownField, Msg: "unknown field"}}
	case fastcheck.FailRequired:
		var ps []Problem
		for _, name := range f.Names {
			ps = append(ps, Problem{Path: manifest.AppendKey(at, name), Kind: Required, Msg: "required field missing"})
		}
		return ps
	case fastcheck.FailType:
		return []Problem{{Path: at, Kind: WrongType, Msg: typeMsg(fastcheck.TypeNames(fastcheck.TypeOf(f.Value))[0], fastcheck.TypeNames(n.Types))}}
	case fastcheck.FailEnum:
		return []Problem{{Path: at, Kind: BadEnum, Msg: enumMsg(f.Value, n.Enum)}}
	case fastcheck.FailConst:
		return []Problem{{Path: at, Kind: BadEnum, Msg: fmt.Sprintf("must be %s (got %s)", show(n.Const), show(f.Value))}}
	case fastcheck.FailPattern:
		return []Problem{{Path: at, Kind: Invalid, Msg: patternMsg(f.Value.(string), e.t.Patterns[n.Pattern-1])}}
	case fastcheck.FailMinimum:
		return []Problem{{Path: at, Kind: Invalid, Msg: fmt.Sprintf("%s is less than the minimum %s", ratString(numberRat(f.Value)), ratString(n.Minimum.Rat()))}}
	case fastcheck.FailMaximum:
		return []Problem{{Path: at, Kind: Invalid, Msg: fmt.Sprintf("%s is more than the maximum %s", ratString(numberRat(f.Value)), ratString(n.Maximum.Rat()))}}
	case fastcheck.FailMinItems:
		return []Problem{{Path: at, Kind: Invalid, Msg: fmt.Sprintf("needs at least %d item(s), got %d", n.MinItems-1, len(f.Value.([]any)))}}
	case fastcheck.FailMaxItems:
		return []Problem{{Path: at, Kind: Invalid, Msg: fmt.Sprintf("allows at most %d item(s), got %d", n.MaxItems-1, len(f.Value.([]any)))}}
	case fastcheck.FailAdditionalItems:
		return []Problem{{Path: at, Kind: Invalid, Msg: fmt.Sprintf("allows at most %d item(s), got %d", len(n.Prefix), len(f.Value.([]any)))}}
	case fastcheck.FailMinLength:
		return []Problem{{Path: at, Kind: Invalid, Msg: fmt.Sprintf("needs at least %d character(s), got %d", n.MinLen-1, utf8.RuneCountInString(f.Value.(string)))}}
	case fastcheck.FailMaxLength:
		if n.MaxLen-1 == 0 {
			return []Problem{{Path: at, Kind: Invalid, Msg: "must be empty"}}
		}
		return []Problem{{Path: at, Kind: Invalid, Msg: fmt.Sprintf("allows at most %d character(s), got %d", n.MaxLen-1, utf8.RuneCountInString(f.Value.(string)))}}
	case fastcheck.FailInvalidValue:
		return []Problem{{Path: at, Kind: Invalid, Msg: fmt.Sprintf("got %v, which is not a JSON value", f.Value)}}
	case fastcheck.FailNot:
		names := e.notRequired(n)
		switch len(names) {
		case 0:
			return []Problem{{Path: at, Kind: Invalid, Msg: "matches a form that is not allowed"}}
		case 1:
			return []Problem{{Path: at, Kind: Invalid, Msg: names[0] + " must not be set"}}
		}
		return []Problem{{Path: at, Kind: Invalid, Msg: "at most one of " + strings.Join(names, ", ") + " may be set"}}
	case fastcheck.FailOneOf:
		return e.oneOf(f, at)
	case fastcheck.FailAnyOf:
		return e.anyOf(f)
	}
	// $ref, allOf and a group: what failed beneath.
	var ps []Problem
	for _, c := range f.Causes {
		ps = append(ps, e.walk(c)...)
	}
	return ps
}

// numberRat is a value's number as jsonschema compares it: the decimal fmt
// prints for it; nil when that is no number.
func numberRat(v any) *big.Rat {
	r, ok := new(big.Rat).SetString(fmt.Sprint(v))
	if !ok {
		return nil
	}
	return r
}

// oneOf phrases the failures of a oneOf whose branches each require one
// field (the "exactly one handler" shape both CUE's matchN and Istio's
// oneof fields export); other oneOfs report their closest branch.
func (e *explainer) oneOf(f *fastcheck.Failure, at string) []Problem {
	var names []string
	for _, b := range e.t.Nodes[f.Node].OneOf {
		req := e.t.Nodes[b].Required
		if len(req) != 1 {
			names = nil
			break
		}
		names = append(names, req[0])
	}
	return oneOfProblems(names, f.Matched, at, func() []Problem { return e.anyOf(f) })
}

// oneOfProblems phrases a failed oneOf at at from the single required
// field of each branch (names, empty when the branches are not of that
// shape) and the two branches that matched, if any; closest explains the
// failure by its closest branch.
func oneOfProblems(names []string, matched []int, at string, closest func() []Problem) []Problem {
	if len(names) == 0 {
		if len(matched) > 1 {
			return []Problem{{Path: at, Kind: Invalid, Msg: "matches more than one allowed form"}}
		}
		return closest()
	}
	list := strings.Join(names, ", ")
	if len(matched) > 1 {
		var got []string
		for _, i := range matched {
			if i >= 0 && i < len(names) {
				got = append(got, names[i])
			}
		}
		return []Problem{{Path: at, Kind: Invalid, Msg: fmt.Sprintf("exactly one of %s is allowed, got %s", list, strings.Join(got, " and "))}}
	}
	return []Problem{{Path: at, Kind: Required, Msg: fmt.Sprintf("exactly one of %s is required", list)}}
}

// notRequired returns the fields of a "not: {required: [...]}" schema (the
// CEL "at most one of" rules the generator carries), looking through the
// anyOf that CUE's export wraps around it.
func (e *explainer) notRequired(n *fastcheck.Node) []string {
	not := &e.t.Nodes[n.Not]
	if len(not.Required) > 0 {
		return not.Required
	}
	for _, c := range not.AnyOf {
		if req := e.t.Nodes[c].Required; len(req) > 0 {
			return req
		}
	}
	return nil
}

// anyOf picks the branch that explains the failure best: branches that
// failed only on the value's type or constant are alternatives the author
// did not mean when another branch of the right type failed deeper. When
// every branch is a type mismatch, the wanted types are merged.
func (e *explainer) anyOf(f *fastcheck.Failure) []Problem {
	if p, ok := e.requiredAlternatives(f); ok {
		return []Problem{p}
	}
	branches := make([][]Problem, len(f.Causes))
	for i, c := range f.Causes {
		branches[i] = e.walk(c)
	}
	return bestBranch(branches)
}

// bestBranch chooses among the problems of the failed branches of an anyOf
// (or of a oneOf none of whose branches matched): the fewest problems of a
// branch that failed deeper than on type or constant, else the type and
// constant mismatches of all merged.
func bestBranch(branches [][]Problem) []Problem {
	var deep [][]Problem
	var shallow []Problem
	for _, ps := range branches {
		if allShallow(ps) {
			shallow = append(shallow, ps...)
		} else {
			deep = append(deep, ps)
		}
	}
	if len(deep) > 0 {
		best := deep[0]
		for _, ps := range deep[1:] {
			if len(ps) < len(best) {
				best = ps
			}
		}
		return best
	}
	return mergeTypes(shallow)
}

// requiredAlternatives recognises an anyOf whose every branch failed for
// one missing field of the same object (a WorkloadEntry needs an address or
// a network), and names all the alternatives at once.
func (e *explainer) requiredAlternatives(f *fastcheck.Failure) (Problem, bool) {
	var names []string
	var at []string
	for _, c := range f.Causes {
		for len(c.Causes) == 1 && c.Kind != fastcheck.FailRequired {
			c = c.Causes[0]
		}
		if c.Kind != fastcheck.FailRequired || len(c.Names) != 1 {
			return Problem{}, false
		}
		if at != nil && strings.Join(at, "/") != strings.Join(c.Loc, "/") {
			return Problem{}, false
		}
		at = c.Loc
		names = append(names, c.Names[0])
	}
	return requiredAlternativesProblem(instancePath(e.obj, at), names)
}

// requiredAlternativesProblem names the alternative fields of which one
// is missing at at: at least two, or it is not that shape.
func requiredAlternativesProblem(at string, names []string) (Problem, bool) {
	if len(names) < 2 {
		return Problem{}, false
	}
	return Problem{Path: at, Kind: Required, Msg: "required field missing: one of " + strings.Join(names, ", ")}, true
}

func allShallow(ps []Problem) bool {
	for _, p := range ps {
		if p.Kind != WrongType && p.Kind != BadEnum {
			return false
		}
	}
	return len(ps) > 0
}

// mergeTypes turns the type and constant mismatches of several branches at
// one field into one problem listing every acceptable form.
func mergeTypes(ps []Problem) []Problem {
	if len(ps) == 0 {
		return nil
	}
	byPath := map[string][]Problem{}
	var order []string
	for _, p := range ps {
		if _, ok := byPath[p.Path]; !ok {
			order = append(order, p.Path)
		}
		byPath[p.Path] = append(byPath[p.Path], p)
	}
	var out []Problem
	for _, path := range order {
		group := byPath[path]
		if len(group) == 1 {
			out = append(out, group[0])
			continue
		}
		// A type mismatch says more than a missed constant (a default
		// such as "v1" beside "any label value"): with both, the types win.
		var got string
		var types, consts []string
		for _, p := range group {
			if g, w, ok := parseTypeMsg(p.Msg); ok {
				got = g
				types = append(types, w...)
				continue
			}
			consts = append(consts, strings.TrimPrefix(strings.SplitN(p.Msg, " (got", 2)[0], "must be "))
		}
		if len(types) > 0 {
			out = append(out, Problem{Path: path, Kind: WrongType, Msg: typeMsg(got, types)})
			continue
		}
		out = append(out, Problem{Path: path, Kind: BadEnum, Msg: "must be " + strings.Join(dedupe(consts), " or ")})
	}
	return out
}

func typeMsg(got string, want []string) string {
	want = dedupe(want)
	// "integer" implies "number": a CUE int exports as both.
	if contains(want, "integer") {
		want = remove(want, "number")
	}
	return fmt.Sprintf("got %s, want %s", got, strings.Join(want, " or "))
}

func parseTypeMsg(msg string) (got string, want []string, ok bool) {
	rest, found := strings.CutPrefix(msg, "got ")
	if !found {
		return "", nil, false
	}
	g, w, found := strings.Cut(rest, ", want ")
	if !found {
		return "", nil, false
	}
	return g, strings.Split(w, " or "), true
}

// enumMsg lists the allowed values. Spellings that differ only in case (the
// VMFleet protocols, which Istio reads case-insensitively) are listed once.
func enumMsg(got any, want []any) string {
	var ws []string
	seen := map[string]bool{}
	folded := false
	for _, w := range want {
		s, ok := w.(string)
		if !ok {
			ws = append(ws, show(w))
			continue
		}
		if seen[strings.ToLower(s)] {
			folded = true
			continue
		}
		seen[strings.ToLower(s)] = true
		if s == "" {
			s = `""`
		}
		ws = append(ws, s)
	}
	note := ""
	if folded {
		note = "any case; "
	}
	return fmt.Sprintf("must be one of %s (%sgot %s)", strings.Join(ws, ", "), note, show(got))
}

func show(v any) string {
	switch v := v.(type) {
	case string:
		return strconv.Quote(v)
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	}
	return fmt.Sprint(v) // a fastcheck.Num prints as its decimal
}

func ratString(r *big.Rat) string {
	if r == nil {
		return "?"
	}
	if r.IsInt() {
		return r.Num().String()
	}
	return r.FloatString(3)
}

// friendlyPatterns names the patterns of the generated schemas that people
// meet most, so a message says what is wanted rather than quoting a regexp.
var friendlyPatterns = map[string]string{
	`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`:                                   "must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit",
	`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`: "must be a DNS-1123 subdomain: lower-case letters, digits, '-' and '.'",
	`^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$`:                     "must be a label value: letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
	`^.{0,63}$`:                       "must be at most 63 characters",
	`^.{0,253}$`:                      "must be at most 253 characters",
	`^[^*]*$`:                         "must not contain a wildcard (*)",
	`^.{1,15}$`:                       "must be 1 to 15 characters long",
	`[a-z]`:                           "must contain a letter",
	`^[a-z0-9]([a-z0-9]|-[a-z0-9])*$`: "must be a port name: lower-case letters, digits and single '-', starting and ending with a letter or digit",
	`^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$`: "must be a label key: an optional DNS subdomain and '/', then up to 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
	`^[a-z0-9._-]+$`:       "must be a trust domain: lower-case letters, digits, '.', '-' and '_'",
	`^[^/]+(/[^/]+){0,2}$`: "must be a locality: region[/zone[/subzone]]",
	`^([^*]|.{2,})$`:       `must not be "*"`,
}

func patternMsg(got, want string) string {
	if m, ok := friendlyPatterns[want]; ok {
		return fmt.Sprintf("%s (got %s)", m, strconv.Quote(got))
	}
	switch {
	case strings.Contains(want, "(ns|us|"):
		return fmt.Sprintf("must be a duration such as 5s, 100ms or 1m30s (got %s)", strconv.Quote(got))
	case strings.Contains(want, "25[0-5]"):
		return fmt.Sprintf("must be an IPv4 or IPv6 address (got %s)", strconv.Quote(got))
	}
	return fmt.Sprintf("must match %s (got %s)", want, strconv.Quote(got))
}

// hint suggests the closest known field for a misspelt one, or lists the
// known fields when none is close and the list is short enough to read.
func hint(got string, known []string) string {
	if best := suggest.Closest(got, known); best != "" {
		return " (did you mean " + best + "?)"
	}
	if len(known) > 0 && len(known) <= 12 {
		return " (expected one of: " + strings.Join(known, ", ") + ")"
	}
	return ""
}

// normalize merges type problems reported twice at one field (a CUE int
// exports as number and integer), drops exact duplicates and sorts.
func normalize(ps []Problem) []Problem {
	types := map[string]int{}
	seen := map[Problem]bool{}
	var out []Problem
	for _, p := range ps {
		if p.Kind == WrongType {
			if i, ok := types[p.Path]; ok {
				g1, w1, ok1 := parseTypeMsg(out[i].Msg)
				_, w2, ok2 := parseTypeMsg(p.Msg)
				if ok1 && ok2 {
					out[i].Msg = typeMsg(g1, intersectOrUnion(w1, w2))
				}
				continue
			}
			types[p.Path] = len(out)
		}
		if seen[p] {
			continue
		}
		seen[p] = true
		out = append(out, p)
	}
	// A field with the wrong type also fails the checks of the type it
	// should have had; report only the type. A misspelt field also leaves
	// the field it meant missing; report only the misspelling, whose hint
	// names the missing field.
	meant := map[string]bool{}
	for _, p := range out {
		if p.Kind == UnknownField {
			if _, name, ok := strings.Cut(p.Msg, "(did you mean "); ok {
				meant[parentPath(p.Path)+"\x00"+strings.TrimSuffix(name, "?)")] = true
			}
		}
	}
	filtered := out[:0]
	for _, p := range out {
		if p.Kind != WrongType {
			if _, bad := types[p.Path]; bad {
				continue
			}
		}
		if p.Kind == Required && explainedByTypo(p, meant) {
			continue
		}
		filtered = append(filtered, p)
	}
	sort.SliceStable(filtered, func(i, j int) bool {
		if filtered[i].Path != filtered[j].Path {
			return filtered[i].Path < filtered[j].Path
		}
		return filtered[i].Msg < filtered[j].Msg
	})
	return filtered
}

// explainedByTypo reports whether a missing field (or a missing one of a
// set) is the one a misspelt sibling was meant to be.
func explainedByTypo(p Problem, meant map[string]bool) bool {
	if list, ok := strings.CutPrefix(p.Msg, "exactly one of "); ok {
		list = strings.TrimSuffix(list, " is required")
		for _, name := range strings.Split(list, ", ") {
			if meant[p.Path+"\x00"+name] {
				return true
			}
		}
		return false
	}
	segs := manifest.SplitPath(p.Path)
	if len(segs) == 0 || segs[len(segs)-1].IsIndex {
		return false
	}
	return meant[parentPath(p.Path)+"\x00"+segs[len(segs)-1].Key]
}

// parentPath drops the last segment of a path.
func parentPath(path string) string {
	segs := manifest.SplitPath(path)
	if len(segs) == 0 {
		return ""
	}
	p := ""
	for _, s := range segs[:len(segs)-1] {
		if s.IsIndex {
			p = manifest.AppendIndex(p, s.Index)
		} else {
			p = manifest.AppendKey(p, s.Key)
		}
	}
	return p
}

// intersectOrUnion keeps the types both reports want (allOf semantics: a
// value must satisfy both), falling back to all of them.
func intersectOrUnion(a, b []string) []string {
	var both []string
	for _, x := range a {
		if contains(b, x) {
			both = append(both, x)
		}
	}
	if len(both) > 0 {
		return both
	}
	if contains(a, "integer") || contains(b, "integer") {
		return []string{"integer"}
	}
	return append(append([]string(nil), a...), b...)
}

func dedupe(xs []string) []string {
	var out []string
	for _, x := range xs {
		if !contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func remove(xs []string, s string) []string {
	var out []string
	for _, x := range xs {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

// Positioned turns problems found in doc into errors at the line and column
// of their field (for a missing field, of the object that lacks it), in
// the project's format: "file:line:col: spec.probe.tcpSockets: unknown
// field (did you mean tcpSocket?)".
func Positioned(doc *manifest.Document, ps []Problem) []*manifest.Error {
	out := make([]*manifest.Error, 0, len(ps))
	for _, p := range ps {
		find := manifest.Find
		if p.Kind == UnknownField {
			find = manifest.FindKey
		}
		n, _ := find(doc.Node, p.Path)
		out = append(out, manifest.Errorf(doc.File, n, p.Path, "%s", p.Msg))
	}
	return out
}
