package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"github.com/meshfleet/meshfleet/lint"
	"github.com/meshfleet/meshfleet/lint/finding"
)

const rulesUsage = `usage: meshfleet rules [flags] [ID]

List the lint rules sorted by ID, or document one: what it checks, why it
matters, how to fix it, and an example it fires on and one it does not.

flags:
`

func runRules(env *Env, args []string) int {
	var policies []string
	flags := pflag.NewFlagSet("rules", pflag.ContinueOnError)
	flags.SetOutput(io.Discard)
	flags.StringArrayVar(&policies, "policy", nil, "also list the Rego rules in `DIR` (repeatable)")
	usage := rulesUsage + flags.FlagUsages()
	err := flags.Parse(args)
	if err == nil && flags.NArg() > 1 {
		err = fmt.Errorf("want at most one rule ID, got %d", flags.NArg())
	}
	if code, stop := parseFailed(env, "rules", usage, err); stop {
		return code
	}
	eng, err := lint.NewEngine(context.Background(), lint.EngineOptions{PolicyDirs: policies})
	if err != nil {
		fmt.Fprintf(env.Stderr, "meshfleet rules: policy: %v\n", err)
		return ExitUsage
	}
	if flags.NArg() == 0 {
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSEVERITY\tTITLE")
		for _, r := range eng.Rules() {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, r.Severity, r.Title)
		}
		tw.Flush()
		return ExitOK
	}
	id := strings.ToUpper(flags.Arg(0))
	r, ok := eng.Rule(id)
	if !ok {
		fmt.Fprintf(env.Stderr, "meshfleet rules: unknown rule %q (run 'meshfleet rules' for the list)\n", flags.Arg(0))
		return ExitUsage
	}
	writeRuleDoc(env.Stdout, r)
	return ExitOK
}

// writeRuleDoc prints one rule's documentation as plain text.
func writeRuleDoc(w io.Writer, r finding.Rule) {
	fmt.Fprintf(w, "%s: %s\n\nseverity: %s\n\n%s\n", r.ID, r.Title, r.Severity, wrap(r.Description, 76))
	if r.Remediation != "" {
		fmt.Fprintf(w, "\nHow to fix:\n%s\n", wrap(r.Remediation, 76))
	}
	for _, ex := range []struct{ title, body string }{{"Fires on:", r.Bad}, {"Does not fire on:", r.Good}} {
		if ex.body == "" {
			continue
		}
		fmt.Fprintf(w, "\n%s\n", ex.title)
		for _, line := range strings.Split(strings.TrimRight(ex.body, "\n"), "\n") {
			fmt.Fprintf(w, "    %s\n", line)
		}
	}
}

// wrap folds text at width columns on spaces.
func wrap(text string, width int) string {
	var b strings.Builder
	n := 0
	for _, word := range strings.Fields(text) {
		if n > 0 && n+1+len(word) > width {
			b.WriteByte('\n')
			n = 0
		} else if n > 0 {
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += len(word)
	}
	return b.String()
}
