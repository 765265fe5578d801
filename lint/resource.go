package lint

import (
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/meshfleet/meshfleet/internal/manifest"
	"github.com/meshfleet/meshfleet/lint/finding"
	"github.com/meshfleet/meshfleet/render"
)

// IgnoreAnnotation suppresses the listed rules on the resource carrying it
// (on a VMFleet: on everything it renders).
const IgnoreAnnotation = "meshfleet.dev/ignore"

// resource is one object being linted: parsed from a file, or rendered from
// a VMFleet. ref is its index in the run, the number Rego results name.
type resource struct {
	ref        int
	apiVersion string
	kind       string
	// namespace is the effective namespace: metadata.namespace, "default"
	// when unset (as kubectl applies it), "" for cluster-scoped kinds.
	namespace string
	name      string
	obj       map[string]any
	file      string
	// doc and item locate the resource in its file: the document index and,
	// for an item of a `kind: List`, the item index (else -1). Node trees
	// are not kept: they cost memory and GC time for every resource, while
	// positions are needed only for the few with findings (re-parsed then).
	doc, item int
	// rendered is set for resources a VMFleet produced; positions then come
	// from the VMFleet.
	rendered *render.Resource
	// context marks a resource read from --context: it resolves references
	// and its findings are not reported.
	context bool
	// managed is set when the object carries meshfleet's managed-by label:
	// a rendered file, which the VMFleet it came from supersedes when both
	// are linted.
	managed bool
	// ignore lists the rule IDs of the ignore annotation.
	ignore []string
	// wl is the workload r stands for, nil if none; derived on the worker
	// that parsed r, so the index's sequential pass does less.
	wl *workload
	// problems are the Go checks' findings (ref unset), found as soon as
	// the object was parsed or rendered (Engine.settle).
	problems []rawFinding
}

// clusterScoped lists the kinds that live outside namespaces and so neither
// make "default" known nor belong to a namespace shard.
var clusterScoped = map[string]bool{
	"Namespace": true, "Node": true, "PersistentVolume": true, "StorageClass": true,
	"ClusterRole": true, "ClusterRoleBinding": true, "CustomResourceDefinition": true,
	"MutatingWebhookConfiguration": true, "ValidatingWebhookConfiguration": true,
	"ValidatingAdmissionPolicy": true, "ValidatingAdmissionPolicyBinding": true,
	"PriorityClass": true, "IngressClass": true, "RuntimeClass": true, "APIService": true,
	"GatewayClass": true, "CSIDriver": true, "VolumeAttachment": true,
}

func newResource(obj map[string]any, file string, doc, item int) *resource {
	r := &resource{obj: obj, file: file, doc: doc, item: item}
	r.apiVersion, _ = obj["apiVersion"].(string)
	r.kind, _ = obj["kind"].(string)
	meta, _ := obj["metadata"].(map[string]any)
	r.name, _ = meta["name"].(string)
	if !clusterScoped[r.kind] {
		r.namespace, _ = meta["namespace"].(string)
		if r.namespace == "" {
			r.namespace = "default"
		}
	}
	r.ignore = ignoreList(meta)
	labels, _ := meta["labels"].(map[string]any)
	r.managed = labels[render.ManagedByLabel] == render.ManagedByValue
	r.wl = workloadOf(r)
	return r
}

func ignoreList(meta map[string]any) []string {
	ann, _ := meta["annotations"].(map[string]any)
	v, _ := ann[IgnoreAnnotation].(string)
	if v == "" {
		return nil
	}
	return splitIDs(v)
}

// splitIDs reads "MF301,MF402" or "MF301 MF402" as rule IDs, upper-cased.
func splitIDs(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
	for i := range f {
		f[i] = strings.ToUpper(f[i])
	}
	return f
}

func (r *resource) id() finding.Resource {
	return finding.Resource{APIVersion: r.apiVersion, Kind: r.kind, Namespace: r.namespace, Name: r.name}
}

// key identifies the object a resource stands for, as the API server
// would: group, kind, namespace and name (the version does not matter).
func (r *resource) key() string {
	return r.group() + "/" + r.kind + "/" + r.namespace + "/" + r.name
}

// group is the API group of apiVersion ("" for the core group).
func (r *resource) group() string {
	if i := strings.IndexByte(r.apiVersion, '/'); i >= 0 {
		return r.apiVersion[:i]
	}
	return ""
}

// position returns where the field at path is: in the resource's own file,
// or for a rendered resource in the VMFleet that produced the field.
func (r *resource) position(path string, atKey bool, nodes *nodeCache) (file string, line, col int) {
	if r.rendered != nil {
		file, line, col, _ = r.rendered.Position(path)
		return file, line, col
	}
	root := nodes.root(r)
	if root == nil {
		return r.file, 0, 0
	}
	find := manifest.Find
	if atKey {
		find = manifest.FindKey
	}
	n, _ := find(root, path)
	if n == nil {
		n = root
	}
	return r.file, n.Line, n.Column
}

// nodeCache re-parses, once each, the files whose resources have findings.
type nodeCache struct {
	data  map[string][]byte
	files map[string]map[int]*yaml.Node
}

func newNodeCache(data map[string][]byte) *nodeCache {
	return &nodeCache{data: data, files: map[string]map[int]*yaml.Node{}}
}

// root returns r's root node: its document's, or its item's in a List.
func (c *nodeCache) root(r *resource) *yaml.Node {
	docs, ok := c.files[r.file]
	if !ok {
		parsed, _ := manifest.Parse(r.file, c.data[r.file], manifest.DefaultLimits)
		docs = make(map[int]*yaml.Node, len(parsed))
		for _, d := range parsed {
			docs[d.Index] = d.Node
		}
		c.files[r.file] = docs
	}
	n := docs[r.doc]
	if n == nil || r.item < 0 {
		return n
	}
	_, seq := manifest.Lookup(n, "items")
	if seq = manifest.Resolve(seq); seq != nil && seq.Kind == yaml.SequenceNode && r.item < len(seq.Content) {
		return manifest.Resolve(seq.Content[r.item])
	}
	return n
}

// str, mapOf and listOf read plain values without panicking on the wrong
// type, since input objects are arbitrary YAML.
func str(v any) string {
	s, _ := v.(string)
	return s
}

func mapOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func listOf(v any) []any {
	l, _ := v.([]any)
	return l
}

// dig follows keys through nested maps.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}
