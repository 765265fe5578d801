package render

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	yamlv3 "gopkg.in/yaml.v3"
	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/meshfleet/meshfleet/internal/manifest"
)

// FnStdin names the function's input in errors about the ResourceList itself.
const FnStdin = "stdin"

// Fn is meshfleet as a KRM function: it reads a ResourceList from in and
// writes one to out with the resources every VMFleet item renders added,
// and every other item passed through unchanged. A VMFleet functionConfig
// is rendered too, once: as a generator kustomize sends it both as
// functionConfig and as the only item. Run on its own output it changes
// nothing (see fnReplace): the fleets stay, marked local-config, and what
// an earlier run rendered for them is replaced.
//
// The whole input passes the guard (manifest.ReadAll and Parse) before kyaml
// sees a byte, since kyaml expands alias bombs without limit. Input that
// cannot be read is returned as an error and nothing is written. Render
// problems come back as error Results, which are also written into the
// output's results, with the items left as they came (the KRM convention:
// the caller exits 1).
func Fn(in io.Reader, out io.Writer, opts Options) (framework.Results, error) {
	fi, err := ReadFnInput(in)
	if err != nil {
		return nil, err
	}
	return fi.Render(out, opts)
}

// FnInput is a ResourceList read through the guard and checked, for a
// caller that looks at the functionConfig before it decides what to run.
type FnInput struct {
	// Data is the input as read; only it may reach kyaml.
	Data []byte
	// Root is the ResourceList mapping, positioned in Data.
	Root *yamlv3.Node
}

// ReadFnInput reads a ResourceList through the guard (manifest.ReadAll and
// Parse) and refuses what is not one (see checkResourceList).
func ReadFnInput(in io.Reader) (*FnInput, error) {
	data, err := manifest.ReadAll(FnStdin, in, manifest.DefaultLimits)
	if err != nil {
		return nil, err
	}
	docs, err := manifest.Parse(FnStdin, data, manifest.DefaultLimits)
	if err != nil {
		return nil, err
	}
	if err := checkResourceList(docs); err != nil {
		return nil, err
	}
	return &FnInput{Data: data, Root: docs[0].Node}, nil
}

// FunctionConfig is the functionConfig mapping, nil when there is none.
func (fi *FnInput) FunctionConfig() *yamlv3.Node {
	_, fc := manifest.Lookup(fi.Root, "functionConfig")
	if fc = manifest.Resolve(fc); fc == nil || fc.Kind != yamlv3.MappingNode {
		return nil
	}
	return fc
}

// Render is Fn on input already read.
func (fi *FnInput) Render(out io.Writer, opts Options) (framework.Results, error) {
	p := &fnProcessor{opts: opts}
	var buf bytes.Buffer
	rw := &kio.ByteReadWriter{Reader: bytes.NewReader(fi.Data), Writer: &buf, KeepReaderAnnotations: true}
	err := framework.Execute(p, rw)
	if err != nil && !errors.Is(err, errFnResults) {
		return nil, fmt.Errorf("%s: %w", FnStdin, err)
	}
	if _, err := out.Write(buf.Bytes()); err != nil {
		return nil, err
	}
	return p.results, nil
}

// checkResourceList refuses what is not one ResourceList whose items are
// objects: kyaml accepts `items: 5`, an empty stream or any other object and
// writes an empty list, and an empty success from a generator is how a
// pipeline deletes what it manages.
func checkResourceList(docs []*manifest.Document) error {
	if len(docs) == 0 {
		return &manifest.Error{File: FnStdin, Msg: "empty input: want a ResourceList (config.kubernetes.io/v1)"}
	}
	if len(docs) > 1 {
		n := docs[1].Node
		return &manifest.Error{File: FnStdin, Line: n.Line, Column: n.Column, Msg: "more than one document: want a single ResourceList"}
	}
	root := docs[0].Node
	if root.Kind != yamlv3.MappingNode {
		return manifest.Errorf(FnStdin, root, "", "not a ResourceList: the input is not a mapping")
	}
	k, kind := manifest.Lookup(root, "kind")
	if kind == nil || kind.Value != "ResourceList" {
		if k == nil {
			k = root
		}
		return manifest.Errorf(FnStdin, k, "kind", "not a ResourceList: want kind ResourceList")
	}
	k, items := manifest.Lookup(root, "items")
	items = manifest.Resolve(items)
	if items == nil || items.Kind == yamlv3.ScalarNode && items.Tag == "!!null" {
		return nil
	}
	if items.Kind != yamlv3.SequenceNode {
		return manifest.Errorf(FnStdin, k, "items", "items must be a list of objects")
	}
	for i, it := range items.Content {
		if it = manifest.Resolve(it); it.Kind != yamlv3.MappingNode {
			return manifest.Errorf(FnStdin, it, manifest.AppendIndex("items", i), "an item must be an object")
		}
	}
	return nil
}

// errFnResults tells Fn that the processor put its problems in results.
var errFnResults = errors.New("render failed")

type fnProcessor struct {
	opts    Options
	results framework.Results
}

// fnFleet is one VMFleet the function was given.
type fnFleet struct {
	ref  *yaml.ResourceIdentifier
	file *framework.File
}

func (p *fnProcessor) Process(rl *framework.ResourceList) error {
	var (
		keep       []*yaml.RNode
		fleetItems []*yaml.RNode
		fleets     []*Fleet
		origin     = map[string]*fnFleet{} // by the document label decode errors carry
		seen       = map[string]bool{}     // by identity: the generator case
		errs       []*manifest.Error
	)
	add := func(n *yaml.RNode, label string) bool {
		if n.GetKind() != Kind {
			return false
		}
		doc, err := fnDocument(n, label)
		if err != nil {
			errs = append(errs, err)
			origin[label] = fnOrigin(n)
			return true
		}
		if doc == nil {
			return false
		}
		ff := fnOrigin(n)
		origin[label] = ff
		seen[fnIdentity(ff.ref)] = true
		f, derrs := Decode(doc)
		errs = append(errs, derrs...)
		if f != nil {
			fleets = append(fleets, f)
		}
		return true
	}
	for i, item := range rl.Items {
		keep = append(keep, item)
		if add(item, "items["+strconv.Itoa(i)+"]") {
			fleetItems = append(fleetItems, item)
		}
	}
	if fc := rl.FunctionConfig; fc != nil && fc.GetKind() == Kind && !seen[fnIdentity(fnOrigin(fc).ref)] {
		add(fc, "functionConfig")
	}
	var rs []*Resource
	if len(errs) == 0 {
		rs, errs = Render(fleets, p.opts)
	}
	if len(errs) > 0 {
		p.results = fnResults(errs, origin)
		rl.Results = append(rl.Results, p.results...)
		return errFnResults
	}
	items, err := fnReplace(keep, fleetItems, fleets, rs)
	if err != nil {
		return err
	}
	rl.Items = items
	return nil
}

// fnReplace makes the function a fixed point on its own output: what an
// earlier run rendered for a fleet rendered now (meshfleet's managed-by
// label and fleet annotation name it) is replaced by this run's resources,
// or dropped when the fleet no longer renders it. A replacement keeps the
// file annotations of the object it replaces, so kpt writes it back where
// it was. The VMFleet items stay, marked local-config: kpt keeps them in
// the package without applying them, and kustomize drops them from its
// output. What other fleets rendered, and fleets not given, is left alone.
func fnReplace(items, fleetItems []*yaml.RNode, fleets []*Fleet, rs []*Resource) ([]*yaml.RNode, error) {
	renders := map[string]bool{}
	for _, f := range fleets {
		renders[f.Spec.Metadata.Namespace+"/"+f.Spec.Metadata.Name] = true
	}
	prev := map[string]map[string]string{} // host annotations by identity
	out := make([]*yaml.RNode, 0, len(items)+len(rs))
	for _, it := range items {
		if renders[fnGeneratedBy(it)] {
			prev[fnIdentity(fnOrigin(it).ref)] = fnHostAnnotations(it)
			continue
		}
		out = append(out, it)
	}
	for _, it := range fleetItems {
		if err := it.PipeE(yaml.SetAnnotation(LocalConfigAnnotation, "true")); err != nil {
			return nil, fmt.Errorf("marking %s local-config: %w", fnIdentity(fnOrigin(it).ref), err)
		}
	}
	for _, r := range rs {
		id := fnIdentity(fnRef(r.Object))
		n, err := yaml.Parse(string(Marshal([]*Resource{r})))
		if err != nil {
			return nil, fmt.Errorf("reading rendered %s: %w", id, err)
		}
		for _, k := range sortedKeys(prev[id]) {
			if err := n.PipeE(yaml.SetAnnotation(k, prev[id][k])); err != nil {
				return nil, fmt.Errorf("annotating rendered %s: %w", id, err)
			}
		}
		out = append(out, n)
	}
	return out, nil
}

// LocalConfigAnnotation marks an object kpt and kustomize keep out of what
// they apply or build.
const LocalConfigAnnotation = "config.kubernetes.io/local-config"

// fnGeneratedBy is the fleet ("namespace/name") that rendered n, "" when
// meshfleet did not.
func fnGeneratedBy(n *yaml.RNode) string {
	if n.GetLabels()[ManagedByLabel] != ManagedByValue {
		return ""
	}
	return n.GetAnnotations()[FleetAnnotation]
}

// IsHostAnnotation reports whether an annotation is one kustomize or kpt
// set to say where an item came from, not part of the object.
func IsHostAnnotation(k string) bool {
	return k != LocalConfigAnnotation && k != "config.kubernetes.io/function" &&
		(strings.HasPrefix(k, "config.kubernetes.io/") || strings.HasPrefix(k, "internal.config.kubernetes.io/") ||
			strings.HasPrefix(k, "config.k8s.io/") || strings.HasPrefix(k, "internal.config.k8s.io/"))
}

func fnHostAnnotations(n *yaml.RNode) map[string]string {
	a := map[string]string{}
	for k, v := range n.GetAnnotations() {
		if IsHostAnnotation(k) {
			a[k] = v
		}
	}
	return a
}

// fnDocument turns an item into a guarded document for Decode, without the
// annotations kustomize and kpt add to every item (config.kubernetes.io/*,
// internal.config.kubernetes.io/*): they say where the item came from, not
// what to render, and output must not depend on how the fleet arrived.
// It returns nil when the item is not a VMFleet after all.
func fnDocument(n *yaml.RNode, label string) (*manifest.Document, *manifest.Error) {
	c := n.Copy()
	for k := range c.GetAnnotations() {
		if strings.HasPrefix(k, "config.kubernetes.io/") || strings.HasPrefix(k, "internal.config.kubernetes.io/") ||
			strings.HasPrefix(k, "config.k8s.io/") || strings.HasPrefix(k, "internal.config.k8s.io/") {
			if err := c.PipeE(yaml.ClearAnnotation(k)); err != nil {
				return nil, &manifest.Error{File: label, Msg: err.Error()}
			}
		}
	}
	if len(c.GetAnnotations()) == 0 {
		_ = c.PipeE(yaml.Lookup("metadata"), yaml.Clear("annotations"))
	}
	s, err := c.String()
	if err != nil {
		return nil, &manifest.Error{File: label, Msg: err.Error()}
	}
	docs, err := manifest.Parse(label, []byte(s), manifest.DefaultLimits)
	if err != nil {
		var me *manifest.Error
		if errors.As(err, &me) {
			return nil, me
		}
		return nil, &manifest.Error{File: label, Msg: err.Error()}
	}
	if len(docs) != 1 || !IsFleet(docs[0].Node) {
		return nil, nil
	}
	return docs[0], nil
}

// fnOrigin is what a result can say about where a fleet came from: its
// identity, and its file and index when the host annotated them (kpt and
// kyaml: internal.config.kubernetes.io/path and index, or their legacy
// config.kubernetes.io names; kustomize: config.kubernetes.io/origin).
// No host gives a line.
func fnOrigin(n *yaml.RNode) *fnFleet {
	ff := &fnFleet{ref: FnRef(n)}
	ff.file = FnFile(n)
	return ff
}

// FnRef identifies an item in a result.
func FnRef(n *yaml.RNode) *yaml.ResourceIdentifier {
	return &yaml.ResourceIdentifier{
		TypeMeta: yaml.TypeMeta{APIVersion: n.GetApiVersion(), Kind: n.GetKind()},
		NameMeta: yaml.NameMeta{Name: n.GetName(), Namespace: n.GetNamespace()},
	}
}

// FnFile is the file and index the host annotated on an item, nil when it
// annotated none.
func FnFile(n *yaml.RNode) *framework.File {
	a := n.GetAnnotations()
	path := a["internal.config.kubernetes.io/path"]
	if path == "" {
		path = a["config.kubernetes.io/path"]
	}
	if path != "" {
		f := &framework.File{Path: path}
		idx := a["internal.config.kubernetes.io/index"]
		if idx == "" {
			idx = a["config.kubernetes.io/index"]
		}
		f.Index, _ = strconv.Atoi(idx)
		return f
	}
	if path = originPath(a["config.kubernetes.io/origin"]); path != "" {
		return &framework.File{Path: path}
	}
	return nil
}

// originPath is the path of kustomize's origin annotation (a YAML mapping
// in a string, read through the guard like every other input), "" when
// there is none.
func originPath(s string) string {
	if s == "" {
		return ""
	}
	docs, err := manifest.Parse("origin", []byte(s), manifest.DefaultLimits)
	if err != nil || len(docs) != 1 || docs[0].Node.Kind != yamlv3.MappingNode {
		return ""
	}
	_, v := manifest.Lookup(docs[0].Node, "path")
	if v = manifest.Resolve(v); v == nil || v.Kind != yamlv3.ScalarNode {
		return ""
	}
	return v.Value
}

func fnRef(obj map[string]any) *yaml.ResourceIdentifier {
	meta, _ := obj["metadata"].(map[string]any)
	ref := &yaml.ResourceIdentifier{}
	ref.APIVersion, _ = obj["apiVersion"].(string)
	ref.Kind, _ = obj["kind"].(string)
	ref.Name, _ = meta["name"].(string)
	ref.Namespace, _ = meta["namespace"].(string)
	return ref
}

func fnIdentity(r *yaml.ResourceIdentifier) string {
	return r.APIVersion + " " + r.Kind + " " + r.Namespace + "/" + r.Name
}

// fnResults turns render problems into error results, sorted and without
// repeats. Without a file the message is the problem alone: hosts show
// the resource and field beside it. The line and column of a problem count within the item as kyaml
// re-serialised it, which is not the user's file, so results carry the field
// path (exact) and the file and index the host annotated instead. The
// message starts with both, "fleets/stock.yaml: spec.ports[1].port: ...",
// since kpt and kustomize show the message but not the result's file.
func fnResults(errs []*manifest.Error, origin map[string]*fnFleet) framework.Results {
	manifest.SortErrors(errs)
	var rs framework.Results
	var last string
	for _, e := range errs {
		r := &framework.Result{Severity: framework.Error, Message: e.Msg}
		if e.Path != "" {
			r.Field = &framework.Field{Path: e.Path}
		}
		if ff := origin[e.File]; ff != nil {
			r.ResourceRef = ff.ref
			r.File = ff.file
		} else {
			r.File = &framework.File{Path: e.File}
		}
		if r.File != nil {
			r.Message = FnMessage(r.File.Path, e.Path, e.Msg)
		}
		if s := r.String(); s != last {
			rs = append(rs, r)
			last = s
		}
	}
	return rs
}

// FnMessage is a result's message, positioned as meshfleet positions
// problems elsewhere: "fleets/stock.yaml: spec.ports[1].port: msg".
func FnMessage(file, path, msg string) string {
	if path != "" {
		msg = path + ": " + msg
	}
	return file + ": " + msg
}
