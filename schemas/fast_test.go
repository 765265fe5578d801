package schemas

import (
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/meshfleet/meshfleet/internal/corpus"
	"github.com/meshfleet/meshfleet/internal/manifest"
	"github.com/meshfleet/meshfleet/schemas/internal/fastcheck"
)

// TestFastCoversEveryKind: every embedded kind has a fast checker, the only
// validator meshfleet has. A schema with a keyword the checker does not
// implement fails `go generate`, and this test says which keyword to
// implement in internal/fastcheck.
func TestFastCoversEveryKind(t *testing.T) {
	_, refused := fastcheck.Build(files.ReadFile, registryNames())
	for _, k := range Kinds() {
		apiVersion, kind, _ := strings.Cut(k, " ")
		f := registry[gvk{apiVersion, kind}]
		if f.fast == 0 {
			t.Errorf("%s: no fast checker: %v", k, refused[f.name])
		}
	}
	if len(refused) > 0 {
		t.Errorf("refused: %v", refused)
	}
}

// TestFastTableFromEmbeddedFiles: the committed table is the one the
// embedded files compile to (TestGeneratedFilesFresh compares it with the
// generator's output too, but needs the CUE toolchain's two seconds).
func TestFastTableFromEmbeddedFiles(t *testing.T) {
	tab, refused := fastcheck.Build(files.ReadFile, registryNames())
	if len(refused) > 0 {
		t.Fatalf("refused: %v", refused)
	}
	src, err := fastcheck.Emit(tab, "schemas", "fastTable", "go run ./internal/gen")
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("fast_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if string(src) != string(committed) {
		t.Error("fast_gen.go is stale (run go generate ./schemas/...)")
	}
}

func registryNames() []string {
	var names []string
	for _, f := range registry {
		names = append(names, f.name)
	}
	return names
}

// differ compares the fast checker with jsonschema on one instance and,
// when both find it invalid, the table-driven explanation with the
// reference (explain_ref_test.go): the same problems, except that where
// the reference fell back to jsonschema's own wording the message may
// differ (path and kind may not).
type differ struct {
	t                   testing.TB
	cases, valid, wrong int
	problems            int // cases whose problems were compared
	reworded            int // problems compared by path and kind only
	explainWrong        int
}

func (d *differ) check(f *schemaFile, v any, what func() string) {
	d.t.Helper()
	d.cases++
	want, refPs, fallback := referenceValidate(d.t, f, v)
	got := f.fast != 0 && fastTable.Valid(f.fast, v)
	if want {
		d.valid++
	}
	if got != want {
		d.wrong++
		if d.wrong <= 20 {
			d.t.Errorf("%s as %s: fast checker says valid=%v, jsonschema valid=%v", what(), f.name, got, want)
		}
		return
	}
	if want {
		return
	}
	d.problems++
	ps := explain(fastTable, f.fast, v)
	diff, reworded := problemsDiff(refPs, fallback, ps)
	d.reworded += reworded
	if diff != "" {
		d.explainWrong++
		if d.explainWrong <= 20 {
			d.t.Errorf("%s as %s: problems differ from the reference's (-reference +new):\n%s", what(), f.name, diff)
		}
	}
}

// problemsDiff is empty when got equals want, a problem of want in
// fallback matching one of got by path and kind alone; reworded counts
// those.
func problemsDiff(want []Problem, fallback map[Problem]bool, got []Problem) (diff string, reworded int) {
	left := append([]Problem(nil), got...)
	take := func(match func(Problem) bool) bool {
		for i, p := range left {
			if match(p) {
				left = append(left[:i], left[i+1:]...)
				return true
			}
		}
		return false
	}
	ok := len(want) == len(got)
	for _, w := range want {
		if !fallback[w] && !take(func(p Problem) bool { return p == w }) {
			ok = false
		}
	}
	for _, w := range want {
		if fallback[w] {
			if !take(func(p Problem) bool { return p.Path == w.Path && p.Kind == w.Kind }) {
				ok = false
			}
			reworded++
		}
	}
	if ok && len(left) == 0 {
		return "", reworded
	}
	return cmp.Diff(want, got), reworded
}

func kindOf(f *schemaFile) gvk {
	for k, g := range registry {
		if g == f {
			return k
		}
	}
	panic(f.name)
}

type sample struct {
	where string
	f     *schemaFile
	obj   map[string]any
}

// realResources is every document of a known kind in the repository's
// fixtures, examples and golden cases, plus the generated corpus.
func realResources(t testing.TB) []sample {
	t.Helper()
	var out []sample
	add := func(where string, data []byte) {
		docs, err := manifest.Parse(where, data, manifest.DefaultLimits)
		if err != nil {
			return // deliberately malformed inputs
		}
		for i, d := range docs {
			obj, ok := manifest.Value(d.Node).(map[string]any)
			if !ok {
				continue
			}
			apiVersion, _ := obj["apiVersion"].(string)
			kind, _ := obj["kind"].(string)
			if f := registry[gvk{apiVersion, kind}]; f != nil {
				out = append(out, sample{fmt.Sprintf("%s#%d", where, i), f, obj})
			}
		}
	}
	for _, root := range []string{"../fixtures", "../examples", "testdata"} {
		err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			if ext := filepath.Ext(p); ext != ".yaml" && ext != ".yml" && ext != ".json" {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			add(p, data)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range 100 {
		add(fmt.Sprintf("corpus.Fleet(%d)", i), corpus.Fleet(i, fmt.Sprintf("team-%03d", i/10)))
	}
	add("corpus.VMFleets(50)", corpus.VMFleets(50))
	if len(out) < 500 {
		t.Fatalf("only %d real resources found", len(out))
	}
	return out
}

// TestFastAgreesWithJSONSchema runs the fast checker and jsonschema on every
// real resource (as its own kind and as every other kind, which makes
// thousands of invalid cases), then on deterministic mutations of them at
// every field, and fails on any disagreement, in the verdict or in the
// explanation of an invalid case.
func TestFastAgreesWithJSONSchema(t *testing.T) {
	real := realResources(t)
	files := make([]*schemaFile, 0, len(registry))
	for _, k := range Kinds() {
		apiVersion, kind, _ := strings.Cut(k, " ")
		files = append(files, registry[gvk{apiVersion, kind}])
	}

	d := &differ{t: t}
	for _, s := range real {
		d.check(s.f, s.obj, func() string { return s.where })
	}
	t.Logf("real resources: %d cases, %d valid", d.cases, d.valid)
	if d.valid*10 < d.cases*9 {
		t.Errorf("expected almost all real resources valid, got %d of %d", d.valid, d.cases)
	}

	// MESHFLEET_FAST_DIFF=full checks every resource as every kind and
	// three mutations per field (about 220,000 cases, ten seconds);
	// by default each resource is checked as four other kinds and one
	// mutation per field.
	full := os.Getenv("MESHFLEET_FAST_DIFF") == "full"
	cross := &differ{t: t}
	for i, s := range real {
		for j := range files {
			f := files[(i+j)%len(files)]
			if !full && j%10 != 1 {
				continue
			}
			if f != s.f {
				cross.check(f, s.obj, func() string { return s.where })
			}
		}
	}
	t.Logf("real resources as other kinds: %d cases, %d valid", cross.cases, cross.valid)

	mut := &differ{t: t}
	rng := rand.New(rand.NewPCG(11, 2026))
	pool := scalarPool(real)
	perPath := 1
	if full {
		perPath = 3
	}
	for _, s := range real {
		for _, p := range paths(s.obj, nil) {
			for range perPath {
				m, desc := mutate(rng, s.obj, p, pool)
				mut.check(s.f, m, func() string { return s.where + " " + desc })
			}
		}
	}
	t.Logf("mutations: %d cases, %d valid", mut.cases, mut.valid)
	t.Logf("invalid cases explained as the reference does: %d (%d problems reworded)", d.problems+cross.problems+mut.problems, d.reworded+cross.reworded+mut.reworded)
	if mut.cases < 20000 || mut.valid == 0 || mut.valid == mut.cases {
		t.Errorf("mutations did not exercise both verdicts: %d cases, %d valid", mut.cases, mut.valid)
	}
}

// paths lists the location of every value in v (the root excluded), keys
// sorted, so the mutations are deterministic.
func paths(v any, prefix []any) [][]any {
	var out [][]any
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := append(append([]any(nil), prefix...), k)
			out = append(out, p)
			out = append(out, paths(x[k], p)...)
		}
	case []any:
		for i := range x {
			p := append(append([]any(nil), prefix...), i)
			out = append(out, p)
			out = append(out, paths(x[i], p)...)
		}
	}
	return out
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = deepCopy(e)
		}
		return s
	}
	return v
}

// scalarPool collects every scalar of the real resources (sorted), so a
// mutation can put a value of one field into another: valid enum values of
// other fields, names, ports.
func scalarPool(real []sample) []any {
	seen := map[string]any{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		default:
			seen[fmt.Sprintf("%T %v", v, v)] = v
		}
	}
	for _, s := range real {
		walk(s.obj)
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = seen[k]
	}
	return out
}

// edgeValues are values at the edges of the bounds, types and lengths the
// schemas use, in every numeric form manifest.Value produces.
var edgeValues = []any{
	nil, true, false, "", "*", "x", "UPPER_case", "-bad-", "a..b", "10.0.0.0/8", "1.2.3.4",
	"HTTP", "http", "TCP", "tcp", "STRICT", "NOT_AN_ENUM", "5s", "1ms", "-1s",
	strings.Repeat("a", 63), strings.Repeat("a", 64), strings.Repeat("é", 63), strings.Repeat("é", 64),
	strings.Repeat("a", 253), strings.Repeat("a", 254), "\xff\xfe",
	int64(-1), int64(0), int64(1), int64(65535), int64(65536), int64(599), int64(600), int64(100), int64(101),
	int64(2147483647), int64(2147483648), int64(-2147483648), int64(-2147483649),
	int64(4294967295), int64(4294967296), int64(math.MaxInt64), int64(math.MinInt64),
	0.0, 1.0, 1.5, -0.5, 65535.0, 65535.5, 4294967295.0, 4294967296.0, 2147483647.5,
	9007199254740993.0, 9.223372036854775807e18, -9.223372036854775808e18, 1e19, -1e19, 1e300,
	math.NaN(), math.Inf(1), math.Inf(-1),
	map[string]any{}, []any{}, map[string]any{"x": int64(1)}, []any{"x"}, []any{nil},
}

// mutate returns a copy of obj with one change at path p.
func mutate(rng *rand.Rand, obj map[string]any, p []any, pool []any) (map[string]any, string) {
	c := deepCopy(obj).(map[string]any)
	var parent any = c
	for _, seg := range p[:len(p)-1] {
		switch x := parent.(type) {
		case map[string]any:
			parent = x[seg.(string)]
		case []any:
			parent = x[seg.(int)]
		}
	}
	last := p[len(p)-1]
	get := func() any {
		if m, ok := parent.(map[string]any); ok {
			return m[last.(string)]
		}
		return parent.([]any)[last.(int)]
	}
	set := func(v any) {
		if m, ok := parent.(map[string]any); ok {
			m[last.(string)] = v
		} else {
			parent.([]any)[last.(int)] = v
		}
	}
	where := fmt.Sprint(p)
	switch op := rng.IntN(8); op {
	case 0: // flip the type
		var v any
		switch x := get().(type) {
		case string:
			v = int64(len(x))
		case int64, float64:
			v = fmt.Sprint(x)
		case bool:
			v = fmt.Sprint(x)
		case map[string]any:
			v = []any{x}
		case []any:
			v = map[string]any{"0": x}
		default:
			v = map[string]any{}
		}
		set(v)
		return c, fmt.Sprintf("%s: type flipped to %T", where, v)
	case 1: // delete (a required field, often)
		if m, ok := parent.(map[string]any); ok {
			delete(m, last.(string))
			return c, where + ": deleted"
		}
		a := parent.([]any)
		i := last.(int)
		shorter := append(append([]any{}, a[:i]...), a[i+1:]...)
		setParent(c, p[:len(p)-1], shorter)
		return c, where + ": item deleted"
	case 2: // an unknown field beside it or inside it
		if m, ok := get().(map[string]any); ok {
			m["zzUnknownField"] = "x"
			return c, where + ": unknown field inside"
		}
		if m, ok := parent.(map[string]any); ok {
			m["zzUnknownField"] = int64(1)
			return c, where + ": unknown field beside"
		}
		set(nil)
		return c, where + ": null"
	case 3, 4: // an edge value
		v := edgeValues[rng.IntN(len(edgeValues))]
		set(deepCopy(v))
		return c, fmt.Sprintf("%s: set to %T %v", where, v, v)
	case 5: // a value of another field
		v := pool[rng.IntN(len(pool))]
		set(v)
		return c, fmt.Sprintf("%s: set to %T %v", where, v, v)
	case 6: // arrays: grow, empty; strings: extend; numbers: step
		switch x := get().(type) {
		case []any:
			if len(x) > 0 && rng.IntN(2) == 0 {
				set(append(x, deepCopy(x[0])))
				return c, where + ": first item repeated"
			}
			set([]any{})
			return c, where + ": emptied"
		case string:
			set(x + strings.Repeat("z", rng.IntN(300)))
			return c, where + ": extended"
		case int64:
			d := []int64{-1, 1, 1 << 16, 1 << 31, 1 << 32}[rng.IntN(5)]
			set(x + d)
			return c, fmt.Sprintf("%s: %d%+d", where, x, d)
		case float64:
			set(x + 0.5)
			return c, where + ": +0.5"
		}
		set(int64(-1))
		return c, where + ": -1"
	default: // the same number as another Go type
		switch x := get().(type) {
		case int64:
			set(float64(x))
			return c, where + ": as float64"
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<62 {
				set(int64(x))
				return c, where + ": as int64"
			}
		case string:
			set(strings.ToUpper(x))
			return c, where + ": upper-cased"
		}
		set(fmt.Sprint(get()))
		return c, where + ": as string"
	}
}

func setParent(root map[string]any, p []any, v any) {
	if len(p) == 0 {
		return
	}
	var cur any = root
	for _, seg := range p[:len(p)-1] {
		switch x := cur.(type) {
		case map[string]any:
			cur = x[seg.(string)]
		case []any:
			cur = x[seg.(int)]
		}
	}
	switch x := cur.(type) {
	case map[string]any:
		x[p[len(p)-1].(string)] = v
	case []any:
		x[p[len(p)-1].(int)] = v
	}
}

// FuzzFastValidity parses fuzzed YAML (or JSON) through the input guard and
// checks every document as the kind it claims, as a VMFleet and as one more
// kind the input picks: the fast checker and jsonschema must agree.
func FuzzFastValidity(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*/input.yaml")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"apiVersion":"v1","kind":"Service","spec":{"ports":[{"port":65535.0,"protocol":"TCP"}]}}`))
	f.Add([]byte("apiVersion: v1\nkind: Service\nspec: {ports: [{port: .nan}]}\n"))
	f.Add([]byte("apiVersion: apps/v1\nkind: Deployment\nspec: {replicas: 4294967296, template: {spec: {containers: [{name: a}]}}}\n"))
	f.Add([]byte("apiVersion: meshfleet.dev/v1alpha1\nkind: VMFleet\nmetadata: {name: a, namespace: b}\nspec: {ports: [{name: http, port: 1.0}]}\n"))
	kinds := Kinds()
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := manifest.Parse("fuzz.yaml", data, manifest.Limits{MaxBytes: 1 << 16, MaxDepth: 50, MaxAliasNodes: 5000})
		if err != nil {
			return
		}
		d := &differ{t: t}
		for _, doc := range docs {
			v := manifest.Value(doc.Node)
			apiVersion, kind := "", ""
			if obj, ok := v.(map[string]any); ok {
				apiVersion, _ = obj["apiVersion"].(string)
				kind, _ = obj["kind"].(string)
			}
			pick := strings.SplitN(kinds[len(data)%len(kinds)], " ", 2)
			for _, k := range []gvk{{apiVersion, kind}, {FleetAPIVersion, FleetKind}, {pick[0], pick[1]}} {
				if sf := registry[k]; sf != nil {
					d.check(sf, v, func() string { return "document" })
				}
			}
		}
	})
}

// FuzzExplain mutates the documents of fuzzed YAML (a few of the changes
// TestFastAgreesWithJSONSchema makes, at places the seed picks) and checks
// each as the kind it claims, as a VMFleet and as one more kind: the
// verdict and the explanation must be the reference's.
func FuzzExplain(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*/input.yaml")
	for i, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b, uint64(i), uint8(i))
		}
	}
	f.Add([]byte("apiVersion: networking.istio.io/v1\nkind: WorkloadEntry\nspec: {ports: {http: 8080}}\n"), uint64(7), uint8(2))
	f.Add([]byte("apiVersion: meshfleet.dev/v1alpha1\nkind: VMFleet\nmetadata: {name: a, namespace: b}\nspec: {probe: {httpGet: {port: 1}, tcpSocket: {port: 2}}}\n"), uint64(1), uint8(1))
	kinds := Kinds()
	f.Fuzz(func(t *testing.T, data []byte, seed uint64, changes uint8) {
		docs, err := manifest.Parse("fuzz.yaml", data, manifest.Limits{MaxBytes: 1 << 16, MaxDepth: 50, MaxAliasNodes: 5000})
		if err != nil {
			return
		}
		rng := rand.New(rand.NewPCG(seed, uint64(changes)))
		d := &differ{t: t}
		for _, doc := range docs {
			obj, ok := manifest.Value(doc.Node).(map[string]any)
			if !ok {
				continue
			}
			apiVersion, _ := obj["apiVersion"].(string)
			kind, _ := obj["kind"].(string)
			pool := append(scalarPool([]sample{{obj: obj}}), edgeValues...)
			for range changes % 4 {
				if ps := paths(obj, nil); len(ps) > 0 {
					obj, _ = mutate(rng, obj, ps[rng.IntN(len(ps))], pool)
				}
			}
			pick := strings.SplitN(kinds[rng.IntN(len(kinds))], " ", 2)
			for _, k := range []gvk{{apiVersion, kind}, {FleetAPIVersion, FleetKind}, {pick[0], pick[1]}} {
				if sf := registry[k]; sf != nil {
					d.check(sf, obj, func() string { return "document" })
				}
			}
		}
	})
}

// keywordCase is a schema of one keyword's edge and values to check it on.
type keywordCase struct {
	name   string
	schema string
	values []any
}

// TestFastKeywordSemantics compiles small schemas that stress one keyword
// each, with both jsonschema and the fast checker, and compares them on
// edge values: integer-valued floats, exact bounds beyond float64's
// integers, code points, unanchored patterns, deep const equality, oneOf,
// draft-07 $ref and items/additionalItems, refs across files; and, for
// an invalid value, the explanation with the reference's.
func TestFastKeywordSemantics(t *testing.T) {
	const d2020 = `"$schema":"https://json-schema.org/draft/2020-12/schema",`
	const d07 = `"$schema":"http://json-schema.org/draft-07/schema#",`
	nums := []any{int64(0), int64(1), 1.0, 1.5, int64(-1), int64(4294967295), int64(4294967296), 4294967295.0, 4294967296.0,
		4294967295.5, int64(math.MaxInt64), float64(math.MaxInt64), 9007199254740993.0, 1e300, -1e300, "1", nil,
		uint64(math.MaxUint64), int(7), int32(7), float32(1.5), uint8(3)}
	strs := []any{"", "a", "é", "éé", "ab", "xaby", "AB", "\xff", int64(1), nil}
	cases := []keywordCase{
		{"integer", `{` + d2020 + `"type":"integer"}`, nums},
		{"number-or-string", `{` + d2020 + `"type":["number","string"]}`, append(nums, strs...)},
		{"uint32", `{` + d2020 + `"type":"integer","minimum":0,"maximum":4294967295}`, nums},
		{"int64", `{` + d2020 + `"type":"integer","minimum":-9223372036854776000,"maximum":9223372036854776000}`, nums},
		{"fraction-bounds", `{` + d2020 + `"minimum":0.5,"maximum":4294967295.5}`, nums},
		{"big-bound", `{` + d2020 + `"maximum":9007199254740993}`, nums},
		{"lengths", `{` + d2020 + `"minLength":2,"maxLength":2}`, strs},
		{"pattern", `{` + d2020 + `"pattern":"ab"}`, strs},
		{"pattern-anchored", `{` + d2020 + `"pattern":"^a$"}`, strs},
		{"enum", `{` + d2020 + `"enum":["a",1,{"x":[1,2]},null]}`, []any{"a", int64(1), 1.0, map[string]any{"x": []any{int64(1), 2.0}}, map[string]any{"x": []any{int64(1)}}, nil, "b", map[string]any{"x": []any{int64(1), math.NaN()}}, map[string]any{"x": []any{int64(1), map[string]string{}}}}},
		{"const-object", `{` + d2020 + `"const":{}}`, []any{map[string]any{}, map[string]any{"a": nil}, []any{}, nil}},
		{"const-number", `{` + d2020 + `"const":65535}`, nums},
		{"oneOf", `{` + d2020 + `"oneOf":[{"type":"integer"},{"minimum":1}]}`, nums},
		{"anyOf-not", `{` + d2020 + `"anyOf":[{"not":{"type":"string"}},{"maxLength":1}]}`, strs},
		{"allOf", `{` + d2020 + `"allOf":[{"type":"string"},{"pattern":"a"}]}`, strs},
		{"object", `{` + d2020 + `"type":"object","properties":{"a":{"type":"string"}},"patternProperties":{"^x-":{"type":"integer"}},"additionalProperties":false,"required":["a"]}`,
			[]any{map[string]any{"a": "s"}, map[string]any{}, map[string]any{"a": "s", "x-1": int64(1)}, map[string]any{"a": "s", "x-1": "s"}, map[string]any{"a": "s", "b": 1}, map[string]any{"a": "s", "x-": math.NaN()}}},
		{"additional-schema", `{` + d2020 + `"properties":{"a":true},"additionalProperties":{"type":"integer"}}`,
			[]any{map[string]any{"a": math.NaN()}, map[string]any{"b": math.NaN()}, map[string]any{"b": int64(1)}, map[string]any{"b": 1.0}}},
		{"empty-schema-nan", `{` + d2020 + `"properties":{"a":{},"b":true}}`, []any{map[string]any{"a": math.NaN()}, map[string]any{"b": math.NaN()}, map[string]any{"a": map[string]string{}}}},
		{"additionalProperties-local", `{` + d2020 + `"allOf":[{"properties":{"a":{}}},{"additionalProperties":false}]}`,
			[]any{map[string]any{}, map[string]any{"a": int64(1)}}},
		{"prefixItems", `{` + d2020 + `"prefixItems":[{"type":"string"}],"items":{"type":"integer"},"minItems":1,"maxItems":2}`,
			[]any{[]any{}, []any{"a"}, []any{"a", int64(1)}, []any{"a", "b"}, []any{int64(1)}, []any{"a", int64(1), int64(2)}}},
		{"draft07-items", `{` + d07 + `"items":[{"type":"string"}],"additionalItems":false}`, []any{[]any{}, []any{"a"}, []any{"a", "b"}, []any{int64(1)}}},
		{"draft07-additionalItems-schema", `{` + d07 + `"items":[{"type":"string"}],"additionalItems":{"type":"integer"}}`,
			[]any{[]any{"a", int64(1), 2.0}, []any{"a", 1.5}, []any{"a", "b"}}},
		{"draft07-items-schema", `{` + d07 + `"items":{"type":"string"},"additionalItems":false}`, []any{[]any{"a", "b"}, []any{int64(1)}}},
		{"draft07-ref-siblings", `{` + d07 + `"definitions":{"s":{"type":"string"}},"properties":{"a":{"$ref":"#/definitions/s","maxLength":1}}}`,
			[]any{map[string]any{"a": "abc"}, map[string]any{"a": int64(1)}}},
		{"2020-ref-siblings", `{` + d2020 + `"$defs":{"s":{"type":"string"}},"properties":{"a":{"$ref":"#/$defs/s","maxLength":1}}}`,
			[]any{map[string]any{"a": "abc"}, map[string]any{"a": "a"}, map[string]any{"a": int64(1)}}},
		{"ref-other-file", `{` + d2020 + `"$ref":"../lib/defs.json#/$defs/port"}`, nums},
		{"oneOf-required", `{` + d2020 + `"type":"object","properties":{"a":{},"b":{}},"additionalProperties":false,"oneOf":[{"required":["a"]},{"required":["b"]}]}`,
			[]any{map[string]any{}, map[string]any{"a": int64(1)}, map[string]any{"a": int64(1), "b": int64(2)}, map[string]any{"bb": int64(1)}, "s"}},
		{"anyOf-required", `{` + d2020 + `"anyOf":[{"required":["a"]},{"allOf":[{"required":["b"]}]}]}`, []any{map[string]any{}, map[string]any{"b": nil}}},
		{"not-required", `{` + d2020 + `"not":{"anyOf":[{"type":"string"},{"required":["a","b"]}]}}`,
			[]any{map[string]any{"a": int64(1), "b": int64(2)}, map[string]any{"a": int64(1)}, "s"}},
		{"key-pattern", `{` + d2020 + `"patternProperties":{"^x-":{"type":"integer"}},"additionalProperties":false}`,
			[]any{map[string]any{"y": int64(1)}, map[string]any{"x-a": "s"}, map[string]any{"x-a": int64(1)}}},
		{"anyOf-types", `{` + d2020 + `"anyOf":[{"type":"integer"},{"const":"max"},{"type":"string","pattern":"^[0-9]+%$"}]}`,
			[]any{"max", "5%", "x", 1.5, nil, int64(3)}},
		{"empty-string", `{` + d2020 + `"maxLength":0}`, strs},
		{"recursive", `{` + d2020 + `"$defs":{"t":{"type":"object","additionalProperties":{"$ref":"#/$defs/t"}}},"$ref":"#/$defs/t"}`,
			[]any{map[string]any{"a": map[string]any{"b": map[string]any{}}}, map[string]any{"a": map[string]any{"b": "x"}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fsys := fstest.MapFS{
				"k/kind.json":   {Data: []byte(c.schema)},
				"lib/defs.json": {Data: []byte(`{"$defs":{"port":{"type":"integer","minimum":1,"maximum":65535}}}`)},
			}
			store := newStoreFS(baseURL, fsys)
			ref, err := store.compile("k/kind.json")
			if err != nil {
				t.Fatal(err)
			}
			tab, refused := fastcheck.Build(fsys.ReadFile, []string{"k/kind.json"})
			if err := refused["k/kind.json"]; err != nil {
				t.Fatal(err)
			}
			root := tab.Root("k/kind.json")
			for _, v := range c.values {
				want, refPs, fallback := referenceExplain(t, store, ref, v)
				if got := tab.Valid(root, v); got != want {
					t.Errorf("%T %#v: fast valid=%v, jsonschema valid=%v", v, v, got, want)
					continue
				}
				if want {
					continue
				}
				if diff, _ := problemsDiff(refPs, fallback, explain(tab, root, v)); diff != "" {
					t.Errorf("%T %#v: problems differ from the reference's (-reference +new):\n%s", v, v, diff)
				}
			}
		})
	}
}

// TestFastRefuses: a schema with a keyword or construct the checker does not
// implement has no checker (and fastcheck.Generate fails on it).
func TestFastRefuses(t *testing.T) {
	const d2020 = `"$schema":"https://json-schema.org/draft/2020-12/schema",`
	for _, schema := range []string{
		`{` + d2020 + `"properties":{"a":{"format":"email"}}}`,
		`{` + d2020 + `"uniqueItems":true}`,
		`{` + d2020 + `"exclusiveMinimum":1}`,
		`{` + d2020 + `"items":[{"type":"string"}]}`,
		`{` + d2020 + `"additionalItems":false}`,
		`{` + d2020 + `"properties":{"a":{"$id":"x"}}}`,
		`{` + d2020 + `"$ref":"#anchor"}`,
		`{` + d2020 + `"$ref":"https://example.com/x.json"}`,
		`{` + d2020 + `"$ref":"#/$defs/missing"}`,
		`{` + d2020 + `"pattern":"(?<=a)b"}`,
		`{` + d2020 + `"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"anyOf":[{"$ref":"#/$defs/a"}]}},"$ref":"#/$defs/a"}`,
		`{"$schema":"http://json-schema.org/draft-07/schema#","definitions":{"s":{}},"$ref":"#/definitions/s","const":1}`,
		`{"$schema":"http://json-schema.org/draft-04/schema#"}`,
		`{` + d2020 + `"type":"text"}`,
	} {
		fsys := fstest.MapFS{"k/kind.json": {Data: []byte(schema)}}
		tab, refused := fastcheck.Build(fsys.ReadFile, []string{"k/kind.json"})
		if refused["k/kind.json"] == nil || tab.Root("k/kind.json") != 0 {
			t.Errorf("%s: fast checker built, want a refusal", schema)
		}
	}
}
