package lint

import (
	"fmt"
	"strconv"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Workload classes bound what selectors cost (issue 8). A hundred Services
// selecting the same thousand identical WorkloadEntries used to cost a
// hundred thousand endpoint facts, backends and selected refs, and the
// rules walked them all again: quadratic time and memory in the input.
//
// A class is the workloads of one namespace that no selector, port or
// mTLS fact can tell apart: same kind and API version, service account,
// WorkloadEntry/WorkloadGroup ports, container ports (containers and
// initContainers, which named targetPorts resolve against), being in the
// mesh (index_mesh.go), and labels as far as some selector of the input reads them: a
// label key no selector, subset or WorkloadGroup names (an instance ID on
// every VM) cannot make a selector match one workload and not another.
// Only their identity differs (ref, name, address, unread labels); a
// class's labels are its first workload's. Selectors
// match classes, every selector once per namespace (selections are cached
// and shared), and the index computes what rules report per selection in
// Go per class: the first workload a message names (by the order the rule
// sorts in) and how many more there are. Rego sees a selection as the
// first workload of each class (selected, appliesTo), and
// input.index.classes lists the members of classes with more than one.

// class is one set of interchangeable workloads; members ascend by ref.
type class struct {
	id        int
	namespace string
	kind      string
	labels    map[string]string
	members   []*workload
	// mesh: the members are in the mesh (a sidecar, or a WorkloadEntry
	// Istio sends mTLS to); index_mesh.go decides it, and it is part of
	// the class key.
	mesh bool
	// names counts the distinct names of the members (the same object
	// may be written twice); crossDup is set when a member's kind,
	// namespace and name also name a workload of another class.
	names    int
	crossDup bool

	epOnce sync.Once
	epKey  string
	epRep  *workload
}

func (c *class) rep() *workload { return c.members[0] }

// firstEndpointNoKey is firstEndpoint's workload, without writing keys
// for a class of one.
func (c *class) firstEndpointNoKey() (*workload, bool) {
	if len(c.members) == 1 {
		return c.members[0], true
	}
	w, _ := c.firstEndpoint()
	return w, false
}

// firstEndpoint is the member that sorts first by "kind name ref", the
// key MF402, MF403 and MF406 order the workloads of a message by.
func (c *class) firstEndpoint() (*workload, string) {
	c.epOnce.Do(func() {
		for _, w := range c.members {
			k := w.kind + " " + w.name + " " + strconv.Itoa(w.ref)
			if c.epRep == nil || k < c.epKey {
				c.epRep, c.epKey = w, k
			}
		}
	})
	return c.epRep, c.epKey
}

// minText is the smallest of f(w) over the members.
func (c *class) minText(f func(w *workload) string) string {
	best := ""
	for i, w := range c.members {
		if t := f(w); i == 0 || t < best {
			best = t
		}
	}
	return best
}

// selection is what one selector matches: whole classes, in namespace
// order and within a namespace by first ref. Shared by every resource
// with that selector; never modified once made.
type selection struct {
	classes []*class
	// count is the number of workloads.
	count int

	once sync.Once
	val  ast.Value

	bOnce sync.Once
	bs    []backend
	bvOne sync.Once
	bval  ast.Value
}

// backends is the selection as a host's backends, one per class.
func (s *selection) backends() []backend {
	s.bOnce.Do(func() {
		s.bs = make([]backend, len(s.classes))
		for i, c := range s.classes {
			s.bs[i] = backend{c.rep().ref, c.labels, c}
		}
	})
	return s.bs
}

// sharedBackends is a selection's backends in the index value: toAST
// converts it once, whichever host of the selection comes first.
type sharedBackends struct{ s *selection }

// backendsValue is backends as Rego sees it, shared by every host whose
// only provider the selection is.
func (s *selection) backendsValue() ast.Value {
	s.bvOne.Do(func() {
		bs := s.backends()
		terms := make([]*ast.Term, len(bs))
		for i, b := range bs {
			terms[i] = ast.NewTerm(toAST(map[string]any{"ref": b.ref, "labels": b.labels}))
		}
		s.bval = ast.NewArray(terms...)
	})
	return s.bval
}

// value is the selection as Rego sees it: the first ref of each class.
func (s *selection) value() ast.Value {
	s.once.Do(func() {
		terms := make([]*ast.Term, len(s.classes))
		for i, c := range s.classes {
			terms[i] = ast.IntNumberTerm(c.rep().ref)
		}
		s.val = ast.NewArray(terms...)
	})
	return s.val
}

// classIndex groups workloads into classes and matches selectors against
// them. Its methods are safe for the index's concurrent stages.
type classIndex struct {
	all  []*class
	byNS map[string][]*class
	// posting maps namespace → [key, value] → classes carrying the label.
	posting map[string]map[[2]string][]*class

	mu    sync.Mutex
	cache map[string]*selection
}

// canon appends v to b in a canonical form: maps by sorted key, every
// value tagged with its type, so two workloads share a key only when their
// facts are equal value for value (an int and a float of one number are
// told apart, which only makes more classes).
func canon(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, 'n')
	case string:
		b = append(b, 's')
		b = strconv.AppendInt(b, int64(len(x)), 10)
		b = append(b, ':')
		return append(b, x...)
	case bool:
		if x {
			return append(b, 'T')
		}
		return append(b, 'F')
	case int:
		return strconv.AppendInt(append(b, 'i'), int64(x), 10)
	case int64:
		return strconv.AppendInt(append(b, 'i'), x, 10)
	case uint64:
		return strconv.AppendUint(append(b, 'u'), x, 10)
	case float64:
		return strconv.AppendFloat(append(b, 'f'), x, 'g', -1, 64)
	case map[string]string:
		b = append(b, '{')
		for _, k := range sortedKeys(x) {
			b = canon(canon(b, k), x[k])
		}
		return append(b, '}')
	case map[string]any:
		b = append(b, '{')
		for _, k := range sortedKeys(x) {
			b = canon(canon(b, k), x[k])
		}
		return append(b, '}')
	case []any:
		b = append(b, '[')
		for _, e := range x {
			b = canon(b, e)
		}
		return append(b, ']')
	}
	return canon(append(b, '?'), fmt.Sprintf("%T %v", v, v))
}

// selectorKeys are the label keys some selector of rs may read: Service
// and ServiceEntry selectors, policy and Sidecar workload selectors,
// DestinationRule workload selectors and subsets, and WorkloadGroup labels
// (entries are tied to the group whose labels they carry). Kinds and
// groups are not checked: more keys only make more classes.
func selectorKeys(rs []*resource) map[string]bool {
	keys := map[string]bool{}
	add := func(v any) {
		for k := range mapOf(v) {
			if !keys[k] {
				keys[k] = true
			}
		}
	}
	for _, r := range rs {
		switch r.kind {
		case "Service":
			add(dig(r.obj, "spec", "selector"))
		case "ServiceEntry", "Sidecar":
			add(dig(r.obj, "spec", "workloadSelector", "labels"))
		case "DestinationRule":
			add(dig(r.obj, "spec", "workloadSelector", "matchLabels"))
			for _, s := range listOf(dig(r.obj, "spec", "subsets")) {
				add(mapOf(s)["labels"])
			}
		case "PeerAuthentication", "AuthorizationPolicy", "RequestAuthentication", "Telemetry":
			add(dig(r.obj, "spec", "selector", "matchLabels"))
		case "Gateway": // MF314 (index_analyzers.go)
			add(dig(r.obj, "spec", "selector"))
		case "WorkloadGroup":
			if r.wl != nil {
				for k := range r.wl.labels {
					keys[k] = true
				}
			}
		}
	}
	return keys
}

// classShape writes what r's workload class is made of but its labels
// (see above).
func classShape(r *resource, w *workload, b []byte) []byte {
	b = canon(b, w.namespace)
	b = canon(b, w.kind)
	b = canon(b, r.apiVersion)
	b = canon(b, w.serviceAccount)
	if w.ports != nil {
		b = canon(append(b, 'P'), w.ports)
	}
	if w.containerPorts != nil {
		b = canon(append(b, 'C'), w.containerPorts)
		if pod, _ := podSpec(r); pod != nil {
			for _, c := range listOf(pod["initContainers"]) {
				b = canon(append(b, 'I'), mapOf(c)["ports"])
			}
		}
	}
	return b
}

// classKeyOf is w's class key: its shape and the labels selectors read.
func classKeyOf(w *workload, read map[string]bool, buf []byte) []byte {
	b := append(buf[:0], w.shape...)
	b = append(b, '{')
	if len(w.labels) == 1 {
		for k, v := range w.labels {
			if read[k] {
				b = canon(canon(b, k), v)
			}
		}
	} else {
		for _, k := range sortedKeys(w.labels) {
			if read[k] {
				b = canon(canon(b, k), w.labels[k])
			}
		}
	}
	return append(b, '}')
}

func newClassIndex(rs []*resource) *classIndex {
	ci := &classIndex{byNS: map[string][]*class{}, posting: map[string]map[[2]string][]*class{}, cache: map[string]*selection{}}
	byKey := map[string]*class{}
	read := selectorKeys(rs)
	injection := namespaceInjections(rs)
	var buf []byte
	for _, r := range rs {
		w := r.wl
		if w == nil {
			continue
		}
		mesh := inMesh(r, w, injection)
		buf = classKeyOf(w, read, buf)
		if !mesh {
			buf = append(buf, 'X')
		}
		key := string(buf)
		c := byKey[key]
		if c == nil {
			c = &class{id: len(ci.all), namespace: w.namespace, kind: w.kind, labels: w.labels, mesh: mesh}
			byKey[key] = c
			ci.all = append(ci.all, c)
			ci.byNS[w.namespace] = append(ci.byNS[w.namespace], c)
			p := ci.posting[w.namespace]
			if p == nil {
				p = map[[2]string][]*class{}
				ci.posting[w.namespace] = p
			}
			for lk, lv := range w.labels {
				if read[lk] {
					p[[2]string{lk, lv}] = append(p[[2]string{lk, lv}], c)
				}
			}
		}
		c.members = append(c.members, w)
		w.cls = c
	}
	// Distinct names within a class, and names shared between classes.
	type nameKey struct{ kind, namespace, name string }
	owner := map[nameKey]*class{}
	for _, c := range ci.all {
		if len(c.members) == 1 {
			c.names = 1
		}
		var seen map[string]bool
		for _, w := range c.members {
			if len(c.members) > 1 {
				if seen == nil {
					seen = map[string]bool{}
				}
				if seen[w.name] {
					continue
				}
				seen[w.name] = true
				c.names++
			}
			id := nameKey{w.kind, w.namespace, w.name}
			if o := owner[id]; o != nil && o != c {
				o.crossDup, c.crossDup = true, true
			} else {
				owner[id] = c
			}
		}
	}
	return ci
}

// selectorKey writes a selector canonically after prefix.
func selectorKey(prefix string, sel map[string]string) string {
	b := make([]byte, 0, len(prefix)+32)
	b = append(b, prefix...)
	if len(sel) == 1 {
		for k, v := range sel {
			return string(canon(canon(b, k), v))
		}
	}
	for _, k := range sortedKeys(sel) {
		b = canon(canon(b, k), sel[k])
	}
	return string(b)
}

// selectIn returns the classes of namespace ns carrying every declared
// label of sel (all of them for none), walking the shortest posting list.
func (ci *classIndex) selectIn(ns string, sel map[string]string) *selection {
	sel = declaredLabels(sel)
	key := selectorKey(ns+"\x00", sel)
	ci.mu.Lock()
	defer ci.mu.Unlock()
	if s := ci.cache[key]; s != nil {
		return s
	}
	s := &selection{}
	if len(sel) == 0 {
		s.classes = ci.byNS[ns]
	} else {
		p := ci.posting[ns]
		var best []*class
		first := true
		for k, v := range sel {
			l := p[[2]string{k, v}]
			if first || len(l) < len(best) {
				best, first = l, false
			}
		}
		for _, c := range best {
			if matches(sel, c.labels) {
				s.classes = append(s.classes, c)
			}
		}
	}
	for _, c := range s.classes {
		s.count += len(c.members)
	}
	ci.cache[key] = s
	return s
}

// selectAll is selectIn over every namespace, in namespace order.
func (ci *classIndex) selectAll(sel map[string]string) *selection {
	key := selectorKey("\x01", declaredLabels(sel))
	ci.mu.Lock()
	s := ci.cache[key]
	ci.mu.Unlock()
	if s != nil {
		return s
	}
	s = &selection{}
	for _, ns := range sortedKeys(ci.byNS) {
		sub := ci.selectIn(ns, sel)
		s.classes = append(s.classes, sub.classes...)
		s.count += sub.count
	}
	ci.mu.Lock()
	defer ci.mu.Unlock()
	if prev := ci.cache[key]; prev != nil {
		return prev
	}
	ci.cache[key] = s
	return s
}

// classesValue is input.index.classes: the member refs of each class with
// more than one member, by the class's first ref.
func (ci *classIndex) classesValue() refMap {
	out := refMap{}
	for _, c := range ci.all {
		if len(c.members) > 1 {
			refs := make([]int, len(c.members))
			for i, w := range c.members {
				refs[i] = w.ref
			}
			out[c.rep().ref] = refs
		}
	}
	return out
}

// firstOf keeps, of the classes added, the one whose first workload
// sorts first by "kind name ref", and counts their workloads. Keys are
// written only when two classes compete.
type firstOf struct {
	w   *workload
	cls *class
	n   int
}

func (f *firstOf) add(c *class) {
	if f.cls == nil {
		f.cls = c
	} else if _, k := c.firstEndpoint(); k < f.key() {
		f.cls = c
	}
	f.w, _ = f.cls.firstEndpointNoKey()
	f.n += len(c.members)
}

func (f *firstOf) key() string {
	_, k := f.cls.firstEndpoint()
	return k
}
