package render

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meshfleet/meshfleet/internal/manifest"
)

const hostileDir = "../fixtures/hostile/kustomize"

// hostileCases lists fixtures/hostile/kustomize/*; a run that finds none
// fails.
func hostileCases(t *testing.T) []string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(hostileDir, "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no hostile kustomize cases in %s (%v)", hostileDir, err)
	}
	var abs []string
	for _, d := range dirs {
		a, err := filepath.Abs(d)
		if err != nil {
			t.Fatal(err)
		}
		abs = append(abs, a)
	}
	return abs
}

// TestHostileKustomizations builds every fixtures/hostile/kustomize case
// from inside its directory. want.txt holds the one error line the build
// must fail with (a *manifest.Error with a position), or is empty when the
// case must build (a VMFleet whose exec annotation is ignored).
// UPDATE_GOLDEN=1 rewrites want.txt.
func TestHostileKustomizations(t *testing.T) {
	for _, dir := range hostileCases(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Chdir(dir)
			out, err := BuildKustomizationWith(".", Options{BuildDeadline: 30 * time.Second})
			got := ""
			if err != nil {
				got = err.Error() + "\n"
				var me *manifest.Error
				if !errors.As(err, &me) || me.Line == 0 {
					t.Errorf("error %v is not a positioned *manifest.Error", err)
				}
			} else if !strings.Contains(string(out), "kind: WorkloadGroup") {
				t.Errorf("the build succeeded without rendering the fleet:\n%s", out)
			}
			if os.Getenv("UPDATE_GOLDEN") != "" {
				if err := os.WriteFile("want.txt", []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile("want.txt")
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(string(want), got); d != "" {
				t.Errorf("build error differs from want.txt (-want +got):\n%s", d)
			}
		})
	}
}

// TestHostileKustomizationsStartNoProcess puts a trap first on PATH under
// every name a build could run (a shell, git, ssh, meshfleet, kustomize,
// helm, curl, docker) and builds every hostile case and the examples: no trap
// may fire.
func TestHostileKustomizationsStartNoProcess(t *testing.T) {
	bin, marker := t.TempDir(), filepath.Join(t.TempDir(), "ran")
	trap := fmt.Sprintf("#!/bin/sh\necho \"$0 $*\" >> %q\n", marker)
	for _, name := range []string{"sh", "bash", "git", "ssh", "meshfleet", "kustomize", "helm", "curl", "docker", "id"} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(trap), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	dirs := append(hostileCases(t), mustAbs(t, "../examples/kustomize"))
	for _, dir := range dirs {
		_, _ = BuildKustomization(dir)
	}
	if ran, err := os.ReadFile(marker); err == nil {
		t.Fatalf("a build started a process:\n%s", ran)
	}
	for _, p := range []string{"/tmp/PWNED", filepath.Join(hostileDir, "file-generator-exec", "ran")} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s exists: a hostile function ran (or a stale file is left from elsewhere)", p)
		}
	}
}

// TestHostileKustomizationsOpenNoSocket listens on a local port and names it
// in every field that can hold a URL: the build must refuse each before a
// connection, and the listener must never accept one.
func TestHostileKustomizationsOpenNoSocket(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skipf("cannot listen: %v", err)
	}
	var accepted atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			c.Close()
		}
	}()
	host := ln.Addr().String()
	url := "http://" + host
	cases := map[string]string{
		"resource":      "resources:\n- " + url + "/deploy.yaml\n",
		"git-http":      "resources:\n- " + url + "/org/repo//deploy?ref=main\n",
		"git-forced":    "resources:\n- git::" + url + "/org/repo.git\n",
		"git-ssh":       "resources:\n- ssh://git@" + host + "/org/repo\n",
		"git-scp":       "resources:\n- git@" + host + ":org/repo\n",
		"component":     "components:\n- " + url + "/org/repo//comp\n",
		"base":          "bases:\n- " + url + "/org/repo\n",
		"patch":         "patches:\n- path: " + url + "/patch.yaml\n",
		"psm":           "patchesStrategicMerge:\n- " + url + "/patch.yaml\n",
		"json6902":      "patchesJson6902:\n- path: " + url + "/op.yaml\n  target: {kind: X, name: x}\n",
		"crds":          "crds:\n- " + url + "/crd.yaml\n",
		"configuration": "configurations:\n- " + url + "/conf.yaml\n",
		"openapi":       "openapi:\n  path: " + url + "/schema.json\n",
		"replacement":   "replacements:\n- path: " + url + "/r.yaml\n",
		"cm-files":      "configMapGenerator:\n- name: c\n  files:\n  - k=" + url + "/f\n",
		"cm-envs":       "configMapGenerator:\n- name: c\n  envs:\n  - " + url + "/f.env\n",
		"secret-env":    "secretGenerator:\n- name: s\n  env: " + url + "/f.env\n",
		"generator":     "generators:\n- " + url + "/gen.yaml\n",
		"transformer":   "transformers:\n- " + url + "/org/repo//t?ref=x\n",
		"builtin-path":  "transformers:\n- |-\n  apiVersion: builtin\n  kind: ReplacementTransformer\n  metadata: {name: r}\n  replacements:\n  - path: " + url + "/r.yaml\n",
		"builtin-files": "generators:\n- |-\n  apiVersion: builtin\n  kind: SecretGenerator\n  metadata: {name: s}\n  files: [" + url + "/key]\n",
	}
	root := t.TempDir()
	for name, k := range cases {
		dir := filepath.Join(root, name)
		writeFiles(t, dir, map[string]string{"kustomization.yaml": k})
		_, err := BuildKustomizationWith(dir, Options{BuildDeadline: 20 * time.Second})
		var me *manifest.Error
		if !errors.As(err, &me) || me.Line == 0 || !strings.Contains(me.Msg, "meshfleet is offline") {
			t.Errorf("%s: error %v, want a positioned refusal (meshfleet is offline)", name, err)
		}
	}
	ln.Close()
	if n := accepted.Load(); n > 0 {
		t.Fatalf("the listener accepted %d connections", n)
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
