package lint

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/meshfleet/meshfleet/internal/manifest"
	"github.com/meshfleet/meshfleet/lint/finding"
)

// A baseline records the findings a repository had when it adopted
// meshfleet (lint --write-baseline), so that a later run (--baseline)
// reports only new ones. Entries match findings by rule, resource (kind,
// namespace, name) and YAML path, never by line or message: an edit above
// a finding, or a message reworded by a newer meshfleet, does not bring a
// recorded finding back. The apiVersion is left out too, so moving a
// resource from v1beta1 to v1 keeps its entries. A finding without a
// resource matches by file instead.

// BaselineVersion is the format version a baseline file declares.
const BaselineVersion = 1

// BaselineEntry is one recorded finding. Message is kept for the person
// reading the file and in review; it takes no part in matching.
type BaselineEntry struct {
	Rule      string `json:"rule"`
	Kind      string `json:"kind,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name,omitempty"`
	Path      string `json:"path,omitempty"`
	File      string `json:"file,omitempty"`
	Message   string `json:"message,omitempty"`
}

// Baseline is a parsed baseline file.
type Baseline struct {
	Entries []BaselineEntry
}

type baselineFile struct {
	Version  int             `json:"meshfleetBaseline"`
	Findings []BaselineEntry `json:"findings"`
}

// key is what an entry and a finding must share to match.
func (e BaselineEntry) key() string {
	file := ""
	if e.Kind == "" && e.Name == "" {
		file = e.File
	}
	return strings.Join([]string{e.Rule, e.Kind, e.Namespace, e.Name, e.Path, file}, "\x00")
}

func entryOf(f finding.Finding) BaselineEntry {
	return BaselineEntry{
		Rule: f.Rule, Kind: f.Resource.Kind, Namespace: f.Resource.Namespace, Name: f.Resource.Name,
		Path: f.Path, File: f.File, Message: f.Message,
	}
}

// NewBaseline records fs. MF100 is never recorded: an unreadable input
// is not a finding to live with, and the run exits 2 whatever a baseline
// says.
func NewBaseline(fs []finding.Finding) *Baseline {
	b := &Baseline{Entries: []BaselineEntry{}}
	for _, f := range fs {
		if f.Rule == RuleUnreadable.ID {
			continue
		}
		b.Entries = append(b.Entries, entryOf(f))
	}
	slices.SortFunc(b.Entries, func(x, y BaselineEntry) int {
		if c := strings.Compare(x.key(), y.key()); c != 0 {
			return c
		}
		return strings.Compare(x.Message, y.Message)
	})
	return b
}

// Marshal gives the file's bytes: indented JSON, entries sorted, so a
// rewritten baseline diffs well in review.
func (b *Baseline) Marshal() ([]byte, error) {
	entries := b.Entries
	if entries == nil {
		entries = []BaselineEntry{} // "findings": [], never null
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(baselineFile{Version: BaselineVersion, Findings: entries}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Apply returns the findings the baseline does not hold, how many it hid,
// and how many of its entries matched no finding (fixed since it was
// written). Each entry hides at most one finding, so a second occurrence
// of a recorded mistake is reported. MF100 is never hidden.
func (b *Baseline) Apply(fs []finding.Finding) (kept []finding.Finding, hidden, fixed int) {
	left := map[string]int{}
	for _, e := range b.Entries {
		left[e.key()]++
	}
	for _, f := range fs {
		k := entryOf(f).key()
		if f.Rule != RuleUnreadable.ID && left[k] > 0 {
			left[k]--
			hidden++
			continue
		}
		kept = append(kept, f)
	}
	for _, n := range left {
		fixed += n
	}
	return kept, hidden, fixed
}

// LoadBaseline reads a baseline file through the input guard. boundary,
// when set, is the tree the file must resolve within (a baseline named by
// .meshfleet.yaml is repository content and may not point outside it).
func LoadBaseline(boundary, file string) (*Baseline, error) {
	var data []byte
	var err error
	if boundary != "" {
		data, err = manifest.ReadFileIn(boundary, file, manifest.DefaultLimits)
	} else {
		data, err = manifest.ReadFile("", file, manifest.DefaultLimits)
	}
	if err != nil {
		return nil, err
	}
	return ParseBaseline(file, data)
}

// ParseBaseline parses a baseline file strictly, with the guard's limits
// and positions: it is JSON as written by Marshal (YAML is accepted too,
// being a superset), and anything else is an error with file:line.
func ParseBaseline(file string, data []byte) (*Baseline, error) {
	docs, err := manifest.Parse(file, data, manifest.DefaultLimits)
	if err != nil {
		return nil, err
	}
	if len(docs) != 1 {
		return nil, &manifest.Error{File: file, Msg: fmt.Sprintf("want one baseline document, found %d", len(docs))}
	}
	root := docs[0].Node
	if root.Kind != yaml.MappingNode {
		return nil, manifest.Errorf(file, root, "", "want a baseline (an object with meshfleetBaseline and findings)")
	}
	b := &Baseline{}
	version := 0
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], manifest.Resolve(root.Content[i+1])
		switch k.Value {
		case "meshfleetBaseline":
			if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!int" || v.Decode(&version) != nil || version != BaselineVersion {
				return nil, manifest.Errorf(file, v, k.Value, "want %d, the baseline format this meshfleet reads", BaselineVersion)
			}
		case "findings":
			if v.Kind != yaml.SequenceNode {
				return nil, manifest.Errorf(file, v, k.Value, "want a list of findings")
			}
			for j, n := range v.Content {
				e, err := baselineEntry(file, manifest.Resolve(n), manifest.AppendIndex("findings", j))
				if err != nil {
					return nil, err
				}
				b.Entries = append(b.Entries, e)
			}
		default:
			return nil, manifest.Errorf(file, k, k.Value, "unknown field (want meshfleetBaseline or findings)")
		}
	}
	if version == 0 {
		return nil, manifest.Errorf(file, root, "", "not a meshfleet baseline: no meshfleetBaseline field")
	}
	return b, nil
}

func baselineEntry(file string, n *yaml.Node, path string) (BaselineEntry, error) {
	var e BaselineEntry
	if n.Kind != yaml.MappingNode {
		return e, manifest.Errorf(file, n, path, "want an object")
	}
	fields := map[string]*string{
		"rule": &e.Rule, "kind": &e.Kind, "namespace": &e.Namespace, "name": &e.Name,
		"path": &e.Path, "file": &e.File, "message": &e.Message,
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], manifest.Resolve(n.Content[i+1])
		p := manifest.AppendKey(path, k.Value)
		dst, ok := fields[k.Value]
		if !ok {
			return e, manifest.Errorf(file, k, p, "unknown field (want rule, kind, namespace, name, path, file or message)")
		}
		if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str" {
			return e, manifest.Errorf(file, v, p, "want a string")
		}
		*dst = v.Value
	}
	if e.Rule == "" {
		return e, manifest.Errorf(file, n, path, "want a rule")
	}
	return e, nil
}
