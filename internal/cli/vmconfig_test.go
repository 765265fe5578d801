package cli

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Golden cases of vm-config live in fixtures/vmconfig/<case>/: args (the
// command line, paths relative to the case), the inputs it names, and
// either want/ (the tree written to -o) or want.err (stderr, exit 2).
// istioctl/, where present, holds what the real `istioctl x workload entry
// configure` wrote for the same inputs (cluster.env, mesh.yaml, hosts; per
// VM for a fleet, given the rendered WorkloadGroup with the VM's labels and
// network in its template): meshfleet must write the same bytes, but for
// the order of ISTIO_INBOUND_PORTS, which istioctl takes from a Go map.
// istioctl/PANIC marks a case istioctl cannot do. UPDATE_GOLDEN=1 rewrites
// want/ and want.err, never istioctl/.
const vmConfigFixtures = "../../fixtures/vmconfig"

func TestVMConfigGolden(t *testing.T) {
	abs, err := filepath.Abs(vmConfigFixtures)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(abs)
	if err != nil {
		t.Fatal(err)
	}
	update := os.Getenv("UPDATE_GOLDEN") != ""
	ran := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(abs, e.Name())
		argsText, err := os.ReadFile(filepath.Join(dir, "args"))
		if err != nil {
			continue
		}
		ran++
		t.Run(e.Name(), func(t *testing.T) {
			t.Chdir(dir)
			out := t.TempDir()
			args := append([]string{"vm-config"}, strings.Fields(string(argsText))...)
			args = append(args, "-o", out)
			var stdout, stderr bytes.Buffer
			code := Main(args, strings.NewReader(""), &stdout, &stderr)
			wantErr, errCase := readOptional(t, "want.err")
			if errCase || (update && code != 0) {
				if code != ExitUsage {
					t.Fatalf("exit %d, want %d; stderr:\n%s", code, ExitUsage, stderr.String())
				}
				if update {
					writeGolden(t, "want.err", stderr.Bytes())
					return
				}
				if d := cmp.Diff(string(wantErr), stderr.String()); d != "" {
					t.Errorf("stderr (-want +got):\n%s", d)
				}
				if entries, _ := os.ReadDir(out); len(entries) > 0 {
					t.Errorf("an input error wrote %d entries to -o", len(entries))
				}
				return
			}
			if code != ExitOK {
				t.Fatalf("exit %d; stderr:\n%s", code, stderr.String())
			}
			got := readTree(t, out)
			if update {
				if err := os.RemoveAll("want"); err != nil {
					t.Fatal(err)
				}
				for p, data := range got {
					writeGolden(t, filepath.Join("want", filepath.FromSlash(p)), data)
				}
				return
			}
			if d := cmp.Diff(readTree(t, "want"), got); d != "" {
				t.Errorf("written tree (-want +got):\n%s", d)
			}
			compareIstioctl(t, got)
			// Running again leaves DIR as it is, and --check agrees.
			stdout.Reset()
			stderr.Reset()
			check := append(append([]string{}, args...), "--check")
			if code := Main(check, strings.NewReader(""), &stdout, &stderr); code != ExitOK {
				t.Errorf("--check on a fresh DIR: exit %d\n%s%s", code, stdout.String(), stderr.String())
			}
		})
	}
	if ran == 0 {
		t.Fatal("no vm-config golden cases found")
	}
}

// compareIstioctl holds the written istioctl files to istioctl/'s.
func compareIstioctl(t *testing.T, got map[string][]byte) {
	t.Helper()
	if _, err := os.Stat("istioctl/PANIC"); err == nil {
		return
	}
	ref := readTree(t, "istioctl")
	if len(ref) == 0 {
		return
	}
	for p, want := range ref {
		g, ok := got[p]
		if !ok {
			t.Errorf("istioctl wrote %s, meshfleet did not", p)
			continue
		}
		if filepath.Base(p) == "cluster.env" {
			want, g = inboundPortsAsSet(want), inboundPortsAsSet(g)
		}
		if d := cmp.Diff(string(want), string(g)); d != "" {
			t.Errorf("%s differs from istioctl's (-istioctl +meshfleet):\n%s", p, d)
		}
	}
}

// inboundPortsAsSet sorts the ports of the ISTIO_INBOUND_PORTS line.
func inboundPortsAsSet(env []byte) []byte {
	lines := strings.Split(string(env), "\n")
	for i, l := range lines {
		if v, ok := strings.CutPrefix(l, "ISTIO_INBOUND_PORTS="); ok {
			ports := strings.Split(strings.Trim(v, "'"), ",")
			sort.Strings(ports)
			lines[i] = "ISTIO_INBOUND_PORTS=" + strings.Join(ports, ",")
		}
	}
	return []byte(strings.Join(lines, "\n"))
}

func readOptional(t *testing.T, p string) ([]byte, bool) {
	t.Helper()
	data, err := os.ReadFile(p)
	if os.IsNotExist(err) {
		return nil, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return data, true
}

func writeGolden(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// readTree reads every regular file under dir, keyed by slash path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) && p == dir {
				return filepath.SkipDir
			}
			return err
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[filepath.ToSlash(rel)] = data
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
