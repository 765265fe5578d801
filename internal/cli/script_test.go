package cli

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets the test binary serve as the meshfleet command inside
// testscript scripts, and as the exec KRM function kustomize runs.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"meshfleet": func() {
			start := time.Now()
			code := Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
			writeUsage(start)
			os.Exit(code)
		},
	})
}

// meshfleetBin returns a new directory holding "meshfleet", a link to this
// test binary, which TestMain runs as meshfleet when so named: for tests
// that run meshfleet the way a host does (Argo CD, pre-commit, kpt).
func meshfleetBin(t *testing.T) string {
	t.Helper()
	bin := t.TempDir()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(self, filepath.Join(bin, "meshfleet")); err != nil {
		t.Fatal(err)
	}
	return bin
}

// TestScripts pins the CLI's contracts: testdata/script/*.txtar hold input
// files, commands, expected output and exit codes. UPDATE_GOLDEN=1 rewrites
// the expected output in place.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: os.Getenv("UPDATE_GOLDEN") != "",
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": exitcode,
		},
		Setup: func(e *testscript.Env) error {
			e.Setenv("NO_COLOR", "1")
			return nil
		},
	})
}

// exitcode N PROG ARGS... runs PROG and fails unless it exits with N; its
// output is kept for the stdout and stderr commands that follow.
func exitcode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: %v", err)
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exitcode: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}
