package manifest

import (
	"fmt"
	"strings"
	"testing"
)

// TestArenaReuse parses inputs larger and smaller than a slab, in turn, in
// one arena handed back after each, and demands Parse's documents every
// time; and that a Reset leaves no pointer into old documents.
func TestArenaReuse(t *testing.T) {
	big := func(n int) []byte {
		var b strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "---\napiVersion: v1\nkind: Service\nmetadata: {name: s%d, labels: {app: a%d}}\nspec:\n  ports:\n    - {name: http, port: %d}\n", i, i, 1000+i)
		}
		return []byte(b.String())
	}
	huge := []byte("items:\n" + strings.Repeat("- {a: 1, b: two}\n", 30000)) // more nodes than Reset keeps slabs for
	inputs := [][]byte{big(1), big(2000), big(3), huge, []byte("a: [" + strings.Repeat("x, ", 5000) + "y]\n"), big(700), big(1)}
	var a Arena
	for round := 0; round < 2; round++ {
		for i, in := range inputs {
			want, err := Parse("f.yaml", in, DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseIn(&a, "f.yaml", in, DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("input %d: %d documents, want %d", i, len(got), len(want))
			}
			for j := range want {
				if d := nodeDiff(fmt.Sprintf("input %d doc %d", i, j), want[j].Node, got[j].Node); d != "" {
					t.Fatal(d)
				}
			}
			a.Reset()
		}
	}
	if len(a.nodes.list) > arenaKeep || len(a.refs.list) > arenaKeep {
		t.Errorf("Reset kept %d node and %d content slabs, want at most %d", len(a.nodes.list), len(a.refs.list), arenaKeep)
	}
	for _, l := range a.nodes.list {
		for k := range l {
			if n := l[k]; n.Kind != 0 || n.Value != "" || n.Tag != "" || n.Content != nil || n.Alias != nil || n.Line != 0 {
				t.Fatalf("node %d of a slab not zeroed by Reset: %+v", k, l[k])
			}
		}
	}
	for _, l := range a.refs.list {
		for k := range l {
			if l[k] != nil {
				t.Fatalf("content slot %d not zeroed by Reset", k)
			}
		}
	}
}
