package render

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
	"sigs.k8s.io/kustomize/api/provider"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/meshfleet/meshfleet/internal/manifest"
)

// Bounds of the walk over a kustomization graph. kustomize itself detects
// cycles; these stop a graph that is merely huge or deep.
const (
	maxKustomizations = 1000
	maxKustomizeDepth = 64
)

// offline ends every message that refuses a remote reference.
const offline = "meshfleet is offline; vendor it into the repository"

// otherFunctions ends every message that refuses a function or plugin.
const otherFunctions = "meshfleet runs only kustomize's builtin plugins and its own VMFleet; " +
	"run other functions with kustomize build --enable-alpha-plugins --enable-exec, meshfleet on PATH"

// buildPlan is what the walk decided before krusty runs.
type buildPlan struct {
	// overlay holds rewritten kustomization files and the resources
	// meshfleet rendered for them, by canonical path (see overlayFS).
	overlay map[string][]byte
	// transformers are the VMFleets listed last under transformers: of the
	// kustomization being built, applied in order to krusty's output.
	transformers []*plugCfg
}

// plugCfg is one function or plugin configuration a kustomization names.
type plugCfg struct {
	node *yaml.Node // the configuration (a mapping)
	doc  *manifest.Document
	at   loc
}

// loc positions problems in one configuration: in its own file, or, for a
// configuration written inline as a string in a kustomization, at the
// string's entry (lines inside the string are not lines of the file).
type loc struct {
	file  string
	entry *yaml.Node // set for inline configurations
	path  string     // the entry's path, e.g. "generators[0]"
}

func (l loc) errorf(n *yaml.Node, p, format string, args ...any) *manifest.Error {
	if l.entry == nil {
		return manifest.Errorf(l.file, n, p, format, args...)
	}
	msg := fmt.Sprintf(format, args...)
	if p != "" {
		msg = p + ": " + msg
	}
	return manifest.Errorf(l.file, l.entry, l.path, "inline config: %s", msg)
}

// reposition moves an error found inside an inline configuration to its
// entry in the kustomization file.
func (l loc) reposition(err error) error {
	var me *manifest.Error
	if l.entry == nil || !errors.As(err, &me) {
		return err
	}
	return l.errorf(nil, me.Path, "%s", me.Msg)
}

// kust is one kustomization file of the graph.
type kust struct {
	dir  string // as the user would write it (relative to the working directory when given so)
	file string
	root *yaml.Node
	top  bool

	fleets      []*plugCfg // VMFleets under generators:, rendered in-process
	drop        map[*yaml.Node]bool
	fleetTrafos bool // a VMFleet was listed under transformers:
}

type walker struct {
	// boundary is the tree the build may read (manifest.Boundary).
	boundary string
	fs       filesys.FileSystem
	rf       *resmap.Factory
	opts     Options
	seen     map[string]bool
	plan     *buildPlan
}

// planBuild walks the kustomization graph rooted at dir: every kustomization
// reached through resources, bases and components, read through the guard,
// every path-naming field checked, meshfleet's own generators rendered.
func planBuild(fs filesys.FileSystem, boundary, dir string, opts Options) (*buildPlan, error) {
	w := &walker{
		boundary: boundary,
		fs:       fs,
		rf:       resmap.NewFactory(provider.NewDefaultDepProvider().GetResourceFactory()),
		opts:     opts,
		seen:     map[string]bool{},
		plan:     &buildPlan{overlay: map[string][]byte{}},
	}
	if err := w.walk(filepath.Clean(dir), true, 0); err != nil {
		return nil, err
	}
	return w.plan, nil
}

func (w *walker) walk(dir string, top bool, depth int) error {
	if depth > maxKustomizeDepth {
		return &manifest.Error{File: dir, Msg: fmt.Sprintf("kustomizations nest deeper than %d levels", maxKustomizeDepth)}
	}
	key, err := filepath.Abs(dir)
	if err == nil {
		key, err = filepath.EvalSymlinks(key)
	}
	if err != nil || w.seen[key] {
		return nil // kustomize reports what cannot be read, and cycles
	}
	w.seen[key] = true
	if len(w.seen) > maxKustomizations {
		return &manifest.Error{File: dir, Msg: fmt.Sprintf("the build reaches more than %d kustomizations", maxKustomizations)}
	}
	var name string
	for _, n := range KustomizationFiles {
		if st, err := os.Stat(filepath.Join(dir, n)); err == nil && st.Mode().IsRegular() {
			if name != "" {
				return nil // kustomize refuses two kustomization files
			}
			name = n
		}
	}
	if name == "" {
		return nil // kustomize reports the missing kustomization
	}
	k := &kust{dir: dir, file: filepath.Join(dir, name), top: top, drop: map[*yaml.Node]bool{}}
	docs, err := w.readGuarded(k.file)
	if err != nil {
		return err
	}
	if len(docs) == 0 {
		return nil
	}
	if len(docs) > 1 {
		return manifest.Errorf(k.file, docs[1].Node, "", "a kustomization file holds one YAML document")
	}
	k.root = docs[0].Node
	if k.root.Kind != yaml.MappingNode {
		return nil // kustomize refuses it without reading anything else
	}
	for i := 0; i+1 < len(k.root.Content); i += 2 {
		kn, v := k.root.Content[i], manifest.Resolve(k.root.Content[i+1])
		if err := w.field(k, kn, v, depth); err != nil {
			return err
		}
	}
	return w.finish(k)
}

// field checks one top-level field of a kustomization.
func (w *walker) field(k *kust, kn, v *yaml.Node, depth int) error {
	at := loc{file: k.file}
	switch f := kn.Value; f {
	case "resources", "bases":
		return eachScalar(v, f, func(n *yaml.Node, p string) error {
			d, err := w.target(k, n, p, "resource")
			if err == nil && d != "" {
				err = w.walk(d, false, depth+1)
			}
			return err
		})
	case "components":
		return eachScalar(v, f, func(n *yaml.Node, p string) error {
			d, err := w.target(k, n, p, "component")
			if err == nil && d != "" {
				err = w.walk(d, false, depth+1)
			}
			return err
		})
	case "crds", "configurations":
		return eachScalar(v, f, func(n *yaml.Node, p string) error { return fileRef(k.dir, at, n, p) })
	case "openapi":
		return fileField(k.dir, at, v, f, "path")
	case "patches", "patchesJson6902":
		return eachMapping(v, f, func(m *yaml.Node, p string) error { return patchFields(k.dir, at, m, p, "patch") })
	case "replacements":
		return eachMapping(v, f, func(m *yaml.Node, p string) error { return fileField(k.dir, at, m, p, "path") })
	case "patchesStrategicMerge":
		return eachScalar(v, f, func(n *yaml.Node, p string) error { return patchRef(k.dir, at, n, p) })
	case "configMapGenerator", "secretGenerator":
		return eachMapping(v, f, func(m *yaml.Node, p string) error { return kvSources(k.dir, at, m, p) })
	case "helmCharts", "helmGlobals", "helmChartInflationGenerator":
		return manifest.Errorf(k.file, kn, f, "helm charts are refused: kustomize runs helm, a process, to inflate them; render the chart with helm template and commit its output")
	case "generators", "transformers", "validators":
		return w.plugins(k, f, v)
	}
	return nil
}

// target checks a resources/bases/components entry and returns the local
// directory to walk, if it names one.
func (w *walker) target(k *kust, n *yaml.Node, p, what string) (string, error) {
	s := n.Value
	if s == "" {
		return "", nil // kustomize refuses it without reading anything
	}
	if isRemote(s) {
		return "", manifest.Errorf(k.file, n, p, "remote %s %q refused: %s", what, s, offline)
	}
	full := localPath(k.dir, s)
	st, err := os.Stat(full)
	if err != nil {
		return "", manifest.Errorf(k.file, n, p, "%q is not a local file or directory, and kustomize would fetch it as a remote target: %s", s, offline)
	}
	switch {
	case st.IsDir() && filepath.IsAbs(s):
		return "", nil // kustomize refuses an absolute root without reading it
	case !st.IsDir() && !st.Mode().IsRegular():
		return "", manifest.Errorf(k.file, n, p, "%q is not a regular file", s)
	}
	// A base may sit beside the kustomization (../base), but not outside
	// the repository: on a CI runner or an Argo CD repo-server that is
	// another checkout, perhaps another tenant's.
	if err := manifest.CheckWithin(w.boundary, full); err != nil {
		return "", manifest.Errorf(k.file, n, p, "%q is outside %s, the tree meshfleet reads", s, w.boundary)
	}
	if st.IsDir() {
		return full, nil
	}
	return "", nil
}

// plugins checks the entries of generators:, transformers: or validators:.
// Each entry is a file of configurations or, when kustomize reads the string
// itself as resources, inline configurations.
func (w *walker) plugins(k *kust, field string, v *yaml.Node) error {
	afterFleet := false
	return eachScalar(v, field, func(e *yaml.Node, p string) error {
		cfgs, err := w.configs(k, e, p)
		if err != nil {
			return err
		}
		fleets := 0
		for _, c := range cfgs {
			switch ownKind(c.node) {
			case Kind:
				fleets++
			case LintConfigKind:
				key, _ := manifest.Lookup(c.node, "kind")
				return c.at.errorf(key, "kind", "%s", lintConfigRefused(field))
			default:
				if err := w.builtin(k, c); err != nil {
					return err
				}
			}
		}
		if fleets == 0 {
			if field == "transformers" && afterFleet {
				return manifest.Errorf(k.file, e, p, "a transformer after a VMFleet transformer is not supported in-process: list VMFleets last under transformers:, or under generators:")
			}
			return nil
		}
		if fleets < len(cfgs) {
			return manifest.Errorf(k.file, e, p, "VMFleets and other plugin configs in one entry: give the VMFleets an entry of their own")
		}
		for _, c := range cfgs {
			if c.doc == nil {
				c.doc = &manifest.Document{File: c.at.file, Node: c.node}
			}
		}
		k.drop[e] = true
		switch field {
		case "generators":
			k.fleets = append(k.fleets, cfgs...)
		case "transformers":
			// The exec function appended the fleet's resources after the
			// kustomization's own transformations, so in-process they are
			// appended to the build's output: exact only at the top.
			if !k.top {
				return manifest.Errorf(k.file, e, p, "a VMFleet under transformers: is expanded in-process only in the kustomization being built; list it under generators:")
			}
			afterFleet = true
			k.fleetTrafos = true
			for _, c := range cfgs {
				if _, errs := Decode(c.doc); len(errs) > 0 {
					manifest.SortErrors(errs)
					return c.at.reposition(errs[0])
				}
			}
			w.plan.transformers = append(w.plan.transformers, cfgs...)
		default:
			return manifest.Errorf(k.file, e, p, "a VMFleet under validators: adds resources, which kustomize forbids a validator to do; list it under generators:")
		}
		return nil
	})
}

// LintConfigKind is meshfleet's validator configuration: `meshfleet fn`
// lints its items when given one.
const LintConfigKind = "LintConfig"

// ownKind is the kind of a meshfleet configuration, "" for any other.
// VMFleet renders; LintConfig lints (as an exec validator).
func ownKind(n *yaml.Node) string {
	if str(n, "apiVersion") != APIVersion {
		return ""
	}
	switch k := str(n, "kind"); k {
	case Kind, LintConfigKind:
		return k
	}
	return ""
}

// lintConfigRefused says why an in-process build refuses a LintConfig:
// render cannot import lint, and skipping a validator would pass a build
// kustomize fails.
func lintConfigRefused(field string) string {
	where := "a LintConfig is a validator, run by kustomize with --enable-alpha-plugins --enable-exec and meshfleet on PATH"
	if field == "validators" {
		where = "a LintConfig under validators: runs only in kustomize build --enable-alpha-plugins --enable-exec, meshfleet on PATH"
	}
	return where + "; in-process builds do not lint and would skip it: remove the entry and lint the build with meshfleet lint DIR"
}

// configs reads the configurations one entry names. kustomize decides an
// entry is inline when the string itself parses as resources, and otherwise
// loads it as a path (a file, or a directory or remote target to build): the
// same test is made here, after the guard has seen the string.
func (w *walker) configs(k *kust, e *yaml.Node, p string) ([]*plugCfg, error) {
	s := e.Value
	inline := loc{file: k.file, entry: e, path: p}
	docs, perr := manifest.Parse(k.file, []byte(s), manifest.DefaultLimits)
	if perr == nil {
		if _, err := w.rf.NewResMapFromBytes([]byte(s)); err == nil {
			var cfgs []*plugCfg
			for _, d := range docs {
				for _, n := range listItems(d.Node) {
					c := &plugCfg{node: n, at: inline}
					if n == d.Node && ownKind(n) == Kind {
						// Decode positions inside the string; reposition maps them.
						c.doc = &manifest.Document{File: k.file, Node: n}
					}
					cfgs = append(cfgs, c)
				}
			}
			return cfgs, nil
		}
	}
	if isRemote(s) {
		return nil, manifest.Errorf(k.file, e, p, "remote plugin config %q refused: %s", s, offline)
	}
	full := localPath(k.dir, s)
	st, err := os.Stat(full)
	switch {
	case err != nil && perr != nil:
		return nil, inline.reposition(perr)
	case err != nil:
		return nil, manifest.Errorf(k.file, e, p, "%q is not a local file, and kustomize would fetch it as a remote target: %s", s, offline)
	case st.IsDir():
		return nil, manifest.Errorf(k.file, e, p, "%q is a directory: meshfleet reads plugin configs from files or inline strings only; list its files", s)
	case !st.Mode().IsRegular():
		return nil, manifest.Errorf(k.file, e, p, "%q is not a regular file", s)
	}
	docs, err = w.readGuarded(full)
	if err != nil {
		return nil, err
	}
	var cfgs []*plugCfg
	at := loc{file: full}
	for _, d := range docs {
		for _, n := range listItems(d.Node) {
			c := &plugCfg{node: n, at: at}
			if n == d.Node {
				c.doc = d
			}
			cfgs = append(cfgs, c)
		}
	}
	return cfgs, nil
}

// listItems expands a FooList the way kustomize's resource factory does:
// its items are the resources, recursively.
func listItems(n *yaml.Node) []*yaml.Node {
	n = manifest.Resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return []*yaml.Node{n}
	}
	_, items := manifest.Lookup(n, "items")
	items = manifest.Resolve(items)
	if !strings.HasSuffix(str(n, "kind"), "List") || items == nil || items.Kind != yaml.SequenceNode {
		return []*yaml.Node{n}
	}
	var out []*yaml.Node
	for _, it := range items.Content {
		out = append(out, listItems(it)...)
	}
	return out
}

// builtin allows a configuration kustomize runs as a builtin plugin (group
// "" and version "builtin", as kustomize tells them apart) and checks the
// fields of those that load files; anything else is a function or plugin
// meshfleet does not run.
func (w *walker) builtin(k *kust, c *plugCfg) error {
	n := c.node
	if n == nil || n.Kind != yaml.MappingNode {
		return c.at.errorf(n, "", "plugin config is not a mapping")
	}
	av := str(n, "apiVersion")
	group, version := "", av
	if i := strings.Index(av, "/"); i >= 0 {
		group, version = av[:i], av[i+1:]
	}
	kindKey, _ := manifest.Lookup(n, "kind")
	if group != "" || version != "builtin" {
		what, key, p := describeFunction(n)
		if key == nil {
			key = kindKey
		}
		return c.at.errorf(key, p, "%s refused: %s", what, otherFunctions)
	}
	switch kind := str(n, "kind"); kind {
	case "HelmChartInflationGenerator":
		return c.at.errorf(kindKey, "kind", "helm charts are refused: kustomize runs helm, a process, to inflate them; render the chart with helm template and commit its output")
	case "ConfigMapGenerator", "SecretGenerator":
		return kvSources(k.dir, c.at, n, "")
	case "PatchTransformer":
		return patchFields(k.dir, c.at, n, "", "patch")
	case "PatchJson6902Transformer":
		return patchFields(k.dir, c.at, n, "", "jsonOp")
	case "PatchStrategicMergeTransformer":
		_, paths := manifest.Lookup(n, "paths")
		return eachScalar(manifest.Resolve(paths), "paths", func(s *yaml.Node, p string) error { return patchRef(k.dir, c.at, s, p) })
	case "ReplacementTransformer":
		_, rs := manifest.Lookup(n, "replacements")
		return eachMapping(manifest.Resolve(rs), "replacements", func(m *yaml.Node, p string) error { return fileField(k.dir, c.at, m, p, "path") })
	}
	return nil
}

// describeFunction names what a non-builtin configuration would make
// kustomize run, reading it as kyaml does: the function annotations, then
// metadata.configFn, then the legacy container annotation; otherwise a
// plugin found by its apiVersion and kind.
func describeFunction(n *yaml.Node) (string, *yaml.Node, string) {
	_, meta := manifest.Lookup(n, "metadata")
	meta = manifest.Resolve(meta)
	_, annos := manifest.Lookup(meta, "annotations")
	annos = manifest.Resolve(annos)
	for _, a := range []string{"config.kubernetes.io/function", "config.k8s.io/function"} {
		if k, v := manifest.Lookup(annos, a); v != nil {
			what := "function"
			if docs, err := manifest.Parse("", []byte(manifest.Resolve(v).Value), manifest.DefaultLimits); err == nil && len(docs) == 1 {
				what = functionKind(docs[0].Node)
			}
			return what, k, manifest.AppendKey("metadata.annotations", a)
		}
	}
	if k, v := manifest.Lookup(meta, "configFn"); v != nil {
		return functionKind(manifest.Resolve(v)), k, "metadata.configFn"
	}
	if k, v := manifest.Lookup(annos, "config.kubernetes.io/container"); v != nil {
		return fmt.Sprintf("container function %q", strings.TrimSpace(manifest.Resolve(v).Value)), k, manifest.AppendKey("metadata.annotations", "config.kubernetes.io/container")
	}
	return fmt.Sprintf("plugin %s %s", orQuote(str(n, "apiVersion")), orQuote(str(n, "kind"))), nil, "kind"
}

func functionKind(spec *yaml.Node) string {
	if _, e := manifest.Lookup(spec, "exec"); e != nil {
		return fmt.Sprintf("exec function %q", str(manifest.Resolve(e), "path"))
	}
	if _, c := manifest.Lookup(spec, "container"); c != nil {
		return fmt.Sprintf("container function %q", str(manifest.Resolve(c), "image"))
	}
	if _, s := manifest.Lookup(spec, "starlark"); s != nil {
		return "starlark function"
	}
	return "function"
}

func orQuote(s string) string {
	if s == "" {
		return `""`
	}
	return s
}

// finish renders the kustomization's VMFleet generators and, when it had
// any fleet entries, serves a rewritten kustomization without them.
func (w *walker) finish(k *kust) error {
	if len(k.drop) == 0 {
		return nil
	}
	var genName string
	if len(k.fleets) > 0 {
		out, err := w.renderFleets(k.fleets)
		if err != nil {
			return err
		}
		genName = ".meshfleet-generated.yaml"
		for i := 2; ; i++ {
			if _, err := os.Lstat(filepath.Join(k.dir, genName)); errors.Is(err, os.ErrNotExist) {
				break
			}
			genName = ".meshfleet-generated-" + strconv.Itoa(i) + ".yaml"
		}
		key, ok := canonical(filepath.Join(k.dir, genName))
		if !ok {
			return &manifest.Error{File: k.dir, Msg: "cannot resolve the directory"}
		}
		w.plan.overlay[key] = out
	}
	data, err := rewriteKustomization(k, genName)
	if err != nil {
		return &manifest.Error{File: k.file, Msg: "rewriting without its VMFleets: " + err.Error()}
	}
	key, ok := canonical(k.file)
	if !ok {
		return &manifest.Error{File: k.file, Msg: "cannot resolve the file"}
	}
	w.plan.overlay[key] = data
	return nil
}

// renderFleets renders a kustomization's VMFleet generators together, as
// meshfleet renders the fleets of one run: same objects, labels and
// annotations as `meshfleet fn`, and two fleets rendering one object is an
// error naming both.
func (w *walker) renderFleets(cfgs []*plugCfg) ([]byte, error) {
	var fleets []*Fleet
	for _, c := range cfgs {
		f, errs := Decode(c.doc)
		if len(errs) > 0 {
			manifest.SortErrors(errs)
			return nil, c.at.reposition(errs[0])
		}
		fleets = append(fleets, f)
	}
	rs, errs := Render(fleets, w.opts)
	if len(errs) > 0 {
		manifest.SortErrors(errs)
		return nil, errs[0]
	}
	return Marshal(rs), nil
}

// rewriteKustomization is k without its VMFleet entries and, when they
// rendered resources, with the generated file listed last under resources:
// a generator's output joins the accumulated resources before components
// and transformers run, as a resource file's does.
func rewriteKustomization(k *kust, genName string) ([]byte, error) {
	root := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	hasResources := false
	for i := 0; i+1 < len(k.root.Content); i += 2 {
		kn, v := k.root.Content[i], k.root.Content[i+1]
		switch kn.Value {
		case "generators", "transformers":
			seq := manifest.Resolve(v)
			kept := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
			for _, e := range seq.Content {
				if !k.drop[e] {
					kept.Content = append(kept.Content, e)
				}
			}
			if len(kept.Content) == 0 {
				continue
			}
			v = kept
		case "resources":
			if genName != "" {
				seq := manifest.Resolve(v)
				if seq.Kind != yaml.SequenceNode {
					return nil, errors.New("resources is not a list")
				}
				v = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: append(append([]*yaml.Node(nil), seq.Content...), scalar(genName))}
				hasResources = true
			}
		}
		root.Content = append(root.Content, kn, v)
	}
	if genName != "" && !hasResources {
		root.Content = append(root.Content, scalar("resources"), &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{scalar(genName)}})
	}
	return yaml.Marshal(root)
}

func scalar(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

// readGuarded reads a regular file within the boundary through the guard.
func (w *walker) readGuarded(file string) ([]*manifest.Document, error) {
	data, err := manifest.ReadFileIn(w.boundary, file, manifest.DefaultLimits)
	if err != nil {
		return nil, err
	}
	return manifest.Parse(file, data, manifest.DefaultLimits)
}

// fileRef checks a field kustomize loads as one file: kustomize fetches an
// http(s) URL there, so only an existing local file is allowed.
func fileRef(dir string, at loc, n *yaml.Node, p string) error {
	s := n.Value
	if s == "" {
		return nil
	}
	if isRemote(s) {
		return at.errorf(n, p, "remote file %q refused: %s", s, offline)
	}
	st, err := os.Stat(localPath(dir, s))
	switch {
	case err != nil:
		return at.errorf(n, p, "%q is not a local file", s)
	case !st.IsDir() && !st.Mode().IsRegular():
		return at.errorf(n, p, "%q is not a regular file", s)
	}
	return nil
}

// patchRef checks a strategic-merge patch entry: a file path, or the patch
// itself inline.
func patchRef(dir string, at loc, n *yaml.Node, p string) error {
	s := n.Value
	if isRemote(s) {
		return at.errorf(n, p, "remote file %q refused: %s", s, offline)
	}
	if strings.ContainsAny(s, "\n:{") {
		return inlineYAML(at, n, p) // an inline patch
	}
	return fileRef(dir, at, n, p)
}

// patchFields checks a patch entry: its path, and its inline patch (under
// key), which kyaml parses later, so it passes the guard here.
func patchFields(dir string, at loc, m *yaml.Node, p, key string) error {
	if err := fileField(dir, at, m, p, "path"); err != nil {
		return err
	}
	if _, v := manifest.Lookup(m, key); v != nil {
		if v = manifest.Resolve(v); v.Kind == yaml.ScalarNode {
			return inlineYAML(at, v, manifest.AppendKey(p, key))
		}
	}
	return nil
}

// inlineYAML passes YAML written as a string inside a kustomization (an
// inline patch) through the guard: kyaml expands its aliases without a
// budget and recurses forever on one that refers to itself, a crash no
// recover() catches. Problems are reported at the string, whose inner
// lines are not lines of the file.
func inlineYAML(at loc, n *yaml.Node, p string) error {
	if _, err := manifest.Parse(at.file, []byte(n.Value), manifest.DefaultLimits); err != nil {
		var me *manifest.Error
		msg := err.Error()
		if errors.As(err, &me) {
			msg = me.Msg
		}
		return at.errorf(n, p, "inline patch: %s", msg)
	}
	return nil
}

// fileField checks the file named by m's key field.
func fileField(dir string, at loc, m *yaml.Node, p, key string) error {
	if _, v := manifest.Lookup(m, key); v != nil {
		v = manifest.Resolve(v)
		if v.Kind == yaml.ScalarNode {
			return fileRef(dir, at, v, manifest.AppendKey(p, key))
		}
	}
	return nil
}

// kvSources checks the files a ConfigMap or Secret generator reads:
// files (each "path" or "key=path"), envs and env.
func kvSources(dir string, at loc, m *yaml.Node, p string) error {
	_, files := manifest.Lookup(m, "files")
	err := eachScalar(manifest.Resolve(files), manifest.AppendKey(p, "files"), func(n *yaml.Node, fp string) error {
		src := n.Value
		if i := strings.Index(src, "="); i >= 0 {
			src = src[i+1:]
		}
		return fileRef(dir, at, &yaml.Node{Kind: yaml.ScalarNode, Value: src, Line: n.Line, Column: n.Column}, fp)
	})
	if err != nil {
		return err
	}
	_, envs := manifest.Lookup(m, "envs")
	if err := eachScalar(manifest.Resolve(envs), manifest.AppendKey(p, "envs"), func(n *yaml.Node, ep string) error {
		return fileRef(dir, at, n, ep)
	}); err != nil {
		return err
	}
	return fileField(dir, at, m, p, "env")
}

func eachScalar(seq *yaml.Node, p string, f func(n *yaml.Node, p string) error) error {
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return nil // kustomize refuses a field of the wrong type while reading the file
	}
	for i, n := range seq.Content {
		n = manifest.Resolve(n)
		if n.Kind != yaml.ScalarNode {
			continue
		}
		if err := f(n, p+"["+strconv.Itoa(i)+"]"); err != nil {
			return err
		}
	}
	return nil
}

func eachMapping(seq *yaml.Node, p string, f func(m *yaml.Node, p string) error) error {
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return nil
	}
	for i, n := range seq.Content {
		n = manifest.Resolve(n)
		if n.Kind != yaml.MappingNode {
			continue
		}
		if err := f(n, p+"["+strconv.Itoa(i)+"]"); err != nil {
			return err
		}
	}
	return nil
}

func str(n *yaml.Node, key string) string {
	_, v := manifest.Lookup(manifest.Resolve(n), key)
	v = manifest.Resolve(v)
	if v == nil || v.Kind != yaml.ScalarNode {
		return ""
	}
	return v.Value
}

func localPath(dir, s string) string {
	if filepath.IsAbs(s) {
		return s
	}
	return filepath.Join(dir, s)
}

var scpUser = regexp.MustCompile(`^[a-z][a-z0-9-]*@`)

// isRemote reports whether kustomize v0.21.2 could read s over the network
// or through git: its file loader fetches any URL whose scheme is http or
// https, and its git loader (internal/git.NewRepoSpecFromURL, tried before
// the local directory) takes, after an optional "git::", the schemes
// ssh://, https://, http:// and file:// (a local clone still runs git), a
// "user@host:" SCP form, and "github.com/…" or "github.com:…" without a
// scheme. This is a superset: any "scheme://" at all is remote too.
func isRemote(s string) bool {
	t := strings.ToLower(strings.TrimSpace(s))
	t = strings.TrimPrefix(t, "git::")
	return strings.Contains(t, "://") || scpUser.MatchString(t) ||
		strings.HasPrefix(t, "github.com/") || strings.HasPrefix(t, "github.com:")
}

// transform applies the VMFleet transformers of the kustomization being
// built to krusty's output, in order, each exactly as kustomize ran the exec
// function: the function processor gets the output as items and the fleet
// as functionConfig, renders the fleet (and any VMFleet item) and appends.
func (p *buildPlan) transform(m resmapOf, opts Options) (resmapOf, error) {
	if len(p.transformers) == 0 {
		return m, nil
	}
	rf := resmap.NewFactory(provider.NewDefaultDepProvider().GetResourceFactory())
	for _, c := range p.transformers {
		fc, err := kyamlNode(c.node)
		if err != nil {
			return nil, c.at.errorf(c.node, "", "%v", err)
		}
		rl := &framework.ResourceList{Items: m.ToRNodeSlice(), FunctionConfig: fc}
		fp := &fnProcessor{opts: opts}
		if err := fp.Process(rl); err != nil {
			msg := err.Error()
			if len(fp.results) > 0 {
				msg = fp.results[0].Message
				if f := fp.results[0].Field; f != nil && f.Path != "" {
					msg = f.Path + ": " + msg
				}
			}
			return nil, c.at.errorf(c.node, "", "VMFleet transformer: %s", msg)
		}
		if m, err = rf.NewResMapFromRNodeSlice(rl.Items); err != nil {
			return nil, c.at.errorf(c.node, "", "VMFleet transformer: %v", err)
		}
	}
	return m, nil
}

// kyamlNode hands a guarded node to kyaml as plain values re-encoded, so no
// alias reaches it.
func kyamlNode(n *yaml.Node) (*kyaml.RNode, error) {
	data, err := yaml.Marshal(manifest.Value(n))
	if err != nil {
		return nil, err
	}
	return kyaml.Parse(string(data))
}
