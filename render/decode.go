package render

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/meshfleet/meshfleet/internal/manifest"
	"github.com/meshfleet/meshfleet/internal/suggest"
)

// The decoder walks the yaml.Node tree itself instead of yaml.Decode into
// structs: it must report every problem of a document, each with the position
// and path of the offending field, and refuse unknown fields with a hint.

// decoder collects the problems of one document.
type decoder struct {
	file string
	root *yaml.Node
	errs []*manifest.Error
	// known, when set, records every field the decoder accepts at each path
	// it visits, so a test can hold the decoder and the schema to one set
	// of fields.
	known map[string]bool
}

// errAt reports a problem positioned at node n.
func (d *decoder) errAt(n *yaml.Node, path, format string, args ...any) {
	d.errs = append(d.errs, manifest.Errorf(d.file, n, path, format, args...))
}

// errPath reports a problem at path, positioned at the deepest node of path
// present in the document (the parent for a missing field).
func (d *decoder) errPath(path, format string, args ...any) {
	n, _ := manifest.Find(d.root, path)
	d.errAt(n, path, format, args...)
}

// field is one known key of a mapping. set is called with the value of a
// present, non-null key. nullErr, when set, is reported for an explicit null
// instead of treating it as omitted.
type field struct {
	name    string
	set     func(v *yaml.Node, path string)
	nullErr string
}

// object decodes mapping n field by field. Unknown keys are errors with a
// "did you mean" hint; null values count as omitted. It reports whether n was
// a mapping without unknown keys: callers check required fields only then,
// since a missing field next to an unknown one is most likely misspelt and
// already reported.
func (d *decoder) object(n *yaml.Node, path string, fields ...field) (clean bool) {
	n = manifest.Resolve(n)
	if !d.isMapping(n, path) {
		return false
	}
	clean = true
	if d.known != nil {
		for _, f := range fields {
			d.known[manifest.AppendKey(path, f.name)] = true
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], manifest.Resolve(n.Content[i+1])
		if k.Tag == "!!merge" {
			d.errAt(k, path, "merge keys (<<) are not supported in a VMFleet")
			continue
		}
		p := manifest.AppendKey(path, k.Value)
		f := lookupField(fields, k.Value)
		if f == nil {
			names := make([]string, len(fields))
			for j := range fields {
				names[j] = fields[j].name
			}
			d.errAt(k, p, "unknown field%s", hint(k.Value, names))
			clean = false
			continue
		}
		if isNull(v) {
			if f.nullErr != "" {
				d.errAt(v, p, "%s", f.nullErr)
			}
			continue
		}
		f.set(v, p)
	}
	return clean
}

// require reports key missing from mapping n (absent or null). A key present
// with a bad value is reported by its decoder, not here.
func (d *decoder) require(n *yaml.Node, path, key, note string) {
	if _, v := manifest.Lookup(n, key); v != nil && !isNull(manifest.Resolve(v)) {
		return
	}
	d.errPath(manifest.AppendKey(path, key), "required field missing%s", note)
}

func lookupField(fields []field, name string) *field {
	for i := range fields {
		if fields[i].name == name {
			return &fields[i]
		}
	}
	return nil
}

// hint suggests the closest known name for a misspelt one, or lists the
// known names when none is close.
func hint(got string, names []string) string {
	if best := suggest.Closest(got, names); best != "" {
		return " (did you mean " + best + "?)"
	}
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	return " (expected one of: " + strings.Join(sorted, ", ") + ")"
}

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

func (d *decoder) isMapping(n *yaml.Node, path string) bool {
	if n.Kind != yaml.MappingNode {
		d.errAt(n, path, "expected a mapping, got %s", describe(n))
		return false
	}
	return true
}

// str decodes a string. Numbers and booleans are refused rather than
// converted, as Kubernetes would: `version: 1.0` is a float, not "1.0".
func (d *decoder) str(n *yaml.Node, path string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		if n.Kind == yaml.ScalarNode {
			d.errAt(n, path, "expected a string, got %s (quote it)", describe(n))
		} else {
			d.errAt(n, path, "expected a string, got %s", describe(n))
		}
		return "", false
	}
	return n.Value, true
}

// setName is setStr for fields where an empty string is a mistake rather
// than a value: names, addresses, identities. required selects the message:
// a required field has no default to fall back to.
func (d *decoder) setName(dst *string, required bool) func(*yaml.Node, string) {
	return func(n *yaml.Node, p string) {
		s, ok := d.str(n, p)
		if !ok {
			return
		}
		if s == "" {
			if required {
				d.errAt(n, p, "must not be empty")
			} else {
				d.errAt(n, p, "empty string (omit the field for its default)")
			}
			return
		}
		*dst = s
	}
}

// setStr returns a setter storing a string into dst.
func (d *decoder) setStr(dst *string) func(*yaml.Node, string) {
	return func(n *yaml.Node, p string) {
		if s, ok := d.str(n, p); ok {
			*dst = s
		}
	}
}

func (d *decoder) boolean(n *yaml.Node, path string) (bool, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
		d.errAt(n, path, "expected true or false, got %s", describe(n))
		return false, false
	}
	return strings.EqualFold(n.Value, "true"), true
}

func (d *decoder) setBool(dst **bool) func(*yaml.Node, string) {
	return func(n *yaml.Node, p string) {
		if b, ok := d.boolean(n, p); ok {
			*dst = &b
		}
	}
}

// integer decodes an integer within [lo, hi].
func (d *decoder) integer(n *yaml.Node, path string, lo, hi int64) (int64, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
		d.errAt(n, path, "expected an integer, got %s", describe(n))
		return 0, false
	}
	v, ok := manifest.Scalar(n).(int64)
	if !ok || v < lo || v > hi {
		d.errAt(n, path, "%s is out of range [%d, %d]", n.Value, lo, hi)
		return 0, false
	}
	return v, true
}

func (d *decoder) setInt32(dst **int32, lo, hi int64) func(*yaml.Node, string) {
	return func(n *yaml.Node, p string) {
		if v, ok := d.integer(n, p, lo, hi); ok {
			x := int32(v)
			*dst = &x
		}
	}
}

// setDuration stores an Istio duration ("5s", "100ms", "1m30s"): Go syntax,
// at least one millisecond, kept as written.
func (d *decoder) setDuration(dst *string) func(*yaml.Node, string) {
	return func(n *yaml.Node, p string) {
		s, ok := d.str(n, p)
		if !ok {
			return
		}
		dur, err := time.ParseDuration(s)
		if err != nil || dur < time.Millisecond {
			d.errAt(n, p, "invalid duration %q (want e.g. 5s, 100ms, 1m30s; at least 1ms)", s)
			return
		}
		*dst = s
	}
}

// strings decodes a sequence of strings. An empty list is kept as a non-nil
// empty slice.
func (d *decoder) strs(n *yaml.Node, path string) []string {
	if n.Kind != yaml.SequenceNode {
		d.errAt(n, path, "expected a sequence, got %s", describe(n))
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for i, e := range n.Content {
		if s, ok := d.str(manifest.Resolve(e), manifest.AppendIndex(path, i)); ok {
			out = append(out, s)
		}
	}
	return out
}

func (d *decoder) setStrs(dst *[]string) func(*yaml.Node, string) {
	return func(n *yaml.Node, p string) { *dst = d.strs(n, p) }
}

// stringMap decodes a mapping of strings to strings.
func (d *decoder) stringMap(n *yaml.Node, path string) map[string]string {
	if !d.isMapping(n, path) {
		return nil
	}
	out := make(map[string]string, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], manifest.Resolve(n.Content[i+1])
		if k.Tag == "!!merge" {
			d.errAt(k, path, "merge keys (<<) are not supported in a VMFleet")
			continue
		}
		p := manifest.AppendKey(path, k.Value)
		if s, ok := d.str(v, p); ok {
			out[k.Value] = s
		}
	}
	return out
}

func (d *decoder) setStringMap(dst *map[string]string) func(*yaml.Node, string) {
	return func(n *yaml.Node, p string) { *dst = d.stringMap(n, p) }
}

// looseMap decodes metadata labels and annotations of the VMFleet itself:
// any scalar value is accepted, because tools such as kustomize add their own.
func (d *decoder) looseMap(n *yaml.Node, path string) map[string]string {
	if !d.isMapping(n, path) {
		return nil
	}
	out := make(map[string]string, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], manifest.Resolve(n.Content[i+1])
		if v.Kind == yaml.ScalarNode {
			out[k.Value] = v.Value
		}
	}
	return out
}

// enum decodes a string that must be one of allowed, exactly.
func (d *decoder) enum(n *yaml.Node, path string, allowed ...string) (string, bool) {
	s, ok := d.str(n, path)
	if !ok {
		return "", false
	}
	for _, a := range allowed {
		if s == a {
			return s, true
		}
	}
	for _, a := range allowed {
		if strings.EqualFold(s, a) {
			d.errAt(n, path, "invalid value %q (want %s; did you mean %s?)", s, orList(allowed), a)
			return "", false
		}
	}
	d.errAt(n, path, "invalid value %q (want %s)", s, orList(allowed))
	return "", false
}

// orList writes "a, b or c".
func orList(xs []string) string {
	if len(xs) == 1 {
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " or " + xs[len(xs)-1]
}

// portRef decodes a port given by name or number ("8080" counts as a number).
func (d *decoder) portRef(n *yaml.Node, path string) (PortRef, bool) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!int" {
		v, ok := d.integer(n, path, 1, 65535)
		return PortRef{Number: int32(v)}, ok
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		d.errAt(n, path, "expected a port name or number, got %s", describe(n))
		return PortRef{}, false
	}
	s := n.Value
	if v, err := strconv.Atoi(s); err == nil {
		if v < 1 || v > 65535 {
			d.errAt(n, path, "%s is out of range [1, 65535]", s)
			return PortRef{}, false
		}
		return PortRef{Number: int32(v)}, true
	}
	if s == "" {
		d.errAt(n, path, "empty port name")
		return PortRef{}, false
	}
	return PortRef{Name: s}, true
}

func (d *decoder) portRefs(n *yaml.Node, path string) []PortRef {
	if n.Kind != yaml.SequenceNode {
		d.errAt(n, path, "expected a sequence, got %s", describe(n))
		return nil
	}
	out := make([]PortRef, 0, len(n.Content))
	for i, e := range n.Content {
		if r, ok := d.portRef(manifest.Resolve(e), manifest.AppendIndex(path, i)); ok {
			out = append(out, r)
		}
	}
	return out
}

// sequence calls each for every element of a sequence.
func (d *decoder) sequence(n *yaml.Node, path string, each func(i int, e *yaml.Node, p string)) bool {
	if n.Kind != yaml.SequenceNode {
		d.errAt(n, path, "expected a sequence, got %s", describe(n))
		return false
	}
	for i, e := range n.Content {
		each(i, manifest.Resolve(e), manifest.AppendIndex(path, i))
	}
	return true
}

// fleetDecode holds what decoding learns beyond the types: which defaulted
// fields were written, for the checks that depend on it.
type fleetDecode struct {
	decoder
	f                    VMFleet
	createService        *bool
	createServiceAccount *bool
	mtlsSet              bool
	allowSet, denySet    bool
}

// decodeFleet reads the document's structure into fd.f.
func (fd *fleetDecode) decodeFleet() {
	d := &fd.decoder
	f := &fd.f
	metaClean := true
	rootClean := d.object(d.root, "",
		field{name: "apiVersion", set: func(v *yaml.Node, p string) {
			if s, ok := d.str(v, p); ok {
				f.APIVersion = s
				if s != APIVersion {
					d.errAt(v, p, "unsupported apiVersion %q (want %s)", s, APIVersion)
				}
			}
		}},
		field{name: "kind", set: func(v *yaml.Node, p string) {
			if s, ok := d.str(v, p); ok {
				f.Kind = s
				if s != Kind {
					d.errAt(v, p, "unknown kind %q: meshfleet.dev has only %s (and %s, the behaviour tests meshfleet test reads)", s, Kind, MeshTestKind)
				}
			}
		}},
		field{name: "metadata", set: func(v *yaml.Node, p string) {
			metaClean = d.object(v, p,
				field{name: "name", set: d.setName(&f.Metadata.Name, true)},
				field{name: "namespace", set: d.setName(&f.Metadata.Namespace, true)},
				field{name: "labels", set: func(v *yaml.Node, p string) { f.Metadata.Labels = d.looseMap(v, p) }},
				field{name: "annotations", set: func(v *yaml.Node, p string) { f.Metadata.Annotations = d.looseMap(v, p) }},
			)
		}},
		field{name: "spec", set: fd.decodeSpec},
	)
	if rootClean {
		d.require(d.root, "", "apiVersion", " (want "+APIVersion+")")
		d.require(d.root, "", "kind", " (want "+Kind+")")
	}
	_, meta := manifest.Lookup(d.root, "metadata")
	if meta = manifest.Resolve(meta); meta == nil || isNull(meta) {
		d.errPath("metadata", "required field missing (name and namespace)")
	} else if metaClean {
		d.require(meta, "metadata", "name", "")
		d.require(meta, "metadata", "namespace", " (a VMFleet has no implicit default namespace)")
	}
}

func (fd *fleetDecode) decodeSpec(n *yaml.Node, path string) {
	d := &fd.decoder
	s := &fd.f.Spec
	d.object(n, path,
		field{name: "app", set: d.setName(&s.App, false)},
		field{name: "version", set: d.setName(&s.Version, false)},
		field{name: "labels", set: d.setStringMap(&s.Labels)},
		field{name: "annotations", set: d.setStringMap(&s.Annotations)},
		field{name: "serviceAccount", set: d.setName(&s.ServiceAccount, false)},
		field{name: "createServiceAccount", set: d.setBool(&fd.createServiceAccount)},
		field{name: "createService", set: d.setBool(&fd.createService)},
		field{name: "network", set: d.setName(&s.Network, false)},
		field{name: "trustDomain", set: d.setName(&s.TrustDomain, false)},
		field{name: "ports", set: func(v *yaml.Node, p string) {
			d.sequence(v, p, func(_ int, e *yaml.Node, p string) { s.Ports = append(s.Ports, fd.decodePort(e, p)) })
		}},
		field{name: "probe", set: func(v *yaml.Node, p string) { s.Probe = fd.decodeProbe(v, p) }},
		field{name: "vms", set: func(v *yaml.Node, p string) {
			d.sequence(v, p, func(_ int, e *yaml.Node, p string) { s.VMs = append(s.VMs, fd.decodeVM(e, p)) })
		}},
		field{name: "mtls", set: func(v *yaml.Node, p string) {
			fd.mtlsSet = true
			if m, ok := d.enum(v, p, string(MTLSStrict), string(MTLSPermissive), string(MTLSDisable)); ok {
				s.MTLS = MTLSMode(m)
			}
		}},
		field{name: "allow", nullErr: "null: write `allow: []` for an explicit deny-all, or remove the field for no policy",
			set: func(v *yaml.Node, p string) { fd.allowSet = true; s.Allow = fd.decodeRules(v, p, true) }},
		field{name: "deny", nullErr: "null: remove the field for no DENY policy",
			set: func(v *yaml.Node, p string) { fd.denySet = true; s.Deny = fd.decodeRules(v, p, false) }},
		field{name: "traffic", set: func(v *yaml.Node, p string) { s.Traffic = fd.decodeTraffic(v, p) }},
	)
}

func (fd *fleetDecode) decodePort(n *yaml.Node, path string) Port {
	d := &fd.decoder
	pt := Port{Service: true}
	ok := d.object(n, path,
		field{name: "name", set: d.setName(&pt.Name, true)},
		field{name: "port", set: func(v *yaml.Node, p string) {
			if x, ok := d.integer(v, p, 1, 65535); ok {
				pt.Port = int32(x)
			}
		}},
		field{name: "protocol", set: func(v *yaml.Node, p string) {
			s, ok := d.str(v, p)
			if !ok {
				return
			}
			proto, known := parseProtocol(s)
			if !known {
				d.errAt(v, p, "unknown protocol %q (want %s)", s, orList(protocolNames()))
				return
			}
			pt.Protocol = proto
		}},
		field{name: "service", set: func(v *yaml.Node, p string) {
			if b, ok := d.boolean(v, p); ok {
				pt.Service = b
			}
		}},
	)
	if ok {
		d.require(n, path, "name", "")
		d.require(n, path, "port", "")
	}
	return pt
}

func (fd *fleetDecode) decodeProbe(n *yaml.Node, path string) *Probe {
	d := &fd.decoder
	pr := &Probe{}
	const maxSec = math.MaxInt32
	var handlers []string
	ok := d.object(n, path,
		field{name: "httpGet", set: func(v *yaml.Node, p string) {
			handlers = append(handlers, "httpGet")
			h := &HTTPGetAction{}
			if d.object(v, p,
				field{name: "path", set: d.setStr(&h.Path)},
				field{name: "port", set: func(v *yaml.Node, p string) { h.Port, _ = d.portRef(v, p) }},
				field{name: "host", set: d.setStr(&h.Host)},
				field{name: "scheme", set: func(v *yaml.Node, p string) { h.Scheme, _ = d.enum(v, p, "HTTP", "HTTPS") }},
				field{name: "headers", set: d.setStringMap(&h.Headers)},
			) {
				d.require(v, p, "port", "")
			}
			pr.HTTPGet = h
		}},
		field{name: "tcpSocket", set: func(v *yaml.Node, p string) {
			handlers = append(handlers, "tcpSocket")
			t := &TCPSocketAction{}
			if d.object(v, p,
				field{name: "port", set: func(v *yaml.Node, p string) { t.Port, _ = d.portRef(v, p) }},
				field{name: "host", set: d.setStr(&t.Host)},
			) {
				d.require(v, p, "port", "")
			}
			pr.TCPSocket = t
		}},
		field{name: "exec", set: func(v *yaml.Node, p string) {
			handlers = append(handlers, "exec")
			e := &ExecAction{}
			if d.object(v, p, field{name: "command", set: d.setStrs(&e.Command)}) {
				d.require(v, p, "command", "")
				if e.Command != nil && len(e.Command) == 0 {
					d.errPath(manifest.AppendKey(p, "command"), "empty command")
				}
			}
			pr.Exec = e
		}},
		field{name: "initialDelaySeconds", set: d.setInt32(&pr.InitialDelaySeconds, 0, maxSec)},
		field{name: "periodSeconds", set: d.setInt32(&pr.PeriodSeconds, 1, maxSec)},
		field{name: "timeoutSeconds", set: d.setInt32(&pr.TimeoutSeconds, 1, maxSec)},
		field{name: "successThreshold", set: d.setInt32(&pr.SuccessThreshold, 1, maxSec)},
		field{name: "failureThreshold", set: d.setInt32(&pr.FailureThreshold, 1, maxSec)},
	)
	if !ok {
		if n.Kind != yaml.MappingNode {
			return nil
		}
		return pr
	}
	switch len(handlers) {
	case 0:
		d.errPath(path, "exactly one of httpGet, tcpSocket or exec is required")
	case 1:
	default:
		d.errPath(path, "exactly one of httpGet, tcpSocket or exec is allowed, got %s", strings.Join(handlers, " and "))
	}
	return pr
}

func (fd *fleetDecode) decodeVM(n *yaml.Node, path string) VM {
	d := &fd.decoder
	var vm VM
	if d.object(n, path,
		field{name: "address", set: d.setName(&vm.Address, true)},
		field{name: "name", set: d.setName(&vm.Name, false)},
		field{name: "locality", set: d.setName(&vm.Locality, false)},
		field{name: "weight", set: func(v *yaml.Node, p string) {
			if x, ok := d.integer(v, p, 1, math.MaxUint32); ok {
				vm.Weight = uint32(x)
			}
		}},
		field{name: "network", set: d.setName(&vm.Network, false)},
		field{name: "labels", set: d.setStringMap(&vm.Labels)},
	) {
		d.require(n, path, "address", "")
	}
	return vm
}

func (fd *fleetDecode) decodeRules(n *yaml.Node, path string, allow bool) []Rule {
	d := &fd.decoder
	rules := make([]Rule, 0, len(n.Content))
	if !allow && n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
		// A DENY policy without rules matches nothing; the user most
		// likely meant the deny-all that `allow: []` is.
		d.errAt(n, path, "an empty deny list denies nothing: remove it, or write `allow: []` to deny all")
	}
	d.sequence(n, path, func(_ int, e *yaml.Node, p string) {
		var r Rule
		before := len(d.errs)
		if !d.object(e, p,
			field{name: "from", set: func(v *yaml.Node, p string) { r.From = fd.decodeSource(v, p) }},
			field{name: "to", set: func(v *yaml.Node, p string) { r.To = fd.decodeOperation(v, p) }},
			field{name: "when", set: func(v *yaml.Node, p string) {
				r.When = []Condition{}
				d.sequence(v, p, func(_ int, e *yaml.Node, p string) {
					var c Condition
					if d.object(e, p,
						field{name: "key", set: d.setStr(&c.Key)},
						field{name: "values", set: d.setStrs(&c.Values)},
						field{name: "notValues", set: d.setStrs(&c.NotValues)},
					) {
						d.require(e, p, "key", "")
						if len(c.Values) == 0 && len(c.NotValues) == 0 {
							d.errPath(p, "a condition needs values or notValues")
						}
					}
					r.When = append(r.When, c)
				})
			}},
		) {
			return
		}
		if allow && len(d.errs) == before && r.From.empty() && r.To.empty() && len(r.When) == 0 {
			d.errPath(p, "an empty rule allows every request; give from, to or when (an empty `allow: []` denies all)")
		}
		rules = append(rules, r)
	})
	return rules
}

func (s *Source) empty() bool {
	return s == nil || len(s.ServiceAccounts)+len(s.NotServiceAccounts)+len(s.Principals)+len(s.NotPrincipals)+
		len(s.Namespaces)+len(s.NotNamespaces)+len(s.IPBlocks)+len(s.NotIPBlocks)+len(s.RemoteIPBlocks)+
		len(s.NotRemoteIPBlocks)+len(s.RequestPrincipals)+len(s.NotRequestPrincipals) == 0
}

func (o *Operation) empty() bool {
	return o == nil || len(o.Hosts)+len(o.NotHosts)+len(o.Methods)+len(o.NotMethods)+len(o.Paths)+
		len(o.NotPaths)+len(o.Ports)+len(o.NotPorts) == 0
}

func (fd *fleetDecode) decodeSource(n *yaml.Node, path string) *Source {
	d := &fd.decoder
	s := &Source{}
	d.object(n, path,
		field{name: "serviceAccounts", set: d.setStrs(&s.ServiceAccounts)},
		field{name: "notServiceAccounts", set: d.setStrs(&s.NotServiceAccounts)},
		field{name: "principals", set: d.setStrs(&s.Principals)},
		field{name: "notPrincipals", set: d.setStrs(&s.NotPrincipals)},
		field{name: "namespaces", set: d.setStrs(&s.Namespaces)},
		field{name: "notNamespaces", set: d.setStrs(&s.NotNamespaces)},
		field{name: "ipBlocks", set: d.setStrs(&s.IPBlocks)},
		field{name: "notIpBlocks", set: d.setStrs(&s.NotIPBlocks)},
		field{name: "remoteIpBlocks", set: d.setStrs(&s.RemoteIPBlocks)},
		field{name: "notRemoteIpBlocks", set: d.setStrs(&s.NotRemoteIPBlocks)},
		field{name: "requestPrincipals", set: d.setStrs(&s.RequestPrincipals)},
		field{name: "notRequestPrincipals", set: d.setStrs(&s.NotRequestPrincipals)},
	)
	return s
}

func (fd *fleetDecode) decodeOperation(n *yaml.Node, path string) *Operation {
	d := &fd.decoder
	o := &Operation{}
	d.object(n, path,
		field{name: "hosts", set: d.setStrs(&o.Hosts)},
		field{name: "notHosts", set: d.setStrs(&o.NotHosts)},
		field{name: "methods", set: d.setStrs(&o.Methods)},
		field{name: "notMethods", set: d.setStrs(&o.NotMethods)},
		field{name: "paths", set: d.setStrs(&o.Paths)},
		field{name: "notPaths", set: d.setStrs(&o.NotPaths)},
		field{name: "ports", set: func(v *yaml.Node, p string) { o.Ports = d.portRefs(v, p) }},
		field{name: "notPorts", set: func(v *yaml.Node, p string) { o.NotPorts = d.portRefs(v, p) }},
	)
	return o
}

func (fd *fleetDecode) decodeTraffic(n *yaml.Node, path string) *Traffic {
	d := &fd.decoder
	t := &Traffic{}
	d.object(n, path,
		field{name: "subsets", set: func(v *yaml.Node, p string) {
			if !d.isMapping(v, p) {
				return
			}
			for i := 0; i+1 < len(v.Content); i += 2 {
				k, lv := v.Content[i], manifest.Resolve(v.Content[i+1])
				sp := manifest.AppendKey(p, k.Value)
				ls := map[string]string{}
				if !isNull(lv) {
					ls = d.stringMap(lv, sp)
				}
				t.Subsets = append(t.Subsets, Subset{Name: k.Value, Labels: ls})
			}
			sort.Slice(t.Subsets, func(i, j int) bool { return t.Subsets[i].Name < t.Subsets[j].Name })
		}},
		field{name: "routes", set: func(v *yaml.Node, p string) {
			d.sequence(v, p, func(_ int, e *yaml.Node, p string) { t.Routes = append(t.Routes, fd.decodeRoute(e, p)) })
		}},
		field{name: "timeout", set: d.setDuration(&t.Timeout)},
		field{name: "retries", set: func(v *yaml.Node, p string) {
			r := &Retries{}
			if d.object(v, p,
				field{name: "attempts", set: func(v *yaml.Node, p string) {
					if x, ok := d.integer(v, p, 0, math.MaxInt32); ok {
						r.Attempts = int32(x)
					}
				}},
				field{name: "perTryTimeout", set: d.setDuration(&r.PerTryTimeout)},
				field{name: "retryOn", set: d.setStr(&r.RetryOn)},
				field{name: "retryRemoteLocalities", set: d.setBool(&r.RetryRemoteLocalities)},
			) {
				d.require(v, p, "attempts", "")
			}
			t.Retries = r
		}},
		field{name: "connectionPool", set: func(v *yaml.Node, p string) { t.ConnectionPool = fd.decodeConnectionPool(v, p) }},
		field{name: "outlierDetection", set: func(v *yaml.Node, p string) {
			o := &OutlierDetection{}
			const m = math.MaxInt32
			d.object(v, p,
				field{name: "splitExternalLocalOriginErrors", set: d.setBool(&o.SplitExternalLocalOriginErrors)},
				field{name: "consecutiveLocalOriginFailures", set: d.setInt32(&o.ConsecutiveLocalOriginFailures, 0, m)},
				field{name: "consecutiveGatewayErrors", set: d.setInt32(&o.ConsecutiveGatewayErrors, 0, m)},
				field{name: "consecutive5xxErrors", set: d.setInt32(&o.Consecutive5xxErrors, 0, m)},
				field{name: "interval", set: d.setDuration(&o.Interval)},
				field{name: "baseEjectionTime", set: d.setDuration(&o.BaseEjectionTime)},
				field{name: "maxEjectionPercent", set: d.setInt32(&o.MaxEjectionPercent, 0, 100)},
				field{name: "minHealthPercent", set: d.setInt32(&o.MinHealthPercent, 0, 100)},
			)
			t.OutlierDetection = o
		}},
	)
	return t
}

func (fd *fleetDecode) decodeConnectionPool(n *yaml.Node, path string) *ConnectionPool {
	d := &fd.decoder
	cp := &ConnectionPool{}
	const m = math.MaxInt32
	d.object(n, path,
		field{name: "tcp", set: func(v *yaml.Node, p string) {
			t := &TCPSettings{}
			d.object(v, p,
				field{name: "maxConnections", set: d.setInt32(&t.MaxConnections, 1, m)},
				field{name: "connectTimeout", set: d.setDuration(&t.ConnectTimeout)},
				field{name: "maxConnectionDuration", set: d.setDuration(&t.MaxConnectionDuration)},
				field{name: "idleTimeout", set: d.setDuration(&t.IdleTimeout)},
				field{name: "tcpKeepalive", set: func(v *yaml.Node, p string) {
					k := &TCPKeepalive{}
					d.object(v, p,
						field{name: "probes", set: d.setInt32(&k.Probes, 1, m)},
						field{name: "time", set: d.setDuration(&k.Time)},
						field{name: "interval", set: d.setDuration(&k.Interval)},
					)
					t.TCPKeepalive = k
				}},
			)
			cp.TCP = t
		}},
		field{name: "http", set: func(v *yaml.Node, p string) {
			h := &HTTPSettings{}
			d.object(v, p,
				field{name: "http1MaxPendingRequests", set: d.setInt32(&h.HTTP1MaxPendingRequests, 1, m)},
				field{name: "http2MaxRequests", set: d.setInt32(&h.HTTP2MaxRequests, 1, m)},
				field{name: "maxRequestsPerConnection", set: d.setInt32(&h.MaxRequestsPerConnection, 0, m)},
				field{name: "maxRetries", set: d.setInt32(&h.MaxRetries, 0, m)},
				field{name: "maxConcurrentStreams", set: d.setInt32(&h.MaxConcurrentStreams, 1, m)},
				field{name: "idleTimeout", set: d.setDuration(&h.IdleTimeout)},
				field{name: "h2UpgradePolicy", set: func(v *yaml.Node, p string) {
					h.H2UpgradePolicy, _ = d.enum(v, p, "DEFAULT", "DO_NOT_UPGRADE", "UPGRADE")
				}},
				field{name: "useClientProtocol", set: d.setBool(&h.UseClientProtocol)},
			)
			cp.HTTP = h
		}},
	)
	return cp
}

func (fd *fleetDecode) decodeRoute(n *yaml.Node, path string) Route {
	d := &fd.decoder
	var r Route
	if d.object(n, path,
		field{name: "match", set: func(v *yaml.Node, p string) {
			if v.Kind == yaml.SequenceNode {
				r.matchList = true
				d.sequence(v, p, func(_ int, e *yaml.Node, p string) { r.Match = append(r.Match, fd.decodeMatch(e, p)) })
				return
			}
			r.Match = []Match{fd.decodeMatch(v, p)}
		}},
		field{name: "to", set: func(v *yaml.Node, p string) {
			if !d.isMapping(v, p) {
				return
			}
			if len(v.Content) == 0 {
				d.errAt(v, p, "a route needs at least one subset")
				return
			}
			r.toComplete = true
			for i := 0; i+1 < len(v.Content); i += 2 {
				k, w := v.Content[i], manifest.Resolve(v.Content[i+1])
				if x, ok := d.integer(w, manifest.AppendKey(p, k.Value), 0, 100); ok {
					r.To = append(r.To, Destination{Subset: k.Value, Weight: int32(x)})
				} else {
					r.toComplete = false
				}
			}
			sort.Slice(r.To, func(i, j int) bool { return r.To[i].Subset < r.To[j].Subset })
		}},
	) {
		d.require(n, path, "to", " (subset: weight)")
	}
	return r
}

func (fd *fleetDecode) decodeMatch(n *yaml.Node, path string) Match {
	d := &fd.decoder
	var m Match
	sm := func(dst **StringMatch) func(*yaml.Node, string) {
		return func(v *yaml.Node, p string) {
			if s, ok := fd.stringMatch(v, p); ok {
				*dst = &s
			}
		}
	}
	smMap := func(dst *map[string]StringMatch) func(*yaml.Node, string) {
		return func(v *yaml.Node, p string) {
			if !d.isMapping(v, p) {
				return
			}
			out := map[string]StringMatch{}
			for i := 0; i+1 < len(v.Content); i += 2 {
				k := v.Content[i]
				if s, ok := fd.stringMatch(manifest.Resolve(v.Content[i+1]), manifest.AppendKey(p, k.Value)); ok {
					out[k.Value] = s
				}
			}
			*dst = out
		}
	}
	d.object(n, path,
		field{name: "name", set: d.setStr(&m.Name)},
		field{name: "uri", set: sm(&m.URI)},
		field{name: "scheme", set: sm(&m.Scheme)},
		field{name: "method", set: sm(&m.Method)},
		field{name: "authority", set: sm(&m.Authority)},
		field{name: "headers", set: smMap(&m.Headers)},
		field{name: "queryParams", set: smMap(&m.QueryParams)},
		field{name: "withoutHeaders", set: smMap(&m.WithoutHeaders)},
		field{name: "port", set: func(v *yaml.Node, p string) {
			if x, ok := d.integer(v, p, 1, 65535); ok {
				m.Port = uint32(x)
			}
		}},
		field{name: "sourceLabels", set: d.setStringMap(&m.SourceLabels)},
		field{name: "sourceNamespace", set: d.setStr(&m.SourceNamespace)},
		field{name: "ignoreUriCase", set: func(v *yaml.Node, p string) { m.IgnoreURICase, _ = d.boolean(v, p) }},
	)
	return m
}

// stringMatch decodes {exact|prefix|regex: value}: exactly one.
func (fd *fleetDecode) stringMatch(n *yaml.Node, path string) (StringMatch, bool) {
	d := &fd.decoder
	var got []StringMatch
	before := len(d.errs)
	kinds := func(kind string) field {
		return field{name: kind, set: func(v *yaml.Node, p string) {
			if s, ok := d.str(v, p); ok {
				got = append(got, StringMatch{Kind: kind, Value: s})
			}
		}}
	}
	if !d.object(n, path, kinds("exact"), kinds("prefix"), kinds("regex")) {
		return StringMatch{}, false
	}
	if len(got) != 1 {
		if len(d.errs) > before {
			return StringMatch{}, false
		}
		d.errPath(path, "exactly one of exact, prefix or regex is required")
		return StringMatch{}, false
	}
	return got[0], true
}
