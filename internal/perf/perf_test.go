// Package perf measures meshfleet as users run it, whole processes on
// generated corpora, against the tools they would use instead, and prints
// DESIGN.md §6's table of ratios (make bench, make bench-peers). Absolute
// times on shared machines are noise: every row times its commands
// interleaved, round after round, and compares medians.
package perf

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/meshfleet/meshfleet/internal/corpus"
)

// command is one process a row times.
type command struct {
	name string
	argv []string
	ok   []int // exit codes that mean it did its job
}

// sample is one run: wall time and peak resident memory.
type sample struct {
	wall time.Duration
	rss  int64 // bytes
}

// measure runs the commands interleaved for rounds rounds after one
// warm-up round and returns each one's samples in command order.
func measure(t *testing.T, rounds int, cmds ...command) [][]sample {
	t.Helper()
	out := make([][]sample, len(cmds))
	for r := -1; r < rounds; r++ {
		for i, c := range cmds {
			s := run(t, c)
			if r >= 0 {
				out[i] = append(out[i], s)
			}
		}
	}
	return out
}

func run(t *testing.T, c command) sample {
	t.Helper()
	cmd := exec.Command(c.argv[0], c.argv[1:]...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("%s: %v", c.name, err)
		}
		code = ee.ExitCode()
	}
	if !slices.Contains(append([]int{0}, c.ok...), code) {
		t.Fatalf("%s exited %d: %s\n%s", c.name, code, strings.Join(c.argv, " "), tail(stderr.String()))
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss * 1024 // KiB on Linux
	}
	return sample{wall, rss}
}

func tail(s string) string {
	if len(s) > 2000 {
		return "…" + s[len(s)-2000:]
	}
	return s
}

func median(ss []sample) time.Duration {
	ds := make([]time.Duration, len(ss))
	for i, s := range ss {
		ds[i] = s.wall
	}
	slices.Sort(ds)
	if n := len(ds); n%2 == 1 {
		return ds[n/2]
	} else {
		return (ds[n/2-1] + ds[n/2]) / 2
	}
}

func peak(ss []sample) int64 {
	var m int64
	for _, s := range ss {
		m = max(m, s.rss)
	}
	return m
}

// row is one line of the table: what was measured, meshfleet's median, what
// it is compared with, the ratio and the target it must meet.
type row struct {
	work, meshfleet, versus, ratio, target, met string
}

func ratioRow(work string, mf, peer []sample, versus string, target float64, extra string) row {
	r := float64(median(mf)) / float64(median(peer))
	met := "yes"
	if r > target {
		met = "no"
	}
	return row{
		work:      work,
		meshfleet: fmt.Sprintf("%s, %s", ms(median(mf)), mib(peak(mf))),
		versus:    fmt.Sprintf("%s %s", versus, ms(median(peer))),
		ratio:     fmt.Sprintf("%.2f×", r),
		target:    fmt.Sprintf("≤ %.2f×%s", target, extra),
		met:       met,
	}
}

func ms(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) + " ms" }

func mib(b int64) string { return strconv.FormatInt(b>>20, 10) + " MiB" }

// moduleRoot is the repository root, two levels up from this package.
func moduleRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(filepath.Dir(wd))
}

func build(t *testing.T, out, pkg string) string {
	t.Helper()
	bin := filepath.Join(out, filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, pkg)
	cmd.Dir = moduleRoot(t)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	return bin
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// TestPerfTable prints DESIGN.md §6's table when MESHFLEET_PERF is set
// (make bench). MESHFLEET_PEERS names the directory make bench-peers fills
// (bin/kubeconform, bin/istioctl, schemas/ for kubeconform): rows comparing
// with a peer that is not there say so. MESHFLEET_PERF_ROUNDS (default 5)
// sets the rounds; MESHFLEET_PERF_OUT also writes the table to a file.
func TestPerfTable(t *testing.T) {
	if os.Getenv("MESHFLEET_PERF") == "" {
		t.Skip("set MESHFLEET_PERF=1 (make bench) to measure")
	}
	rounds := envInt("MESHFLEET_PERF_ROUNDS", 5)
	peers := os.Getenv("MESHFLEET_PEERS")
	work := t.TempDir()
	mf := build(t, work, "./cmd/meshfleet")
	yp := build(t, work, "./internal/perf/yamlparse")

	mesh := func(name string, fleets, perNS int) string {
		dir := filepath.Join(work, name)
		if _, err := corpus.Mesh(dir, fleets, perNS); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	c11k := mesh("c11k", 1000, 1)         // 11,000 resources in 1,000 namespaces
	c11k100 := mesh("c11k-100", 1000, 10) // the same in 100 namespaces
	lint := func(args ...string) command {
		return command{name: "meshfleet lint", argv: append([]string{mf, "lint", "--fail-on", "error"}, args...), ok: []int{1}}
	}

	var kubeconform, istioctl func(paths ...string) command
	if peers != "" {
		if bin := filepath.Join(peers, "bin", "kubeconform"); exists(bin) {
			schemas := filepath.Join(peers, "schemas")
			kubeconform = func(paths ...string) command {
				return command{name: "kubeconform", argv: append([]string{bin, "-strict", "-summary",
					"-schema-location", schemas + "/core/{{ .ResourceAPIVersion }}/{{ .ResourceKind }}.json",
					"-schema-location", schemas + "/{{ .Group }}/{{ .ResourceAPIVersion }}/{{ .ResourceKind }}.json"}, paths...)}
			}
		}
		if bin := filepath.Join(peers, "bin", "istioctl"); exists(bin) {
			istioctl = func(paths ...string) command {
				// Exit 79 is "analysis found errors", which the corpus has.
				return command{name: "istioctl analyze", argv: append([]string{bin, "analyze", "--use-kube=false", "-A"}, paths...), ok: []int{79}}
			}
		}
	}
	var rows []row
	missing := func(work, peer string) row {
		return row{work: work, versus: peer + " not installed (make bench-peers)", ratio: "—", met: "—"}
	}

	// Lint 11,000 resources, every rule, against the schema-only validator
	// and Istio's analyzer on the same files.
	if kubeconform != nil {
		s := measure(t, rounds, lint(c11k), kubeconform(c11k))
		rows = append(rows, ratioRow("lint 11,000 resources (1,000 namespaces)", s[0], s[1], "kubeconform -strict", 0.8, fmt.Sprintf("; RSS %s ≤ 250 MiB", mib(peak(s[0])))))
	} else {
		rows = append(rows, missing("lint 11,000 resources", "kubeconform"))
	}
	if istioctl != nil {
		s := measure(t, rounds, lint(c11k), istioctl(c11k))
		rows = append(rows, ratioRow("lint 11,000 resources (1,000 namespaces)", s[0], s[1], "istioctl analyze --use-kube=false -A", 0.2, ""))
	} else {
		rows = append(rows, missing("lint 11,000 resources", "istioctl"))
	}

	// Namespaces: the same resources in 1,000 and in 100 namespaces.
	{
		s := measure(t, rounds, lint(c11k), lint(c11k100))
		r := ratioRow("lint 11,000 resources: 1,000 vs 100 namespaces", s[0], s[1], "100 namespaces", 1.1, "")
		if f := float64(median(s[0])) / float64(median(s[1])); f < 0.9 {
			r.met = "no"
		}
		r.target = "within 10%"
		rows = append(rows, r)
	}

	// meshfleet test: 1,000 cases over the same 11,000 resources must take
	// less than lint on them (the index is shared).
	{
		dir := mesh("c11k-tests", 1000, 10)
		if err := os.WriteFile(filepath.Join(dir, "meshtest.yaml"), corpus.MeshTests(1000, 10, 1000), 0o644); err != nil {
			t.Fatal(err)
		}
		s := measure(t, rounds, command{name: "meshfleet test", argv: []string{mf, "test", dir}}, lint(dir))
		rows = append(rows, ratioRow("test: 1,000 MeshTest cases over 11,000 resources", s[0], s[1], "lint of the same", 1, ""))
	}

	// Linear growth: 110,000 resources against ten times 11,000.
	if os.Getenv("MESHFLEET_PERF_SKIP_110K") == "" {
		c110k := mesh("c110k", 10000, 10)
		s := measure(t, max(rounds/2, 1), lint(c110k), lint(c11k100))
		r := float64(median(s[0])) / float64(10*median(s[1]))
		met := "yes"
		if r > 1.15 || peak(s[0]) > 2<<30 {
			met = "no"
		}
		rows = append(rows, row{
			work:      "lint 110,000 resources",
			meshfleet: fmt.Sprintf("%s, %s", ms(median(s[0])), mib(peak(s[0]))),
			versus:    "10 × lint of 11,000 (" + ms(10*median(s[1])) + ")",
			ratio:     fmt.Sprintf("%.2f×", r),
			target:    fmt.Sprintf("linear (≤ 1.15×); RSS %s ≤ 2 GiB", mib(peak(s[0]))),
			met:       met,
		})
	}

	// Pre-commit: one 22-resource file, alone and with a 220-resource
	// repository as context.
	repo := mesh("repo", 20, 5)
	changed := filepath.Join(repo, "team-000", "svc-0000.yaml")
	one := filepath.Join(work, "one.yaml")
	if err := os.WriteFile(one, append(append(corpus.Fleet(0, "team-000"), "---\n"...), corpus.Fleet(1, "team-000")...), 0o644); err != nil {
		t.Fatal(err)
	}
	if istioctl != nil {
		s := measure(t, rounds, lint(one), istioctl(one))
		rows = append(rows, ratioRow("lint one 22-resource file (pre-commit)", s[0], s[1], "istioctl on the file", 0.5, ""))
		s = measure(t, rounds, lint("--context", repo, changed), istioctl(repo))
		rows = append(rows, ratioRow("lint one file with --context over 220 resources", s[0], s[1], "istioctl on the repository", 1, ""))
	} else {
		s := measure(t, rounds, lint(one))
		rows = append(rows, row{work: "lint one 22-resource file (pre-commit)", meshfleet: ms(median(s[0])) + ", " + mib(peak(s[0])), versus: "istioctl not installed (make bench-peers)", ratio: "—", target: "≤ 0.5× istioctl", met: "—"})
	}

	// Render 1,000 VMFleets, and render -o --check on an up-to-date folder,
	// against a yaml.v3 parse of what each reads.
	fleets := filepath.Join(work, "fleets")
	if err := corpus.WriteVMFleets(fleets, 1000); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(work, "rendered")
	run(t, command{name: "render -o", argv: []string{mf, "render", "-o", out, fleets}})
	render := command{name: "meshfleet render", argv: []string{mf, "render", fleets}}
	check := command{name: "meshfleet render --check", argv: []string{mf, "render", "-o", out, "--check", fleets}}
	parseIn := command{name: "yaml.v3 parse", argv: []string{yp, fleets}}
	parseBoth := command{name: "yaml.v3 parse", argv: []string{yp, fleets, out}}
	s := measure(t, rounds, render, parseIn, check, parseBoth)
	rows = append(rows,
		ratioRow("render 1,000 VMFleets", s[0], s[1], "yaml.v3 parse of the inputs", 2, ""),
		ratioRow("render -o --check, up to date", s[2], s[3], "yaml.v3 parse of inputs and outputs", 2, ""))

	var b strings.Builder
	fmt.Fprintf(&b, "meshfleet performance, %d rounds interleaved, medians; %s/%s, %d CPUs, %s\n\n", rounds, runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	b.WriteString("| work | meshfleet | compared with | ratio | target | met |\n| --- | --- | --- | --- | --- | --- |\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", r.work, r.meshfleet, r.versus, r.ratio, r.target, r.met)
	}
	fmt.Print(b.String())
	if p := os.Getenv("MESHFLEET_PERF_OUT"); p != "" {
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
