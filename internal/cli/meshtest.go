package cli

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/meshfleet/meshfleet/internal/manifest"
	"github.com/meshfleet/meshfleet/internal/safetext"
	"github.com/meshfleet/meshfleet/lint"
	"github.com/meshfleet/meshfleet/lint/mesh"
)

const testUsage = `usage: meshfleet test [flags] [PATH ...]

Run the behaviour tests (kind: MeshTest, apiVersion meshfleet.dev/v1alpha1)
found among the inputs against the rest of them, offline: for each case,
where the request is routed, which workloads serve it, whether the hop is
mutual TLS and whether authorization lets it through. PATH is read as lint
reads it (files, directories, kustomizations; VMFleets rendered first).
With no PATH, the current directory.

Exit status: 0 every case passes, 1 a case fails, 2 usage error, unreadable
input, or a case naming what the input lacks (file:line).

flags:
`

var testFormats = []string{"text", "json", "junit"}

type testFlags struct {
	format        string
	run           *regexp.Regexp
	rootNamespace string
	config        string
	exclude       []string
	context       []string
	paths         []string
}

func parseTestFlags(args []string) (*testFlags, string, error) {
	f := &testFlags{}
	flags := pflag.NewFlagSet("test", pflag.ContinueOnError)
	flags.SetOutput(io.Discard)
	flags.SortFlags = true
	flags.StringVar(&f.format, "format", "text", "output `format`: "+strings.Join(testFormats, ", "))
	run := flags.String("run", "", "run only the cases whose \"test/name\" matches `REGEX` (test: the MeshTest's metadata.name)")
	flags.StringVar(&f.rootNamespace, "root-namespace", "", "Istio root `namespace`, whose policies are mesh-wide (default istio-system)")
	flags.StringVar(&f.config, "config", "", "read settings from `FILE` instead of the .meshfleet.yaml found upward")
	flags.StringArrayVar(&f.exclude, "exclude", nil, "skip files and directories matching `GLOB` (repeatable)")
	flags.StringArrayVar(&f.context, "context", nil, "also read `PATH` (repeatable) to resolve hosts, workloads and policies; its tests are not run")
	usage := testUsage + flags.FlagUsages()
	if err := flags.Parse(args); err != nil {
		return nil, usage, err
	}
	ok := false
	for _, n := range testFormats {
		ok = ok || n == f.format
	}
	if !ok {
		return nil, usage, fmt.Errorf("--format: unknown format %q (valid: %s)", f.format, strings.Join(testFormats, ", "))
	}
	if *run != "" {
		re, err := regexp.Compile(*run)
		if err != nil {
			return nil, usage, fmt.Errorf("--run: %v", err)
		}
		f.run = re
	}
	f.paths = flags.Args()
	if len(f.paths) == 0 {
		f.paths = []string{"."}
	}
	for _, p := range f.paths {
		if p == "-" {
			return nil, usage, fmt.Errorf("test reads files and directories, not stdin")
		}
	}
	return f, usage, nil
}

// loadMesh reads the inputs into the behaviour model; problems are input
// errors already printed (exit 2).
func loadMesh(env *Env, cmd string, paths, exclude, context []string, config, root string) (*mesh.Model, bool) {
	notice := func(msg string) { fmt.Fprintf(env.Stderr, "meshfleet %s: %s\n", cmd, safetext.Escape(msg)) }
	cfg, err := lintConfig(config, notice)
	if err != nil {
		fmt.Fprintf(env.Stderr, "meshfleet %s: %s\n", cmd, safetext.Escape(err.Error()))
		return nil, false
	}
	gc := tuneGC()
	defer gc.restore()
	m, err := lint.LoadModel(lint.Options{Paths: paths, Config: cfg, Exclude: exclude, Context: context, RootNamespace: root, Notice: notice, Sized: gc.sized, Loaded: gc.loaded})
	if err != nil {
		fmt.Fprintf(env.Stderr, "meshfleet %s: %s\n", cmd, safetext.Escape(err.Error()))
		return nil, false
	}
	if len(m.Problems) > 0 {
		printErrors(env, m.Problems)
		return nil, false
	}
	return mesh.New(m), true
}

func printErrors(env *Env, errs []*manifest.Error) {
	for _, e := range errs {
		fmt.Fprintln(env.Stderr, e.Error()) // Error escapes what it prints
	}
}

func runTest(env *Env, args []string) int {
	f, usage, err := parseTestFlags(args)
	if code, stop := parseFailed(env, "test", usage, err); stop {
		return code
	}
	md, ok := loadMesh(env, "test", f.paths, f.exclude, f.context, f.config, f.rootNamespace)
	if !ok {
		return ExitUsage
	}
	var suites []*mesh.Suite
	var errs []*manifest.Error
	for _, d := range md.Index().Tests {
		s, e := mesh.Parse(d)
		errs = append(errs, e...)
		if s != nil {
			suites = append(suites, s)
		}
	}
	if len(errs) == 0 && len(suites) == 0 {
		fmt.Fprintf(env.Stderr, "meshfleet test: no MeshTest in %s\n", safetext.Escape(strings.Join(f.paths, " ")))
		return ExitUsage
	}
	if len(errs) > 0 {
		manifest.SortErrors(errs)
		printErrors(env, errs)
		return ExitUsage
	}
	results, errs := md.Run(suites, f.run)
	if len(errs) > 0 {
		printErrors(env, errs)
		return ExitUsage
	}
	if len(results) == 0 {
		// Never an empty success: MeshTests without cases, or a --run
		// matching none (a typo).
		if f.run != nil {
			fmt.Fprintf(env.Stderr, "meshfleet test: no case matches --run %s\n", safetext.Escape(f.run.String()))
		} else {
			fmt.Fprintf(env.Stderr, "meshfleet test: the MeshTests in %s hold no case\n", safetext.Escape(strings.Join(f.paths, " ")))
		}
		return ExitUsage
	}
	sort.SliceStable(results, func(i, j int) bool {
		if results[i].File != results[j].File {
			return results[i].File < results[j].File
		}
		return results[i].Line < results[j].Line
	})
	switch f.format {
	case "json":
		err = writeTestJSON(env.Stdout, results)
	case "junit":
		err = writeTestJUnit(env.Stdout, results)
	default:
		err = writeTestText(env.Stdout, results)
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "meshfleet test: %s\n", safetext.Escape(err.Error()))
		return ExitUsage
	}
	for _, r := range results {
		if !r.Passed {
			return ExitFindings
		}
	}
	return ExitOK
}

func countResults(results []mesh.CaseResult) (passed, failed int) {
	for _, r := range results {
		if r.Passed {
			passed++
		} else {
			failed++
		}
	}
	return passed, failed
}

func writeTestJSON(w io.Writer, results []mesh.CaseResult) error {
	passed, failed := countResults(results)
	if results == nil {
		results = []mesh.CaseResult{}
	}
	out := struct {
		Cases   []mesh.CaseResult `json:"cases"`
		Summary struct {
			Passed int `json:"passed"`
			Failed int `json:"failed"`
		} `json:"summary"`
	}{Cases: results}
	out.Summary.Passed, out.Summary.Failed = passed, failed
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// show writes an expected or actual value for people: JSON, which quotes
// strings and so keeps repository text on one line.
func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return safetext.Escape(string(b))
}

func writeTestText(w io.Writer, results []mesh.CaseResult) error {
	var b strings.Builder
	for _, r := range results {
		status := "PASS"
		if !r.Passed {
			status = "FAIL"
		}
		fmt.Fprintf(&b, "%s %s:%d: %s / %s\n", status, safetext.Escape(r.File), r.Line, safetext.Escape(r.Test), safetext.Escape(r.Name))
		for _, fl := range r.Failures {
			fmt.Fprintf(&b, "    %s: expected %s, actual %s\n", fl.Field, show(fl.Expected), show(fl.Actual))
			if fl.Field == "allowed" && r.Reason != "" && fl.Actual == false {
				fmt.Fprintf(&b, "        because %s\n", safetext.Escape(r.Reason))
			}
		}
	}
	passed, failed := countResults(results)
	fmt.Fprintf(&b, "%d passed, %d failed\n", passed, failed)
	_, err := io.WriteString(w, b.String())
	return err
}

// JUnit XML as GitLab and Jenkins read it: one testsuite per MeshTest.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr"`
	Line      int           `xml:"line,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func writeTestJUnit(w io.Writer, results []mesh.CaseResult) error {
	out := junitSuites{}
	index := map[string]int{}
	for _, r := range results {
		i, ok := index[r.Test]
		if !ok {
			i = len(out.Suites)
			index[r.Test] = i
			out.Suites = append(out.Suites, junitSuite{Name: safetext.Escape(r.Test)})
		}
		c := junitCase{Name: safetext.Escape(r.Name), Classname: safetext.Escape(r.Test), File: safetext.Escape(r.File), Line: r.Line}
		if !r.Passed {
			var fields, text []string
			for _, fl := range r.Failures {
				fields = append(fields, fl.Field)
				text = append(text, fmt.Sprintf("%s: expected %s, actual %s", fl.Field, show(fl.Expected), show(fl.Actual)))
			}
			text = append(text, fmt.Sprintf("at %s:%d", safetext.Escape(r.File), r.Line))
			c.Failure = &junitFailure{Message: "unmet expectations: " + strings.Join(fields, ", "), Type: "MeshTest", Text: strings.Join(text, "\n")}
			out.Suites[i].Failures++
			out.Failures++
		}
		out.Suites[i].Tests++
		out.Tests++
		out.Suites[i].Cases = append(out.Suites[i].Cases, c)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
