package render

import (
	"bytes"
	"fmt"
	"math"
	"sort"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/meshfleet/meshfleet/internal/manifest"
)

// marshal encodes through yaml.Node trees built here, with keys sorted
// bytewise, rather than handing maps to the encoder: the bytes then depend
// on nothing but the values.
func marshal(rs []*Resource) []byte {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	for _, r := range rs {
		if err := enc.Encode(toNode(r.Object)); err != nil {
			// Only values built by this package reach the encoder, and
			// every one of them is encodable: a failure is a bug.
			panic(fmt.Sprintf("render: encoding %s %s: %v", r.kind(), r.name(), err))
		}
	}
	if err := enc.Close(); err != nil {
		panic(fmt.Sprintf("render: closing encoder: %v", err))
	}
	return buf.Bytes()
}

func toNode(v any) *yaml.Node {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: make([]*yaml.Node, 0, 2*len(keys))}
		for _, k := range keys {
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, toNode(x[k]))
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: make([]*yaml.Node, len(x))}
		for i, e := range x {
			n.Content[i] = toNode(e)
		}
		return n
	case string:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: x}
	case int64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(x, 10)}
	case int:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(x)}
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(x)}
	case float64:
		switch {
		case math.IsInf(x, 1):
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: ".inf"}
		case math.IsInf(x, -1):
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: "-.inf"}
		case math.IsNaN(x):
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: ".nan"}
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: strconv.FormatFloat(x, 'g', -1, 64)}
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	}
	panic(fmt.Sprintf("render: cannot encode %T", v))
}

// position maps a rendered path to the VMFleet: the longest prefix of path
// with an origin gives a VMFleet path, and the rest of path is appended to it
// when the VMFleet has that field too (rendered and VMFleet shapes often
// match below the mapped point: connectionPool, match, labels). A fleet path
// the document does not write (a defaulted field) falls through to shorter
// prefixes and finally to metadata.name.
func (r *Resource) position(path string) (file string, line, col int, fleetPath string) {
	root := r.Fleet.Doc.Node
	file = r.Fleet.Doc.File
	segs := manifest.SplitPath(path)
	prefixes := make([]string, len(segs)+1)
	for i, s := range segs {
		if s.IsIndex {
			prefixes[i+1] = manifest.AppendIndex(prefixes[i], s.Index)
		} else {
			prefixes[i+1] = manifest.AppendKey(prefixes[i], s.Key)
		}
	}
	full := prefixes[len(segs)]
	for i := len(segs); i >= 0; i-- {
		to, ok := r.Origins[prefixes[i]]
		if !ok {
			continue
		}
		if rest := full[len(prefixes[i]):]; rest != "" {
			cand := joinPath(to, rest)
			if n, ok := manifest.Find(root, cand); ok {
				return file, n.Line, n.Column, cand
			}
		}
		if n, ok := manifest.Find(root, to); ok && to != "" {
			return file, n.Line, n.Column, to
		}
	}
	n, _ := manifest.Find(root, "metadata.name")
	return file, n.Line, n.Column, "metadata.name"
}

// joinPath appends rest (".key" or "[i]", as cut from a longer path) to base.
func joinPath(base, rest string) string {
	if base == "" && len(rest) > 0 && rest[0] == '.' {
		return rest[1:]
	}
	return base + rest
}
