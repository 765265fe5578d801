package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPreCommit runs the meshfleet-lint hook the way pre-commit runs it: a
// git repository, a .pre-commit-config.yaml whose hook has this
// repository's entry and file pattern (as a local system hook, with this
// test binary as meshfleet on PATH), and `pre-commit run --all-files`,
// which splits the file list across processes (one per core). A
// VirtualService routing to a subset that a DestinationRule in another file
// defines passes whatever the split; one routing to an undefined subset
// fails, reported once.
func TestPreCommit(t *testing.T) {
	precommit, err := exec.LookPath("pre-commit")
	if err != nil {
		t.Skip("pre-commit is not installed (apt-get install pre-commit)")
	}
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not installed")
	}
	hooks, err := os.ReadFile("../../.pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	entry := hookField(t, string(hooks), "meshfleet-lint", "entry")
	files := hookField(t, string(hooks), "meshfleet-lint", "files")

	bin := meshfleetBin(t)
	repo := t.TempDir()
	home := t.TempDir()
	env := append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"HOME="+home, "PRE_COMMIT_HOME="+filepath.Join(home, "cache"), "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	run := func(name string, args ...string) (string, error) {
		cmd := exec.Command(name, args...)
		cmd.Dir, cmd.Env = repo, env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	config := "repos:\n- repo: local\n  hooks:\n  - id: meshfleet-lint\n    name: meshfleet lint\n    entry: " + entry +
		"\n    language: system\n    files: '" + files + "'\n"
	manifests := map[string]string{
		".pre-commit-config.yaml": config,
		"apps/dr.yaml":            "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: cart, namespace: shop}\nspec:\n  host: cart\n  subsets:\n  - {name: v1, labels: {version: v1}}\n",
		"apps/svc.yaml":           "apiVersion: v1\nkind: Service\nmetadata: {name: cart, namespace: shop}\nspec:\n  selector: {app: cart}\n  ports: [{name: http, port: 80}]\n",
		"apps/deploy.yaml":        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: cart, namespace: shop}\nspec:\n  selector: {matchLabels: {app: cart}}\n  template:\n    metadata: {labels: {app: cart, version: v1}}\n    spec: {containers: [{name: cart, image: cart}]}\n",
		"apps/vs.yaml":            "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: cart, namespace: shop}\nspec:\n  hosts: [cart]\n  http:\n  - route:\n    - destination: {host: cart, subset: v1}\n",
		"apps/cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: shop}\n",
		"apps/cm2.yaml":           "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: shop}\n",
	}
	for name, content := range manifests {
		p := filepath.Join(repo, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"commit", "-qm", "init"}} {
		if out, err := run(git, args...); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	if out, err := run(precommit, "run", "--all-files"); err != nil {
		t.Fatalf("pre-commit on a consistent repository failed: %v\n%s", err, out)
	}
	bad := strings.Replace(manifests["apps/vs.yaml"], "subset: v1", "subset: v9", 1)
	if err := os.WriteFile(filepath.Join(repo, "apps/vs.yaml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := run(precommit, "run", "--files", "apps/vs.yaml")
	if err == nil || strings.Count(out, "MF302") != 1 || !strings.Contains(out, `subset "v9"`) {
		t.Fatalf("pre-commit on the changed VirtualService: %v, want one MF302 for subset v9\n%s", err, out)
	}
	out, err = run(precommit, "run", "--all-files")
	if err == nil || strings.Count(out, "MF302") != 1 {
		t.Fatalf("pre-commit --all-files: %v, want exactly one MF302 whatever the split\n%s", err, out)
	}
}

// hookField returns a scalar field of one hook in .pre-commit-hooks.yaml.
func hookField(t *testing.T, hooks, id, field string) string {
	t.Helper()
	in := false
	for _, line := range strings.Split(hooks, "\n") {
		if strings.HasPrefix(line, "- id: ") {
			in = strings.TrimSpace(strings.TrimPrefix(line, "- id: ")) == id
			continue
		}
		if in && strings.HasPrefix(strings.TrimSpace(line), field+":") {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), field+":"))
		}
	}
	t.Fatalf("no %s in hook %s", field, id)
	return ""
}

// TestPreCommitSystemHook uses this repository's hook definitions the way a
// team without Go does: a .pre-commit-config.yaml naming the hooks
// repository at a tag and the meshfleet-lint-system hook, which runs the
// meshfleet on PATH (here this test binary). The hooks repository is a
// local clone holding .pre-commit-hooks.yaml, tagged as the README's rev:
// names, so nothing is fetched. The -system hooks must match the golang
// ones in everything but the language.
func TestPreCommitSystemHook(t *testing.T) {
	hooks, err := os.ReadFile("../../.pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"meshfleet-lint", "meshfleet-render-check"} {
		for _, field := range []string{"entry", "files"} {
			if a, b := hookField(t, string(hooks), id, field), hookField(t, string(hooks), id+"-system", field); a != b {
				t.Errorf("%s %s %q, but %s-system has %q", id, field, a, id, b)
			}
		}
		if lang := hookField(t, string(hooks), id+"-system", "language"); lang != "system" {
			t.Errorf("%s-system: language %s", id, lang)
		}
	}
	precommit, err := exec.LookPath("pre-commit")
	if err != nil {
		t.Skip("pre-commit is not installed (apt-get install pre-commit)")
	}
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not installed")
	}
	rev := readmeRev(t)
	bin := meshfleetBin(t)
	hooksRepo, repo, home := t.TempDir(), t.TempDir(), t.TempDir()
	env := append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"HOME="+home, "PRE_COMMIT_HOME="+filepath.Join(home, "cache"), "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	run := func(dir, name string, args ...string) (string, error) {
		cmd := exec.Command(name, args...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if err := os.WriteFile(filepath.Join(hooksRepo, ".pre-commit-hooks.yaml"), hooks, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"commit", "-qm", "hooks"}, {"tag", rev}} {
		if out, err := run(hooksRepo, git, args...); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	files := map[string]string{
		".pre-commit-config.yaml": "repos:\n- repo: " + hooksRepo + "\n  rev: " + rev + "\n  hooks:\n  - id: meshfleet-lint-system\n",
		"apps/dr.yaml":            "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: cart, namespace: shop}\nspec:\n  host: cart\n  subsets:\n  - {name: v1, labels: {version: v1}}\n",
		"apps/vs.yaml":            "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: cart, namespace: shop}\nspec:\n  hosts: [cart]\n  http:\n  - route:\n    - destination: {host: cart, subset: v9}\n",
	}
	writeFiles(t, repo, files)
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"commit", "-qm", "init"}} {
		if out, err := run(repo, git, args...); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	out, err := run(repo, precommit, "run", "--all-files")
	if err == nil || strings.Count(out, "MF302") != 1 || !strings.Contains(out, "meshfleet lint (installed binary)") {
		t.Fatalf("pre-commit with meshfleet-lint-system: %v, want one MF302\n%s", err, out)
	}
}

// readmeRev is the tag the README's pre-commit example pins.
func readmeRev(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if l := strings.TrimSpace(line); strings.HasPrefix(l, "rev: ") {
			return strings.Fields(strings.TrimPrefix(l, "rev: "))[0]
		}
	}
	t.Fatal("README.md has no pre-commit rev:")
	return ""
}
