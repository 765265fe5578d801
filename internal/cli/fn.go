package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/pflag"
	"sigs.k8s.io/kustomize/kyaml/fn/framework"

	"github.com/meshfleet/meshfleet/internal/safetext"
	"github.com/meshfleet/meshfleet/render"
)

const fnUsage = `usage: meshfleet fn [flags] < ResourceList

Run as a KRM function (kustomize exec generator, transformer or validator;
kpt): read a ResourceList on stdin and write it to stdout with the resources
every VMFleet item, and a VMFleet functionConfig, renders. Other items pass
through unchanged. Run again on its own output it changes nothing: the
VMFleet items stay, marked config.kubernetes.io/local-config, and what an
earlier run rendered for them is replaced. Render problems are written as
results, and on stderr, and exit 1; input that cannot be read exits 2 and
writes nothing. kustomize runs meshfleet with no arguments, which does the
same.

With a functionConfig of kind LintConfig (apiVersion meshfleet.dev/v1alpha1;
the fields of .meshfleet.yaml at the top level: failOn, disable, severity,
rootNamespace, trustDomain, productionLabel; complete is reserved) it lints
the items instead and returns them unchanged, the findings as results, and
exits 1 when one is at or above failOn.

flags:
`

func runFn(env *Env, args []string) int {
	var opts render.Options
	flags := pflag.NewFlagSet("fn", pflag.ContinueOnError)
	flags.SetOutput(io.Discard)
	// kustomize runs the function without arguments; a meshfleet build
	// passes its --istio-version in the environment instead.
	flags.StringVar(&opts.IstioVersion, "istio-version", os.Getenv(render.IstioVersionEnv), "Istio version to render for; below 1.22 renders the v1beta1 APIs (default $"+render.IstioVersionEnv+")")
	usage := fnUsage + flags.FlagUsages()
	err := flags.Parse(args)
	if err == nil && flags.NArg() > 0 {
		err = fmt.Errorf("unexpected argument %q", strings.Join(flags.Args(), " "))
	}
	if code, stop := parseFailed(env, "fn", usage, err); stop {
		return code
	}

	return fnRun(env, env.Stdin, opts)
}

// fnRun dispatches on the functionConfig: a LintConfig lints the items
// (fn_lint.go; render never imports lint), anything else renders.
func fnRun(env *Env, in io.Reader, opts render.Options) int {
	fi, err := render.ReadFnInput(in)
	if err != nil {
		fmt.Fprintf(env.Stderr, "meshfleet fn: %s\n", safetext.Escape(err.Error()))
		return ExitUsage
	}
	if fc := fi.FunctionConfig(); fc != nil && isLintConfig(fc) {
		return runFnLint(env, fi, fc)
	}
	results, err := fi.Render(env.Stdout, opts)
	if err != nil {
		fmt.Fprintf(env.Stderr, "meshfleet fn: %s\n", safetext.Escape(err.Error()))
		return ExitUsage
	}
	for _, r := range results {
		fmt.Fprintln(env.Stderr, safetext.Escape(resultLine(r)))
	}
	return results.ExitCode()
}

// resultLine prints a result the way render prints a problem, file first,
// so kustomize (which shows the function's stderr) shows something
// familiar. A message that starts with its file is already positioned.
func resultLine(r *framework.Result) string {
	if r.File != nil && r.File.Path != "" && strings.HasPrefix(r.Message, r.File.Path+": ") {
		return r.Message
	}
	var b strings.Builder
	if r.File != nil && r.File.Path != "" {
		b.WriteString(r.File.Path)
		b.WriteString(": ")
	}
	if r.ResourceRef != nil {
		fmt.Fprintf(&b, "%s %s/%s: ", r.ResourceRef.Kind, r.ResourceRef.Namespace, r.ResourceRef.Name)
	}
	if r.Field != nil && r.Field.Path != "" {
		b.WriteString(r.Field.Path)
		b.WriteString(": ")
	}
	b.WriteString(r.Message)
	return b.String()
}
