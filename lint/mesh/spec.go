package mesh

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/meshfleet/meshfleet/internal/manifest"
	"github.com/meshfleet/meshfleet/internal/suggest"
)

// APIVersion and Kind name a behaviour test document.
const (
	APIVersion = "meshfleet.dev/v1alpha1"
	Kind       = "MeshTest"
)

// maxCases bounds the cases of one document (hostile input: each costs a
// model evaluation).
const maxCases = 10_000

// Suite is one MeshTest document.
type Suite struct {
	Name  string
	File  string
	Line  int
	Cases []*Case
}

// Case is one request and what is expected of it.
type Case struct {
	Suite   string
	Name    string
	File    string
	Line    int
	From    From
	Request Request
	Expect  Expect
	// lines maps a field path (from.namespace, expect.endpoints[1]) to
	// its line, for input errors.
	lines map[string]int
}

// LineOf is the line of a field of the case, the case's own line when
// unknown.
func (c *Case) LineOf(path string) int {
	if l, ok := c.lines[path]; ok {
		return l
	}
	return c.Line
}

// Expect holds the checked keys; nil or unset ones are not checked.
type Expect struct {
	Allowed         *bool
	MTLS            *bool
	Destinations    []ExpectDestination
	HasDestinations bool
	Endpoints       []string
	HasEndpoints    bool
	Status          *int
}

// ExpectDestination is a destinations entry; only given fields are checked.
type ExpectDestination struct {
	Host   *string `json:"host,omitempty"`
	Subset *string `json:"subset,omitempty"`
	Port   *int    `json:"port,omitempty"`
	Weight *int    `json:"weight,omitempty"`
}

var (
	topKeys  = []string{"apiVersion", "kind", "metadata", "spec"}
	metaKeys = []string{"name", "namespace", "labels", "annotations"}
	specKeys = []string{"cases"}
	caseKeys = []string{"name", "from", "request", "expect"}
	fromKeys = []string{"namespace", "serviceAccount", "labels", "external", "address"}
	reqKeys  = []string{"host", "port", "method", "path", "headers"}
	expKeys  = []string{"allowed", "mtls", "destinations", "endpoints", "status"}
	destKeys = []string{"host", "subset", "port", "weight"}
)

// parser decodes one document strictly, collecting every problem.
type parser struct {
	file string
	errs []*manifest.Error
}

func (p *parser) errf(n *yaml.Node, path, format string, args ...any) {
	p.errs = append(p.errs, manifest.Errorf(p.file, n, path, format, args...))
}

// fields walks a mapping, reporting unknown keys with the nearest known one.
func (p *parser) fields(n *yaml.Node, path string, known []string, f func(key string, k, v *yaml.Node, path string)) {
	n = manifest.Resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		p.errf(n, path, "want a mapping")
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], manifest.Resolve(n.Content[i+1])
		kp := manifest.AppendKey(path, k.Value)
		ok := false
		for _, name := range known {
			ok = ok || name == k.Value
		}
		if !ok {
			msg := fmt.Sprintf("unknown field %q", k.Value)
			if s := suggest.Closest(k.Value, known); s != "" {
				msg += fmt.Sprintf(": did you mean %s?", s)
			} else {
				msg += " (known: " + strings.Join(known, ", ") + ")"
			}
			p.errf(k, kp, "%s", msg)
			continue
		}
		f(k.Value, k, v, kp)
	}
}

func (p *parser) str(v *yaml.Node, path string) string {
	if v == nil || v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
		p.errf(v, path, "want a string")
		return ""
	}
	return v.Value
}

func (p *parser) boolean(v *yaml.Node, path string) bool {
	if v == nil || v.Kind != yaml.ScalarNode || v.Tag != "!!bool" {
		p.errf(v, path, "want true or false")
		return false
	}
	return v.Value == "true"
}

func (p *parser) integer(v *yaml.Node, path string, lo, hi int) int {
	if v == nil || v.Kind != yaml.ScalarNode || v.Tag != "!!int" {
		p.errf(v, path, "want an integer")
		return 0
	}
	n, err := strconv.Atoi(v.Value)
	if err != nil || n < lo || n > hi {
		p.errf(v, path, "want an integer from %d to %d", lo, hi)
		return 0
	}
	return n
}

func (p *parser) strMap(v *yaml.Node, path string, lower bool) map[string]string {
	out := map[string]string{}
	if v == nil || v.Kind != yaml.MappingNode {
		p.errf(v, path, "want a mapping of strings")
		return out
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, e := v.Content[i], manifest.Resolve(v.Content[i+1])
		if e == nil || e.Kind != yaml.ScalarNode {
			p.errf(e, manifest.AppendKey(path, k.Value), "want a string")
			continue
		}
		key := k.Value
		if lower {
			key = strings.ToLower(key)
		}
		out[key] = e.Value
	}
	return out
}

// Parse reads a MeshTest document with positions; every problem is an
// error at its file:line.
func Parse(doc *manifest.Document) (*Suite, []*manifest.Error) {
	p := &parser{file: doc.File}
	s := &Suite{File: doc.File, Line: doc.Node.Line}
	var cases *yaml.Node
	var casesPath string
	p.fields(doc.Node, "", topKeys, func(key string, k, v *yaml.Node, path string) {
		switch key {
		case "apiVersion":
			if av := p.str(v, path); av != "" && av != APIVersion {
				p.errf(v, path, "unknown apiVersion %q for MeshTest: want %s", av, APIVersion)
			}
		case "kind":
			p.str(v, path)
		case "metadata":
			p.fields(v, path, metaKeys, func(key string, k, v *yaml.Node, path string) {
				if key == "name" {
					s.Name = p.str(v, path)
				}
			})
		case "spec":
			p.fields(v, path, specKeys, func(key string, k, v *yaml.Node, path string) {
				cases, casesPath = v, path
			})
		}
	})
	if s.Name == "" && len(p.errs) == 0 {
		p.errf(doc.Node, "metadata.name", "required")
	}
	if cases == nil {
		if len(p.errs) == 0 {
			p.errf(doc.Node, "spec.cases", "required: a list of cases")
		}
		return nil, p.errs
	}
	if cases.Kind != yaml.SequenceNode {
		p.errf(cases, casesPath, "want a list of cases")
		return nil, p.errs
	}
	if len(cases.Content) > maxCases {
		p.errf(cases, casesPath, "%d cases: over the limit of %d per document", len(cases.Content), maxCases)
		return nil, p.errs
	}
	names := map[string]int{}
	for i, cn := range cases.Content {
		cn = manifest.Resolve(cn)
		path := manifest.AppendIndex(casesPath, i)
		c := p.parseCase(cn, path)
		if c == nil {
			continue
		}
		c.Suite, c.File = s.Name, s.File
		if prev, dup := names[c.Name]; dup {
			p.errf(cn, path+".name", "case %q is also at line %d: names must be unique within a MeshTest", c.Name, prev)
		}
		names[c.Name] = c.Line
		s.Cases = append(s.Cases, c)
	}
	if len(p.errs) > 0 {
		return nil, p.errs
	}
	return s, nil
}

func (p *parser) parseCase(n *yaml.Node, path string) *Case {
	if n == nil {
		p.errf(nil, path, "want a mapping")
		return nil
	}
	c := &Case{Line: n.Line, lines: map[string]int{}}
	seen := map[string]bool{}
	before := len(p.errs)
	p.fields(n, path, caseKeys, func(key string, k, v *yaml.Node, fp string) {
		seen[key] = true
		c.lines[key] = k.Line
		switch key {
		case "name":
			c.Name = p.str(v, fp)
		case "from":
			p.fields(v, fp, fromKeys, func(key string, k, v *yaml.Node, kp string) {
				c.lines["from."+key] = k.Line
				switch key {
				case "namespace":
					c.From.Namespace = p.str(v, kp)
				case "serviceAccount":
					c.From.ServiceAccount = p.str(v, kp)
				case "labels":
					c.From.Labels = p.strMap(v, kp, false)
				case "external":
					c.From.External = p.boolean(v, kp)
				case "address":
					c.From.Address = p.str(v, kp)
				}
			})
		case "request":
			p.fields(v, fp, reqKeys, func(key string, k, v *yaml.Node, kp string) {
				c.lines["request."+key] = k.Line
				switch key {
				case "host":
					c.Request.Host = p.str(v, kp)
				case "port":
					c.Request.Port = p.integer(v, kp, 1, 65535)
				case "method":
					c.Request.Method = strings.ToUpper(p.str(v, kp))
				case "path":
					c.Request.Path = p.str(v, kp)
					if c.Request.Path != "" && !strings.HasPrefix(c.Request.Path, "/") {
						p.errf(v, kp, "a path starts with /")
					}
				case "headers":
					c.Request.Headers = p.strMap(v, kp, true)
				}
			})
		case "expect":
			p.parseExpect(c, v, fp)
		}
	})
	if len(p.errs) > before {
		return nil
	}
	for _, req := range []string{"name", "from", "request", "expect"} {
		if !seen[req] {
			p.errf(n, manifest.AppendKey(path, req), "required")
		}
	}
	if c.From.External && (c.From.Namespace != "" || c.From.ServiceAccount != "" || len(c.From.Labels) > 0) {
		p.errf(n, path+".from", "an external caller has no namespace, service account or labels")
	}
	if !c.From.External && c.From.Namespace == "" && seen["from"] {
		p.errf(n, path+".from", "a caller inside the mesh needs a namespace (or external: true)")
	}
	if seen["request"] && (c.Request.Host == "" || c.Request.Port == 0) {
		p.errf(n, path+".request", "host and port are required")
	}
	if len(p.errs) > before {
		return nil
	}
	return c
}

func (p *parser) parseExpect(c *Case, v *yaml.Node, path string) {
	p.fields(v, path, expKeys, func(key string, k, v *yaml.Node, kp string) {
		c.lines["expect."+key] = k.Line
		switch key {
		case "allowed":
			b := p.boolean(v, kp)
			c.Expect.Allowed = &b
		case "mtls":
			b := p.boolean(v, kp)
			c.Expect.MTLS = &b
		case "status":
			s := p.integer(v, kp, 100, 599)
			c.Expect.Status = &s
		case "endpoints":
			c.Expect.HasEndpoints = true
			if v == nil || v.Kind != yaml.SequenceNode {
				p.errf(v, kp, "want a list of Kind/namespace/name")
				return
			}
			c.Expect.Endpoints = []string{}
			for i, e := range v.Content {
				ip := manifest.AppendIndex(kp, i)
				s := p.str(manifest.Resolve(e), ip)
				if s != "" && strings.Count(s, "/") != 2 {
					p.errf(e, ip, "%q: want Kind/namespace/name", s)
				}
				c.lines["expect.endpoints["+strconv.Itoa(i)+"]"] = e.Line
				c.Expect.Endpoints = append(c.Expect.Endpoints, s)
			}
		case "destinations":
			c.Expect.HasDestinations = true
			if v == nil || v.Kind != yaml.SequenceNode {
				p.errf(v, kp, "want a list of destinations")
				return
			}
			c.Expect.Destinations = []ExpectDestination{}
			for i, e := range v.Content {
				ip := manifest.AppendIndex(kp, i)
				var d ExpectDestination
				c.lines["expect.destinations["+strconv.Itoa(i)+"]"] = e.Line
				p.fields(e, ip, destKeys, func(key string, k, v *yaml.Node, fp string) {
					switch key {
					case "host":
						s := p.str(v, fp)
						d.Host = &s
					case "subset":
						s := p.str(v, fp)
						d.Subset = &s
					case "port":
						n := p.integer(v, fp, 1, 65535)
						d.Port = &n
					case "weight":
						n := p.integer(v, fp, 0, 100)
						d.Weight = &n
					}
				})
				c.Expect.Destinations = append(c.Expect.Destinations, d)
			}
		}
	})
}

// sortedCopy is l sorted, l untouched.
func sortedCopy(l []string) []string {
	out := append([]string{}, l...)
	sort.Strings(out)
	return out
}
