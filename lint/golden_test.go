package lint

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshfleet/meshfleet/lint/output"
)

const fixtures = "../fixtures/lint"

var (
	engineOnce sync.Once
	engine     *Engine
	engineErr  error
)

// testEngine compiles the built-in rules once for the whole test binary,
// as the CLI does once per process.
func testEngine(t testing.TB) *Engine {
	t.Helper()
	engineOnce.Do(func() { engine, engineErr = NewEngine(context.Background(), EngineOptions{}) })
	if engineErr != nil {
		t.Fatal(engineErr)
	}
	return engine
}

// newTestEngine compiles an engine of its own, for a test that sets its
// test-only fields: testEngine's is shared by every test.
func newTestEngine(t testing.TB) *Engine {
	t.Helper()
	e, err := NewEngine(context.Background(), EngineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// lintText lints dir as `meshfleet lint .` run inside it would, and returns
// the text output with file names relative to dir.
func lintText(t *testing.T, dir string) string {
	t.Helper()
	t.Chdir(dir)
	cfg := &Config{}
	if _, err := os.Stat(ConfigFile); err == nil {
		if cfg, err = LoadConfig(ConfigFile); err != nil {
			t.Fatal(err)
		}
	}
	res, err := testEngine(t).Lint(context.Background(), Options{Paths: []string{"."}, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	w, err := output.New("text", output.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := w.Write(&buf, &res.Report); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestGolden lints each fixtures/lint/<case>/ and compares the text output
// with its want.txt. UPDATE_GOLDEN=1 rewrites want.txt.
func TestGolden(t *testing.T) {
	entries, err := os.ReadDir(fixtures)
	if err != nil {
		t.Fatal(err)
	}
	var cases []string
	for _, e := range entries {
		if e.IsDir() {
			cases = append(cases, filepath.Join(fixtures, e.Name(), "want.txt"))
		}
	}
	if len(cases) == 0 {
		t.Fatalf("no golden cases under %s", fixtures)
	}
	update := os.Getenv("UPDATE_GOLDEN") != ""
	for _, wantFile := range cases {
		dir, _ := filepath.Abs(filepath.Dir(wantFile))
		wantFile, _ := filepath.Abs(wantFile)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			got := lintText(t, dir)
			if update {
				if err := os.WriteFile(wantFile, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(wantFile)
			if err != nil {
				t.Fatalf("%v (UPDATE_GOLDEN=1 writes it)", err)
			}
			if d := cmp.Diff(string(want), got); d != "" {
				t.Errorf("lint output differs from want.txt (-want +got):\n%s", d)
			}
		})
	}
}

// TestEveryRuleHasFixtures holds every rule in the catalogue to a case that
// fires it (fixtures/lint/<ID>-fires) and one that must not
// (fixtures/lint/<ID>-clean), so no rule ships untested or noisy.
func TestEveryRuleHasFixtures(t *testing.T) {
	for _, r := range testEngine(t).Rules() {
		fires, err := os.ReadFile(filepath.Join(fixtures, r.ID+"-fires", "want.txt"))
		if err != nil {
			t.Errorf("rule %s has no firing fixture: %v", r.ID, err)
		} else if !strings.Contains(string(fires), " "+r.ID+" ") {
			t.Errorf("rule %s does not fire on %s-fires", r.ID, r.ID)
		}
		clean, err := os.ReadFile(filepath.Join(fixtures, r.ID+"-clean", "want.txt"))
		if err != nil {
			t.Errorf("rule %s has no clean fixture: %v", r.ID, err)
		} else if strings.Contains(string(clean), " "+r.ID+" ") {
			t.Errorf("rule %s fires on %s-clean", r.ID, r.ID)
		}
	}
}
