package lint

import (
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/meshfleet/meshfleet/internal/manifest"
)

// end gives the line and column of the last character of the field a
// finding points at, where the parsed YAML tells it exactly: a plain,
// single-line scalar (a value or a key), or a block collection, whose end
// is that of its last such scalar. Quoted and multi-line scalars, flow
// collections and rendered VMFleet fields give 0, 0: an end that is not
// certain is not reported.
func (r *resource) end(path string, atKey bool, nodes *nodeCache) (line, col int) {
	if r.rendered != nil {
		return 0, 0
	}
	root := nodes.root(r)
	if root == nil {
		return 0, 0
	}
	find := manifest.Find
	if atKey {
		find = manifest.FindKey
	}
	n, ok := find(root, path)
	if !ok || n == nil {
		return 0, 0
	}
	return nodeEnd(n, 0)
}

// nodeEnd is end's walk; depth bounds it (the guard already capped the
// document's nesting, this keeps the walk from following aliases).
func nodeEnd(n *yaml.Node, depth int) (line, col int) {
	if depth > 200 {
		return 0, 0
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Style != 0 || strings.ContainsAny(n.Value, "\n\r") || n.Value == "" {
			return 0, 0
		}
		return n.Line, n.Column + utf8.RuneCountInString(n.Value) - 1
	case yaml.MappingNode, yaml.SequenceNode:
		if n.Style&yaml.FlowStyle != 0 || len(n.Content) == 0 {
			return 0, 0
		}
		return nodeEnd(n.Content[len(n.Content)-1], depth+1)
	}
	return 0, 0
}
