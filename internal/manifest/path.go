package manifest

import (
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// A path names a field the way findings and errors show it:
// spec.subsets[1].labels, metadata.labels["app.kubernetes.io/name"].
// Keys made only of letters, digits, '_' and '-' are written bare after a dot;
// any other key is written as a quoted index.

func plainKey(k string) bool {
	if k == "" {
		return false
	}
	for _, r := range k {
		if !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// AppendKey returns the path of the field key under path.
func AppendKey(path, key string) string {
	if !plainKey(key) {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// AppendIndex returns the path of element i of the sequence at path.
func AppendIndex(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

// Segment is one step of a path: a mapping key, or a sequence index when
// IsIndex is set.
type Segment struct {
	Key     string
	Index   int
	IsIndex bool
}

// SplitPath parses a path written by AppendKey and AppendIndex. It is lenient:
// an unparseable tail ends the result.
func SplitPath(path string) []Segment {
	var segs []Segment
	for i := 0; i < len(path); {
		switch path[i] {
		case '.':
			i++
		case '[':
			if i+1 < len(path) && path[i+1] == '"' {
				q, err := strconv.QuotedPrefix(path[i+1:])
				if err != nil {
					return segs
				}
				k, _ := strconv.Unquote(q)
				segs = append(segs, Segment{Key: k})
				i += 1 + len(q) + 1 // '[' quoted ']'
				continue
			}
			end := strings.IndexByte(path[i:], ']')
			if end < 0 {
				return segs
			}
			n, err := strconv.Atoi(path[i+1 : i+end])
			if err != nil {
				return segs
			}
			segs = append(segs, Segment{Index: n, IsIndex: true})
			i += end + 1
		default:
			end := i
			for end < len(path) && path[end] != '.' && path[end] != '[' {
				end++
			}
			segs = append(segs, Segment{Key: path[i:end]})
			i = end
		}
	}
	return segs
}

// Find walks path from n and returns the deepest node it reaches and whether
// it reached the end. For a mapping key it returns the key node's position
// rather than the value's when the value is a collection, because that is the
// line a reader looks for ("labels:"), and the value node for scalars.
func Find(n *yaml.Node, path string) (*yaml.Node, bool) {
	n = Resolve(n)
	if n == nil {
		return nil, false
	}
	at := n
	for _, s := range SplitPath(path) {
		n = Resolve(n)
		switch {
		case s.IsIndex && n.Kind == yaml.SequenceNode && s.Index < len(n.Content):
			n = Resolve(n.Content[s.Index])
			at = n
		case !s.IsIndex && n.Kind == yaml.MappingNode:
			k, v := lookup(n, s.Key)
			if k == nil {
				return at, false
			}
			n = Resolve(v)
			if n.Kind == yaml.ScalarNode {
				at = n
			} else {
				at = k
			}
		default:
			return at, false
		}
	}
	return at, true
}

// Lookup returns the key and value nodes of key in mapping m, or nils.
func Lookup(m *yaml.Node, key string) (k, v *yaml.Node) {
	m = Resolve(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	return lookup(m, key)
}

func lookup(m *yaml.Node, key string) (k, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

// FindKey is Find, except that when path ends in a mapping key present in
// the document it returns that key's node: an unknown field is reported where
// its name is written, not where its value is.
func FindKey(n *yaml.Node, path string) (*yaml.Node, bool) {
	segs := SplitPath(path)
	if len(segs) == 0 || segs[len(segs)-1].IsIndex {
		return Find(n, path)
	}
	parent := Resolve(n)
	for _, s := range segs[:len(segs)-1] {
		switch {
		case parent == nil:
			return Find(n, path)
		case s.IsIndex && parent.Kind == yaml.SequenceNode && s.Index < len(parent.Content):
			parent = Resolve(parent.Content[s.Index])
		case !s.IsIndex && parent.Kind == yaml.MappingNode:
			_, v := lookup(parent, s.Key)
			parent = Resolve(v)
		default:
			return Find(n, path)
		}
	}
	if k, _ := Lookup(parent, segs[len(segs)-1].Key); k != nil {
		return k, true
	}
	return Find(n, path)
}
