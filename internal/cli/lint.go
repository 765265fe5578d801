package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/meshfleet/meshfleet/internal/manifest"
	"github.com/meshfleet/meshfleet/internal/safetext"
	"github.com/meshfleet/meshfleet/lint"
	"github.com/meshfleet/meshfleet/lint/finding"
	"github.com/meshfleet/meshfleet/lint/output"
)

const lintUsage = `usage: meshfleet lint [flags] [PATH ...|-]

Lint Kubernetes and Istio manifests offline. PATH is a file, a directory
(its *.yaml, *.yml and *.json files, recursively; hidden directories,
kustomization files and Helm charts skipped), a kustomization directory
(built in-process and its output linted) or - for stdin. VMFleets are
rendered and what they render is linted, findings pointing at the VMFleet.
With no PATH, the current directory is linted.

Exit status: 0 clean, 1 findings at or above --fail-on, 2 usage error,
unreadable input (MF100), policy error, or rules still running at
--eval-timeout (a deadline for all of the Rego evaluation; the error names
the rule).

Reports: --format FORMAT[=FILE] is repeatable, so one run writes text on
stdout and SARIF, JUnit or GitLab Code Quality to files (written whole
after the run, or not at all). --output-threshold decides what is listed,
--fail-on what fails.

Suppress a finding with a comment on its line or the line above
("# meshfleet:ignore MF301 reason"), the annotation meshfleet.dev/ignore:
"MF301,MF402" on the resource, or .meshfleet.yaml (found upward from the
working directory). On an existing repository, --write-baseline FILE
records today's findings and --baseline FILE reports only new ones.

flags:
`

// lintFlags are lint's options once parsed.
type lintFlags struct {
	formats         []formatSpec
	failOn          string
	outputThreshold string
	sarifRoot       string
	baseline        string
	writeBaseline   string
	color           string
	disable         []string
	enable          []string
	only            []string
	policies        []string
	config          string
	exclude         []string
	stdinFilename   string
	rootNamespace   string
	maxResources    int
	verbose         bool
	complete        *bool
	context         []string
	evalTimeout     time.Duration
	paths           []string
}

// parseLintFlags returns the options, or the usage text with an error:
// ErrHelp for --help, anything else a usage error.
func parseLintFlags(args []string) (*lintFlags, string, error) {
	f := &lintFlags{}
	flags := pflag.NewFlagSet("lint", pflag.ContinueOnError)
	flags.SetOutput(io.Discard)
	flags.SortFlags = true
	var formats []string
	flags.StringArrayVar(&formats, "format", nil, "report `FORMAT[=FILE]`, repeatable: "+strings.Join(output.Names(), ", ")+"; to FILE, else stdout (default text)")
	flags.StringVar(&f.failOn, "fail-on", "", "exit 1 on findings of this `severity` or above: error, warning or info (default error)")
	flags.StringVar(&f.outputThreshold, "output-threshold", "", "list only findings of this `severity` or above: error, warning or info (default info: all); --fail-on still sees every finding")
	flags.StringVar(&f.sarifRoot, "sarif-root", "", "`DIR` that SARIF and Code Quality paths are relative to (default: the repository root, the nearest directory upward holding .git, else the working directory)")
	flags.StringVar(&f.baseline, "baseline", "", "hide the findings recorded in `FILE` by --write-baseline (matched by rule, resource and field path, not line) and tell how many of its entries are fixed")
	flags.StringVar(&f.writeBaseline, "write-baseline", "", "record this run's findings in `FILE` (atomically) and exit 0 unless an input was unreadable")
	flags.StringVar(&f.color, "color", "auto", "colour the text report: `WHEN` is auto (on a terminal without NO_COLOR), always or never")
	flags.StringSliceVar(&f.disable, "disable", nil, "rule `IDs` not to run, comma-separated")
	flags.StringSliceVar(&f.enable, "enable", nil, "opt-in rule `IDs` or families (MF6xx) to run too, comma-separated")
	flags.StringSliceVar(&f.only, "only", nil, "run only these rule `IDs` or families (MF6xx), comma-separated; replaces only: in .meshfleet.yaml")
	flags.StringArrayVar(&f.policies, "policy", nil, "also run the Rego rules in `DIR` (repeatable)")
	flags.StringVar(&f.config, "config", "", "read settings from `FILE` instead of the .meshfleet.yaml found upward")
	flags.StringArrayVar(&f.exclude, "exclude", nil, "skip files and directories matching `GLOB` (repeatable; ** spans directories)")
	flags.StringVar(&f.stdinFilename, "stdin-filename", "", "`NAME` that findings give to stdin (-)")
	flags.StringVar(&f.rootNamespace, "root-namespace", "", "Istio root `namespace`, whose policies are mesh-wide (default istio-system)")
	flags.IntVar(&f.maxResources, "max-resources", lint.DefaultMaxResources, "refuse (exit 2) inputs past `N` resources in one run; the limit is the operator's, never the repository's")
	flags.DurationVar(&f.evalTimeout, "eval-timeout", 10*time.Second, "stop (exit 2) when the Rego rules use more than `DURATION` of CPU time in all (six times that by the clock), naming the rule; 0 for no deadline")
	flags.StringArrayVar(&f.context, "context", nil, "also read `PATH` (repeatable) to resolve references, without reporting its findings: the repository for a pre-commit run on changed files, a cluster snapshot for a pull request")
	flags.BoolVarP(&f.verbose, "verbose", "v", false, "also list the documents skipped as not Kubernetes objects (no apiVersion and kind)")
	complete := flags.Bool("complete", false, "the input is everything deployed (a whole GitOps repository, a kubectl get -A snapshot): report references to hosts, namespaces, service accounts and workloads it lacks (default: .meshfleet.yaml complete:, else partial)")
	usage := lintUsage + flags.FlagUsages()
	err := flags.Parse(args)
	if err != nil {
		return nil, usage, err
	}
	if flags.Changed("complete") {
		f.complete = complete
	}
	f.paths = flags.Args()
	if len(f.paths) == 0 {
		f.paths = []string{"."}
	}
	if err := stdinAtMostOnce(f.paths); err != nil {
		return nil, usage, err
	}
	for _, c := range f.context {
		if c == "-" {
			return nil, usage, errors.New("--context cannot read stdin")
		}
	}
	if f.evalTimeout < 0 {
		return nil, usage, fmt.Errorf("--eval-timeout: %s is negative", f.evalTimeout)
	}
	for name, v := range map[string]string{"--fail-on": f.failOn, "--output-threshold": f.outputThreshold} {
		if v != "" {
			if _, err := finding.ParseSeverity(v); err != nil {
				return nil, usage, fmt.Errorf("%s: %w", name, err)
			}
		}
	}
	switch f.color {
	case "auto", "always", "never":
	default:
		return nil, usage, fmt.Errorf("--color: %q is not auto, always or never", f.color)
	}
	if f.formats, err = parseFormats(formats); err != nil {
		return nil, usage, fmt.Errorf("--format: %w", err)
	}
	if f.baseline != "" && f.baseline == f.writeBaseline {
		return nil, usage, errors.New("--baseline and --write-baseline name the same file")
	}
	return f, usage, nil
}

func runLint(env *Env, args []string) int {
	start := time.Now()
	f, usage, err := parseLintFlags(args)
	if code, stop := parseFailed(env, "lint", usage, err); stop {
		return code
	}
	fail := func(err error) int {
		fmt.Fprintf(env.Stderr, "meshfleet lint: %s\n", safetext.Escape(err.Error()))
		return ExitUsage
	}
	notice := func(msg string) { fmt.Fprintf(env.Stderr, "meshfleet lint: %s\n", safetext.Escape(msg)) }
	cfg, err := lintConfig(f.config, notice)
	if err != nil {
		return fail(err)
	}
	failOn := finding.Error
	if cfg.FailOn != "" {
		failOn = cfg.FailOn
	}
	if f.failOn != "" {
		failOn, _ = finding.ParseSeverity(f.failOn)
	}
	threshold := finding.Info
	if cfg.OutputThreshold != "" {
		threshold = cfg.OutputThreshold
	}
	if f.outputThreshold != "" {
		threshold, _ = finding.ParseSeverity(f.outputThreshold)
	}
	opts, err := reportOptions(env, f)
	if err != nil {
		return fail(err)
	}
	opts.Notice = notice
	writers, err := newWriters(f.formats, opts)
	if err != nil {
		return fail(fmt.Errorf("--format: %w", err))
	}
	baseline, err := loadLintBaseline(f.baseline, cfg)
	if err != nil {
		return fail(fmt.Errorf("baseline: %w", err))
	}
	gc := tuneGC()
	defer gc.restore()
	ctx := context.Background()
	eng, err := lint.NewEngine(ctx, lint.EngineOptions{PolicyDirs: f.policies})
	if err != nil {
		fmt.Fprintf(env.Stderr, "meshfleet lint: policy: %s\n", safetext.Escape(err.Error()))
		return ExitUsage
	}
	prog := newProgress(env.Stderr)
	res, err := eng.Lint(ctx, lint.Options{
		Paths:         f.paths,
		Stdin:         env.Stdin,
		StdinFilename: f.stdinFilename,
		Config:        cfg,
		Exclude:       f.exclude,
		Disable:       f.disable,
		Enable:        f.enable,
		Only:          f.only,
		RootNamespace: f.rootNamespace,
		Complete:      f.complete,
		Notice:        prog.wrap(notice),
		Sized:         gc.sized,
		Loaded:        prog.loaded(gc.loaded),
		MaxResources:  f.maxResources,
		Verbose:       f.verbose,
		Context:       f.context,
		EvalTimeout:   f.evalTimeout,
	})
	prog.done()
	if err != nil {
		return fail(err)
	}
	res.Report.Version = currentBuild().Version
	if f.writeBaseline != "" {
		b := lint.NewBaseline(res.Report.Findings)
		data, err := b.Marshal()
		if err == nil {
			err = writeFileAtomic(f.writeBaseline, data)
		}
		if err != nil {
			return fail(fmt.Errorf("--write-baseline: %w", err))
		}
		notice(fmt.Sprintf("baseline: %s recorded in %s", plural(len(b.Entries), "finding", "findings"), f.writeBaseline))
	}
	if baseline != nil {
		kept, hidden, fixed := baseline.Apply(res.Report.Findings)
		res.Report.Findings = kept
		msg := fmt.Sprintf("baseline: %s hidden", plural(hidden, "recorded finding", "recorded findings"))
		if fixed > 0 {
			msg += fmt.Sprintf(", %s fixed since it was written (--write-baseline drops them)", plural(fixed, "entry", "entries"))
		}
		notice(msg)
	}
	code := res.ExitCode(failOn)
	if f.writeBaseline != "" && code == ExitFindings {
		code = ExitOK
	}
	if canTellTime(env) {
		opts.Elapsed = time.Since(start)
	}
	shown := output.AtLeast(&res.Report, threshold)
	if err := writeReports(env, writers, shown, opts); err != nil {
		return fail(err)
	}
	return code
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// lintConfig reads --config, else the .meshfleet.yaml found upward from
// the working directory, else returns the defaults.
func lintConfig(file string, notice func(string)) (*lint.Config, error) {
	if file == "" {
		var err error
		if file, err = lint.FindConfig("."); err != nil {
			var skip *manifest.Skipped
			if !errors.As(err, &skip) {
				return nil, err
			}
			notice(skip.Error())
		}
		if file == "" {
			return &lint.Config{}, nil
		}
	}
	return lint.LoadConfig(file)
}

// tuneGC trades memory for time in a short-lived process: lint allocates
// a large, mostly live heap, and the default GOGC=100 spends a quarter of
// the run collecting it. GOGC=400 alone lets the heap grow to five times
// what is live (11,000 resources then peak near 400 MB), so the returned
// function, called with the input size once it is read, sets a soft memory
// limit in proportion to it: about 2.4 times the heap a run keeps live (some
// 25 bytes per input byte), never under memFloor. The collector then works
// a little harder on small inputs instead of letting the heap balloon, and
// large ones (110,000 resources keep about 1 GiB live) still get room:
// past memKnee of input each byte adds memPerLargeByte only, so 110,000
// resources (41 MB) stay under DESIGN.md §6's 2 GiB (1.8 GiB peak, for
// about a fifth more time than with 60 bytes per byte, which peaked at
// 2.3 GiB). Explicit GOGC or GOMEMLIMIT settings win.
//
// A small input (under smallInput bytes, known before it is read) runs
// without collection until gcOffLimit, the memory limit as the backstop: compiling
// the rules at start-up allocates some 40 MB, and collecting it was a
// fifth of a pre-commit run on one file (55 vs 45 ms, 30 interleaved
// runs). Collection is off from the start, since compilation begins
// before the inputs are found. sized turns it on at GOGC=400 as soon as
// the inputs prove of unknown size (stdin, kustomize builds). A large
// input of known size is read without collection too, under the memory
// limit its size earns: reading keeps most of what it allocates, and the
// cycles it used to run on a small, growing heap set small goals for the
// ones after (11,000 resources: 2 collections instead of 3 or 4, 6% less
// time, the same peak). loaded then turns collection on at GOGC=400.
// restore puts the previous settings back, for callers of Main that go on
// (tests).
func tuneGC() (g gcTuning) {
	_, gogc := os.LookupEnv("GOGC")
	_, memlimit := os.LookupEnv("GOMEMLIMIT")
	prevPercent := debug.SetGCPercent(-1)
	debug.SetGCPercent(prevPercent)
	prevLimit := debug.SetMemoryLimit(-1)
	g.restore = func() {
		debug.SetGCPercent(prevPercent)
		debug.SetMemoryLimit(prevLimit)
	}
	collect := func() {
		if !gogc {
			debug.SetGCPercent(400)
		}
	}
	if memlimit {
		// The operator's limit: collection stays on, as they set it.
		collect()
		g.sized = func(int64, bool) {}
		g.loaded = nil
		return g
	}
	off := !gogc
	on := func() {
		off = false
		collect()
	}
	if off {
		debug.SetGCPercent(-1)
		debug.SetMemoryLimit(gcOffLimit)
	} else {
		debug.SetMemoryLimit(2 << 30)
	}
	g.sized = func(n int64, known bool) {
		switch {
		case off && known && n > smallInput:
			// Reading keeps most of what it allocates: collecting while
			// the heap only grows is work for nothing, and early cycles on
			// a small heap set small goals for the ones after. The limit
			// the input's size earns bounds reading; loaded turns
			// collection on once everything is read.
			debug.SetMemoryLimit(memoryLimit(n))
		case off && !known:
			// Parsing keeps little live: the default limit only guards it.
			on()
			debug.SetMemoryLimit(2 << 30)
		}
	}
	g.loaded = func(n int64) {
		if off && n > smallInput {
			on()
		}
		if off {
			// Sized large but read small (files skipped): a small run.
			debug.SetMemoryLimit(gcOffLimit)
		} else {
			debug.SetMemoryLimit(memoryLimit(n))
		}
	}
	return g
}

// gcTuning is what tuneGC gives a run: sized and loaded for lint.Options,
// restore for when the run is over.
type gcTuning struct {
	sized   func(inputBytes int64, known bool)
	loaded  func(inputBytes int64)
	restore func()
}

// smallInput is the input size (bytes) up to which lint runs without
// collection (tuneGC): a pre-commit run's files, a small repository as
// --context (11,000 resources are 4.1 MB). gcOffLimit is then the soft
// memory limit, at which the collector runs after all: twice what such a
// run keeps live (the compiled rules and at most 1 MB of input, about
// 50 MB), so a rule that allocates without end is still held to it.
const (
	smallInput = 1 << 20
	gcOffLimit = 96 << 20
)

// memoryLimit is the soft memory limit for n bytes of input (tuneGC).
func memoryLimit(n int64) int64 {
	if n <= memKnee {
		return max(memFloor, memPerInputByte*n)
	}
	return max(memFloor, memPerInputByte*memKnee) + memPerLargeByte*(n-memKnee)
}

// memFloor and memPerInputByte size the soft memory limit (tuneGC): 11,000
// generated resources are 4.1 MB of YAML, and DESIGN.md §6 allows them
// 250 MiB.
const (
	memFloor        = 160 << 20
	memPerInputByte = 60
	memKnee         = 4 << 20
	memPerLargeByte = 48
)

// colorOK is true when w is a terminal and NO_COLOR is unset or empty
// (https://no-color.org: only a non-empty value disables colour): pipes,
// files and CI logs get plain text.
func colorOK(w io.Writer) bool {
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
