// Package render expands VMFleets (meshfleet.dev/v1alpha1) into the Istio
// and Kubernetes resources they stand for: deterministic bytes, every field
// traceable to the VMFleet field that produced it.
package render

import (
	"time"

	"gopkg.in/yaml.v3"

	"github.com/meshfleet/meshfleet/internal/manifest"
)

// APIVersion and Kind identify a VMFleet document.
const (
	APIVersion = "meshfleet.dev/v1alpha1"
	Kind       = "VMFleet"
)

// Options change how fleets render.
type Options struct {
	// IstioVersion selects API versions: "" or >= 1.22 renders
	// networking.istio.io/v1 and security.istio.io/v1; below 1.22 renders
	// the v1beta1 versions.
	IstioVersion string
	// BuildDeadline bounds one kustomize build (BuildKustomizationWith);
	// 0 means DefaultBuildDeadline.
	BuildDeadline time.Duration
}

// Fleet is one decoded, validated VMFleet and where it came from.
type Fleet struct {
	Doc  *manifest.Document
	Spec *VMFleet
}

// Resource is one rendered object.
type Resource struct {
	// Object is the rendered object as plain values (map[string]any, []any,
	// string, int64, bool), ready to marshal or to lint.
	Object map[string]any
	// Fleet is the VMFleet that rendered it.
	Fleet *Fleet
	// Origins lists, for paths in Object (manifest path syntax, e.g.
	// "spec.subsets[0].labels"), the VMFleet path that produced them (e.g.
	// "spec.traffic.subsets.vm-version"); of two entries for one path the
	// later wins. Position uses the longest prefix. A list rather than a
	// map: a resource has a dozen or so, written once and rarely read, and
	// a map per resource was a tenth of a large render's time.
	Origins []Origin
}

// Origin is one entry of Resource.Origins.
type Origin struct {
	Path      string // in the rendered object
	FleetPath string // in the VMFleet
}

// IsFleet reports whether n (a document's root node) is a VMFleet.
func IsFleet(n *yaml.Node) bool { return isFleet(n) }

// MeshTestKind is the kind of meshfleet's behaviour tests (meshfleet test).
const MeshTestKind = "MeshTest"

// IsMeshTest reports whether n (a document's root node) is a MeshTest.
func IsMeshTest(n *yaml.Node) bool { return isMeshTest(n) }

// Decode reads one VMFleet document: structure (unknown fields, types,
// enums, required fields), defaults, then cross-field checks. It returns every
// problem found, each positioned at the offending field; on any problem the
// Fleet is nil.
func Decode(doc *manifest.Document) (*Fleet, []*manifest.Error) { return decode(doc) }

// Render expands fleets decoded in one run into resources, sorted by kind
// order, namespace and name. Two fleets that render the same object are an
// error naming both.
func Render(fleets []*Fleet, opts Options) ([]*Resource, []*manifest.Error) {
	rs, _, errs := renderFleets(fleets, opts, false)
	return rs, errs
}

// RenderDocuments is Render that also writes each resource's YAML document,
// as Marshal([]*Resource{r}) would, on the expansion workers: Marshal's
// stream of the resources is the documents joined by "---\n".
func RenderDocuments(fleets []*Fleet, opts Options) ([]*Resource, [][]byte, []*manifest.Error) {
	return renderFleets(fleets, opts, true)
}

// Marshal writes resources as one canonical multi-document YAML stream
// (keys sorted, two-space indent, "---" between documents).
func Marshal(rs []*Resource) []byte { return marshal(rs) }

// Position returns where in the VMFleet file the rendered field at path came
// from: the longest prefix of path found in Origins, falling back to the
// fleet's metadata.name. fleetPath is the VMFleet path it resolved to.
func (r *Resource) Position(path string) (file string, line, col int, fleetPath string) {
	return r.position(path)
}
