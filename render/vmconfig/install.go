package vmconfig

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/meshfleet/meshfleet/render"
)

// Names of the files beside the istioctl ones.
const (
	InstallScriptName = "install-sidecar.sh"
	DropInName        = "10-meshfleet.conf"
	// TokenDuration is istioctl's default --tokenDuration (3600 s).
	TokenDuration = "1h"
)

// installScript replaces the seed's hand-written install-sidecar.sh. It is
// the same for every VM (nothing from the input is spliced into it, so no
// input can inject a command) and reads the files beside it. The paths are
// those of Istio's "Virtual Machine Installation" guide and of the
// istio-sidecar package (istio-start.sh sources
// /var/lib/istio/envoy/cluster.env; istiod's root certificate at
// /etc/certs/root-cert.pem, the bootstrap token at
// /var/run/secrets/tokens/istio-token, the mesh config at
// /etc/istio/config/mesh).
const installScript = `#!/usr/bin/env bash
# install-sidecar.sh, written by meshfleet vm-config: installs the Istio
# sidecar and this directory's onboarding files on this VM. Run it as root
# from a copy of the directory meshfleet wrote for the VM:
#
#   sudo bash install-sidecar.sh --package istio-sidecar.deb --sha256 <sha256>
#
# The package (.deb or .rpm, downloaded beforehand) is installed only when its
# SHA-256 matches --sha256; nothing is fetched from the network. Running the
# script again changes only what differs and restarts istio only then.
set -euo pipefail
umask 077

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
pkg=""
sha=""
token="$here/istio-token"
rootcert="$here/root-cert.pem"

usage() {
  cat <<'EOF'
usage: install-sidecar.sh --package FILE --sha256 HEX [--token FILE] [--root-cert FILE]

  --package FILE     the istio-sidecar .deb or .rpm of your Istio version
  --sha256 HEX       its SHA-256, from a source you trust (the release's .sha256)
  --token FILE       the bootstrap token (default: istio-token beside this script)
  --root-cert FILE   the mesh root certificate (default: root-cert.pem beside it)
EOF
}

die() { echo "install-sidecar.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --package|--sha256|--token|--root-cert)
      [ $# -ge 2 ] || die "$1 needs a value"
      case "$1" in
        --package) pkg=$2 ;;
        --sha256) sha=$2 ;;
        --token) token=$2 ;;
        --root-cert) rootcert=$2 ;;
      esac
      shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

[ "$(id -u)" = 0 ] || die "run as root (sudo)"
[ -n "$pkg" ] || { usage >&2; die "--package is required"; }
sha=$(printf '%s' "$sha" | tr 'A-F' 'a-f')
printf '%s' "$sha" | grep -Eq '^[0-9a-f]{64}$' || die "--sha256 must be 64 hexadecimal digits"
for f in "$here/cluster.env" "$here/mesh.yaml" "$here/hosts" "$here/` + DropInName + `"; do
  [ -f "$f" ] || die "$f is missing: run this script from the directory meshfleet vm-config wrote"
done
[ -s "$token" ] || die "$token is missing: create it as SECRETS.md says"
[ -s "$rootcert" ] || die "$rootcert is missing: fetch it as SECRETS.md says"

# Verify a private copy, then install that copy: the file checked is the
# file installed.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
case "$pkg" in
  *.deb) copy="$work/istio-sidecar.deb" ;;
  *.rpm) copy="$work/istio-sidecar.rpm" ;;
  *) die "--package must be a .deb or an .rpm" ;;
esac
cp -- "$pkg" "$copy"
got=$(sha256sum -- "$copy" | cut -d' ' -f1)
[ "$got" = "$sha" ] || die "checksum mismatch for $pkg: got $got, want $sha; not installing"

changed=0
case "$copy" in
  *.deb)
    want=$(dpkg-deb --field "$copy" Version)
    have=$(dpkg-query --show --showformat='${Version}' istio-sidecar 2>/dev/null || true)
    if [ "$want" != "$have" ]; then dpkg --install "$copy"; changed=1; fi ;;
  *.rpm)
    want=$(rpm --query --package --queryformat '%{VERSION}-%{RELEASE}' "$copy")
    have=$(rpm --query --queryformat '%{VERSION}-%{RELEASE}' istio-sidecar 2>/dev/null || true)
    if [ "$want" != "$have" ]; then rpm --upgrade --replacepkgs "$copy"; changed=1; fi ;;
esac
id istio-proxy >/dev/null 2>&1 || die "the package did not create the istio-proxy user"

# put SRC DST MODE OWNER: install SRC as DST atomically unless it is the same.
put() {
  if [ -f "$2" ] && cmp -s -- "$1" "$2"; then return 0; fi
  install -d -m 0755 "$(dirname "$2")"
  install -m "$3" -o "$4" -g "$4" -- "$1" "$2.meshfleet.tmp"
  mv -f -- "$2.meshfleet.tmp" "$2"
  changed=1
}

put "$rootcert" /etc/certs/root-cert.pem 0644 istio-proxy
put "$token" /var/run/secrets/tokens/istio-token 0600 istio-proxy
put "$here/cluster.env" /var/lib/istio/envoy/cluster.env 0644 istio-proxy
put "$here/mesh.yaml" /etc/istio/config/mesh 0644 istio-proxy
put "$here/` + DropInName + `" /etc/systemd/system/istio.service.d/` + DropInName + ` 0644 root

# /etc/hosts: one block of meshfleet's, replaced in place, never appended twice.
begin='# BEGIN meshfleet vm-config: istiod through the east-west gateway'
end='# END meshfleet vm-config'
next="$work/hosts"
awk -v b="$begin" -v e="$end" '$0 == b { skip = 1; next } $0 == e { skip = 0; next } !skip' /etc/hosts > "$next"
if [ -s "$here/hosts" ]; then
  { printf '%s\n' "$begin"; cat -- "$here/hosts"; printf '%s\n' "$end"; } >> "$next"
fi
if ! cmp -s -- "$next" /etc/hosts; then
  cat -- "$next" > /etc/hosts
  changed=1
fi

# Ownership as Istio's VM guide sets it.
install -d -m 0755 -o istio-proxy -g istio-proxy /etc/istio/proxy
chown -R istio-proxy /var/lib/istio /etc/certs /etc/istio/proxy /etc/istio/config /var/run/secrets

systemctl daemon-reload
systemctl enable istio
if [ "$changed" = 1 ]; then
  systemctl restart istio
else
  systemctl start istio
fi
echo "install-sidecar.sh: istio is running with this directory's configuration"
`

// dropIn is a systemd drop-in for the package's istio.service: the agent
// must reach istiod when it starts, and must not start (and restart every
// 10 s, as the unit says) on a VM whose onboarding files are not installed.
const dropIn = `# Written by meshfleet vm-config; installed by install-sidecar.sh as
# /etc/systemd/system/istio.service.d/` + DropInName + `.
[Unit]
Wants=network-online.target
After=network-online.target
ConditionPathExists=/var/lib/istio/envoy/cluster.env
ConditionPathExists=/etc/istio/config/mesh
ConditionPathExists=/etc/certs/root-cert.pem
`

// secrets is SECRETS.md: how to obtain the two files meshfleet never
// writes, with the exact commands istioctl's requests amount to (a
// TokenRequest for the service account, audience istio-ca, 3600 s; the
// ConfigMap istio-ca-root-cert of the group's namespace, key root-cert.pem).
// Names are DNS-1123 (checked when the group was read), so the commands
// are safe to paste.
func secrets(g *Group, vm *VM, opts Options) []byte {
	var b strings.Builder
	who := "the VMs of WorkloadGroup " + g.Namespace + "/" + g.Name
	if vm != nil {
		who = "VM " + vm.Name + " (" + vm.Address + ") of " + g.Namespace + "/" + g.Name
	}
	sa := g.Spec.GetTemplate().GetServiceAccount()
	fmt.Fprintf(&b, "# Secrets for %s\n\n", who)
	b.WriteString("meshfleet vm-config writes no secret. Before copying this directory to the\n")
	b.WriteString("VM, create the files below in it with your cluster credentials.\n\n")
	b.WriteString("## istio-token\n\n")
	fmt.Fprintf(&b, "A token of service account `%s` in namespace `%s` with the audience\n", sa, g.Namespace)
	b.WriteString("`istio-ca`, valid one hour (what `istioctl x workload entry configure`\n")
	b.WriteString("requests). The sidecar presents it to istiod once, for its first certificate:\n")
	b.WriteString("create it shortly before installing.\n\n")
	fmt.Fprintf(&b, "    kubectl create token %s -n %s --audience=istio-ca --duration=%s > istio-token\n\n", sa, g.Namespace, TokenDuration)
	b.WriteString("## root-cert.pem\n\n")
	if opts.RootCert != nil {
		b.WriteString("Written from the certificate given with --root-cert. To compare it with the\n")
		b.WriteString("mesh's:\n\n")
		fmt.Fprintf(&b, "    kubectl get configmap istio-ca-root-cert -n %s -o jsonpath='{.data.root-cert\\.pem}' | diff - root-cert.pem\n\n", g.Namespace)
	} else {
		b.WriteString("The mesh's root certificate, which istiod publishes in every namespace:\n\n")
		fmt.Fprintf(&b, "    kubectl get configmap istio-ca-root-cert -n %s -o jsonpath='{.data.root-cert\\.pem}' > root-cert.pem\n\n", g.Namespace)
	}
	b.WriteString("## Install\n\n")
	b.WriteString("Download the istio-sidecar package of your Istio version and its published\n")
	b.WriteString("SHA-256, copy this directory and the package to the VM, then on the VM:\n\n")
	b.WriteString("    sudo bash " + InstallScriptName + " --package istio-sidecar.deb --sha256 <sha256>\n")
	return []byte(b.String())
}

// StaleDirs lists the subdirectories of dir that hold a cluster.env but are
// not among files' directories: VMs that left the fleet, whose files
// vm-config no longer writes. A missing dir has none; links are not
// followed.
func StaleDirs(dir string, files []render.OutFile) ([]string, error) {
	want := map[string]bool{}
	for _, f := range files {
		want[path.Dir(f.Path)] = true
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var stale []string
	for _, e := range entries {
		if !e.IsDir() || want[e.Name()] || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if st, err := os.Lstat(filepath.Join(dir, e.Name(), "cluster.env")); err == nil && st.Mode().IsRegular() {
			stale = append(stale, e.Name())
		}
	}
	return stale, nil
}
