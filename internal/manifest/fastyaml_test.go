package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/meshfleet/meshfleet/internal/corpus"
)

// v3Documents is what yaml.v3's Decoder makes of data: its documents up to
// the first error, and that error (nil at a clean end).
func v3Documents(data []byte) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*yaml.Node
	for {
		n := new(yaml.Node)
		err := dec.Decode(n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return docs, err
		}
		docs = append(docs, n)
	}
}

// nodeDiff compares every field of two trees but the comments, which the
// fast front end does not keep, and names the first difference.
func nodeDiff(path string, want, got *yaml.Node) string {
	if (want == nil) != (got == nil) {
		return fmt.Sprintf("%s: node %v, want %v", path, got, want)
	}
	if want == nil {
		return ""
	}
	type fields struct {
		Kind         yaml.Kind
		Style        yaml.Style
		Tag, Value   string
		Anchor       string
		Line, Column int
		Content      int
		Alias        bool
	}
	w := fields{want.Kind, want.Style, want.Tag, want.Value, want.Anchor, want.Line, want.Column, len(want.Content), want.Alias != nil}
	g := fields{got.Kind, got.Style, got.Tag, got.Value, got.Anchor, got.Line, got.Column, len(got.Content), got.Alias != nil}
	if w != g {
		return fmt.Sprintf("%s:\n got  %+v\n want %+v", path, g, w)
	}
	for i := range want.Content {
		if d := nodeDiff(fmt.Sprintf("%s/%d", path, i), want.Content[i], got.Content[i]); d != "" {
			return d
		}
	}
	return ""
}

// sameAsV3 parses data with the fast front end and, when it takes the
// input, demands yaml.v3's documents exactly. It reports whether the fast
// path took it.
func sameAsV3(t testing.TB, name string, data []byte) bool {
	t.Helper()
	got, ok := fastDocuments(data, 0, nil)
	if !ok {
		return false
	}
	want, err := v3Documents(data)
	if err != nil {
		t.Fatalf("%s: the fast path accepted input yaml.v3 refuses (%v):\n%q", name, err, data)
	}
	if len(got) != len(want) {
		t.Fatalf("%s: %d documents, yaml.v3 has %d:\n%q", name, len(got), len(want), data)
	}
	for i := range want {
		if d := nodeDiff(fmt.Sprintf("doc %d", i), want[i], got[i]); d != "" {
			t.Fatalf("%s: differs from yaml.v3 at %s\ninput: %q", name, d, data)
		}
	}
	// The same again with nodes lent by an arena that every earlier input
	// used and handed back: reused memory must read as new.
	sharedArena.Lock()
	defer sharedArena.Unlock()
	lent, ok := fastDocuments(data, 0, &sharedArena.a)
	if !ok {
		t.Fatalf("%s: the fast path took the input without an arena but not with one", name)
	}
	for i := range want {
		if d := nodeDiff(fmt.Sprintf("doc %d", i), want[i], lent[i]); d != "" {
			t.Fatalf("%s: with an arena, differs from yaml.v3 at %s\ninput: %q", name, d, data)
		}
	}
	sharedArena.a.Reset()
	return true
}

// sharedArena is the arena every sameAsV3 call parses in, one after
// another, as one lint worker's files are.
var sharedArena struct {
	sync.Mutex
	a Arena
}

// TestFastYAMLCases pins inputs the fast path must take, each compared with
// yaml.v3, and some it must leave to yaml.v3.
func TestFastYAMLCases(t *testing.T) {
	fast := []string{
		"",
		"# only a comment\n",
		"---\n",
		"---",
		"---\n...\n",
		"---\n...\n---\n...\n",
		"a: 1\n---\n",
		"a: 1\n---",
		"a: 1\n...\n# c\n",
		"a: 1\n...\n...\n---\nb: 2\n",
		"# c\n---\n# d\n---\na: 1\n",
		"\n\n  a: 1\n",
		"--- # hi\na: 1\n",
		"a:\nb: 2\n",
		"a:\n  # x\n\nb: 2\n",
		"a:",
		"a:   # c\nb:\n",
		"- \n- a\n",
		"-\n-\n",
		"-\n  a: 1\n",
		"a:\n- x\n- y\n",
		"a:\n  b\n",
		"- - a\n  - b\n",
		"- -\n",
		"- a: 1\n  b: 2\n- c\n",
		"- a:\n  - x\n  b: 1\n",
		"- a:\n  b: 1\n",
		"-   a: 1\n    b:\n    - c\n",
		"a: b#c\nd: \"x#y\" # z\n",
		"a: 'it''s'\nb: ''\nc: \"\"\n",
		"a: \"x\\ty\\n\\\\\\\"\"\n",
		"a: [b, {c: d}, \"e\", 'f']\n",
		"a: {}\nb: []\nc: [[], {}]\n",
		"a: [a:b, c]\n",
		"a: {a:b: c}\n",
		"a:b: c\n",
		"a : 1\n",
		"\"a\": 1\n'b' : 2\n",
		"a: {\"k\": 1}\n",
		"{\"k\":1,\"l\":\"m\",\"n\":[1,{\"o\":null}],\"p\" :{}}\n",
		"a: 1   \n",
		"k:\n  - a\n  -   b\n",
		"x\n",
		"x\n...\n",
		"[1, 2]\n",
		"- ...\n",
		"a: :x\n",
		"ports: [0x1F, 1e3, 0o17, 1_000, .5, +1, 012, 09, -0, -1, 1.5, 1.2.3, 10.0.0.1, 2001-12-14]\n",
		"v: [yes, No, ~, null, NULL, Null, nUll, true, TRUE, tRue, .inf, -.Inf, .NaN, 1e, 0b101, -0b1]\n",
		"t: [2001-12-14t21:59:43.10-05:00, 2001-12-14 21:59:43.10, 2001-12-14T21:59:43Z, 2002-1-1]\n",
		"big: [99999999999999999999, 18446744073709551615, 9223372036854775808, -9223372036854775809]\n",
		"a: b c  d \n",
		"name: héllo wörld\nk: ü\nü: x\n",
		"a: -x\nb: -1\nc: -.5\n",
		"a: x # c\n# d\n  # e\nb: y\n",
		"a: '#'\nb: \"#\"\n",
		"a: b:c\n",
		"a: 'x' # c\n",
		"a: |\n  x\n",
		"a: >\n  x\n",
		"a: |\n  x\n  y  \n\n   z\n\n\nb: 1\n",
		"a: |-\n  x\n\n",
		"a: |+\n  x\n\n\n# c\nb: |+\n  y",
		"a: >\n  x\n  y\n\n  z\n   more\n  w\n",
		"a: >-\n\n  x\n  y\n",
		"a: >+ # c\n  x\n\n",
		"- |\n x\n- >\n  y\n  z\n-   |\n     q\n",
		"- a: |\n    x\n  b: 1\n",
		"a: |\nb: 1\n",
		"a: |\n  x\n    ",
		"a: |\n  x\n  ",
		"a: |",
		"|\n x\n",
		"a:\n  |\n  x\n",
		"a: |\n  # not a comment\n  x\n # a comment\nb: 1\n",
		"apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  labels: {app: a}\nspec:\n  ports:\n    - {name: http, port: 8080}\n",
	}
	for _, s := range fast {
		if !sameAsV3(t, "case", []byte(s)) {
			t.Errorf("fast path gave up on %q", s)
		}
	}
	slow := []string{
		"a: &x 1\nb: *x\n",
		"a: !!str 1\n",
		"<<: {a: 1}\n",
		"? a\n",
		"%YAML 1.2\n---\na: 1\n",
		"a: |2\n  x\n",
		"a: >-1\n x\n",
		"a: b\n  c\n",
		"- a\n -b\n",
		"a: 'x\n  y'\n",
		"a: [b,\n  c]\n",
		"a:\tb\n",
		"a: b\r\n",
		"\ufeffa: b\n",
		"a: \"\\u0041\"\n",
		"a: b: c\n",
		"k: - x\n",
		"x\n...\ny\n",
		"...\n",
		"--- x\n",
		"a: 1\nb\n",
		"a:\n  b:\n- x\n",
		"a: [b,]\n",
		"a: {b}\n",
		"a: 'x'#c\n",
		"a: b\u2028c\n",
	}
	for _, s := range slow {
		if sameAsV3(t, "case", []byte(s)) {
			t.Errorf("fast path took %q, which is outside its subset", s)
		}
	}
}

// repoRoot is the module root, two levels up from this package.
const repoRoot = "../.."

// TestFastYAMLRepositoryFiles holds the fast path to yaml.v3 on every YAML
// file in the repository (fixtures, examples, test data, docs) and reports
// how many it takes.
func TestFastYAMLRepositoryFiles(t *testing.T) {
	var took, left int
	err := filepath.WalkDir(repoRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".git" || d.Name() == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		if ext := filepath.Ext(path); ext != ".yaml" && ext != ".yml" && ext != ".json" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if sameAsV3(t, path, data) {
			took++
		} else {
			left++
			if testing.Verbose() {
				_, why := fastParse(data, 0, nil)
				t.Logf("yaml.v3: %s: %s", path, why)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("fast path took %d repository files, left %d to yaml.v3", took, left)
	if took == 0 || took < left {
		t.Errorf("fast path took only %d of %d repository files", took, took+left)
	}
}

// TestFastYAMLCorpus demands that the generated corpora lint and render
// benchmarks run on are read by the fast path in full, identically to
// yaml.v3: that is where the speed-up has to be real.
func TestFastYAMLCorpus(t *testing.T) {
	dir := t.TempDir()
	if _, err := corpus.Mesh(filepath.Join(dir, "mesh"), 150, 10); err != nil {
		t.Fatal(err)
	}
	if err := corpus.WriteVMFleets(filepath.Join(dir, "fleets"), 50); err != nil {
		t.Fatal(err)
	}
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		if !sameAsV3(t, path, data) {
			t.Errorf("fast path gave up on corpus file %s", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 200 {
		t.Fatalf("corpus has %d files, want at least 200", files)
	}
	mt := corpus.MeshTests(50, 10, 20)
	if !sameAsV3(t, "mesh tests", mt) {
		t.Errorf("fast path gave up on the generated mesh tests")
	}
}

// TestFastYAMLParseSame holds Parse itself, fast path and yaml.v3 path, to
// the same documents and errors under limits that bite.
func TestFastYAMLParseSame(t *testing.T) {
	inputs := []string{
		"a: 1\n---\nb: 1\nb: 2\n",
		"---\n---\n---\na: 1\n",
		"a: [[[[1]]]]\n",
		"a:\n  b:\n    c:\n      d: 1\n",
		"kind: !!binary YQ==\n",
		"a\n---\nb\n---\nc\n---\n\"unterminated\n",
		"a\n---\nb\n---\nc\n---\nd: e: f\n",
		"a\n---\nb\n---\nc\n\"x\n",
		"a\n---\nb\n---\n- x\n y\n",
	}
	lims := []Limits{DefaultLimits, {MaxBytes: 1 << 10, MaxDepth: 3, MaxAliasNodes: 10, MaxDocuments: 2}}
	for _, in := range inputs {
		for _, lim := range lims {
			same(t, in, lim)
		}
	}
}

func same(t testing.TB, in string, lim Limits) {
	t.Helper()
	wd, werr := parse("f.yaml", []byte(in), lim, false)
	gd, gerr := parse("f.yaml", []byte(in), lim, true)
	if fmt.Sprint(werr) != fmt.Sprint(gerr) {
		t.Fatalf("%q: error %v, yaml.v3 path %v", in, gerr, werr)
	}
	if len(wd) != len(gd) {
		t.Fatalf("%q: %d documents, yaml.v3 path %d", in, len(gd), len(wd))
	}
	for i := range wd {
		if wd[i].Index != gd[i].Index {
			t.Fatalf("%q: document %d has index %d, yaml.v3 path %d", in, i, gd[i].Index, wd[i].Index)
		}
		if d := nodeDiff("", wd[i].Node, gd[i].Node); d != "" {
			t.Fatalf("%q: %s", in, d)
		}
	}
}

// FuzzFastYAML: whatever the bytes, the fast path gives up or builds
// exactly yaml.v3's documents, and Parse answers as the yaml.v3 path does.
func FuzzFastYAML(f *testing.F) {
	seeds := []string{
		"apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  labels: {app: a}\nspec:\n  ports:\n    - name: http\n      port: 8080\n",
		"a: [0x1F, 1e3, 0o17, 1_000, .5, +1, 012]\n",
		"- yes\n- No\n- ~\n- null\n- 2001-12-14\n",
		"a:b: c\n- -\nkey: - x\n",
		"a: b  \nc: d#e\nf: \"#\" # g\n",
		"---\n...\n",
		"--- x\n",
		"# c\n---\n---\na: 1\n...\n",
		"- a: 1\n  b:\n  - c\n- d\n",
		"a: {b: [c, 'd''e', \"f\\n\"]}\n",
		"a: |\n  x\n   y\n\n  z\nb: >-\n  p\n  q\n\n  r\n",
		"- |+\n x\n\n- >\n\n  y\n",
		"k: ü\nü: 'é' # ö\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	// Real manifests, so mutations start from what the fast path takes.
	for _, dir := range []string{"fixtures/lint", "fixtures/render", "examples"} {
		files, _ := filepath.Glob(filepath.Join(repoRoot, dir, "*", "*.yaml"))
		for i, file := range files {
			if i%4 != 0 {
				continue
			}
			if data, err := os.ReadFile(file); err == nil && len(data) < 4096 {
				f.Add(data)
			}
		}
	}
	lim := Limits{MaxBytes: 1 << 16, MaxDepth: 20, MaxAliasNodes: 500, MaxDocuments: 5}
	f.Fuzz(func(t *testing.T, data []byte) {
		sameAsV3(t, "fuzz", data)
		same(t, string(data), lim)
	})
}

// BenchmarkParsePaths holds the fast front end against the yaml.v3 path in
// one run: on BenchmarkParse's stream and on the 1,000 fleet files (11,000
// resources) of the lint benchmark corpus.
func BenchmarkParsePaths(b *testing.B) {
	var sb bytes.Buffer
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&sb, "---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: svc-%d\n  namespace: team\n  labels: {app: svc-%d, version: v1}\nspec:\n  host: svc-%d\n  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}\n  subsets:\n  - name: v1\n    labels: {version: v1}\n  - name: v2\n    labels: {version: v2}\n", i, i, i)
	}
	var fleets [][]byte
	for i := 0; i < 1000; i++ {
		fleets = append(fleets, corpus.Fleet(i, fmt.Sprintf("team-%03d", i)))
	}
	inputs := []struct {
		name  string
		files [][]byte
	}{{"stream", [][]byte{sb.Bytes()}}, {"corpus11k", fleets}}
	for _, in := range inputs {
		size := 0
		for _, f := range in.files {
			size += len(f)
		}
		for _, path := range []struct {
			name string
			fast bool
		}{{"yaml.v3", false}, {"fast", true}} {
			b.Run(in.name+"/path="+path.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(size))
				for b.Loop() {
					for _, f := range in.files {
						if _, err := parse("bench.yaml", f, DefaultLimits, path.fast); err != nil {
							b.Fatal(err)
						}
					}
				}
			})
		}
	}
}
