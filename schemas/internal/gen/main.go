// Command gen regenerates the committed schemas of package schemas: the CUE
// definitions of the Istio kinds (from the CRDs in the istio.io/api module),
// and the JSON Schemas exported from every CUE definition (VMFleet, Istio,
// Kubernetes core) that the validator loads. It runs from `go generate
// ./schemas/...`; the slow `cue get go` step for Kubernetes runs only with
// -k8s, because it builds the cue command and type-checks k8s.io/api.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/meshfleet/meshfleet/schemas/internal/gen/generate"
)

func main() {
	dir := flag.String("dir", ".", "the schemas directory")
	k8s := flag.Bool("k8s", false, "also rerun `cue get go` for the Kubernetes core kinds (slow)")
	flag.Parse()
	abs, err := filepath.Abs(*dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if *k8s {
		if err := generate.CueGetGo(abs); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
	}
	files, err := generate.All(abs)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	for name, data := range files {
		p := filepath.Join(abs, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
	}
}
