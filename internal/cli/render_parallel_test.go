package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/meshfleet/meshfleet/internal/corpus"
)

// TestRenderParallelDeterministic renders a directory whose files are read
// on several workers, with problems in some, notices for others and
// passthrough objects, and requires stdout, stderr and exit code to be the
// same on one worker and on many, run after run: reading in parallel must
// not change what render says or the order it says it in.
func TestRenderParallelDeterministic(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 60 {
		write(fmt.Sprintf("fleets/f%02d.yaml", i), string(corpus.VMFleet(i)))
	}
	for i := range 5 {
		write(fmt.Sprintf("objects/cm%d.yaml", i), fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\n  namespace: ns-0\n", i))
	}
	write("nested/a/kustomization.yaml", "resources: []\n")
	write("nested/b/kustomization.yaml", "resources: []\n")
	outside := filepath.Join(t.TempDir(), "secret.yaml")
	if err := os.WriteFile(outside, []byte("a: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"fleets/link1.yaml", "objects/link2.yaml"} {
		if err := os.Symlink(outside, filepath.Join(dir, filepath.FromSlash(l))); err != nil {
			t.Skip("no symbolic links here:", err)
		}
	}

	type result struct {
		code           int
		stdout, stderr string
	}
	run := func(procs int, args ...string) result {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		var out, errb bytes.Buffer
		code := Main(args, nil, &out, &errb)
		return result{code, out.String(), errb.String()}
	}
	good := []string{"render", "--passthrough", dir}
	want := run(1, good...)
	if want.code != ExitOK || want.stdout == "" {
		t.Fatalf("render exited %d, stderr:\n%s", want.code, want.stderr)
	}
	for range 5 {
		if got := run(4, good...); got != want {
			t.Fatalf("render on 4 workers differs from one worker:\nstderr %q\nwant   %q", got.stderr, want.stderr)
		}
	}

	// Broken files: every problem is reported once, in the same order.
	write("fleets/f07.yaml", "apiVersion: meshfleet.dev/v1alpha1\nkind: VMFleet\nmetadata: {name: x}\nspec: {ports: []}\n")
	write("fleets/f31.yaml", "a: [\n")
	write("objects/cm3.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-3, name: again}\n")
	want = run(1, good...)
	if want.code != ExitUsage || want.stdout != "" {
		t.Fatalf("render of broken files exited %d with stdout %q", want.code, want.stdout)
	}
	for range 5 {
		if got := run(4, good...); got != want {
			t.Fatalf("render of broken files on 4 workers differs from one worker:\nstderr %q\nwant   %q", got.stderr, want.stderr)
		}
	}
	disc := []string{"discover", dir}
	want = run(1, disc...)
	for range 3 {
		if got := run(4, disc...); got != want {
			t.Fatalf("discover on 4 workers differs from one worker:\n%+v\nwant %+v", got, want)
		}
	}
}

// TestTuneRenderGC: a small input turns collection off under the soft
// limit, a large one keeps GOGC=400, an explicit GOGC or GOMEMLIMIT is
// left alone, and restore puts back what was there.
func TestTuneRenderGC(t *testing.T) {
	for _, k := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	percent := func() int { p := debug.SetGCPercent(100); debug.SetGCPercent(p); return p }
	before, beforeLimit := percent(), debug.SetMemoryLimit(-1)

	loaded, restore := tuneRenderGC()
	if got := percent(); got != 400 {
		t.Errorf("while reading: GOGC %d, want 400", got)
	}
	loaded(1 << 20)
	if got, limit := percent(), debug.SetMemoryLimit(-1); got >= 0 || limit != renderNoGCBudget {
		t.Errorf("1 MiB of input: GOGC %d, limit %d; want collection off under %d", got, limit, renderNoGCBudget)
	}
	restore()
	if got, limit := percent(), debug.SetMemoryLimit(-1); got != before || limit != beforeLimit {
		t.Errorf("restored GOGC %d, limit %d; want %d, %d", got, limit, before, beforeLimit)
	}

	loaded, restore = tuneRenderGC()
	loaded(64 << 20)
	if got := percent(); got != 400 {
		t.Errorf("64 MiB of input: GOGC %d, want 400", got)
	}
	restore()

	t.Setenv("GOGC", "150")
	loaded, restore = tuneRenderGC()
	if loaded != nil || percent() != before {
		t.Errorf("explicit GOGC: settings changed")
	}
	restore()
}
