// Package manifest reads YAML and JSON documents with a position for every
// node, and refuses input that would make a later stage (kyaml, kustomize,
// OPA) blow up: alias bombs, excessive nesting, oversized files and duplicate
// mapping keys. Every byte meshfleet hands to kyaml passes through Parse
// first, because kyaml expands aliases without a budget and keeps the last of
// two duplicate keys silently.
package manifest

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/meshfleet/meshfleet/internal/safetext"
)

// Limits bound what one input may cost before it is refused.
type Limits struct {
	// MaxBytes caps the size of one input (a file or stdin).
	MaxBytes int
	// MaxDepth caps the nesting of collections, aliases followed.
	MaxDepth int
	// MaxAliasNodes caps how many nodes the aliases of one input expand
	// to, counted as if every alias were replaced by a copy of its anchor.
	// It is counted per input, not per document: yaml.v3 keeps anchors
	// across the documents of a stream, so a per-document budget would let
	// each of many documents expand one large anchor again.
	MaxAliasNodes int
	// MaxDocuments caps the documents of one input, empty ones included:
	// each costs a node tree and, when skipped, a notice.
	MaxDocuments int
}

// DefaultLimits are generous for real manifests and stop hostile ones early.
// The alias budget is CUE's; 10,000 documents is far above any real file
// (a 1,000-fleet render is about 8,000).
var DefaultLimits = Limits{MaxBytes: 64 << 20, MaxDepth: 100, MaxAliasNodes: 50_000, MaxDocuments: 10_000}

// Document is one YAML document of a file.
type Document struct {
	File string
	// Index is the document's position in its file, from 0.
	Index int
	// Node is the document's root content node (a mapping for a Kubernetes
	// object). It is never an alias and never nil.
	Node *yaml.Node
}

// Error is a problem at a position of an input. Line and Column count from 1;
// 0 means unknown.
type Error struct {
	File   string
	Line   int
	Column int
	// Path is the YAML path of the offending field, when known.
	Path string
	Msg  string
}

// Error is the one-line form people and CI logs read; the file name, path
// and message come from repository content, so their control characters
// are escaped (see safetext).
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(safetext.Escape(e.File))
	if e.Line > 0 {
		b.WriteString(":")
		b.WriteString(strconv.Itoa(e.Line))
		if e.Column > 0 {
			b.WriteString(":")
			b.WriteString(strconv.Itoa(e.Column))
		}
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(safetext.Escape(e.Path))
		b.WriteString(": ")
	}
	b.WriteString(safetext.Escape(e.Msg))
	return b.String()
}

// Errorf returns an *Error positioned at n.
func Errorf(file string, n *yaml.Node, path, format string, args ...any) *Error {
	e := &Error{File: file, Path: path, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	return e
}

// ReadAll reads r up to the byte limit and fails, naming file, past it.
func ReadAll(file string, r io.Reader, lim Limits) ([]byte, error) {
	return readAll(file, r, lim, 0)
}

// readAll is ReadAll into a buffer of size bytes (a file's size, from its
// metadata) rather than one grown by doubling. The file may still change:
// the limit, not size, bounds the read.
func readAll(file string, r io.Reader, lim Limits, size int64) ([]byte, error) {
	buf := bytes.NewBuffer(make([]byte, 0, min(max(size, 0), int64(lim.MaxBytes))+bytes.MinRead))
	if _, err := buf.ReadFrom(io.LimitReader(r, int64(lim.MaxBytes)+1)); err != nil {
		return nil, &Error{File: file, Msg: err.Error()}
	}
	if buf.Len() > lim.MaxBytes {
		return nil, &Error{File: file, Msg: fmt.Sprintf("input larger than %d bytes", lim.MaxBytes)}
	}
	return buf.Bytes(), nil
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Parse splits data into documents and checks each against lim. Empty and
// comment-only documents are dropped. The first problem found is returned as
// an *Error; on error no documents are returned, so a caller never works on a
// half-read file.
func Parse(file string, data []byte, lim Limits) ([]*Document, error) {
	return parseIn(nil, file, data, lim, true)
}

// parse is Parse with the fast front end optional, so tests and benchmarks
// can hold the two paths against each other.
func parse(file string, data []byte, lim Limits, fast bool) ([]*Document, error) {
	return parseIn(nil, file, data, lim, fast)
}

// ParseIn is Parse with the fast front end's nodes lent by a (see Arena);
// a nil a is Parse.
func ParseIn(a *Arena, file string, data []byte, lim Limits) ([]*Document, error) {
	return parseIn(a, file, data, lim, true)
}

func parseIn(a *Arena, file string, data []byte, lim Limits, fast bool) ([]*Document, error) {
	if len(data) > lim.MaxBytes {
		return nil, &Error{File: file, Msg: fmt.Sprintf("input larger than %d bytes", lim.MaxBytes)}
	}
	next := decoder(data, lim, fast, a)
	var docs []*Document
	// One checker for the whole input: the alias budget and the memo of
	// anchor sizes span documents, as anchors do.
	c := checker{file: file, lim: lim, sizes: map[*yaml.Node]int{}}
	for i := 0; ; i++ {
		root, err := next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, syntaxError(file, err)
		}
		if lim.MaxDocuments > 0 && i >= lim.MaxDocuments {
			return nil, &Error{File: file, Line: root.Line, Column: root.Column,
				Msg: fmt.Sprintf("more than %d documents (the documents-per-file limit)", lim.MaxDocuments)}
		}
		if root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
			continue
		}
		n := root.Content[0]
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			continue
		}
		if err := c.check(n, 0); err != nil {
			return nil, err
		}
		if n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		docs = append(docs, &Document{File: file, Index: i, Node: n})
	}
	return docs, nil
}

// decoder returns the documents of data one by one, then io.EOF: from the
// fast front end when data is plain block YAML (see fastyaml.go), else from
// yaml.v3's Decoder, whose errors are the syntax errors Parse reports.
func decoder(data []byte, lim Limits, fast bool, a *Arena) func() (*yaml.Node, error) {
	if fast {
		if docs, ok := fastDocuments(data, lim.MaxDocuments, a); ok {
			return func() (*yaml.Node, error) {
				if len(docs) == 0 {
					return nil, io.EOF
				}
				d := docs[0]
				docs = docs[1:]
				return d, nil
			}
		}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	return func() (*yaml.Node, error) {
		root := new(yaml.Node)
		if err := dec.Decode(root); err != nil {
			return nil, err
		}
		return root, nil
	}
}

func syntaxError(file string, err error) error {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: file, Line: line, Msg: "invalid YAML: " + m[2]}
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	return &Error{File: file, Msg: "invalid YAML: " + msg}
}

type checker struct {
	file     string
	lim      Limits
	expanded int
	// sizes memoises the expanded node count under an anchor, so a chain of
	// aliases is measured without being walked once per use.
	sizes map[*yaml.Node]int
	// stack holds the keys and indices leading to the node being checked;
	// the path string is built only for an error, not for every node.
	stack []Segment
}

func (c *checker) path() string {
	p := ""
	for _, s := range c.stack {
		if s.IsIndex {
			p = AppendIndex(p, s.Index)
		} else {
			p = AppendKey(p, s.Key)
		}
	}
	return p
}

// check walks n, rejecting duplicate keys and excessive depth, and counts the
// nodes reached through aliases against the budget.
func (c *checker) check(n *yaml.Node, depth int) error {
	if depth > c.lim.MaxDepth {
		return Errorf(c.file, n, c.path(), "nesting deeper than %d levels", c.lim.MaxDepth)
	}
	switch n.Kind {
	case yaml.AliasNode:
		size, err := c.size(n.Alias, depth, map[*yaml.Node]bool{})
		if err != nil {
			return err
		}
		c.expanded += size
		if c.expanded > c.lim.MaxAliasNodes {
			return Errorf(c.file, n, c.path(), "aliases expand to more than %d nodes (the alias limit per file)", c.lim.MaxAliasNodes)
		}
		return nil
	case yaml.ScalarNode:
		return c.scalar(n)
	case yaml.MappingNode:
		// Small mappings, the common case, are checked for duplicates by
		// comparing pairs; a map pays off only for larger ones.
		var seen map[string]*yaml.Node
		if len(n.Content) > 16 {
			seen = make(map[string]*yaml.Node, len(n.Content)/2)
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if rk := Resolve(k); rk.Kind != yaml.ScalarNode {
				return Errorf(c.file, k, c.path(), "a mapping key is a %s: Kubernetes objects have string keys", kindName(rk.Kind))
			}
			if err := c.scalar(k); err != nil {
				return err
			}
			if k.Kind == yaml.ScalarNode && k.Tag != "!!merge" {
				var first *yaml.Node
				if seen != nil {
					first = seen[k.Value]
					if first == nil {
						seen[k.Value] = k
					}
				} else {
					for j := 0; j < i; j += 2 {
						if p := n.Content[j]; p.Kind == yaml.ScalarNode && p.Tag != "!!merge" && p.Value == k.Value {
							first = p
							break
						}
					}
				}
				if first != nil {
					return Errorf(c.file, k, AppendKey(c.path(), k.Value), "duplicate key %q (first at line %d)", k.Value, first.Line)
				}
			}
			c.stack = append(c.stack, Segment{Key: k.Value})
			err := c.check(v, depth+1)
			c.stack = c.stack[:len(c.stack)-1]
			if err != nil {
				return err
			}
		}
	case yaml.SequenceNode:
		for i, v := range n.Content {
			c.stack = append(c.stack, Segment{Index: i, IsIndex: true})
			err := c.check(v, depth+1)
			c.stack = c.stack[:len(c.stack)-1]
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// scalar reads a scalar's tag the way the Kubernetes tool chain
// (sigs.k8s.io/yaml over YAML 1.1, as kubectl and Argo CD read manifests)
// does, so no later stage sees another value than the cluster would: a
// !!binary scalar is its base64-decoded text, written back into the node
// as a plain string. Without this, `kind: !!binary <base64>` would be one
// kind to meshfleet and another to kubectl, and escape every rule. Other
// tags keep the value yaml.v3 gives, which is what the tool chain gives.
func (c *checker) scalar(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!binary" {
		return nil
	}
	data, err := base64.StdEncoding.DecodeString(n.Value)
	if err != nil {
		return Errorf(c.file, n, c.path(), "!!binary value is not valid base64")
	}
	n.Value = strings.ToValidUTF8(string(data), "\uFFFD")
	n.Tag = "!!str"
	n.Style = yaml.DoubleQuotedStyle
	return nil
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "sequence"
	}
	return "complex node"
}

// size counts the nodes of n with aliases expanded, failing once the budget
// or the depth limit is passed. active guards against an alias to its own
// ancestor, which yaml.v3 refuses already but a future parser might not.
func (c *checker) size(n *yaml.Node, depth int, active map[*yaml.Node]bool) (int, error) {
	if s, ok := c.sizes[n]; ok {
		return s, nil
	}
	if depth > c.lim.MaxDepth {
		return 0, Errorf(c.file, n, "", "nesting deeper than %d levels through aliases", c.lim.MaxDepth)
	}
	if active[n] {
		return 0, Errorf(c.file, n, "", "alias refers to itself")
	}
	if n.Kind == yaml.AliasNode {
		return c.size(n.Alias, depth, active)
	}
	active[n] = true
	defer delete(active, n)
	total := 1
	for _, ch := range n.Content {
		s, err := c.size(ch, depth+1, active)
		if err != nil {
			return 0, err
		}
		total += s
		if total > c.lim.MaxAliasNodes {
			return 0, Errorf(c.file, n, "", "aliases expand to more than %d nodes", c.lim.MaxAliasNodes)
		}
	}
	c.sizes[n] = total
	return total, nil
}

// Resolve follows aliases to the node they name.
func Resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// SortErrors orders errors by file, line, column, path and message, so every
// run reports problems in the same order whatever order they were found in.
func SortErrors(errs []*Error) {
	sort.SliceStable(errs, func(i, j int) bool {
		a, b := errs[i], errs[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Msg < b.Msg
	})
}
