package render

import "github.com/meshfleet/meshfleet/internal/manifest"

// position maps a rendered path to the VMFleet: the longest prefix of path
// with an origin gives a VMFleet path, and the rest of path is appended to it
// when the VMFleet has that field too (rendered and VMFleet shapes often
// match below the mapped point: connectionPool, match, labels). A fleet path
// the document does not write (a defaulted field) falls through to shorter
// prefixes and finally to metadata.name.
//
// A resource that no VMFleet rendered (an object of a kustomize build wrapped
// as a Resource) has no position: it returns zeros.
func (r *Resource) position(path string) (file string, line, col int, fleetPath string) {
	if r.Fleet == nil || r.Fleet.Doc == nil || r.Fleet.Doc.Node == nil {
		return "", 0, 0, ""
	}
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
		to, ok := r.origin(prefixes[i])
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

// setOrigin records that path in the object came from fleetPath.
func (r *Resource) setOrigin(path, fleetPath string) {
	r.Origins = append(r.Origins, Origin{path, fleetPath})
}

// origin is the VMFleet path recorded last for path.
func (r *Resource) origin(path string) (string, bool) {
	for i := len(r.Origins) - 1; i >= 0; i-- {
		if r.Origins[i].Path == path {
			return r.Origins[i].FleetPath, true
		}
	}
	return "", false
}
