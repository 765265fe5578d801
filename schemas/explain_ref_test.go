package schemas

// The reference explanation: Validate as it was before the fast checker
// learnt to explain, compiling each kind with santhosh-tekuri/jsonschema and
// phrasing its ValidationError tree. The binary no longer carries it (the
// package's init alone compiled five metaschemas in every process);
// TestFastAgreesWithJSONSchema and FuzzExplain hold the table-driven
// explainer to it.

import (
	"bytes"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/meshfleet/meshfleet/internal/manifest"
)

// baseURL prefixes the embedded schema files so that the validator, which
// resolves references by URL, sees each as an absolute resource. It is also
// the $id of vmfleet.schema.json.
const baseURL = "https://meshfleet.dev/schemas/"

// store compiles embedded schemas with one compiler, so definitions that
// several kinds share (the Kubernetes bundle) are compiled once, and keeps
// every document it parsed to explain errors: the properties of an object
// for a "did you mean" hint, the branches of a oneOf.
type store struct {
	base string
	read func(name string) ([]byte, error)
	mu   sync.Mutex // the compiler is not safe for concurrent use
	c    *jsonschema.Compiler
	docs sync.Map // file name -> parsed document
}

func newStore(base string) *store { return newStoreFS(base, files) }

// newStoreFS is a store of the schema files in fsys.
func newStoreFS(base string, fsys fs.ReadFileFS) *store {
	s := &store{base: base, read: fsys.ReadFile, c: jsonschema.NewCompiler()}
	s.c.UseLoader(s)
	return s
}

// Load implements jsonschema.URLLoader over the store's files.
func (s *store) Load(loc string) (any, error) {
	name, ok := strings.CutPrefix(loc, s.base)
	if !ok {
		return nil, fmt.Errorf("schema %s is not embedded", loc)
	}
	data, err := s.read(name)
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

// refStore serves the embedded files at trustedURL: the validator checks
// every schema it compiles against its draft's metaschema unless its URL is
// under json-schema.org; TestAllSchemasCompile compiles each at baseURL
// with the check.
var refStore = newStore(trustedURL)

const trustedURL = "https://json-schema.org/meshfleet/"

var refCompiled sync.Map // file name -> *jsonschema.Schema

// refSchema is f compiled by jsonschema.
func refSchema(t testing.TB, f *schemaFile) *jsonschema.Schema {
	if s, ok := refCompiled.Load(f.name); ok {
		return s.(*jsonschema.Schema)
	}
	s, err := refStore.compile(f.name)
	if err != nil {
		t.Fatalf("%s: %v", f.name, err)
	}
	refCompiled.Store(f.name, s)
	return s
}

// referenceValidate is Validate through jsonschema alone. fallback holds
// the problems phrased by jsonschema's own message (a keyword the old
// explanation had no words for): those the new explainer words itself.
func referenceValidate(t testing.TB, f *schemaFile, obj any) (valid bool, ps []Problem, fallback map[Problem]bool) {
	return referenceExplain(t, refStore, refSchema(t, f), obj)
}

// referenceExplain validates obj with sch, compiled by s, and explains
// what is wrong as referenceValidate does.
func referenceExplain(t testing.TB, s *store, sch *jsonschema.Schema, obj any) (valid bool, ps []Problem, fallback map[Problem]bool) {
	err := sch.Validate(obj)
	if err == nil {
		return true, nil, nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		t.Fatalf("%s: %v", sch.Location, err)
	}
	e := refExplainer{s: s, obj: obj, fallback: map[Problem]bool{}}
	return false, normalize(e.walk(ve)), e.fallback
}

var printer = message.NewPrinter(language.English)

type refExplainer struct {
	s        *store
	obj      any
	fallback map[Problem]bool
}

func (e *refExplainer) schemaAt(loc string) map[string]any {
	m, _ := lookupPointer(e.s.doc(loc), loc).(map[string]any)
	return m
}

func (e *refExplainer) walk(ve *jsonschema.ValidationError) []Problem {
	at := instancePath(e.obj, ve.InstanceLocation)
	switch k := ve.ErrorKind.(type) {
	case *kind.AdditionalProperties:
		s := e.schemaAt(ve.SchemaURL)
		known := propertyNames(s)
		var ps []Problem
		if pats, ok := s["patternProperties"].(map[string]any); ok && len(known) == 0 {
			for _, name := range k.Properties {
				for pat := range pats {
					ps = append(ps, Problem{Path: manifest.AppendKey(at, name), Kind: Invalid, Msg: "invalid key: " + patternMsg(name, pat)})
					break
				}
			}
			return ps
		}
		for _, name := range k.Properties {
			ps = append(ps, Problem{Path: manifest.AppendKey(at, name), Kind: UnknownField, Msg: "unknown field" + hint(name, known)})
		}
		return ps
	case *kind.FalseSchema:
		return []Problem{{Path: at, Kind: UnknownField, Msg: "unknown field"}}
	case *kind.Required:
		var ps []Problem
		for _, name := range k.Missing {
			ps = append(ps, Problem{Path: manifest.AppendKey(at, name), Kind: Required, Msg: "required field missing"})
		}
		return ps
	case *kind.Type:
		return []Problem{{Path: at, Kind: WrongType, Msg: typeMsg(k.Got, k.Want)}}
	case *kind.Enum:
		return []Problem{{Path: at, Kind: BadEnum, Msg: enumMsg(k.Got, k.Want)}}
	case *kind.Const:
		return []Problem{{Path: at, Kind: BadEnum, Msg: fmt.Sprintf("must be %s (got %s)", show(k.Want), show(k.Got))}}
	case *kind.Pattern:
		return []Problem{{Path: at, Kind: Invalid, Msg: patternMsg(k.Got, k.Want)}}
	case *kind.Minimum:
		return []Problem{{Path: at, Kind: Invalid, Msg: fmt.Sprintf("%s is less than the minimum %s", ratString(k.Got), ratString(k.Want))}}
	case *kind.Maximum:
		return []Problem{{Path: at, Kind: Invalid, Msg: fmt.Sprintf("%s is more than the maximum %s", ratString(k.Got), ratString(k.Want))}}
	case *kind.MinItems:
		return []Problem{{Path: at, Kind: Invalid, Msg: fmt.Sprintf("needs at least %d item(s), got %d", k.Want, k.Got)}}
	case *kind.OneOf:
		return e.oneOf(ve, at, k)
	case *kind.Not:
		if names := notRequiredRaw(e.schemaAt(ve.SchemaURL)); len(names) > 1 {
			return []Problem{{Path: at, Kind: Invalid, Msg: "at most one of " + strings.Join(names, ", ") + " may be set"}}
		}
	case *kind.MaxLength:
		if k.Want == 0 {
			return []Problem{{Path: at, Kind: Invalid, Msg: "must be empty"}}
		}
	case *kind.AnyOf:
		return e.anyOf(ve)
	}
	if len(ve.Causes) > 0 {
		var ps []Problem
		for _, c := range ve.Causes {
			ps = append(ps, e.walk(c)...)
		}
		return ps
	}
	p := Problem{Path: at, Kind: Invalid, Msg: ve.ErrorKind.LocalizedString(printer)}
	e.fallback[p] = true
	return []Problem{p}
}

func (e *refExplainer) oneOf(ve *jsonschema.ValidationError, at string, k *kind.OneOf) []Problem {
	var names []string
	if s := e.schemaAt(ve.SchemaURL); s != nil {
		branches, _ := s["oneOf"].([]any)
		for _, b := range branches {
			bm, _ := b.(map[string]any)
			req, _ := bm["required"].([]any)
			if len(req) != 1 {
				names = nil
				break
			}
			names = append(names, fmt.Sprint(req[0]))
		}
	}
	return oneOfProblems(names, k.Subschemas, at, func() []Problem { return e.anyOf(ve) })
}

// notRequiredRaw is notRequired over the schema document.
func notRequiredRaw(s map[string]any) []string {
	not, _ := s["not"].(map[string]any)
	cands := []any{not}
	if l, ok := not["anyOf"].([]any); ok {
		cands = append(cands, l...)
	}
	for _, c := range cands {
		cm, _ := c.(map[string]any)
		if req, ok := cm["required"].([]any); ok {
			names := make([]string, len(req))
			for i, r := range req {
				names[i] = fmt.Sprint(r)
			}
			return names
		}
	}
	return nil
}

func (e *refExplainer) anyOf(ve *jsonschema.ValidationError) []Problem {
	if p, ok := e.requiredAlternatives(ve); ok {
		return []Problem{p}
	}
	branches := make([][]Problem, len(ve.Causes))
	for i, c := range ve.Causes {
		branches[i] = e.walk(c)
	}
	return bestBranch(branches)
}

func (e *refExplainer) requiredAlternatives(ve *jsonschema.ValidationError) (Problem, bool) {
	var names []string
	var at []string
	for _, c := range ve.Causes {
		for len(c.Causes) == 1 {
			if _, ok := c.ErrorKind.(*kind.Required); ok {
				break
			}
			c = c.Causes[0]
		}
		r, ok := c.ErrorKind.(*kind.Required)
		if !ok || len(r.Missing) != 1 {
			return Problem{}, false
		}
		if at != nil && strings.Join(at, "/") != strings.Join(c.InstanceLocation, "/") {
			return Problem{}, false
		}
		at = c.InstanceLocation
		names = append(names, r.Missing[0])
	}
	return requiredAlternativesProblem(instancePath(e.obj, at), names)
}

// propertyNames lists the fields an object schema defines.
func propertyNames(s map[string]any) []string {
	props, _ := s["properties"].(map[string]any)
	names := make([]string, 0, len(props))
	for n := range props {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
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
