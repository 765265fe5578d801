package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"

	"github.com/meshfleet/meshfleet/internal/manifest"
	"github.com/meshfleet/meshfleet/internal/par"
	"github.com/meshfleet/meshfleet/internal/safetext"
	"github.com/meshfleet/meshfleet/lint"
	"github.com/meshfleet/meshfleet/lint/finding"
	"github.com/meshfleet/meshfleet/lint/output"
	"github.com/meshfleet/meshfleet/render"
)

const renderUsage = `usage: meshfleet render [flags] PATH...

Render the VMFleets found in each PATH into Istio and Kubernetes resources.
PATH is a file, a directory (its *.yaml, *.yml and *.json files, hidden
directories and nested kustomizations skipped) or - for stdin; documents
that are not VMFleets are ignored, or with --passthrough emitted unchanged
when they are Kubernetes objects (apiVersion and kind). A directory holding
a kustomization is built in-process, its VMFleet generators expanded by
meshfleet itself. 'meshfleet discover' lists what render would render.

Output is one YAML stream on stdout, or with -o one file per resource,
<namespace>/<kind>-<name>.yaml. Any problem in any input is reported as
file:line:col: path: message and nothing is written (exit 2). Rendering
nothing is an error too (exit 2) unless --allow-empty is given, and never
prunes: to a GitOps host an empty manifest set means "delete everything".
With -o, every file --prune removes is named on stderr, --check names what
it would remove, and without --prune stale managed files are named. Only
files labelled app.kubernetes.io/managed-by: meshfleet are meshfleet's:
passthrough objects keep their own bytes and labels, so --prune never
removes them and --check never calls them stale.

--lint-fail-on lints the output in-process (no .meshfleet.yaml) and fails
(exit 1, findings on stderr, nothing written) at or above the severity.
--argocd-env reads an Argo CD application's settings; see
examples/argocd/README.md.

flags:
`

// renderFlags are render's options once parsed.
type renderFlags struct {
	opts        render.Options
	out         string
	prune       bool
	check       bool
	allowEmpty  bool
	passthrough bool
	lintFailOn  finding.Severity // "" when render does not lint
	argocdEnv   bool
	istioSet    bool // --istio-version was given
	paths       []string
}

// parseRenderFlags returns the options, or the usage text with an error:
// ErrHelp for --help, anything else a usage error.
func parseRenderFlags(args []string) (*renderFlags, string, error) {
	f := &renderFlags{}
	var failOn string
	flags := pflag.NewFlagSet("render", pflag.ContinueOnError)
	flags.SetOutput(io.Discard)
	flags.SortFlags = true
	flags.StringVar(&f.opts.IstioVersion, "istio-version", "", "Istio version to render for; below 1.22 renders the v1beta1 APIs")
	flags.StringVarP(&f.out, "output", "o", "", "write one file per resource under `DIR` instead of stdout")
	flags.BoolVar(&f.prune, "prune", false, "with -o: remove meshfleet-managed files in DIR that render no longer writes (passthrough objects are not managed: never removed)")
	flags.BoolVar(&f.check, "check", false, "with -o: write nothing; exit 1 with a diff when DIR differs from what render would write")
	flags.BoolVar(&f.allowEmpty, "allow-empty", false, "exit 0 when nothing is rendered (otherwise exit 2: an empty manifest set makes Argo CD with auto-prune delete the application); never prunes")
	flags.BoolVar(&f.passthrough, "passthrough", false, "also emit the inputs' other Kubernetes objects (apiVersion and kind, not VMFleets) unchanged, byte for byte and unlabelled")
	flags.StringVar(&failOn, "lint-fail-on", "", "lint what render produced and exit 1, writing nothing, on findings of this `severity` or above: error, warning or info")
	flags.BoolVar(&f.argocdEnv, "argocd-env", false, "read the Argo CD application's Istio version and a stricter lint gate from PARAM_ISTIO_VERSION, PARAM_LINT_FAIL_ON, ARGOCD_ENV_MESHFLEET_ISTIO_VERSION, ARGOCD_ENV_MESHFLEET_LINT_FAIL_ON (untrusted: nothing else)")
	usage := renderUsage + flags.FlagUsages()
	if err := flags.Parse(args); err != nil {
		return nil, usage, err
	}
	f.paths = flags.Args()
	f.istioSet = flags.Changed("istio-version")
	switch {
	case len(f.paths) == 0:
		return nil, usage, errors.New("no PATH given (use - for stdin)")
	case f.prune && f.out == "":
		return nil, usage, errors.New("--prune needs -o DIR")
	case f.check && f.out == "":
		return nil, usage, errors.New("--check needs -o DIR")
	}
	if failOn != "" {
		s, err := finding.ParseSeverity(failOn)
		if err != nil {
			return nil, usage, fmt.Errorf("--lint-fail-on: %w", err)
		}
		f.lintFailOn = s
	}
	if err := stdinAtMostOnce(f.paths); err != nil {
		return nil, usage, err
	}
	return f, usage, nil
}

func runRender(env *Env, args []string) int {
	f, usage, err := parseRenderFlags(args)
	if code, stop := parseFailed(env, "render", usage, err); stop {
		return code
	}
	if f.argocdEnv {
		notice := func(msg string) { fmt.Fprintf(env.Stderr, "meshfleet render: %s\n", safetext.Escape(msg)) }
		if err := applyArgoCDEnv(f, os.Environ(), notice); err != nil {
			fmt.Fprintf(env.Stderr, "meshfleet render: %s\n", safetext.Escape(err.Error()))
			return ExitUsage
		}
	}

	var loaded func(int64)
	if f.lintFailOn != "" {
		// It lints in-process: lint's budget, for an input of unknown
		// size (the rendered output is not known in advance).
		gc := tuneGC()
		defer gc.restore()
		gc.sized(0, false)
		loaded = gc.loaded
	} else {
		var restore func()
		loaded, restore = tuneRenderGC()
		defer restore()
	}
	in := gatherInputs(env, "render", f.paths, true, f.passthrough, loaded)
	var builds []*kustomizeBuild
	for _, dir := range in.kustomizations {
		if b := in.build(dir, f.opts); b != nil {
			builds = append(builds, b)
		}
	}
	// The stream is written as the fleets expand, where the objects are
	// fresh in cache; -o lays out files of its own.
	var rs []*render.Resource
	var docs [][]byte
	var errs []*manifest.Error
	if f.out == "" || f.lintFailOn != "" {
		rs, docs, errs = render.RenderDocuments(in.fleets, f.opts)
	} else {
		rs, errs = render.Render(in.fleets, f.opts)
	}
	in.problems = append(in.problems, errs...)
	in.problems = append(in.problems, duplicates(rs, builds, in.objects)...)
	if len(in.problems) > 0 {
		return reportProblems(env.Stderr, in.problems)
	}
	// Passthrough objects keep a stable order whatever the order of PATHs.
	sort.SliceStable(in.objects, func(i, j int) bool {
		a, b := in.objects[i].doc, in.objects[j].doc
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Index < b.Index
	})
	empty := len(rs) == 0 && len(in.objects) == 0
	for _, b := range builds {
		empty = empty && len(b.objects) == 0
	}
	if empty {
		// Rendering nothing is the one result a GitOps host cannot tell
		// from "delete everything": an error unless asked for, and never
		// a reason to prune.
		if !f.allowEmpty {
			fmt.Fprintf(env.Stderr, "meshfleet render: nothing rendered: no VMFleet in %s (files *.yaml, *.yml, *.json; hidden directories and nested kustomizations are skipped); pass --allow-empty if an empty result is intended\n", safetext.Escape(strings.Join(f.paths, " ")))
			return ExitUsage
		}
		fmt.Fprintln(env.Stderr, "meshfleet render: nothing rendered (--allow-empty): nothing written, nothing pruned")
		return ExitOK
	}

	if f.lintFailOn != "" {
		// The gate sees the whole stream before a byte is written.
		var stream bytes.Buffer
		writeStream(&stream, docs, in.objects, builds)
		if code := lintGate(env, stream.Bytes(), f.lintFailOn); code != ExitOK {
			return code
		}
		if f.out == "" {
			return writeStdout(env, func(w io.Writer) error { _, err := w.Write(stream.Bytes()); return err })
		}
	}
	if f.out == "" {
		return writeStdout(env, func(w io.Writer) error { return writeStream(w, docs, in.objects, builds) })
	}

	all := append([]*render.Resource(nil), rs...)
	from := map[*render.Resource]*manifest.Error{}
	for _, b := range builds {
		for _, r := range b.objects {
			// Written into DIR, a build's objects are meshfleet's to
			// prune later, like the ones it renders.
			render.MarkManaged(r.Object)
			from[r] = &manifest.Error{File: b.dir}
			all = append(all, r)
		}
	}
	// Passthrough objects are the user's: written as the input has them,
	// unlabelled, so --prune and --check never count them as meshfleet's.
	raw := map[string][]byte{}
	for _, o := range in.objects {
		from[o.res] = &manifest.Error{File: o.doc.File, Line: o.doc.Node.Line, Column: o.doc.Node.Column}
		all = append(all, o.res)
		if fs, errs := render.Layout([]*render.Resource{o.res}); len(errs) == 0 {
			raw[fs[0].Path] = o.data
		}
	}
	files, lerrs := render.Layout(all)
	if len(lerrs) > 0 {
		var ps []*manifest.Error
		for _, le := range lerrs {
			ps = append(ps, layoutProblem(le, from[le.Resource]))
		}
		return reportProblems(env.Stderr, ps)
	}
	for i := range files {
		if data, ok := raw[files[i].Path]; ok {
			files[i].Data = data
		}
	}
	out := func(p string) string { return safetext.Escape(filepath.Join(f.out, filepath.FromSlash(p))) }
	if f.check {
		d, err := render.DiffDir(f.out, files)
		if err != nil {
			fmt.Fprintf(env.Stderr, "meshfleet render: %s\n", safetext.Escape(err.Error()))
			return ExitUsage
		}
		if d != nil {
			env.Stdout.Write(d)
			stale, _ := render.StaleFiles(f.out, files)
			for _, p := range stale {
				fmt.Fprintf(env.Stderr, "meshfleet render: --prune would remove %s\n", out(p))
			}
			fmt.Fprintf(env.Stderr, "meshfleet render: %s is out of date; render again with -o %s --prune\n", safetext.Escape(f.out), safetext.Escape(f.out))
			return ExitFindings
		}
		return ExitOK
	}
	_, removed, err := render.WriteDir(f.out, files, f.prune)
	for _, p := range removed {
		fmt.Fprintf(env.Stderr, "meshfleet render: removed %s (managed by meshfleet, no longer rendered)\n", out(p))
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "meshfleet render: %s\n", safetext.Escape(err.Error()))
		return ExitUsage
	}
	if !f.prune {
		stale, err := render.StaleFiles(f.out, files)
		if err != nil {
			fmt.Fprintf(env.Stderr, "meshfleet render: %s\n", safetext.Escape(err.Error()))
			return ExitUsage
		}
		for _, p := range stale {
			fmt.Fprintf(env.Stderr, "meshfleet render: %s is managed by meshfleet but no longer rendered; --prune removes it\n", out(p))
		}
	}
	return ExitOK
}

// tuneRenderGC trades memory for time as tuneGC does for lint, and
// further: render's heap is mostly live until it is written and the
// process then exits, so collecting it is nearly all waste — a third of
// the CPU of a 1,000-fleet render at the default GOGC, a quarter at 400.
// Until the input is read it runs at GOGC=400 under a 2 GiB soft limit;
// the returned function, given the bytes read, turns collection off when
// everything the render will allocate (about renderBytesPerInputByte per
// input byte, measured on internal/corpus fleets) fits in
// renderNoGCBudget, which stays the soft memory limit, so the collector
// still runs should a run allocate more than predicted. Larger inputs keep
// GOGC=400. Explicit GOGC or GOMEMLIMIT settings win. restore puts the
// previous settings back, for callers of Main that go on (tests).
func tuneRenderGC() (loaded func(inputBytes int64), restore func()) {
	prevPercent := debug.SetGCPercent(100)
	debug.SetGCPercent(prevPercent)
	prevLimit := debug.SetMemoryLimit(-1) // a negative limit only reads it
	restore = func() {
		debug.SetGCPercent(prevPercent)
		debug.SetMemoryLimit(prevLimit)
	}
	_, gogc := os.LookupEnv("GOGC")
	_, limit := os.LookupEnv("GOMEMLIMIT")
	if !gogc {
		debug.SetGCPercent(400)
	}
	if gogc || limit {
		return nil, restore
	}
	debug.SetMemoryLimit(2 << 30)
	return func(n int64) {
		if n*renderBytesPerInputByte <= renderNoGCBudget {
			debug.SetMemoryLimit(renderNoGCBudget)
			debug.SetGCPercent(-1)
		}
	}, restore
}

// renderNoGCBudget and renderBytesPerInputByte size tuneRenderGC's
// collection-free runs: 1,000 generated fleets are 0.74 MB of YAML and
// peak at about 200 MB resident without collection.
const (
	renderNoGCBudget        = 512 << 20
	renderBytesPerInputByte = 300
)

// writeStdout writes render's output with write, reporting a failure.
func writeStdout(env *Env, write func(io.Writer) error) int {
	if err := write(env.Stdout); err != nil {
		fmt.Fprintf(env.Stderr, "meshfleet render: %s\n", safetext.Escape(err.Error()))
		return ExitUsage
	}
	return ExitOK
}

// writeStream writes render's stdout to w through one buffer: the rendered
// resources' documents (render.RenderDocuments) joined by "---", then the
// passthrough objects as their files have them, then each build's output.
func writeStream(w io.Writer, docs [][]byte, objects []*passObject, builds []*kustomizeBuild) error {
	bw := bufio.NewWriterSize(w, streamBuffer)
	empty := true
	add := func(b []byte) {
		if len(b) > 0 {
			bw.Write(b) // the first error sticks; Flush returns it
			empty = false
		}
	}
	marker := []byte("---\n")
	for i, d := range docs {
		if i > 0 {
			add(marker)
		}
		add(d)
	}
	for _, o := range objects {
		// A document whose content starts on its own "---" line brings
		// its marker.
		if !empty && !bytes.HasPrefix(o.data, []byte("---")) {
			add(marker)
		}
		add(o.data)
	}
	for _, b := range builds {
		if !empty && len(b.out) > 0 {
			add(marker)
		}
		add(b.out)
	}
	return bw.Flush()
}

// streamBuffer is the size of the writes render's stdout gets.
const streamBuffer = 256 << 10

// layoutProblem positions a resource that cannot become a file: at the
// VMFleet field that named it, or at the input that produced it.
func layoutProblem(le *render.LayoutError, at *manifest.Error) *manifest.Error {
	if r := le.Resource; r.Fleet != nil {
		file, line, col, fleetPath := r.Position(le.Path)
		return &manifest.Error{File: file, Line: line, Column: col, Path: fleetPath, Msg: le.Msg}
	}
	e := &manifest.Error{Path: le.Path, Msg: le.Msg}
	if at != nil {
		e.File, e.Line, e.Column = at.File, at.Line, at.Column
	}
	return e
}

// reportProblems prints every problem once, sorted by position.
func reportProblems(w io.Writer, ps []*manifest.Error) int {
	manifest.SortErrors(ps)
	last := ""
	for _, p := range ps {
		if s := p.Error(); s != last {
			fmt.Fprintln(w, s) // *manifest.Error escapes what it prints
			last = s
		}
	}
	return ExitUsage
}

// renderInputs is what render finds in its PATHs before it renders
// anything: the VMFleets, the kustomization directories to build, with
// --passthrough the other Kubernetes objects, and every problem met on the
// way, so one run reports them all. discover reads PATHs through the very
// same code (gatherInputs), so it claims exactly what render would render.
type renderInputs struct {
	env *Env
	cmd string // the command named in notices
	// decode is off for discover: a VMFleet document is found, not
	// validated (a broken one still belongs to meshfleet, whose render
	// then reports it with its position).
	decode bool
	// passthrough keeps the documents that are Kubernetes objects but not
	// VMFleets (render --passthrough).
	passthrough bool

	fleetDocs      []*manifest.Document // every VMFleet document found
	fleets         []*render.Fleet      // those decoded (decode only)
	kustomizations []string             // directories render builds
	objects        []*passObject        // passthrough only
	problems       []*manifest.Error

	// loaded, when set, is told how many bytes there are to read before
	// they are read (render sizes its memory budget by it).
	loaded func(inputBytes int64)

	// parts holds what each file (or walk event) contributed, in the order
	// the PATHs and their walks name them; files are read, parsed and
	// decoded on GOMAXPROCS workers, then merged in that order, so the
	// result and the notices do not depend on scheduling.
	parts []*inputPart
}

// inputPart is one file's share of renderInputs, or a notice or problem
// met while walking. Its fields are written by one worker only.
type inputPart struct {
	root, name string // the file to read (name "" when there is none)
	size       int64  // its size as the walk saw it, before it is read
	done       bool   // it was read (stdin: at once), or reading it failed
	ok         bool   // data holds its bytes, to be parsed
	data       []byte
	notices    []string
	fleetDocs  []*manifest.Document
	fleets     []*render.Fleet
	objects    []*passObject
	problems   []*manifest.Error
}

// passObject is a document render --passthrough emits as the input has it.
type passObject struct {
	doc  *manifest.Document
	data []byte           // the document's bytes in its file, ending in "\n"
	res  *render.Resource // its object, for -o and duplicate checks
}

// gatherInputs reads every PATH as render reads it: a file, stdin (-), a
// directory built as a kustomization when it holds one, or else walked for
// *.yaml, *.yml and *.json files, hidden directories and nested
// kustomizations skipped (named on stderr). Files are read only through
// manifest.ReadFile. Nothing is rendered and nothing is built.
func gatherInputs(env *Env, cmd string, paths []string, decode, passthrough bool, loaded func(inputBytes int64)) *renderInputs {
	in := &renderInputs{env: env, cmd: cmd, decode: decode, passthrough: passthrough, loaded: loaded}
	for _, p := range paths {
		in.add(p)
	}
	in.readParts()
	for _, part := range in.parts {
		for _, msg := range part.notices {
			fmt.Fprintf(in.env.Stderr, "meshfleet %s: %s\n", in.cmd, safetext.Escape(msg))
		}
		in.problems = append(in.problems, part.problems...)
		in.fleetDocs = append(in.fleetDocs, part.fleetDocs...)
		in.fleets = append(in.fleets, part.fleets...)
		in.objects = append(in.objects, part.objects...)
	}
	in.parts = nil
	return in
}

// readParts reads, parses and decodes the input of every part on
// GOMAXPROCS workers, each part whole on one worker (parts share nothing
// but the options), one file in memory per worker at a time. Before that,
// in.loaded, when set, learns how many bytes there are to read, as the
// walk saw their sizes.
func (in *renderInputs) readParts() {
	if in.loaded != nil {
		var n int64
		for _, part := range in.parts {
			n += part.size + int64(len(part.data))
		}
		in.loaded(n)
	}
	par.For(0, len(in.parts), func(i int) {
		part := in.parts[i]
		if part.name != "" && !part.done {
			part.data, part.ok = in.readFile(part)
			part.done = true
		}
		if part.ok {
			in.parse(part, part.name, part.data)
			part.data = nil
		}
	})
}

// part appends a new part to in.parts and returns it.
func (in *renderInputs) part() *inputPart {
	part := &inputPart{}
	in.parts = append(in.parts, part)
	return part
}

// notice records one line for stderr; repository content in it is escaped
// when it is printed.
func (part *inputPart) notice(msg string) {
	part.notices = append(part.notices, msg)
}

func (part *inputPart) problem(err error, file string) {
	part.problems = append(part.problems, asProblem(err, file))
}

func (in *renderInputs) problem(err error, file string) {
	in.problems = append(in.problems, asProblem(err, file))
}

// asProblem is err as a positioned problem, naming file when err has no
// position of its own.
func asProblem(err error, file string) *manifest.Error {
	var me *manifest.Error
	if errors.As(err, &me) {
		return me
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &manifest.Error{File: file, Msg: err.Error()}
}

func (in *renderInputs) add(p string) {
	if p == "-" {
		in.read(in.part(), "-", in.env.Stdin)
		return
	}
	st, err := os.Stat(p)
	if err != nil {
		in.part().problem(err, p)
		return
	}
	if !st.IsDir() {
		part := in.part()
		part.name, part.size = p, st.Size()
		return
	}
	if render.IsKustomization(p) {
		in.kustomizations = append(in.kustomizations, p)
		return
	}
	err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			in.part().problem(err, path)
			return nil
		}
		if d.IsDir() {
			if path == p {
				return nil
			}
			if strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			// A fleet inside a kustomization renders as the kustomization
			// says (namespace, patches), which only a build of that
			// directory gives; rendering its files bare would be wrong.
			if render.IsKustomization(path) {
				in.part().notice(fmt.Sprintf("skipping kustomization %s (name it as a PATH to build it)", path))
				return filepath.SkipDir
			}
			return nil
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".yaml", ".yml", ".json":
			part := in.part()
			part.root, part.name = p, path
			if info, err := d.Info(); err == nil && info.Mode().IsRegular() {
				part.size = info.Size()
			}
		}
		return nil
	})
	if err != nil {
		in.part().problem(err, p)
	}
}

// readFile reads one part's file through the guard (manifest.ReadFile):
// part.root is the directory a walk found it in, "" for a PATH argument.
// ok is false when there is nothing to parse (a notice or a problem says
// why).
func (in *renderInputs) readFile(part *inputPart) (data []byte, ok bool) {
	data, err := manifest.ReadFile(part.root, part.name, manifest.DefaultLimits)
	var skip *manifest.Skipped
	if errors.As(err, &skip) {
		part.notice(skip.Error())
		return nil, false
	}
	if err != nil {
		part.problem(err, part.name)
		return nil, false
	}
	return data, true
}

// read reads stdin through the guard into part, to be parsed with the
// files.
func (in *renderInputs) read(part *inputPart, name string, r io.Reader) {
	data, err := manifest.ReadAll(name, r, manifest.DefaultLimits)
	part.name, part.done = name, true
	if err != nil {
		part.problem(err, name)
		return
	}
	part.data, part.ok = data, true
}

// parse splits and decodes one input into part. Documents that are not
// VMFleets are not looked at further, unless --passthrough keeps the
// objects among them.
func (in *renderInputs) parse(part *inputPart, name string, data []byte) {
	docs, err := manifest.Parse(name, data, manifest.DefaultLimits)
	if err != nil {
		part.problem(err, name)
		return
	}
	var chunks []docChunk
	for _, d := range docs {
		if !render.IsFleet(d.Node) {
			if in.passthrough && isPassObject(d.Node) {
				if chunks == nil {
					chunks = splitDocuments(data)
				}
				part.keep(d, chunks)
			}
			continue
		}
		part.fleetDocs = append(part.fleetDocs, d)
		if !in.decode {
			continue
		}
		fl, errs := render.Decode(d)
		part.problems = append(part.problems, errs...)
		if fl != nil {
			part.fleets = append(part.fleets, fl)
		}
	}
}

// isPassObject reports whether a document is a Kubernetes object meant for
// the cluster: a mapping with a non-empty apiVersion and kind, not a
// kustomize configuration (Kustomization, Component) and not marked
// config.kubernetes.io/local-config, which kustomize and kpt never apply
// either. Helm values, CI workflows and the like have no apiVersion/kind.
func isPassObject(n *yaml.Node) bool {
	if n.Kind != yaml.MappingNode {
		return false
	}
	av, kind := scalarAt(n, "apiVersion"), scalarAt(n, "kind")
	if av == "" || kind == "" || strings.HasPrefix(av, "kustomize.config.k8s.io/") || render.IsMeshTest(n) {
		return false
	}
	_, meta := manifest.Lookup(n, "metadata")
	if meta = manifest.Resolve(meta); meta != nil && meta.Kind == yaml.MappingNode {
		_, ann := manifest.Lookup(meta, "annotations")
		if ann = manifest.Resolve(ann); ann != nil && ann.Kind == yaml.MappingNode {
			if v := scalarAt(ann, "config.kubernetes.io/local-config"); v == "true" {
				return false
			}
		}
	}
	return true
}

// scalarAt is the string value of key in mapping m, "" when absent or not
// a scalar.
func scalarAt(m *yaml.Node, key string) string {
	_, v := manifest.Lookup(m, key)
	if v = manifest.Resolve(v); v == nil || v.Kind != yaml.ScalarNode {
		return ""
	}
	return v.Value
}

// keep records a passthrough document with its bytes as its file has them.
// The bytes are cut at the document markers and parsed again on their own:
// a document that cannot stand alone (an alias to another document's
// anchor) is refused rather than emitted changed.
func (part *inputPart) keep(d *manifest.Document, chunks []docChunk) {
	var data []byte
	for _, c := range chunks {
		if d.Node.Line >= c.first && (c.last == 0 || d.Node.Line <= c.last) {
			data = c.data
			break
		}
	}
	again, err := manifest.Parse(d.File, data, manifest.DefaultLimits)
	if data == nil || err != nil || len(again) != 1 || !sameIdentity(again[0].Node, d.Node) {
		part.problems = append(part.problems, manifest.Errorf(d.File, d.Node, "", "--passthrough emits documents unchanged, and this one cannot be cut out of its file on its own (an alias to an anchor in another document?)"))
		return
	}
	obj, ok := manifest.Value(d.Node).(map[string]any)
	if !ok {
		return
	}
	part.objects = append(part.objects, &passObject{doc: d, data: data, res: &render.Resource{Object: obj}})
}

func sameIdentity(a, b *yaml.Node) bool {
	return scalarAt(a, "apiVersion") == scalarAt(b, "apiVersion") && scalarAt(a, "kind") == scalarAt(b, "kind")
}

// docChunk is the text of one document of a YAML stream: lines first to
// last (from 1; last 0 means to the end), without its "---" marker unless
// content starts on the marker's line.
type docChunk struct {
	first, last int
	data        []byte
}

// splitDocuments cuts a YAML stream at its document markers ("---" and
// "..." at the start of a line), dropping directives (%YAML) ahead of a
// document. The cut is checked by the caller, which parses a chunk again.
func splitDocuments(data []byte) []docChunk {
	var out []docChunk
	var cur []byte
	first := 1
	flush := func(last int) {
		if len(cur) > 0 && cur[len(cur)-1] != '\n' {
			cur = append(cur, '\n')
		}
		out = append(out, docChunk{first: first, last: last, data: cur})
		cur = nil
	}
	line := 0
	for len(data) > 0 {
		line++
		i := bytes.IndexByte(data, '\n')
		var l []byte
		if i < 0 {
			l, data = data, nil
		} else {
			l, data = data[:i+1], data[i+1:]
		}
		t := bytes.TrimRight(l, "\r\n")
		switch {
		case isMarker(t, "---"):
			flush(line - 1)
			first = line + 1
			if rest := bytes.TrimSpace(t[3:]); len(rest) > 0 && rest[0] != '#' {
				// Content on the marker line: keep the line whole.
				first = line
				cur = append(cur, l...)
			}
		case isMarker(t, "..."):
			flush(line - 1)
			first = line + 1
		case len(cur) == 0 && bytes.HasPrefix(t, []byte("%")):
			first = line + 1
		default:
			cur = append(cur, l...)
		}
	}
	flush(0)
	return out
}

func isMarker(line []byte, m string) bool {
	return bytes.HasPrefix(line, []byte(m)) && (len(line) == 3 || line[3] == ' ' || line[3] == '\t')
}

// kustomizeBuild is the output of one kustomization PATH, as bytes for
// stdout and as objects for -o.
type kustomizeBuild struct {
	dir     string
	out     []byte
	objects []*render.Resource
}

// build runs the kustomize build of one kustomization PATH in-process.
func (in *renderInputs) build(dir string, opts render.Options) *kustomizeBuild {
	out, err := render.BuildKustomizationWith(dir, opts)
	if err != nil {
		in.problem(err, dir)
		return nil
	}
	// kustomize's output is re-read through the guard to become objects for
	// -o; it came from our own build, so a problem here is kustomize's.
	docs, err := manifest.Parse(dir, out, manifest.DefaultLimits)
	if err != nil {
		in.problem(err, dir)
		return nil
	}
	b := &kustomizeBuild{dir: dir, out: out}
	for _, d := range docs {
		obj, ok := manifest.Value(d.Node).(map[string]any)
		if !ok {
			in.problems = append(in.problems, &manifest.Error{File: dir, Msg: "kustomize output holds a document that is not an object"})
			continue
		}
		b.objects = append(b.objects, &render.Resource{Object: obj})
	}
	return b
}

// objectKey is an object's identity as the API server sees it: group, kind,
// namespace and name (the version does not make another object).
func objectKey(obj map[string]any) (key, id string) {
	av, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	meta, _ := obj["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	ns, _ := meta["namespace"].(string)
	group := ""
	if i := strings.LastIndexByte(av, '/'); i >= 0 {
		group = av[:i]
	}
	id = kind + " " + name
	if ns != "" {
		id = kind + " " + ns + "/" + name
	}
	return group + "\x00" + kind + "\x00" + ns + "\x00" + name, id
}

// position is file:line:col, unescaped: it goes into a *manifest.Error's
// message, which escapes what it prints.
func position(file string, line, col int) string {
	if line == 0 {
		return file
	}
	return fmt.Sprintf("%s:%d:%d", file, line, col)
}

// duplicates reports every passthrough object that is also another
// passthrough object, a rendered resource or part of a build's output:
// applied together, one would silently replace the other.
func duplicates(rs []*render.Resource, builds []*kustomizeBuild, objects []*passObject) []*manifest.Error {
	if len(objects) == 0 {
		return nil
	}
	seen := map[string]string{} // key → where it came from, for the message
	for _, r := range rs {
		key, _ := objectKey(r.Object)
		file, line, col, _ := r.Position("metadata.name")
		seen[key] = "rendered by the VMFleet at " + position(file, line, col)
	}
	for _, b := range builds {
		for _, r := range b.objects {
			key, _ := objectKey(r.Object)
			seen[key] = "in the output of the kustomization " + b.dir
		}
	}
	var errs []*manifest.Error
	for _, o := range objects {
		key, id := objectKey(o.res.Object)
		if prev, dup := seen[key]; dup {
			errs = append(errs, manifest.Errorf(o.doc.File, o.doc.Node, "", "%s is also %s: an object may come from one input only", id, prev))
			continue
		}
		seen[key] = "in " + position(o.doc.File, o.doc.Node.Line, o.doc.Node.Column)
	}
	return errs
}

// lintGate lints the stream render produced, as `meshfleet lint -` would
// with no configuration file, and returns ExitFindings, printing the
// findings on stderr, when one is at or above gate; nothing is written
// then. Findings below the gate are printed too, and pass.
func lintGate(env *Env, stream []byte, gate finding.Severity) int {
	ctx := context.Background()
	fail := func(err error) int {
		fmt.Fprintf(env.Stderr, "meshfleet render: --lint-fail-on: %s\n", safetext.Escape(err.Error()))
		return ExitUsage
	}
	eng, err := lint.NewEngine(ctx, lint.EngineOptions{})
	if err != nil {
		return fail(err)
	}
	res, err := eng.Lint(ctx, lint.Options{
		Paths:         []string{"-"},
		Stdin:         bytes.NewReader(stream),
		StdinFilename: "(rendered)",
		Config:        &lint.Config{},
		Notice:        func(string) {},
	})
	if err != nil {
		return fail(err)
	}
	if len(res.Report.Findings) == 0 {
		return ExitOK
	}
	res.Report.Version = version
	w, err := output.New("text", output.Options{})
	if err != nil {
		return fail(err)
	}
	if err := w.Write(env.Stderr, &res.Report); err != nil {
		return fail(err)
	}
	code := res.ExitCode(gate)
	if code == ExitFindings {
		fmt.Fprintf(env.Stderr, "meshfleet render: findings at or above --lint-fail-on %s: nothing written\n", gate)
	}
	return code
}

// The Argo CD application settings render reads with --argocd-env. They
// come from the Application (spec.source.plugin.env, prefixed ARGOCD_ENV_,
// and .parameters, as PARAM_<NAME>), which for app-of-apps lives in the
// repository: untrusted, so they may only choose the Istio version and
// raise the lint gate, never lower it, touch a limit or allow an empty
// result.
const (
	envIstioVersion   = "ARGOCD_ENV_MESHFLEET_ISTIO_VERSION"
	envLintFailOn     = "ARGOCD_ENV_MESHFLEET_LINT_FAIL_ON"
	paramIstioVersion = "PARAM_ISTIO_VERSION"
	paramLintFailOn   = "PARAM_LINT_FAIL_ON"
)

// argocdIstioVersionRE is stricter than what --istio-version accepts: a
// version, nothing that could read as another flag or a path.
var argocdIstioVersionRE = regexp.MustCompile(`^v?[0-9]{1,4}\.[0-9]{1,4}(\.[0-9]{1,4})?$`)

// applyArgoCDEnv folds the application's settings into f. The operator's
// --istio-version wins over the application's; the lint gate becomes the
// strictest of --lint-fail-on and the application's. Variables of the
// plugin's namespaces that mean nothing here are named in a notice.
func applyArgoCDEnv(f *renderFlags, environ []string, notice func(string)) error {
	vals := map[string]string{}
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case envIstioVersion, envLintFailOn, paramIstioVersion, paramLintFailOn:
			if v != "" {
				vals[k] = v
			}
		default:
			if strings.HasPrefix(k, "ARGOCD_ENV_MESHFLEET_") || strings.HasPrefix(k, "PARAM_") {
				notice(fmt.Sprintf("ignoring %s: the application may set only the Istio version and a stricter lint gate", k))
			}
		}
	}
	version := ""
	for _, k := range []string{paramIstioVersion, envIstioVersion} {
		v, ok := vals[k]
		if !ok {
			continue
		}
		if !argocdIstioVersionRE.MatchString(v) {
			return fmt.Errorf("%s: %q is not an Istio version (want MAJOR.MINOR[.PATCH], e.g. 1.22)", k, v)
		}
		if version != "" && v != version {
			return fmt.Errorf("%s %q and %s %q disagree: set the Istio version once", paramIstioVersion, version, envIstioVersion, v)
		}
		version = v
	}
	switch {
	case version == "":
	case f.istioSet && version != f.opts.IstioVersion:
		notice(fmt.Sprintf("the application asks for Istio %s; the plugin's --istio-version %s wins", version, f.opts.IstioVersion))
	case !f.istioSet:
		f.opts.IstioVersion = version
	}
	for _, k := range []string{paramLintFailOn, envLintFailOn} {
		v, ok := vals[k]
		if !ok {
			continue
		}
		s, err := finding.ParseSeverity(v)
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		if f.lintFailOn == "" || s.Rank() < f.lintFailOn.Rank() {
			f.lintFailOn = s
		}
	}
	return nil
}
