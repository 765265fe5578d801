package lint

import (
	"gopkg.in/yaml.v3"

	"github.com/meshfleet/meshfleet/internal/manifest"
	"github.com/meshfleet/meshfleet/lint/finding"
	"github.com/meshfleet/meshfleet/render"
)

func isFleetNode(n *yaml.Node) bool { return render.IsFleet(n) }

// fleetProblem is a VMFleet that does not decode or render, and the fleet
// it is about when known.
type fleetProblem struct {
	err   *manifest.Error
	fleet finding.Resource
}

// renderFleets decodes and renders the VMFleets of a run in-process, so that
// what they produce is linted together with everything else. An invalid
// fleet is reported (MF104) and skipped; the others still render.
func renderFleets(docs []*manifest.Document) ([]*resource, []fleetProblem) {
	var fleets []*render.Fleet
	var probs []fleetProblem
	for _, d := range docs {
		f, errs := render.Decode(d)
		if len(errs) > 0 {
			obj, _ := manifest.Value(d.Node).(map[string]any)
			id := finding.Resource{
				APIVersion: str(obj["apiVersion"]), Kind: str(obj["kind"]),
				Namespace: str(dig(obj, "metadata", "namespace")), Name: str(dig(obj, "metadata", "name")),
			}
			for _, e := range errs {
				probs = append(probs, fleetProblem{e, id})
			}
			continue
		}
		fleets = append(fleets, f)
	}
	if len(fleets) == 0 {
		return nil, probs
	}
	rendered, errs := render.Render(fleets, render.Options{})
	for _, e := range errs {
		probs = append(probs, fleetProblem{err: e})
	}
	out := make([]*resource, 0, len(rendered))
	ignores := map[*render.Fleet][]string{}
	for _, rr := range rendered {
		if rr == nil || rr.Object == nil {
			continue
		}
		r := newResource(rr.Object, "", -1, -1)
		r.rendered = rr
		if rr.Fleet != nil && rr.Fleet.Doc != nil {
			r.file = rr.Fleet.Doc.File
			ig, ok := ignores[rr.Fleet]
			if !ok {
				meta, _ := manifest.Value(rr.Fleet.Doc.Node).(map[string]any)
				ig = ignoreList(mapOf(meta["metadata"]))
				ignores[rr.Fleet] = ig
			}
			r.ignore = append(r.ignore, ig...)
		}
		out = append(out, r)
	}
	return out, probs
}
