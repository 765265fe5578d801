// Package schemas is meshfleet's single source of truth for what a valid
// VMFleet and a valid Istio or Kubernetes resource look like. The VMFleet
// schema is hand-written CUE (vmfleet.cue); the Istio and Kubernetes kinds
// are CUE generated from istio.io/api's CRDs and k8s.io/api's Go types
// (cue/). Every kind is validated through a JSON Schema exported from its
// CUE definition (jsonschema/, vmfleet.schema.json), because evaluating CUE
// per resource costs far more than the lint budget allows (see
// BenchmarkValidate1000 and BenchmarkCUE1000). `go generate` compiles
// those JSON Schemas into the table of internal/fastcheck (fast_gen.go),
// which decides validity exactly as santhosh-tekuri/jsonschema v6 would
// and also says what is wrong; jsonschema itself is only the tests'
// reference, so no process pays for compiling its metaschemas at start.
package schemas

//go:generate go run ./internal/gen -dir .

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

//go:embed vmfleet.cue vmfleet.schema.json jsonschema
var files embed.FS

// FleetAPIVersion and FleetKind identify a VMFleet.
const (
	FleetAPIVersion = "meshfleet.dev/v1alpha1"
	FleetKind       = "VMFleet"
)

type gvk struct{ apiVersion, kind string }

// schemaFile is one embedded JSON Schema.
type schemaFile struct {
	name string
	// fast is the kind's root in fastTable (fast_gen.go), compiled from
	// the file by `go generate`, which fails when it cannot compile one.
	fast int32
}

var registry = func() map[gvk]*schemaFile {
	reg := map[gvk]*schemaFile{
		{FleetAPIVersion, FleetKind}: {name: "vmfleet.schema.json", fast: fastTable.Root("vmfleet.schema.json")},
	}
	err := fs.WalkDir(files, "jsonschema", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p == "jsonschema/bundle" {
				return fs.SkipDir // shared definitions, referred to by kinds
			}
			return nil
		}
		// jsonschema/<group>/<version>/<Kind>.json; the core group is "core".
		parts := strings.Split(p, "/")
		if len(parts) != 4 || !strings.HasSuffix(p, ".json") {
			return fmt.Errorf("unexpected embedded schema %s", p)
		}
		apiVersion := parts[1] + "/" + parts[2]
		if parts[1] == "core" {
			apiVersion = parts[2]
		}
		reg[gvk{apiVersion, strings.TrimSuffix(parts[3], ".json")}] = &schemaFile{name: p, fast: fastTable.Root(p)}
		return nil
	})
	if err != nil {
		panic(err)
	}
	return reg
}()

// Known reports whether meshfleet has a schema for the kind at apiVersion.
func Known(apiVersion, kind string) bool {
	_, ok := registry[gvk{apiVersion, kind}]
	return ok
}

// Kinds lists the apiVersion/kind pairs Known accepts, sorted.
func Kinds() []string {
	out := make([]string, 0, len(registry))
	for k := range registry {
		out = append(out, k.apiVersion+" "+k.kind)
	}
	sort.Strings(out)
	return out
}

// Validate checks obj (plain values as manifest.Value returns them) against
// the schema of its kind and returns one Problem per offending field,
// sorted by path. An unknown kind has no problems: check Known first.
func Validate(apiVersion, kind string, obj map[string]any) []Problem {
	f := registry[gvk{apiVersion, kind}]
	if f == nil {
		return nil
	}
	if f.fast == 0 {
		// The generator refuses to emit a table without every kind, and
		// TestFastCoversEveryKind checks the committed one: a build
		// defect, not a user error.
		panic(fmt.Sprintf("schemas: %s has no compiled checker", f.name))
	}
	// Most resources are valid, and saying so allocates nothing; only an
	// invalid one is walked again to say what is wrong.
	if fastTable.Valid(f.fast, obj) {
		return nil
	}
	return explain(fastTable, f.fast, obj)
}

// ValidateFleet validates a VMFleet document against the VMFleet schema.
func ValidateFleet(obj map[string]any) []Problem {
	return Validate(FleetAPIVersion, FleetKind, obj)
}

// FleetCUE returns the VMFleet schema's CUE source.
func FleetCUE() []byte { return mustRead("vmfleet.cue") }

// FleetJSONSchema returns the JSON Schema (draft-07) exported from the
// CUE source, for editors (yaml-language-server) and other tools.
func FleetJSONSchema() []byte { return mustRead("vmfleet.schema.json") }

func mustRead(name string) []byte {
	b, err := files.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return b
}
