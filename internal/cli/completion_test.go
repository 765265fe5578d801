package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestHelpParsed: every flag line of every command's --help is understood,
// so completion and the man page can never miss a flag.
func TestHelpParsed(t *testing.T) {
	cmds := helpTexts()
	if len(cmds) != len(commands) {
		t.Fatalf("%d commands parsed, %d registered", len(cmds), len(commands))
	}
	total := 0
	for _, c := range cmds {
		_, flagsText, _ := strings.Cut(c.usage, "\nflags:\n")
		lines := 0
		for _, l := range strings.Split(flagsText, "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), "-") {
				lines++
			}
		}
		if lines != len(c.flags) {
			t.Errorf("%s: %d flag lines in --help, %d parsed", c.name, lines, len(c.flags))
		}
		total += len(c.flags)
	}
	lint := map[string]flagHelp{}
	for _, c := range cmds {
		if c.name == "lint" {
			for _, f := range c.flags {
				lint[f.long] = f
			}
		}
	}
	for name, arg := range map[string]string{"format": "FORMAT[=FILE]", "baseline": "FILE", "only": "IDs", "verbose": "", "complete": ""} {
		if f, ok := lint[name]; !ok || f.arg != arg {
			t.Errorf("lint --%s parsed as %+v, want arg %q", name, f, arg)
		}
	}
	if lint["verbose"].short != "v" {
		t.Errorf("lint -v not parsed: %+v", lint["verbose"])
	}
	if total < 30 {
		t.Errorf("only %d flags in all", total)
	}
}

// TestCompletionAndMan: each script and the man page name every command
// and every flag; the bash script is valid bash and completes; zsh and
// fish check their scripts' syntax where installed.
func TestCompletionAndMan(t *testing.T) {
	cmds := helpTexts()
	outputs := map[string]string{}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		var out, errb bytes.Buffer
		if code := Main([]string{"completion", shell}, nil, &out, &errb); code != 0 {
			t.Fatalf("completion %s: exit %d: %s", shell, code, errb.String())
		}
		outputs[shell] = out.String()
	}
	var man bytes.Buffer
	if code := Main([]string{"man"}, nil, &man, os.Stderr); code != 0 {
		t.Fatal(code)
	}
	outputs["man"] = man.String()
	for name, text := range outputs {
		for _, c := range cmds {
			want := c.name
			if name == "man" {
				want = troff(c.name) // the man page escapes "-"
			}
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks command %s", name, c.name)
			}
			for _, f := range c.flags {
				want := "--" + f.long
				switch name {
				case "man":
					want = `\-\-` + troffWord(f.long)
				case "fish":
					want = "-l " + f.long
				}
				if !strings.Contains(text, want) {
					t.Errorf("%s lacks %s %s", name, c.name, want)
				}
			}
		}
	}
	dir := t.TempDir()
	for shell, check := range map[string][]string{"bash": {"bash", "-n"}, "zsh": {"zsh", "-n"}, "fish": {"fish", "--no-execute"}} {
		if _, err := exec.LookPath(check[0]); err != nil {
			t.Logf("%s not installed: syntax not checked", check[0])
			continue
		}
		p := filepath.Join(dir, "c."+shell)
		if err := os.WriteFile(p, []byte(outputs[shell]), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(check[0], append(check[1:], p)...).CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", shell, err, out)
		}
	}
	if _, err := exec.LookPath("bash"); err == nil {
		// Complete "meshfleet lint --form" and "meshfleet lint --format j".
		script := outputs["bash"] + `
COMP_WORDS=(meshfleet lint --form); COMP_CWORD=2; _meshfleet; echo "${COMPREPLY[*]}"
COMP_WORDS=(meshfleet lint --format j); COMP_CWORD=3; _meshfleet; echo "${COMPREPLY[*]}"
COMP_WORDS=(meshfleet li); COMP_CWORD=1; _meshfleet; echo "${COMPREPLY[*]}"
`
		out, err := exec.Command("bash", "-c", script).CombinedOutput()
		if err != nil || string(out) != "--format\njson junit\nlint\n" {
			t.Errorf("bash completion: %v\n%q", err, out)
		}
	}
	if code := Main([]string{"completion", "tcsh"}, nil, &bytes.Buffer{}, &bytes.Buffer{}); code != ExitUsage {
		t.Errorf("completion tcsh: exit %d", code)
	}
}
