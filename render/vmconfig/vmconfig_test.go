package vmconfig

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestShellQuote(t *testing.T) {
	// istioctl's shellescape.Quote, pattern `[^\\w@%+=:,./-]` included:
	// letters but w and digits are "unsafe", so nearly all is quoted.
	for in, want := range map[string]string{
		"":            "''",
		"/":           "/",
		"w":           "w",
		"-,./:=@%+":   "-,./:=@%+",
		`\`:           `\`,
		"foo":         "'foo'",
		"10.0.0.1":    "'10.0.0.1'",
		"*":           "'*'",
		"it's":        `'it'"'"'s'`,
		"a\nb":        "'a\nb'",
		"$(reboot)":   "'$(reboot)'",
		"`reboot`":    "'`reboot`'",
		`{"k":"v"}`:   `'{"k":"v"}'`,
		"ww/w":        "ww/w",
		"fd00:10::1b": "'fd00:10::1b'",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestCanonicalService(t *testing.T) {
	for _, c := range []struct {
		labels            map[string]string
		name, rev         string
		wantName, wantRev string
	}{
		{nil, "wg", "", "wg", "latest"},
		{map[string]string{"app": "a", "version": "v1"}, "wg", "", "a", "v1"},
		{map[string]string{"app": "a", "app.kubernetes.io/name": "k", "app.kubernetes.io/version": "2"}, "wg", "", "k", "2"},
		{map[string]string{"app": "a", "service.istio.io/canonical-name": "c", "service.istio.io/canonical-revision": "r", "version": "v"}, "wg", "", "c", "r"},
	} {
		n, r := canonicalService(c.labels, c.name)
		if n != c.wantName || r != c.wantRev {
			t.Errorf("canonicalService(%v) = %s, %s; want %s, %s", c.labels, n, r, c.wantName, c.wantRev)
		}
	}
}

// parseClusterEnv reads cluster.env the way a shell reads assignments
// without expansion: NAME= then bare safe characters or single-quoted
// segments joined by "'" escapes ('"'"'). It fails on anything else: a
// line a shell would run as a command.
func parseClusterEnv(s string) (map[string]string, bool) {
	out := map[string]string{}
	for s != "" {
		i := strings.IndexByte(s, '=')
		if i <= 0 || !envNameRE.MatchString(s[:i]) {
			return nil, false
		}
		name := s[:i]
		s = s[i+1:]
		var v strings.Builder
		for s != "" && s[0] != '\n' {
			switch {
			case s[0] == '\'':
				j := strings.IndexByte(s[1:], '\'')
				if j < 0 {
					return nil, false
				}
				v.WriteString(s[1 : 1+j])
				s = s[j+2:]
			case strings.HasPrefix(s, `"'"`):
				v.WriteByte('\'')
				s = s[3:]
			case !shellUnsafe.MatchString(s[:1]):
				v.WriteByte(s[0])
				s = s[1:]
			default:
				return nil, false
			}
		}
		if s == "" {
			return nil, false // every line ends in a newline
		}
		s = s[1:]
		out[name] = v.String()
	}
	return out, true
}

// FuzzVMConfig drives the input boundary of vm-config — a WorkloadGroup or
// VMFleet file and a mesh config, both untrusted repository content — and
// checks what reaches the VM: cluster.env is only assignments (nothing a
// shell sourcing it as root would run), its values round-trip, mesh.yaml
// is YAML, hosts is empty or one line.
func FuzzVMConfig(f *testing.F) {
	cases, _ := filepath.Glob("../../fixtures/vmconfig/*")
	for _, dir := range cases {
		mesh, _ := os.ReadFile(filepath.Join(dir, "meshconfig.yaml"))
		for _, name := range []string{"workloadgroup.yaml", "fleet.yaml"} {
			if in, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
				f.Add(in, mesh)
			}
		}
	}
	f.Add([]byte("kind: WorkloadGroup\nmetadata: {name: a, namespace: b}\nspec: {template: {serviceAccount: s}}\n"), []byte("defaultConfig: {}\n"))
	f.Fuzz(func(t *testing.T, in, meshData []byte) {
		src, errs := Load("in.yaml", in)
		mesh, merr := ParseMesh("mesh.yaml", meshData)
		if len(errs) > 0 || merr != nil {
			return
		}
		opts := Options{ClusterID: "c1", Revision: "rev", IngressIP: "10.0.0.1", CaptureDNS: true}
		if src.Fleet == nil {
			opts.InternalIP = "10.0.0.2"
		}
		files, err := Files(src, mesh, opts)
		if err != nil {
			return
		}
		if len(files) == 0 {
			t.Fatal("no files and no error")
		}
		for _, file := range files {
			switch filepath.Base(file.Path) {
			case "cluster.env":
				env, ok := parseClusterEnv(string(file.Data))
				if !ok {
					t.Fatalf("cluster.env is not plain assignments:\n%s", file.Data)
				}
				if env["ISTIO_NAMESPACE"] != src.Group.Namespace || env["SERVICE_ACCOUNT"] == "" {
					t.Fatalf("cluster.env lost the group's identity:\n%s", file.Data)
				}
			case "mesh.yaml":
				var m map[string]any
				if err := yaml.Unmarshal(file.Data, &m); err != nil || m["defaultConfig"] == nil {
					t.Fatalf("mesh.yaml: %v\n%s", err, file.Data)
				}
			case "hosts":
				if strings.Count(string(file.Data), "\n") != 1 {
					t.Fatalf("hosts is not one line: %q", file.Data)
				}
			}
		}
	})
}
