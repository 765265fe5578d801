package vmconfig

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestInstallScriptSyntax(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	p := filepath.Join(t.TempDir(), InstallScriptName)
	if err := os.WriteFile(p, []byte(installScript), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bash, "-n", p).CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v\n%s", err, out)
	}
}

// TestInstallScriptIdempotent runs install-sidecar.sh as root in a private
// mount namespace whose /etc, /var and /run are overlays over the real ones
// (nothing reaches the machine), with dpkg and systemctl faked: a wrong
// checksum installs nothing; the first run installs the package and every
// file where Istio's VM guide puts it and restarts istio; the second
// installs nothing, leaves one hosts block and only starts istio.
func TestInstallScriptIdempotent(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for a mount namespace")
	}
	if err := exec.Command("unshare", "-m", "true").Run(); err != nil {
		t.Skipf("no mount namespace here: %v", err)
	}
	tmp := t.TempDir()
	vm := filepath.Join(tmp, "vm")
	bin := filepath.Join(tmp, "bin")
	for _, d := range []string{vm, bin} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p, data string, mode os.FileMode) {
		t.Helper()
		if err := os.WriteFile(p, []byte(data), mode); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{
		"cluster.env":     "ISTIO_SVC_IP='10.0.0.2'\n",
		"mesh.yaml":       "defaultConfig: {}\n",
		"hosts":           "192.0.2.10 istiod.istio-system.svc\n",
		DropInName:        dropIn,
		InstallScriptName: installScript,
		"istio-token":     "token\n",
		"root-cert.pem":   "cert\n",
	}
	for name, data := range files {
		write(filepath.Join(vm, name), data, 0o644)
	}
	pkg := filepath.Join(tmp, "istio-sidecar.deb")
	write(pkg, "not really a package\n", 0o644)
	sum := sha256.Sum256([]byte("not really a package\n"))
	log := filepath.Join(tmp, "log")
	state := filepath.Join(tmp, "installed")
	fake := `#!/bin/sh
echo "$(basename "$0") $*" >> ` + log + `
case "$(basename "$0")" in
  dpkg-deb) echo 1.24.0 ;;
  dpkg-query) cat ` + state + ` 2>/dev/null || exit 1 ;;
  dpkg) echo 1.24.0 > ` + state + `; id istio-proxy >/dev/null 2>&1 || useradd -r istio-proxy ;;
esac
`
	for _, c := range []string{"dpkg-deb", "dpkg-query", "dpkg", "systemctl"} {
		write(filepath.Join(bin, c), fake, 0o755)
	}
	var mounts strings.Builder
	for _, d := range []string{"etc", "var", "run"} {
		for _, sub := range []string{"u", "w"} {
			if err := os.MkdirAll(filepath.Join(tmp, d, sub), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		mounts.WriteString("mount -t overlay overlay -o lowerdir=/" + d + ",upperdir=" + filepath.Join(tmp, d, "u") + ",workdir=" + filepath.Join(tmp, d, "w") + " /" + d + " || exit 77\n")
	}
	harness := mounts.String() + `
export PATH=` + bin + `:$PATH
cd ` + vm + `
if bash install-sidecar.sh --package ` + pkg + ` --sha256 ` + strings.Repeat("0", 64) + ` 2>/dev/null; then echo "wrong checksum accepted"; exit 1; fi
[ -e /etc/certs/root-cert.pem ] && { echo "wrong checksum installed files"; exit 1; }
echo RUN1 >> ` + log + `
bash install-sidecar.sh --package ` + pkg + ` --sha256 ` + hex.EncodeToString(sum[:]) + ` >/dev/null
echo RUN2 >> ` + log + `
bash install-sidecar.sh --package ` + pkg + ` --sha256 ` + hex.EncodeToString(sum[:]) + ` >/dev/null
for f in /etc/certs/root-cert.pem /var/run/secrets/tokens/istio-token /var/lib/istio/envoy/cluster.env /etc/istio/config/mesh /etc/systemd/system/istio.service.d/` + DropInName + `; do
  [ -s "$f" ] || { echo "missing $f"; exit 1; }
done
cmp -s cluster.env /var/lib/istio/envoy/cluster.env || { echo "cluster.env differs"; exit 1; }
[ "$(stat -c %a /var/run/secrets/tokens/istio-token)" = 600 ] || { echo "token readable by others"; exit 1; }
[ "$(grep -c '^192.0.2.10 istiod.istio-system.svc$' /etc/hosts)" = 1 ] || { echo "hosts line not exactly once"; exit 1; }
`
	hp := filepath.Join(tmp, "harness.sh")
	write(hp, harness, 0o755)
	out, err := exec.Command("unshare", "-m", "bash", hp).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 77 {
		t.Skipf("no overlay mounts here: %s", out)
	}
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	runs := strings.Split(string(data), "RUN2\n")
	if len(runs) != 2 {
		t.Fatalf("log:\n%s", data)
	}
	first, second := strings.Split(runs[0], "RUN1\n")[1], runs[1]
	for _, want := range []string{"dpkg --install", "systemctl restart istio"} {
		if !strings.Contains(first, want) {
			t.Errorf("first run lacks %q:\n%s", want, first)
		}
	}
	for _, not := range []string{"dpkg --install", "systemctl restart"} {
		if strings.Contains(second, not) {
			t.Errorf("second run did %q:\n%s", not, second)
		}
	}
	if !strings.Contains(second, "systemctl start istio") {
		t.Errorf("second run did not start istio:\n%s", second)
	}
}
