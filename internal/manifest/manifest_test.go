package manifest

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func parseErr(t *testing.T, src string, lim Limits) *Error {
	t.Helper()
	docs, err := Parse("in.yaml", []byte(src), lim)
	if err == nil {
		t.Fatalf("Parse accepted hostile input, returned %d documents", len(docs))
	}
	if docs != nil {
		t.Fatalf("Parse returned documents with an error")
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is %T, want *Error", err, err)
	}
	return e
}

func TestParseRefuses(t *testing.T) {
	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for i := 'b'; i <= 'j'; i++ {
		bomb += fmt.Sprintf("%c: &%c [*%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s]\n", i, i, prev, prev, prev, prev, prev, prev, prev, prev, prev, prev)
		prev = string(i)
	}
	deep := strings.Repeat("[", 150) + strings.Repeat("]", 150)
	tests := []struct {
		name, src string
		lim       Limits
		want      string
	}{
		{"alias bomb", bomb, DefaultLimits, "aliases expand to more than 50000 nodes"},
		{"deep nesting", deep, DefaultLimits, "nesting deeper than 100 levels"},
		{"duplicate key", "metadata:\n  labels:\n    app: a\n    app: b\n", DefaultLimits, `in.yaml:4:5: metadata.labels.app: duplicate key "app" (first at line 3)`},
		{"duplicate json key", `{"kind": "A", "kind": "B"}`, DefaultLimits, `in.yaml:1:15: kind: duplicate key "kind" (first at line 1)`},
		{"oversized", strings.Repeat("a: b\n", 100), Limits{MaxBytes: 64, MaxDepth: 10, MaxAliasNodes: 10}, "input larger than 64 bytes"},
		{"syntax", "a: b\n c: d\n", DefaultLimits, "in.yaml:2: invalid YAML: mapping values are not allowed in this context"},
		{"duplicate in second document", "a: 1\n---\nb: 1\nb: 2\n", DefaultLimits, `in.yaml:4:1: b: duplicate key "b"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := parseErr(t, tc.src, tc.lim)
			if !strings.Contains(e.Error(), tc.want) {
				t.Errorf("error = %q, want it to contain %q", e.Error(), tc.want)
			}
		})
	}
}

func TestParseAcceptsModestAliases(t *testing.T) {
	src := "base: &b {app: x, version: v1}\nuse:\n  one: *b\n  two: *b\n"
	docs, err := Parse("in.yaml", []byte(src), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	got := Value(docs[0].Node)
	want := map[string]any{
		"base": map[string]any{"app": "x", "version": "v1"},
		"use": map[string]any{
			"one": map[string]any{"app": "x", "version": "v1"},
			"two": map[string]any{"app": "x", "version": "v1"},
		},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Value mismatch (-want +got):\n%s", d)
	}
}

func TestParseDocuments(t *testing.T) {
	src := "# only a comment\n---\n---\napiVersion: v1\nkind: A\n---\n~\n---\n[1, 2]\n"
	docs, err := Parse("in.yaml", []byte(src), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range docs {
		got = append(got, fmt.Sprintf("%d@%d", d.Index, d.Node.Line))
	}
	if d := cmp.Diff([]string{"1@4", "3@9"}, got); d != "" {
		t.Errorf("documents (-want +got):\n%s", d)
	}
}

func TestValueScalarsAndMerge(t *testing.T) {
	src := `
defaults: &d {a: 1, b: two}
m:
  <<: *d
  b: three
ints: [0x10, 0o17, 1_000, -5, 99999999999999999999]
floats: [1.5, .inf, 1e3]
bools: [true, false, "true"]
null: ~
str: "8080"
`
	docs, err := Parse("in.yaml", []byte(src), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	v := Value(docs[0].Node).(map[string]any)
	want := map[string]any{"a": int64(1), "b": "three"}
	if d := cmp.Diff(want, v["m"]); d != "" {
		t.Errorf("merge (-want +got):\n%s", d)
	}
	ints := v["ints"].([]any)
	if d := cmp.Diff([]any{int64(16), int64(15), int64(1000), int64(-5), 1e20}, ints); d != "" {
		t.Errorf("ints (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]any{true, false, "true"}, v["bools"]); d != "" {
		t.Errorf("bools (-want +got):\n%s", d)
	}
	if v["str"] != "8080" || v["null"] != nil {
		t.Errorf("str = %#v, null = %#v", v["str"], v["null"])
	}
}

func TestPaths(t *testing.T) {
	p := AppendKey(AppendIndex(AppendKey(AppendKey("", "spec"), "subsets"), 1), "labels")
	p = AppendKey(p, "app.kubernetes.io/name")
	if want := `spec.subsets[1].labels["app.kubernetes.io/name"]`; p != want {
		t.Fatalf("path = %q, want %q", p, want)
	}
	want := []Segment{{Key: "spec"}, {Key: "subsets"}, {Index: 1, IsIndex: true}, {Key: "labels"}, {Key: "app.kubernetes.io/name"}}
	if d := cmp.Diff(want, SplitPath(p)); d != "" {
		t.Errorf("SplitPath (-want +got):\n%s", d)
	}
}

func TestFind(t *testing.T) {
	src := `apiVersion: networking.istio.io/v1
kind: DestinationRule
spec:
  host: cart
  subsets:
  - name: v1
    labels: {version: v1}
  - name: next
    labels:
      version: v2
`
	docs, err := Parse("in.yaml", []byte(src), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path      string
		line, col int
		complete  bool
	}{
		{"spec.subsets[1].labels", 9, 5, true},
		{"spec.subsets[1].labels.version", 10, 16, true},
		{"spec.host", 4, 9, true},
		{"spec.subsets[1]", 8, 5, true},
		{"spec.subsets[7].labels", 5, 3, false},
		{"spec.trafficPolicy.tls", 3, 1, false},
	}
	for _, tc := range tests {
		n, ok := Find(docs[0].Node, tc.path)
		if n.Line != tc.line || n.Column != tc.col || ok != tc.complete {
			t.Errorf("Find(%s) = %d:%d %v, want %d:%d %v", tc.path, n.Line, n.Column, ok, tc.line, tc.col, tc.complete)
		}
	}
}

func TestFindKey(t *testing.T) {
	src := "spec:\n  http:\n  - route:\n    - destination:\n        host: cart\n        subnet: v1\n"
	docs, err := Parse("in.yaml", []byte(src), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	n, ok := FindKey(docs[0].Node, "spec.http[0].route[0].destination.subnet")
	if !ok || n.Line != 6 || n.Column != 9 {
		t.Errorf("FindKey = %d:%d %v, want 6:9 true", n.Line, n.Column, ok)
	}
	if n, ok := FindKey(docs[0].Node, "spec.http[0].route[0].destination.port"); ok || n.Line != 4 {
		t.Errorf("FindKey of a missing key = %d:%d %v, want the parent (line 4), false", n.Line, n.Column, ok)
	}
}

// FuzzParse holds the input guard to its promise: whatever the bytes, Parse
// returns documents or a positioned error, never panics, and what it accepts
// converts to plain values.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"apiVersion: v1\nkind: Service\nmetadata: {name: a}\n",
		"a: &a [1]\nb: *a\n",
		"{\"a\": [1, 2, {\"b\": null}]}",
		"a: 1\na: 2\n",
		"<<: {a: 1}\n",
		"- &x {a: *x}\n",
		"---\n---\n",
	} {
		f.Add([]byte(s))
	}
	lim := Limits{MaxBytes: 1 << 16, MaxDepth: 50, MaxAliasNodes: 5000}
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := Parse("fuzz.yaml", data, lim)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.File != "fuzz.yaml" {
				t.Fatalf("error %v is not a positioned *Error", err)
			}
			return
		}
		for _, d := range docs {
			_ = Value(d.Node)
		}
	})
}

// BenchmarkParse measures the guard on a typical rendered manifest stream.
func BenchmarkParse(b *testing.B) {
	var sb strings.Builder
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&sb, "---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: svc-%d\n  namespace: team\n  labels: {app: svc-%d, version: v1}\nspec:\n  host: svc-%d\n  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}\n  subsets:\n  - name: v1\n    labels: {version: v1}\n  - name: v2\n    labels: {version: v2}\n", i, i, i)
	}
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse("bench.yaml", data, DefaultLimits); err != nil {
			b.Fatal(err)
		}
	}
}
