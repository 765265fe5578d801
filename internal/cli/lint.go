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

Suppress a finding with a comment on its line or the line above
("# meshfleet:ignore MF301 reason"), the annotation meshfleet.dev/ignore:
"MF301,MF402" on the resource, or .meshfleet.yaml (found upward from the
working directory).

flags:
`

// lintFlags are lint's options once parsed.
type lintFlags struct {
	format        string
	failOn        string
	disable       []string
	policies      []string
	config        string
	exclude       []string
	stdinFilename string
	rootNamespace string
	maxResources  int
	verbose       bool
	complete      *bool
	context       []string
	evalTimeout   time.Duration
	paths         []string
}

// parseLintFlags returns the options, or the usage text with an error:
// ErrHelp for --help, anything else a usage error.
func parseLintFlags(args []string) (*lintFlags, string, error) {
	f := &lintFlags{}
	flags := pflag.NewFlagSet("lint", pflag.ContinueOnError)
	flags.SetOutput(io.Discard)
	flags.SortFlags = true
	flags.StringVar(&f.format, "format", "text", "output `format`: "+strings.Join(output.Names(), ", "))
	flags.StringVar(&f.failOn, "fail-on", "", "exit 1 on findings of this `severity` or above: error, warning or info (default error)")
	flags.StringSliceVar(&f.disable, "disable", nil, "rule `IDs` not to run, comma-separated")
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
	if err := flags.Parse(args); err != nil {
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
	if f.failOn != "" {
		if _, err := finding.ParseSeverity(f.failOn); err != nil {
			return nil, usage, fmt.Errorf("--fail-on: %w", err)
		}
	}
	return f, usage, nil
}

func runLint(env *Env, args []string) int {
	f, usage, err := parseLintFlags(args)
	if code, stop := parseFailed(env, "lint", usage, err); stop {
		return code
	}
	w, err := output.New(f.format, output.Options{Color: colorOK(env.Stdout)})
	if err != nil {
		fmt.Fprintf(env.Stderr, "meshfleet lint: --format: %s\n", safetext.Escape(err.Error()))
		return ExitUsage
	}
	notice := func(msg string) { fmt.Fprintf(env.Stderr, "meshfleet lint: %s\n", safetext.Escape(msg)) }
	cfg, err := lintConfig(f.config, notice)
	if err != nil {
		fmt.Fprintf(env.Stderr, "meshfleet lint: %s\n", safetext.Escape(err.Error()))
		return ExitUsage
	}
	failOn := finding.Error
	if cfg.FailOn != "" {
		failOn = cfg.FailOn
	}
	if f.failOn != "" {
		failOn, _ = finding.ParseSeverity(f.failOn)
	}
	loaded := tuneGC()
	ctx := context.Background()
	eng, err := lint.NewEngine(ctx, lint.EngineOptions{PolicyDirs: f.policies})
	if err != nil {
		fmt.Fprintf(env.Stderr, "meshfleet lint: policy: %s\n", safetext.Escape(err.Error()))
		return ExitUsage
	}
	res, err := eng.Lint(ctx, lint.Options{
		Paths:         f.paths,
		Stdin:         env.Stdin,
		StdinFilename: f.stdinFilename,
		Config:        cfg,
		Exclude:       f.exclude,
		Disable:       f.disable,
		RootNamespace: f.rootNamespace,
		Complete:      f.complete,
		Notice:        notice,
		Loaded:        loaded,
		MaxResources:  f.maxResources,
		Verbose:       f.verbose,
		Context:       f.context,
		EvalTimeout:   f.evalTimeout,
	})
	if err != nil {
		fmt.Fprintf(env.Stderr, "meshfleet lint: %s\n", safetext.Escape(err.Error()))
		return ExitUsage
	}
	res.Report.Version = version
	if err := w.Write(env.Stdout, &res.Report); err != nil {
		fmt.Fprintf(env.Stderr, "meshfleet lint: %s\n", safetext.Escape(err.Error()))
		return ExitUsage
	}
	return res.ExitCode(failOn)
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
// large ones (110,000 resources keep about 1 GiB live) still get room.
// Explicit GOGC or GOMEMLIMIT settings win.
func tuneGC() (loaded func(inputBytes int64)) {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(400)
	}
	if _, set := os.LookupEnv("GOMEMLIMIT"); set {
		return nil
	}
	// Parsing keeps little live: the default limit only guards it.
	debug.SetMemoryLimit(2 << 30)
	return func(n int64) { debug.SetMemoryLimit(max(memFloor, memPerInputByte*n)) }
}

// memFloor and memPerInputByte size the soft memory limit (tuneGC): 11,000
// generated resources are 4.1 MB of YAML, and DESIGN.md §6 allows them
// 250 MiB.
const (
	memFloor        = 160 << 20
	memPerInputByte = 60
)

// colorOK is true when w is a terminal and NO_COLOR is unset
// (https://no-color.org): pipes, files and CI logs get plain text.
func colorOK(w io.Writer) bool {
	if _, set := os.LookupEnv("NO_COLOR"); set {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
