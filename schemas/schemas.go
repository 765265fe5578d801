// Package schemas is meshfleet's single source of truth for what a valid
// VMFleet and a valid Istio or Kubernetes resource look like. The VMFleet
// schema is hand-written CUE (vmfleet.cue); the Istio and Kubernetes kinds
// are CUE generated from istio.io/api's CRDs and k8s.io/api's Go types
// (cue/). Every kind is validated through a JSON Schema exported from its
// CUE definition (jsonschema/, vmfleet.schema.json), because evaluating CUE
// per resource costs far more than the lint budget allows (see
// BenchmarkValidate1000 and BenchmarkCUE1000). A valid resource is
// recognised by the fast checker of internal/fastcheck, whose table
// `go generate` compiles from the same JSON Schemas into fast_gen.go;
// santhosh-tekuri/jsonschema compiles a kind only to explain an invalid one.
package schemas

//go:generate go run ./internal/gen -dir .

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed vmfleet.cue vmfleet.schema.json jsonschema
var files embed.FS

// FleetAPIVersion and FleetKind identify a VMFleet.
const (
	FleetAPIVersion = "meshfleet.dev/v1alpha1"
	FleetKind       = "VMFleet"
)

// baseURL prefixes the embedded schema files so that the validator, which
// resolves references by URL, sees each as an absolute resource. It is also
// the $id of vmfleet.schema.json.
const baseURL = "https://meshfleet.dev/schemas/"

type gvk struct{ apiVersion, kind string }

// schemaFile is one embedded JSON Schema, compiled on first use: a lint run
// pays only for the kinds it meets.
type schemaFile struct {
	name string
	once sync.Once
	sch  *jsonschema.Schema
	err  error

	// fast is the kind's root in fastTable (fast_gen.go), the validity
	// checker compiled from the same file by `go generate`; 0 when the
	// checker does not implement something the schema uses.
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

// store compiles embedded schemas with one compiler, so definitions that
// several kinds share (the Kubernetes bundle) are compiled once, and keeps
// every document it parsed to explain errors: the properties of an object
// for a "did you mean" hint, the branches of a oneOf.
type store struct {
	base string
	mu   sync.Mutex // the compiler is not safe for concurrent use
	c    *jsonschema.Compiler
	docs sync.Map // file name -> parsed document
}

func newStore(base string) *store {
	s := &store{base: base, c: jsonschema.NewCompiler()}
	s.c.UseLoader(s)
	return s
}

// Load implements jsonschema.URLLoader over the embedded files.
func (s *store) Load(loc string) (any, error) {
	name, ok := strings.CutPrefix(loc, s.base)
	if !ok {
		return nil, fmt.Errorf("schema %s is not embedded", loc)
	}
	data, err := files.ReadFile(name)
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	s.docs.Store(name, doc)
	return doc, nil
}

func (s *store) compile(name string) (*jsonschema.Schema, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.c.Compile(s.base + name)
}

// doc returns the parsed document a schema URL points into.
func (s *store) doc(loc string) any {
	// vmfleet.schema.json names itself by $id under baseURL.
	name := strings.TrimPrefix(strings.TrimPrefix(loc, s.base), baseURL)
	if i := strings.IndexByte(name, '#'); i >= 0 {
		name = name[:i]
	}
	d, _ := s.docs.Load(name)
	return d
}

// schemaStore is the store Validate uses. It serves the embedded files at
// trustedURL: the validator checks every schema it compiles against its
// draft's metaschema unless its URL is under json-schema.org, and that check
// was half of a large kind's first-use cost, too much for a pre-commit run
// that meets a dozen kinds. The embedded schemas are generated and fixed at
// build time, and TestAllSchemasCompile compiles each at baseURL with the
// check, so skipping it at run time loses nothing.
var schemaStore = newStore(trustedURL)

const trustedURL = "https://json-schema.org/meshfleet/"

func (f *schemaFile) load() error {
	f.once.Do(func() { f.sch, f.err = schemaStore.compile(f.name) })
	return f.err
}

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
	// Most resources are valid: the fast checker (internal/fastcheck)
	// says so exactly as jsonschema would, from a table generated at build
	// time, so a valid resource never compiles its kind with jsonschema;
	// jsonschema then only explains what is wrong.
	if f.fast != 0 && fastTable.Valid(f.fast, obj) {
		return nil
	}
	return f.validate(obj)
}

// validate checks obj with jsonschema and explains what is wrong: Validate
// without the fast checker.
func (f *schemaFile) validate(obj map[string]any) []Problem {
	if err := f.load(); err != nil {
		// The embedded schemas are compiled by TestAllSchemasCompile; a
		// failure here is a build defect, not a user error.
		panic(fmt.Sprintf("schemas: %v", err))
	}
	err := f.sch.Validate(obj)
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return []Problem{{Msg: err.Error(), Kind: Invalid}}
	}
	return explain(schemaStore, obj, ve)
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

// lookupPointer resolves the fragment of a schema URL (a JSON pointer)
// within doc.
func lookupPointer(doc any, loc string) any {
	i := strings.IndexByte(loc, '#')
	if i < 0 {
		return doc
	}
	ptr := loc[i+1:]
	cur := doc
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		if tok == "" {
			continue
		}
		tok = unescapePointer(tok)
		switch c := cur.(type) {
		case map[string]any:
			cur = c[tok]
		case []any:
			n, err := strconv.Atoi(tok)
			if err != nil || n < 0 || n >= len(c) {
				return nil
			}
			cur = c[n]
		default:
			return nil
		}
	}
	return cur
}

func unescapePointer(tok string) string {
	if strings.ContainsRune(tok, '%') {
		if u, err := url.PathUnescape(tok); err == nil {
			tok = u
		}
	}
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
}
