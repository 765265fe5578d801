package cli

import (
	"fmt"
	"io"
	"strings"
)

const manUsage = `usage: meshfleet man

Print meshfleet's manual page (troff, section 1), made from the same help
text as 'meshfleet COMMAND --help' and the completion scripts. Read it with
'meshfleet man | man -l -'; 'make install' installs it as meshfleet.1.
`

// completion and man read the commands table, so they join it at init:
// in its initialiser they would make an initialisation cycle.
func init() {
	commands["completion"] = command{"print a shell completion script (bash, zsh or fish)", runCompletion}
	commands["man"] = command{"print the manual page (troff)", runMan}
}

func runMan(env *Env, args []string) int {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Fprint(env.Stdout, manUsage)
		return ExitOK
	}
	if len(args) > 0 {
		fmt.Fprintf(env.Stderr, "meshfleet man: unexpected argument %q\n", strings.Join(args, " "))
		return ExitUsage
	}
	writeMan(env.Stdout, helpTexts())
	return ExitOK
}

// writeMan prints the page. It carries no date, so the page built from
// one version is the same on every machine.
func writeMan(w io.Writer, cmds []cmdHelp) {
	fmt.Fprintf(w, ".TH MESHFLEET 1 \"\" \"meshfleet %s\" \"User Commands\"\n", troff(currentBuild().Version))
	fmt.Fprint(w, ".SH NAME\nmeshfleet \\- render VMFleets into Istio resources and lint Istio and Kubernetes manifests offline\n")
	fmt.Fprint(w, ".SH SYNOPSIS\n.B meshfleet\n.I command\n[\\fIflags\\fR] [\\fIargs\\fR]\n")
	fmt.Fprint(w, ".SH DESCRIPTION\nmeshfleet renders one compact VMFleet spec into the WorkloadGroup, WorkloadEntries, Service, PeerAuthentication, AuthorizationPolicies, DestinationRule and VirtualService that bring VMs into an Istio mesh, and lints any mix of Istio and Kubernetes manifests for the mistakes Istio accepts silently.\n")
	fmt.Fprint(w, ".SH COMMANDS\n")
	for _, c := range cmds {
		fmt.Fprintf(w, ".SS %s\n", troff(c.name))
		// The usage text up to its flag list, as paragraphs.
		text, _, _ := strings.Cut(c.usage, "\nflags:\n")
		if text == "" {
			text = c.summary
		}
		para := false
		for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
			switch {
			case strings.TrimSpace(line) == "":
				para = false
			case strings.HasPrefix(line, "  "):
				fmt.Fprintf(w, ".br\n\\ \\ %s\n", troff(strings.TrimSpace(line)))
			default:
				if !para {
					fmt.Fprint(w, ".PP\n")
					para = true
				}
				fmt.Fprintln(w, troff(line))
			}
		}
		for _, f := range c.flags {
			fmt.Fprint(w, ".TP\n")
			head := "\\fB\\-\\-" + troffWord(f.long) + "\\fR"
			if f.short != "" {
				head = "\\fB\\-" + troffWord(f.short) + "\\fR, " + head
			}
			if f.arg != "" {
				head += " \\fI" + troffWord(f.arg) + "\\fR"
			}
			fmt.Fprintln(w, head)
			fmt.Fprintln(w, troff(f.desc))
		}
	}
	fmt.Fprint(w, ".SH EXIT STATUS\n.TP\n0\nclean\n.TP\n1\nfindings at or above \\-\\-fail\\-on, \\-\\-check drift, or failing tests\n.TP\n2\nusage error, unreadable input (reported as MF100 too), or a limit hit\n")
	fmt.Fprint(w, ".SH ENVIRONMENT\n.TP\nNO_COLOR\nwhen set and not empty, no colour in the text report\n.TP\nMESHFLEET_ISTIO_VERSION\nthe Istio version meshfleet fn renders for\n")
	fmt.Fprint(w, ".SH FILES\n.TP\n\\&.meshfleet.yaml\nlint settings, found upward from the working directory up to the repository root\n")
	fmt.Fprint(w, ".SH SEE ALSO\n.BR istioctl (1),\n.BR kustomize (1)\n")
}

// troff escapes a line of text: backslashes, and a leading "." or "'"
// that troff would read as a request; "-" becomes "\-" so it prints as
// the ASCII hyphen-minus a reader can copy into a shell.
func troff(s string) string {
	s = troffWord(s)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = "\\&" + s
	}
	return s
}

func troffWord(s string) string {
	return strings.NewReplacer("\\", "\\e", "-", "\\-").Replace(s)
}
