package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/meshfleet/meshfleet/internal/manifest"
	"github.com/meshfleet/meshfleet/internal/safetext"
	"github.com/meshfleet/meshfleet/render"
)

const renderUsage = `usage: meshfleet render [flags] PATH...

Render the VMFleets found in each PATH into Istio and Kubernetes resources.
PATH is a file, a directory (its *.yaml, *.yml and *.json files, hidden
directories skipped) or - for stdin; documents that are not VMFleets are
ignored. A directory holding a kustomization is built in-process, exec KRM
functions enabled, with this meshfleet serving as the function "meshfleet".

Output is one YAML stream on stdout, or with -o one file per resource,
<namespace>/<kind>-<name>.yaml. Any problem in any input is reported as
file:line:col: path: message and nothing is written (exit 2). Rendering
nothing is an error too (exit 2) unless --allow-empty is given, and never
prunes: to a GitOps host an empty manifest set means "delete everything".
With -o, every file --prune removes is named on stderr, --check names what
it would remove, and without --prune stale managed files are named.

flags:
`

// renderFlags are render's options once parsed.
type renderFlags struct {
	opts       render.Options
	out        string
	prune      bool
	check      bool
	allowEmpty bool
	paths      []string
}

// parseRenderFlags returns the options, or the usage text with an error:
// ErrHelp for --help, anything else a usage error.
func parseRenderFlags(args []string) (*renderFlags, string, error) {
	f := &renderFlags{}
	flags := pflag.NewFlagSet("render", pflag.ContinueOnError)
	flags.SetOutput(io.Discard)
	flags.SortFlags = true
	flags.StringVar(&f.opts.IstioVersion, "istio-version", "", "Istio version to render for; below 1.22 renders the v1beta1 APIs")
	flags.StringVarP(&f.out, "output", "o", "", "write one file per resource under `DIR` instead of stdout")
	flags.BoolVar(&f.prune, "prune", false, "with -o: remove meshfleet-managed files in DIR that render no longer writes")
	flags.BoolVar(&f.check, "check", false, "with -o: write nothing; exit 1 with a diff when DIR differs from what render would write")
	flags.BoolVar(&f.allowEmpty, "allow-empty", false, "exit 0 when nothing is rendered (otherwise exit 2: an empty manifest set makes Argo CD with auto-prune delete the application); never prunes")
	usage := renderUsage + flags.FlagUsages()
	if err := flags.Parse(args); err != nil {
		return nil, usage, err
	}
	f.paths = flags.Args()
	switch {
	case len(f.paths) == 0:
		return nil, usage, errors.New("no PATH given (use - for stdin)")
	case f.prune && f.out == "":
		return nil, usage, errors.New("--prune needs -o DIR")
	case f.check && f.out == "":
		return nil, usage, errors.New("--check needs -o DIR")
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

	in := &renderInputs{env: env}
	for _, p := range f.paths {
		in.add(p, f.opts)
	}
	rs, errs := render.Render(in.fleets, f.opts)
	in.problems = append(in.problems, errs...)
	if len(in.problems) > 0 {
		return reportProblems(env.Stderr, in.problems)
	}
	empty := len(rs) == 0
	for _, b := range in.builds {
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

	if f.out == "" {
		var buf bytes.Buffer
		if len(rs) > 0 {
			buf.Write(render.Marshal(rs))
		}
		for _, b := range in.builds {
			if buf.Len() > 0 && len(b.out) > 0 {
				buf.WriteString("---\n")
			}
			buf.Write(b.out)
		}
		if _, err := env.Stdout.Write(buf.Bytes()); err != nil {
			fmt.Fprintf(env.Stderr, "meshfleet render: %s\n", safetext.Escape(err.Error()))
			return ExitUsage
		}
		return ExitOK
	}

	all := append([]*render.Resource(nil), rs...)
	from := map[*render.Resource]string{}
	for _, b := range in.builds {
		for _, r := range b.objects {
			// Written into DIR, a build's objects are meshfleet's to
			// prune later, like the ones it renders.
			render.MarkManaged(r.Object)
			from[r] = b.dir
			all = append(all, r)
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

// layoutProblem positions a resource that cannot become a file: at the
// VMFleet field that named it, or at the kustomization that produced it.
func layoutProblem(le *render.LayoutError, dir string) *manifest.Error {
	if r := le.Resource; r.Fleet != nil {
		file, line, col, fleetPath := r.Position(le.Path)
		return &manifest.Error{File: file, Line: line, Column: col, Path: fleetPath, Msg: le.Msg}
	}
	return &manifest.Error{File: dir, Path: le.Path, Msg: le.Msg}
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

// renderInputs gathers the fleets and kustomize builds of every PATH and
// every problem met on the way, so one run reports them all.
type renderInputs struct {
	env      *Env
	fleets   []*render.Fleet
	builds   []*kustomizeBuild
	problems []*manifest.Error
}

// kustomizeBuild is the output of one kustomization PATH, as bytes for
// stdout and as objects for -o.
type kustomizeBuild struct {
	dir     string
	out     []byte
	objects []*render.Resource
}

func (in *renderInputs) problem(err error, file string) {
	var me *manifest.Error
	if errors.As(err, &me) {
		in.problems = append(in.problems, me)
		return
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	in.problems = append(in.problems, &manifest.Error{File: file, Msg: err.Error()})
}

func (in *renderInputs) add(p string, opts render.Options) {
	if p == "-" {
		in.read("-", in.env.Stdin)
		return
	}
	st, err := os.Stat(p)
	if err != nil {
		in.problem(err, p)
		return
	}
	if !st.IsDir() {
		in.readFile("", p)
		return
	}
	if render.IsKustomization(p) {
		in.build(p, opts)
		return
	}
	err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			in.problem(err, path)
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
				fmt.Fprintf(in.env.Stderr, "meshfleet render: skipping kustomization %s (name it as a PATH to build it)\n", safetext.Escape(path))
				return filepath.SkipDir
			}
			return nil
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".yaml", ".yml", ".json":
			in.readFile(p, path)
		}
		return nil
	})
	if err != nil {
		in.problem(err, p)
	}
}

// readFile reads one file through the guard (manifest.ReadFile): root is
// the directory a walk found it in, "" for a PATH argument.
func (in *renderInputs) readFile(root, name string) {
	data, err := manifest.ReadFile(root, name, manifest.DefaultLimits)
	var skip *manifest.Skipped
	if errors.As(err, &skip) {
		fmt.Fprintf(in.env.Stderr, "meshfleet render: %s\n", safetext.Escape(skip.Error()))
		return
	}
	if err != nil {
		in.problem(err, name)
		return
	}
	in.parse(name, data)
}

// read reads stdin through the guard.
func (in *renderInputs) read(name string, r io.Reader) {
	data, err := manifest.ReadAll(name, r, manifest.DefaultLimits)
	if err != nil {
		in.problem(err, name)
		return
	}
	in.parse(name, data)
}

// parse splits and decodes one input; documents that are not VMFleets are
// not looked at further.
func (in *renderInputs) parse(name string, data []byte) {
	docs, err := manifest.Parse(name, data, manifest.DefaultLimits)
	if err != nil {
		in.problem(err, name)
		return
	}
	for _, d := range docs {
		if !render.IsFleet(d.Node) {
			continue
		}
		fl, errs := render.Decode(d)
		in.problems = append(in.problems, errs...)
		if fl != nil {
			in.fleets = append(in.fleets, fl)
		}
	}
}

func (in *renderInputs) build(dir string, opts render.Options) {
	out, err := render.BuildKustomizationWith(dir, opts)
	if err != nil {
		in.problem(err, dir)
		return
	}
	// kustomize's output is re-read through the guard to become objects for
	// -o; it came from our own build, so a problem here is kustomize's.
	docs, err := manifest.Parse(dir, out, manifest.DefaultLimits)
	if err != nil {
		in.problem(err, dir)
		return
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
	in.builds = append(in.builds, b)
}
