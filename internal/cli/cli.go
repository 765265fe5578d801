// Package cli is meshfleet's command line: it parses flags, calls into the
// render and lint packages and turns their results into exit codes. It is a
// library so that tests drive it in-process.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"

	"github.com/spf13/pflag"
)

// Exit codes, decided by results, never by where an error happened.
const (
	ExitOK       = 0 // clean
	ExitFindings = 1 // findings at or above --fail-on, --check drift, KRM results
	ExitUsage    = 2 // usage error, unreadable input, internal error
)

// Env is what a command sees of the process.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

type command struct {
	summary string
	run     func(env *Env, args []string) int
}

// commands is the one table of subcommands; each lives in its own file.
var commands = map[string]command{
	"render":    {"render VMFleets into Istio resources", runRender},
	"vm-config": {"write a VM's onboarding files (cluster.env, mesh.yaml, hosts) offline", runVMConfig},
	"discover":  {"print what render would render in DIR (Argo CD plugin discovery)", runDiscover},
	"explain":   {"explain what the mesh does with one request (route, mTLS, authorization)", runExplain},
	"fn":        {"run as a KRM function (ResourceList on stdin)", runFn},
	"lint":      {"lint Istio and Kubernetes manifests", runLint},
	"rules":     {"list the lint rules, or document one", runRules},
	"schema":    {"print the VMFleet schema", runSchema},
	"test":      {"run the behaviour tests (MeshTest) against the manifests", runTest},
	"version":   {"print the version", runVersion},
}

// Main runs meshfleet with args (without the program name) and returns the
// exit code. A panic becomes exit 2 with a request for a bug report.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	env := &Env{Stdin: stdin, Stdout: stdout, Stderr: stderr}
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "meshfleet: internal error: %v\nplease report this at https://github.com/meshfleet/meshfleet/issues with the input that caused it\n%s", r, debug.Stack())
			code = ExitUsage
		}
	}()
	if len(args) == 0 {
		// kustomize exec runs functions with no arguments and the
		// ResourceList on stdin.
		if !isTerminal(stdin) {
			return runFn(env, nil)
		}
		usage(stderr)
		return ExitUsage
	}
	name := args[0]
	switch name {
	case "-h", "--help", "help":
		usage(stdout)
		return ExitOK
	case "--version":
		name = "version"
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "meshfleet: unknown command %q\n\n", name)
		usage(stderr)
		return ExitUsage
	}
	return cmd.run(env, args[1:])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: meshfleet <command> [flags] [args]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'meshfleet <command> --help' for a command's flags.")
}

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// parseFailed handles a command's flag-parsing outcome the one way every
// command does: --help prints the usage and exits 0, any other error is a
// usage error (exit 2) with the usage after it. stop is false when parsing
// succeeded and the command goes on.
func parseFailed(env *Env, cmd, usage string, err error) (code int, stop bool) {
	switch {
	case err == nil:
		return ExitOK, false
	case errors.Is(err, pflag.ErrHelp):
		fmt.Fprint(env.Stdout, usage)
		return ExitOK, true
	}
	fmt.Fprintf(env.Stderr, "meshfleet %s: %v\n\n%s", cmd, err, usage)
	return ExitUsage, true
}

// stdinAtMostOnce refuses a path list naming stdin (-) twice.
func stdinAtMostOnce(paths []string) error {
	stdin := 0
	for _, p := range paths {
		if p == "-" {
			stdin++
		}
	}
	if stdin > 1 {
		return errors.New("- (stdin) given more than once")
	}
	return nil
}
