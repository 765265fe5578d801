package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestMeshTestGolden runs `meshfleet test .` in every fixtures/meshtest
// case and compares its exit code and output with want.txt; explain.args
// (one argument list per line) gives explain runs compared with
// explain.txt. Every case but the input-error ones holds a case that passes
// and one that must fail. UPDATE_GOLDEN=1 rewrites the goldens.
func TestMeshTestGolden(t *testing.T) {
	dirs, err := filepath.Glob("../../fixtures/meshtest/*")
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatal("no fixtures in fixtures/meshtest")
	}
	for _, dir := range dirs {
		dir, _ := filepath.Abs(dir)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Chdir(dir)
			got := runMain(t, "test", ".")
			if !strings.HasSuffix(dir, "-errors") {
				if !strings.Contains(got, "\nPASS ") || !strings.Contains(got, "\nFAIL ") {
					t.Errorf("a fixture needs a case that passes and one that fails:\n%s", got)
				}
			} else if !strings.HasPrefix(got, "exit 2\n") {
				t.Errorf("an input-error fixture must exit 2:\n%s", got)
			}
			golden(t, "want.txt", got)
			args, err := os.ReadFile("explain.args")
			if os.IsNotExist(err) {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			for _, line := range strings.Split(strings.TrimSpace(string(args)), "\n") {
				fmt.Fprintf(&out, "$ meshfleet explain %s\n", line)
				out.WriteString(runMain(t, append([]string{"explain"}, strings.Fields(line)...)...))
			}
			golden(t, "explain.txt", out.String())
		})
	}
}

// runMain runs meshfleet in-process and returns its exit code, stdout and
// stderr as one text.
func runMain(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Main(args, strings.NewReader(""), &stdout, &stderr)
	return fmt.Sprintf("exit %d\n%s%s", code, stdout.String(), stderr.String())
}

func golden(t *testing.T, file, got string) {
	t.Helper()
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (UPDATE_GOLDEN=1 writes it)", err)
	}
	if d := cmp.Diff(string(want), got); d != "" {
		t.Errorf("%s (-want +got):\n%s", file, d)
	}
}
