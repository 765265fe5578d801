package render

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/meshfleet/meshfleet/internal/corpus"
	"github.com/meshfleet/meshfleet/internal/manifest"
)

// sameAsReference fails unless marshal writes exactly the bytes of the
// reference emitter (marshal_ref_test.go) for rs, as one stream and, as
// render -o writes them, one resource at a time.
func sameAsReference(t testing.TB, what string, rs []*Resource) {
	t.Helper()
	if got, want := marshal(rs), refMarshal(rs); !bytes.Equal(got, want) {
		t.Fatalf("%s: marshal differs from the reference emitter:\n%s", what, cmp.Diff(string(want), string(got)))
	}
	each := marshalEach(rs)
	for i, r := range rs {
		want := refMarshal([]*Resource{r})
		if got := marshal([]*Resource{r}); !bytes.Equal(got, want) {
			t.Fatalf("%s: resource %d alone differs from the reference emitter:\n%s", what, i, cmp.Diff(string(want), string(got)))
		}
		if !bytes.Equal(each[i], want) {
			t.Fatalf("%s: resource %d of marshalEach differs from the reference emitter:\n%s", what, i, cmp.Diff(string(want), string(each[i])))
		}
	}
}

// TestMarshalMatchesReference: every golden input renders to the same
// bytes through both emitters, and so does every object of every golden
// output and test file read back as plain values, and a 1,000-fleet
// corpus (written on several workers).
func TestMarshalMatchesReference(t *testing.T) {
	for name, files := range successGroups(t) {
		sameAsReference(t, name, mustRender(t, decodeAll(t, files), Options{}))
		documentsAsReference(t, name, decodeAll(t, files))
	}
	var files []string
	for _, glob := range []string{fixturesDir + "/*/*.yaml", "testdata/*.yaml", "testdata/*/*.yaml", "../examples/*/*.yaml", "../fixtures/lint/*/*.yaml"} {
		m, _ := filepath.Glob(glob)
		files = append(files, m...)
	}
	objects := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs, err := manifest.Parse(f, data, manifest.DefaultLimits)
		if err != nil {
			continue // error cases hold broken YAML on purpose
		}
		var rs []*Resource
		for _, d := range docs {
			if obj, ok := manifest.Value(d.Node).(map[string]any); ok {
				rs = append(rs, &Resource{Object: obj})
			}
		}
		objects += len(rs)
		sameAsReference(t, f, rs)
	}
	if objects < 200 {
		t.Fatalf("only %d objects compared; the fixtures moved?", objects)
	}
	fleets := decodeAll(t, map[string][]byte{"corpus.yaml": corpus.VMFleets(1000)})
	sameAsReference(t, "corpus", mustRender(t, fleets, Options{}))
	documentsAsReference(t, "corpus", fleets)
}

// documentsAsReference fails unless RenderDocuments renders what Render
// does, each document is the reference emitter's bytes for its resource,
// and the documents joined are the reference's stream.
func documentsAsReference(t *testing.T, what string, fleets []*Fleet) {
	t.Helper()
	rs, docs, errs := RenderDocuments(fleets, Options{})
	if errs != nil {
		t.Fatalf("%s: %v", what, errs)
	}
	if want := mustRender(t, fleets, Options{}); !bytes.Equal(refMarshal(rs), refMarshal(want)) {
		t.Fatalf("%s: RenderDocuments renders other resources than Render", what)
	}
	if len(docs) != len(rs) {
		t.Fatalf("%s: %d documents for %d resources", what, len(docs), len(rs))
	}
	for i, r := range rs {
		if want := refMarshal([]*Resource{r}); !bytes.Equal(docs[i], want) {
			t.Fatalf("%s: document %d differs from the reference emitter:\n%s", what, i, cmp.Diff(string(want), string(docs[i])))
		}
	}
	if got, want := bytes.Join(docs, []byte("---\n")), refMarshal(rs); !bytes.Equal(got, want) {
		t.Fatalf("%s: documents joined differ from the reference stream", what)
	}
}

// trickyStrings are scalars a YAML reader could take for something else,
// or that need escapes.
var trickyStrings = []string{
	"", " ", "true", "True", "yes", "NO", "on", "y", "~", "null", "Null", "8080", "-1", "+1", "0x1F", "0o17",
	"017", "1_000", "1e3", ".5", "1.", ".inf", "-.Inf", ".NaN", "1:20", "2001-12-14", "10.0.1.5", "fd00::1",
	"::1", "-data", "- item", "a: b", "a #b", "a#b", "#x", "&a", "*a", "!tag", "|", ">", "%x", "@x", "`x",
	"'q'", `"q"`, "x:", "key: value", "multi\nline", "tab\there", "ctl\x01", "é", "\u2028", "\ufeff", "emoji 🚀",
	"/api/v1/*", "5xx,reset", "[a]", "{a}", "back\\slash", "a  b", "trailing ", "?x", ",x",
	"<<", "=", "...", "...x", ".hidden", "---", "a\u00a0b", "+.inf", "+Infinity", "+inf", "0b101", "0x1p-2",
	"1_0:30", "190:20:30.15", "1.2.3", "2001-1-2x", "12e", "0xG", "1__0", "+", ".", "5s", "30s", "1.22",
	"v1", "1e1000", "9223372036854775808", "Y", "oFF", "nUlL", "\x85", "\xff", "a\x7fb", "\u00a0",
}

// FuzzEmitter builds maps, lists and scalars from the fuzzer's bytes and
// requires marshal's bytes to be the reference emitter's, and (for valid
// UTF-8) yaml.v3 through the guard to read back the very same values.
func FuzzEmitter(f *testing.F) {
	for _, s := range trickyStrings {
		f.Add([]byte{4, 2, byte(len(s))}, s)
		f.Add([]byte{4, 1, 1, 0, 5, 2, 0, 0, 3}, s)
	}
	f.Add([]byte{4, 3, 4, 4, 2, 2, 1, 5, 3, 0, 1, 2, 3, 6, 7}, "port: 8080\nhost")
	f.Fuzz(func(t *testing.T, shape []byte, text string) {
		g := &valueGen{shape: shape, text: text}
		root, ok := g.value(0).(map[string]any)
		if !ok || len(root) == 0 {
			// A resource is a non-empty mapping (an empty one would be
			// an empty document, which readers drop).
			root = map[string]any{"v": g.value(0)}
		}
		rs := []*Resource{{Object: root}, {Object: map[string]any{"s": text, text: int64(len(text))}}}
		sameAsReference(t, "fuzz", rs)
		if g.invalid || !utf8.ValidString(text) {
			return // invalid UTF-8 is written as U+FFFD: not a round trip
		}
		docs, err := manifest.Parse("fuzz.yaml", marshal(rs), manifest.DefaultLimits)
		if err != nil {
			t.Fatalf("output does not parse: %v\n%s", err, marshal(rs))
		}
		if len(docs) != len(rs) {
			t.Fatalf("%d documents for %d objects", len(docs), len(rs))
		}
		for i, d := range docs {
			if diff := cmp.Diff(any(rs[i].Object), manifest.Value(d.Node)); diff != "" {
				t.Fatalf("object %d does not read back (-written +read):\n%s\n%s", i, diff, marshal(rs))
			}
		}
	})
}

// valueGen turns fuzzer bytes into a value: shape picks kinds and sizes,
// text supplies the strings (cut at shape-chosen lengths).
type valueGen struct {
	shape   []byte
	text    string
	pos     int
	invalid bool // a string is not valid UTF-8
	n       int  // strings made, for unique keys
}

func (g *valueGen) next() byte {
	if len(g.shape) == 0 {
		return 0
	}
	b := g.shape[g.pos%len(g.shape)]
	g.pos++
	return b
}

func (g *valueGen) str() string {
	s := g.cut()
	if !utf8.ValidString(s) {
		g.invalid = true
	}
	return s
}

func (g *valueGen) cut() string {
	g.n++
	if g.n > 200 {
		return fmt.Sprint(g.n)
	}
	b := g.next()
	if b >= 0x80 {
		return trickyStrings[int(b)%len(trickyStrings)]
	}
	if len(g.text) == 0 {
		return ""
	}
	start := int(g.next()) % (len(g.text) + 1)
	end := min(len(g.text), start+int(b))
	return g.text[start:end]
}

func (g *valueGen) value(depth int) any {
	if g.pos > 400 || depth > 6 {
		return g.str()
	}
	switch g.next() % 8 {
	case 0:
		return int64(int8(g.next())) * math.MaxInt32
	case 1:
		return g.next()%2 == 0
	case 2:
		return nil
	case 3, 4:
		m := map[string]any{}
		for range g.next() % 5 {
			m[g.str()] = g.value(depth + 1)
		}
		return m
	case 5:
		l := make([]any, g.next()%4)
		for i := range l {
			l[i] = g.value(depth + 1)
		}
		return l
	default:
		return g.str()
	}
}

func init() {
	// A key longer than 1,000 bytes takes the explicit "? " form.
	trickyStrings = append(trickyStrings, strings.Repeat("k", 1100))
}

// TestPlainSafeExhaustive compares plainSafe with the reference on every
// short string over alphabets of the bytes that decide it: numbers in
// every base and form, timestamps, reserved words, indicators.
func TestPlainSafeExhaustive(t *testing.T) {
	for _, tc := range []struct {
		alphabet string
		max      int
	}{
		{"0123456789+-._:eExXoObBpPiInNfFaAlLtTyYuUsS #,'\"\n\t\x85~!<=?", 3},
		{"019.:+-_eExXinfINF", 4},
		{"01:._+e", 6},
		{"12-: tT", 7},
	} {
		var walk func(prefix []byte)
		walk = func(prefix []byte) {
			s := string(prefix)
			if got, want := plainSafe(s), refPlainSafe(s); got != want {
				t.Fatalf("plainSafe(%q) = %v, reference says %v", s, got, want)
			}
			if len(prefix) == tc.max {
				return
			}
			for i := 0; i < len(tc.alphabet); i++ {
				walk(append(prefix, tc.alphabet[i]))
			}
		}
		walk(nil)
	}
	for _, s := range trickyStrings {
		if got, want := plainSafe(s), refPlainSafe(s); got != want {
			t.Errorf("plainSafe(%q) = %v, reference says %v", s, got, want)
		}
	}
}
