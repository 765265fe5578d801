package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// dockerfile is the part of a Dockerfile these tests read: the final
// stage's instructions, with exec-form arguments decoded.
type dockerfile struct {
	stages     int
	base       string // FROM of the final stage
	buildImage string // FROM of the first stage
	user       string
	entrypoint []string
	cmd        []string
	copies     []string // COPY lines of the final stage
	runs       []string // RUN lines of every stage
}

// parseDockerfile reads instructions, joining continuation lines and
// dropping comments, as the Dockerfile syntax defines them.
func parseDockerfile(t *testing.T, file string) dockerfile {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var d dockerfile
	var lines []string
	cur := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(l, "#") || (l == "" && cur == "") {
			continue
		}
		if strings.HasSuffix(l, "\\") {
			cur += strings.TrimSuffix(l, "\\") + " "
			continue
		}
		lines = append(lines, cur+l)
		cur = ""
	}
	exec := func(instr, arg string) []string {
		var v []string
		if err := json.Unmarshal([]byte(arg), &v); err != nil {
			t.Fatalf("%s %s: not the exec (JSON) form, which runs without a shell: %v", instr, arg, err)
		}
		return v
	}
	for _, l := range lines {
		instr, arg, _ := strings.Cut(l, " ")
		arg = strings.TrimSpace(arg)
		switch strings.ToUpper(instr) {
		case "FROM":
			d.stages++
			img, _, _ := strings.Cut(arg, " ")
			if d.stages == 1 {
				d.buildImage = img
			}
			d.base, d.user, d.entrypoint, d.cmd, d.copies = img, "", nil, nil, nil
		case "USER":
			d.user = arg
		case "ENTRYPOINT":
			d.entrypoint = exec(instr, arg)
		case "CMD":
			d.cmd = exec(instr, arg)
		case "COPY":
			d.copies = append(d.copies, arg)
		case "RUN":
			d.runs = append(d.runs, arg)
		}
	}
	return d
}

// distrolessPath is the PATH distroless images set.
var distrolessPath = []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}

// TestImageDefinition checks what can be checked without a container
// runtime: a distroless non-root final stage, meshfleet as the exec-form
// entrypoint at a directory on PATH (Argo CD's sidecar runs "meshfleet"
// by name), readable and executable by any user (Argo CD runs it as 999),
// fn as the default command (KRM function hosts pass no arguments), the
// Go version go.mod asks for, and ldflags naming variables that exist.
func TestImageDefinition(t *testing.T) {
	d := parseDockerfile(t, filepath.Join("..", "..", "Dockerfile"))
	if !strings.HasPrefix(d.base, "gcr.io/distroless/") || !strings.HasSuffix(d.base, ":nonroot") {
		t.Errorf("final stage FROM %s: want a distroless :nonroot image", d.base)
	}
	uid, _, _ := strings.Cut(d.user, ":")
	if d.user == "" || uid == "0" || uid == "root" {
		t.Errorf("final stage USER %q: want a non-root user", d.user)
	}
	if len(d.entrypoint) != 1 || path.Base(d.entrypoint[0]) != "meshfleet" || !slicesContains(distrolessPath, path.Dir(d.entrypoint[0])) {
		t.Errorf("ENTRYPOINT %q: want meshfleet alone, at a directory on the image's PATH", d.entrypoint)
	}
	copied := false
	for _, c := range d.copies {
		if strings.HasSuffix(c, " "+d.entrypoint[0]) && strings.Contains(c, "--chmod=0755") {
			copied = true
		}
	}
	if !copied {
		t.Errorf("no COPY --chmod=0755 of the entrypoint %s in the final stage: %q", d.entrypoint[0], d.copies)
	}
	if strings.Join(d.cmd, " ") != "fn" {
		t.Errorf("CMD %q: want [fn], the KRM function", d.cmd)
	}
	// The build image's Go is the toolchain the module is built with.
	if want := "golang:" + strings.TrimPrefix(runtimeGoVersion(t), "go"); d.buildImage != want {
		t.Errorf("build stage FROM %s, want %s (the Go this module is tested with)", d.buildImage, want)
	}
	// Every -X target names a variable of version.go.
	src, err := os.ReadFile("version.go")
	if err != nil {
		t.Fatal(err)
	}
	xs := regexp.MustCompile(`-X github.com/meshfleet/meshfleet/internal/cli\.(\w+)=`).FindAllStringSubmatch(strings.Join(d.runs, " "), -1)
	if len(xs) != 3 {
		t.Errorf("want version, commit and date stamped; found %v", xs)
	}
	for _, x := range xs {
		if !regexp.MustCompile(`(?m)^\s+` + x[1] + `\s+= `).Match(src) {
			t.Errorf("-X cli.%s: no such variable in version.go", x[1])
		}
	}
}

func slicesContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func runtimeGoVersion(t *testing.T) string {
	out, err := exec.Command("go", "env", "GOVERSION").Output()
	if err != nil {
		t.Skip("go not on PATH")
	}
	return strings.TrimSpace(string(out))
}

// TestImageEntrypointContract runs meshfleet the ways the image is run:
// as a KRM function host does (ENTRYPOINT + CMD, no arguments of its own,
// the example fleet as functionConfig on stdin), and by name from PATH as
// the Argo CD plugin's commands do.
func TestImageEntrypointContract(t *testing.T) {
	d := parseDockerfile(t, filepath.Join("..", "..", "Dockerfile"))
	bin := meshfleetBin(t)
	argv := append([]string{filepath.Join(bin, path.Base(d.entrypoint[0]))}, d.cmd...)

	fleet, err := os.ReadFile(filepath.Join("..", "..", "examples", "container", "fleet.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Metadata struct {
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"metadata"`
	}
	if err := yaml.Unmarshal(fleet, &fc); err != nil {
		t.Fatal(err)
	}
	var fn struct {
		Container struct {
			Image string `yaml:"image"`
		} `yaml:"container"`
	}
	if err := yaml.Unmarshal([]byte(fc.Metadata.Annotations["config.kubernetes.io/function"]), &fn); err != nil || !strings.Contains(fn.Container.Image, "meshfleet") {
		t.Fatalf("examples/container/fleet.yaml names no meshfleet container function: %v %+v", err, fn)
	}
	var rl bytes.Buffer
	rl.WriteString("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig:\n")
	for _, l := range strings.Split(strings.TrimRight(string(fleet), "\n"), "\n") {
		rl.WriteString("  " + l + "\n")
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin = &rl
	cmd.Env = append(os.Environ(), "PATH="+bin)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%q: %v", argv, err)
	}
	for _, want := range []string{"kind: ResourceList", "kind: WorkloadGroup", "kind: WorkloadEntry", "name: ledger-vm-1"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("function output lacks %q:\n%s", want, out)
		}
	}

	// The Argo CD plugin runs commands by name: each must be the
	// entrypoint's binary, found on PATH.
	data, err := os.ReadFile(filepath.Join("..", "..", "examples", "argocd", "plugin.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var p cmpPlugin
	if err := yaml.Unmarshal(data, &p); err != nil {
		t.Fatal(err)
	}
	for _, c := range [][]string{p.Spec.Discover.Find.Command.Command, p.Spec.Generate.Command} {
		if len(c) == 0 || c[0] != path.Base(d.entrypoint[0]) {
			t.Errorf("plugin command %q does not run the image's %s by name", c, path.Base(d.entrypoint[0]))
		}
	}
}
