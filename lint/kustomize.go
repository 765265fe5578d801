package lint

import "github.com/meshfleet/meshfleet/render"

// defaultKustomize builds kustomization directories given as path
// arguments, in-process and behind the input guard: builtin plugins only,
// VMFleets expanded by render itself, remote references refused, under
// render's default build deadline (see render.BuildKustomizationWith).
var defaultKustomize = render.BuildKustomization

// kustomizeName names a build's output in findings: its lines are those of
// the built stream, not of any file in the directory.
func kustomizeName(dir string) string { return dir + " (kustomize build)" }
