package lint

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/meshfleet/meshfleet/internal/manifest"
	"github.com/meshfleet/meshfleet/render"
)

// job is one input to read: a file, stdin, or a kustomization directory.
type job struct {
	// name is what findings call the input.
	name string
	// path is the file or directory on disk; "" for stdin.
	path string
	// root is the directory argument a walk found the file in: the file
	// is not read through a symbolic link leading out of it. "" for a
	// path the operator named.
	root      string
	stdin     bool
	kustomize bool
	// context marks an input read only to resolve references (--context):
	// its resources take part in the index, its findings are not reported.
	context bool
}

// source is a job read and parsed. Exactly one of docs and err is set.
type source struct {
	job
	data []byte
	docs []*manifest.Document
	err  *manifest.Error
	// items are the documents sorted into resources, fleets and notices by
	// the worker that parsed them, so that conversion runs in parallel too.
	items   []*resource
	fleets  []*manifest.Document
	notices []string
	// quiet are the notices of documents that are no Kubernetes objects
	// (Helm values, CI workflows, .pre-commit-config.yaml): expected in a
	// repository, so told only with --verbose.
	quiet []string
	// template is set when the file failed to parse and holds template
	// markers ({{, {%, ${): err then says so, and the run skips the file
	// with a notice, or reports err (MF100) when the input is --complete.
	template bool
	// skipped counts the documents skipped for each reason beyond the
	// first, which alone gets a notice of its own: a file of a million
	// tiny documents costs one line of stderr, not a million.
	skipped map[string]int
}

// skip notes a document skipped for reason; the first of each reason is
// told in full (what), the rest counted (see summarise).
func (s *source) skip(reason, what string) {
	if s.skipped == nil {
		s.skipped = map[string]int{}
	}
	if _, seen := s.skipped[reason]; !seen {
		s.quiet = append(s.quiet, what)
		s.skipped[reason] = 0
		return
	}
	s.skipped[reason]++
}

// summarise appends, per reason, how many more documents were skipped.
func (s *source) summarise() {
	for _, reason := range sortedKeys(s.skipped) {
		if n := s.skipped[reason]; n > 0 {
			s.quiet = append(s.quiet, fmt.Sprintf("%s: skipped %d more: %s", s.name, n, reason))
		}
	}
	s.skipped = nil
}

func isManifestFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// collect turns path arguments into jobs in argument order, each directory
// walked in lexical order, so output never depends on the filesystem.
// Paths that cannot be opened come back as problems (MF100), not errors:
// the other inputs are still linted.
func collect(args []string, stdinName string, ex excluder, notice func(string)) ([]job, []*manifest.Error) {
	var jobs []job
	var probs []*manifest.Error
	for _, arg := range args {
		if arg == "-" {
			jobs = append(jobs, job{name: stdinName, stdin: true})
			continue
		}
		st, err := os.Stat(arg)
		if err != nil {
			probs = append(probs, &manifest.Error{File: arg, Msg: errText(err)})
			continue
		}
		if !st.IsDir() {
			if !ex.match(arg) {
				jobs = append(jobs, job{name: arg, path: arg})
			}
			continue
		}
		if render.IsKustomization(arg) {
			if k := readKustomization("", arg); k.component {
				probs = append(probs, &manifest.Error{File: k.file, Msg: "a kustomize Component cannot be built alone (kustomize builds it only into a kustomization that lists it under components): lint that kustomization's directory"})
				continue
			}
			jobs = append(jobs, job{name: kustomizeName(arg), path: arg, kustomize: true})
			continue
		}
		// owned are the files kustomizations met in the walk name as
		// patches or generator inputs: fragments, not manifests.
		owned := map[string]bool{}
		kusts := map[string]*kustomization{}
		err = filepath.WalkDir(arg, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				probs = append(probs, &manifest.Error{File: p, Msg: errText(err)})
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			rel, _ := filepath.Rel(arg, p)
			if d.IsDir() {
				if p == arg {
					return nil
				}
				if strings.HasPrefix(d.Name(), ".") || ex.match(p) || ex.match(rel) {
					return fs.SkipDir
				}
				if _, err := os.Stat(filepath.Join(p, "Chart.yaml")); err == nil {
					notice(fmt.Sprintf("%s: skipped: a Helm chart (render it with helm template and lint the output)", p))
					return fs.SkipDir
				}
				if render.IsKustomization(p) {
					k := readKustomization(arg, p)
					kusts[k.file] = k
					for _, f := range k.owned {
						owned[f] = true
					}
				}
				return nil
			}
			name := d.Name()
			if strings.HasPrefix(name, ".") || ex.match(p) || ex.match(rel) {
				return nil
			}
			if k := kusts[filepath.Clean(p)]; k != nil {
				notice(k.notice())
				return nil
			}
			if !isManifestFile(name) {
				return nil
			}
			for _, k := range render.KustomizationFiles {
				if name == k {
					notice(fmt.Sprintf("%s: skipped: a kustomization (pass its directory to lint its build)", p))
					return nil
				}
			}
			if owned[filepath.Clean(p)] {
				return nil // told with its kustomization
			}
			// Links, FIFOs and devices too: manifest.ReadFile decides,
			// and says why it skips one.
			jobs = append(jobs, job{name: p, path: p, root: arg})
			return nil
		})
		if err != nil {
			probs = append(probs, &manifest.Error{File: arg, Msg: errText(err)})
		}
	}
	return jobs, probs
}

// errText drops the path an *fs.PathError repeats, since the finding names
// the file already.
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// readAll reads and parses every job on GOMAXPROCS workers. Results keep
// job order. settle runs on each resource on the worker that parsed it
// (the Go checks, then dropping objects no later stage reads), so the heap
// holds only what a rule or the index can look at.
func readAll(jobs []job, stdin io.Reader, workers int, build func(dir string) ([]byte, error), settle func(r *resource)) []*source {
	out := make([]*source, len(jobs))
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each worker's files lend their nodes from one arena: a
			// file's nodes are dropped once its documents are values.
			var arena manifest.Arena
			for i := range next {
				out[i] = readOne(jobs[i], stdin, build, &arena)
				for _, r := range out[i].items {
					settle(r)
				}
			}
		}()
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// sizeOf is how many bytes the jobs' files hold, by their metadata (no
// content is read; the reader checks each file again): known is false when
// some are stdin or kustomize builds.
func sizeOf(jobs []job) (n int64, known bool) {
	known = true
	for _, j := range jobs {
		if j.stdin || j.kustomize {
			known = false
			continue
		}
		if fi, err := os.Stat(j.path); err == nil && fi.Mode().IsRegular() {
			n += fi.Size()
		}
	}
	return n, known
}

// readOne reads and classifies one input, its nodes lent by arena (nil:
// allocated), which it hands back or drops before returning.
func readOne(j job, stdin io.Reader, build func(dir string) ([]byte, error), arena *manifest.Arena) *source {
	s := &source{job: j}
	var data []byte
	var err error
	switch {
	case j.stdin:
		data, err = manifest.ReadAll(j.name, stdin, manifest.DefaultLimits)
	case j.kustomize:
		if build == nil {
			err = &manifest.Error{File: j.name, Msg: "kustomize builds are not available in this build"}
		} else if data, err = build(j.path); err != nil {
			var me *manifest.Error
			if !errors.As(err, &me) {
				err = &manifest.Error{File: j.name, Msg: err.Error()}
			}
		}
	default:
		data, err = manifest.ReadFile(j.root, j.path, manifest.DefaultLimits)
		var skip *manifest.Skipped
		if errors.As(err, &skip) {
			s.notices = append(s.notices, skip.Error())
			return s
		}
	}
	if err == nil {
		s.data = data
		s.docs, err = manifest.ParseIn(arena, j.name, data, manifest.DefaultLimits)
	}
	if err != nil {
		var me *manifest.Error
		if !errors.As(err, &me) {
			me = &manifest.Error{File: j.name, Msg: errText(err)}
		}
		if m := templateMarker(j.name, s.data); m != "" && !j.kustomize {
			// Not YAML until rendered (Jinja, Ansible, Helm, envsubst):
			// skipped with a notice, not an error. Only a file that does
			// not parse, and only because of its template constructs: one
			// that parses is linted, placeholders and all, and one broken
			// elsewhere stays MF100, so skipping never hides a manifest.
			s.template = true
			t := *me
			t.Msg = fmt.Sprintf("a template (it holds %s and is not YAML: %s); render it and lint the output", m, me.Msg)
			me = &t
		}
		s.err = me
		s.docs = nil
		s.data = nil
		if arena != nil {
			arena.Reset() // an error holds no node
		}
		return s
	}
	s.classify()
	s.summarise()
	s.docs = nil
	if arena != nil {
		if len(s.fleets) > 0 {
			// VMFleet documents keep their nodes (render reads them).
			arena.Drop()
		} else {
			// Resources are plain values now; no node is kept.
			arena.Reset()
		}
	}
	return s
}

// classify sorts documents into resources, VMFleets and notices. A document
// without apiVersion and kind is not a Kubernetes object (Helm values, CI
// workflows): it is noted and skipped, never an error.
func (s *source) classify() {
	for _, d := range s.docs {
		if d.Node.Kind != yaml.MappingNode {
			s.skip("documents that are not a mapping", fmt.Sprintf("%s:%d:%d: skipped: document %d is not a mapping", d.File, d.Node.Line, d.Node.Column, d.Index+1))
			continue
		}
		if isFleetNode(d.Node) {
			s.fleets = append(s.fleets, d)
			continue
		}
		obj, _ := manifest.Value(d.Node).(map[string]any)
		apiVersion, _ := obj["apiVersion"].(string)
		kind, _ := obj["kind"].(string)
		if apiVersion == "" || kind == "" {
			s.skip("documents without apiVersion and kind", fmt.Sprintf("%s:%d:%d: skipped: document %d has no apiVersion and kind", d.File, d.Node.Line, d.Node.Column, d.Index+1))
			continue
		}
		if kind == "List" && apiVersion == "v1" {
			s.expandList(d, obj)
			continue
		}
		s.items = append(s.items, newResource(obj, d.File, d.Index, -1))
	}
}

// expandList lints each item of a `kind: List` as a resource of its own,
// positioned inside the list.
func (s *source) expandList(d *manifest.Document, obj map[string]any) {
	items, _ := obj["items"].([]any)
	_, seq := manifest.Lookup(d.Node, "items")
	seq = manifest.Resolve(seq)
	for i, it := range items {
		m, _ := it.(map[string]any)
		n := d.Node
		if seq != nil && seq.Kind == yaml.SequenceNode && i < len(seq.Content) {
			n = manifest.Resolve(seq.Content[i])
		}
		av, _ := m["apiVersion"].(string)
		k, _ := m["kind"].(string)
		if av == "" || k == "" {
			s.skip("List items without apiVersion and kind", fmt.Sprintf("%s:%d:%d: skipped: items[%d] has no apiVersion and kind", d.File, n.Line, n.Column, i))
			continue
		}
		s.items = append(s.items, newResource(m, d.File, d.Index, i))
	}
}

// templateMarkers are what template languages put in YAML files: Jinja,
// Ansible, Helm and Go templates ({{ }}, {% %}) and shell or envsubst
// placeholders (${VAR}).
var templateMarkers = []string{"{{", "{%", "${"}

// templateConstruct matches one template construct within a line: an
// expression or statement ({{ }}, {% %}), a Jinja comment ({# #}), a
// placeholder (${ }).
var templateConstruct = regexp.MustCompile(`\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|\$\{[^}\n]*\}`)

// templateMarker returns the first template marker in data, which failed
// to parse, when its template constructs are why: with each line that is
// only constructs (a {% for %}, a {{- include }}) emptied and every other
// construct replaced by plain characters, it parses. A file broken
// elsewhere (a PrometheusRule's "{{ $labels.x }}" in a badly indented
// manifest, a ConfigMap's "${HOME}") gives "": it stays an error.
func templateMarker(name string, data []byte) string {
	marker, at := "", len(data)
	for _, m := range templateMarkers {
		if i := bytes.Index(data, []byte(m)); i >= 0 && i < at {
			marker, at = m, i // the first in the file, as the notice names it
		}
	}
	if marker == "" {
		return ""
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	for i, l := range lines {
		rest := templateConstruct.ReplaceAllFunc(l, func(c []byte) []byte { return bytes.Repeat([]byte("x"), len(c)) })
		if len(bytes.TrimSpace(templateConstruct.ReplaceAll(l, nil))) == 0 {
			rest = []byte("\n") // only constructs: a line of the template language
			if !bytes.HasSuffix(l, []byte("\n")) {
				rest = nil
			}
		}
		lines[i] = rest
	}
	if _, err := manifest.Parse(name, bytes.Join(lines, nil), manifest.DefaultLimits); err != nil {
		return ""
	}
	return marker
}

// skipTemplateNotice is the notice for a template skipped (not --complete).
func (s *source) skipTemplateNotice() string {
	pos := s.err.File
	if s.err.Line > 0 {
		pos = fmt.Sprintf("%s:%d", pos, s.err.Line)
		if s.err.Column > 0 {
			pos = fmt.Sprintf("%s:%d", pos, s.err.Column)
		}
	}
	return pos + ": skipped: " + s.err.Msg
}

// kustomization is what a directory walk needs of a kustomization file.
type kustomization struct {
	file      string
	component bool
	// owned are the files in its directory tree that it names as patches,
	// generator inputs or configuration: kustomize's fragments, not
	// manifests (cleaned paths, manifest files only, existing ones).
	owned []string
}

// kustomizeFileFields are the fields of a kustomization that name files
// that are no manifests by themselves: the patches it applies (a patch
// lacks most required fields), its ConfigMap and Secret generators' data,
// replacement lists, transformer configurations, an OpenAPI schema. Not
// here: generators, transformers and validators, whose files are whole
// objects (a VMFleet used as a generator is linted and rendered as
// always), and crds.
var kustomizeFileFields = []string{
	"patchesStrategicMerge", "patches", "patchesJson6902", "replacements",
	"configMapGenerator", "secretGenerator", "configurations", "openapi",
}

// readKustomization reads the kustomization file of dir (root confines
// symbolic links, as for every file a walk reads). An unreadable one names
// nothing: kustomize reports it when the directory is built.
func readKustomization(root, dir string) *kustomization {
	k := &kustomization{}
	for _, n := range render.KustomizationFiles {
		p := filepath.Join(dir, n)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			k.file = filepath.Clean(p)
			break
		}
	}
	if k.file == "" {
		return k
	}
	data, err := manifest.ReadFile(root, k.file, manifest.DefaultLimits)
	if err != nil {
		return k
	}
	docs, err := manifest.Parse(k.file, data, manifest.DefaultLimits)
	if err != nil || len(docs) == 0 {
		return k
	}
	obj, _ := manifest.Value(docs[0].Node).(map[string]any)
	k.component = str(obj["kind"]) == "Component"
	seen := map[string]bool{}
	add := func(ref string) {
		if ref == "" || strings.Contains(ref, "\n") {
			return // an inline patch, not a file
		}
		p := filepath.Clean(filepath.Join(dir, ref))
		rel, err := filepath.Rel(dir, p)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || !isManifestFile(p) || seen[p] {
			return // outside the kustomization root: not kustomize's alone
		}
		if st, err := os.Lstat(p); err != nil || !st.Mode().IsRegular() {
			return
		}
		seen[p] = true
		k.owned = append(k.owned, p)
	}
	for _, f := range kustomizeFileFields {
		switch v := obj[f].(type) {
		case string:
			add(v)
		case map[string]any: // openapi: {path: ...}
			add(str(v["path"]))
		case []any:
			for _, e := range v {
				switch e := e.(type) {
				case string:
					add(e)
				case map[string]any:
					add(str(e["path"]))
					for _, g := range []string{"files", "envs"} {
						for _, x := range listOf(e[g]) {
							ref := str(x)
							if i := strings.IndexByte(ref, '='); i >= 0 {
								ref = ref[i+1:] // key=path
							}
							add(ref)
						}
					}
					add(str(e["env"]))
				}
			}
		}
	}
	sort.Strings(k.owned)
	return k
}

// notice tells why the walk skipped the kustomization file, and the files
// it names that the walk skips with it.
func (k *kustomization) notice() string {
	msg := k.file + ": skipped: a kustomization (pass its directory to lint its build)"
	if k.component {
		msg = k.file + ": skipped: a kustomize Component (built only into a kustomization that lists it under components: lint that one's directory)"
	}
	if len(k.owned) == 0 {
		return msg
	}
	names := make([]string, len(k.owned))
	for i, p := range k.owned {
		names[i], _ = filepath.Rel(filepath.Dir(k.file), p)
	}
	what := "the file it names as a patch or generator input"
	if len(names) > 1 {
		what = fmt.Sprintf("the %d files it names as patches or generator inputs", len(names))
	}
	const show = 5
	list := strings.Join(names[:min(len(names), show)], ", ")
	if len(names) > show {
		list += fmt.Sprintf(", and %d more", len(names)-show)
	}
	return fmt.Sprintf("%s, with %s (%s)", msg, what, list)
}

// isComplete reports whether the run's input is everything deployed
// (--complete, else .meshfleet.yaml complete:).
func (o *Options) isComplete(cfg *Config) bool {
	if o.Complete != nil {
		return *o.Complete
	}
	return cfg.Complete
}
