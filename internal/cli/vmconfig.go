package cli

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/meshfleet/meshfleet/internal/manifest"
	"github.com/meshfleet/meshfleet/internal/safetext"
	"github.com/meshfleet/meshfleet/render"
	"github.com/meshfleet/meshfleet/render/vmconfig"
)

const vmConfigUsage = `usage: meshfleet vm-config -f FILE -o DIR --cluster-id ID [flags]

Write the files a VM needs to join the mesh, offline: cluster.env, mesh.yaml
and hosts with the bytes 'istioctl x workload entry configure' writes for the
same WorkloadGroup, mesh config, cluster ID, revision and addresses; an
install script (install-sidecar.sh) that verifies the sidecar package's
SHA-256 and installs everything where the istio-sidecar package expects it;
a systemd drop-in; and SECRETS.md with the kubectl commands that create the
two files meshfleet never invents, istio-token and root-cert.pem.

FILE holds a WorkloadGroup (apiVersion may be omitted, as istioctl allows)
or a VMFleet: then DIR gets one directory per VM, DIR/<vm name>/, each with
the VM's address from spec.vms. Other documents in FILE are ignored.
Problems are reported as file:line:col: path: message and nothing is
written (exit 2). Files are written atomically; --check writes nothing and
exits 1 with a diff when DIR is out of date.

flags:
`

type vmConfigFlags struct {
	opts     vmconfig.Options
	file     string
	out      string
	mesh     string
	rootCert string
	check    bool
}

func parseVMConfigFlags(args []string) (*vmConfigFlags, string, error) {
	f := &vmConfigFlags{}
	flags := pflag.NewFlagSet("vm-config", pflag.ContinueOnError)
	flags.SetOutput(io.Discard)
	flags.SortFlags = true
	flags.StringVarP(&f.file, "file", "f", "", "the WorkloadGroup or VMFleet `FILE` (- for stdin)")
	flags.StringVarP(&f.out, "output", "o", "", "write the files under `DIR`")
	flags.BoolVar(&f.check, "check", false, "write nothing; exit 1 with a diff when DIR differs from what vm-config would write")
	flags.StringVar(&f.mesh, "mesh-config", "", "the mesh config `FILE` (the mesh key of istiod's ConfigMap istio[-REV], or that ConfigMap): defaultConfig, proxyMetadata, trustDomain; default empty")
	flags.StringVar(&f.opts.ClusterID, "cluster-id", "", "ISTIO_META_CLUSTER_ID (istioctl's --clusterID); required")
	flags.StringVar(&f.opts.Revision, "revision", "", "istiod revision: istiod-REV.<istio-namespace>.svc:15012 becomes the discovery and CA address")
	flags.StringVar(&f.opts.IstioNamespace, "istio-namespace", "istio-system", "istiod's namespace")
	flags.StringVar(&f.opts.InternalIP, "internal-ip", "", "the VM's internal address (ISTIO_SVC_IP), for a WorkloadGroup")
	flags.StringVar(&f.opts.ExternalIP, "external-ip", "", "the VM's external address (ISTIO_SVC_IP, probes rewritten), for a WorkloadGroup")
	flags.StringVar(&f.opts.IngressIP, "ingress-ip", "", "the east-west gateway's address: the hosts line for istiod; without it hosts is empty")
	flags.BoolVar(&f.opts.AutoRegister, "autoregister", false, "register a WorkloadEntry when the VM connects (ISTIO_META_AUTO_REGISTER_GROUP)")
	flags.BoolVar(&f.opts.CaptureDNS, "capture-dns", true, "capture the VM's DNS in the agent (ISTIO_META_DNS_CAPTURE)")
	flags.StringVar(&f.rootCert, "root-cert", "", "copy the mesh root certificate `FILE` (PEM) in as root-cert.pem")
	usage := vmConfigUsage + flags.FlagUsages()
	if err := flags.Parse(args); err != nil {
		return nil, usage, err
	}
	switch {
	case flags.NArg() > 0:
		return nil, usage, fmt.Errorf("unexpected argument %q (the input is -f FILE)", flags.Arg(0))
	case f.file == "":
		return nil, usage, errors.New("-f FILE is required")
	case f.out == "":
		return nil, usage, errors.New("-o DIR is required")
	}
	if err := f.opts.Check(); err != nil {
		return nil, usage, err
	}
	return f, usage, nil
}

func runVMConfig(env *Env, args []string) int {
	f, usage, err := parseVMConfigFlags(args)
	if code, stop := parseFailed(env, "vm-config", usage, err); stop {
		return code
	}
	fail := func(err error) int {
		var me *manifest.Error
		if errors.As(err, &me) {
			return reportProblems(env.Stderr, []*manifest.Error{me})
		}
		fmt.Fprintf(env.Stderr, "meshfleet vm-config: %s\n", safetext.Escape(err.Error()))
		return ExitUsage
	}
	data, err := readInput(env, f.file)
	if err != nil {
		return fail(err)
	}
	src, errs := vmconfig.Load(displayName(f.file), data)
	if len(errs) > 0 {
		return reportProblems(env.Stderr, errs)
	}
	var mesh *vmconfig.Mesh
	if f.mesh != "" {
		md, err := readInput(env, f.mesh)
		if err != nil {
			return fail(err)
		}
		if mesh, err = vmconfig.ParseMesh(displayName(f.mesh), md); err != nil {
			return fail(err)
		}
	}
	if f.rootCert != "" {
		if f.opts.RootCert, err = readRootCert(f.rootCert); err != nil {
			return fail(err)
		}
	}
	files, err := vmconfig.Files(src, mesh, f.opts)
	if err != nil {
		return fail(err)
	}
	stale, err := vmconfig.StaleDirs(f.out, files)
	if err != nil {
		return fail(err)
	}
	out := func(p string) string { return safetext.Escape(filepath.Join(f.out, filepath.FromSlash(p))) }
	if f.check {
		d, err := render.DiffDir(f.out, files)
		if err != nil {
			return fail(err)
		}
		for _, s := range stale {
			fmt.Fprintf(env.Stderr, "meshfleet vm-config: %s is a VM directory vm-config no longer writes\n", out(s))
		}
		if d != nil || len(stale) > 0 {
			env.Stdout.Write(d)
			fmt.Fprintf(env.Stderr, "meshfleet vm-config: %s is out of date; run vm-config again with -o %s\n", safetext.Escape(f.out), safetext.Escape(f.out))
			return ExitFindings
		}
		return ExitOK
	}
	if _, _, err := render.WriteDir(f.out, files, false); err != nil {
		return fail(err)
	}
	for _, s := range stale {
		fmt.Fprintf(env.Stderr, "meshfleet vm-config: %s is a VM directory vm-config no longer writes; remove it\n", out(s))
	}
	missing := "istio-token and root-cert.pem"
	if f.opts.RootCert != nil {
		missing = "istio-token"
	}
	for _, d := range vmDirs(files) {
		fmt.Fprintf(env.Stdout, "%s: create %s as %s says, then run %s on the VM\n",
			out(d), missing, out(path.Join(d, "SECRETS.md")), vmconfig.InstallScriptName)
	}
	return ExitOK
}

// vmDirs lists the directories holding a cluster.env, "." for DIR itself.
func vmDirs(files []render.OutFile) []string {
	var dirs []string
	for _, f := range files {
		if path.Base(f.Path) == "cluster.env" {
			dirs = append(dirs, path.Dir(f.Path))
		}
	}
	return dirs
}

func displayName(p string) string {
	if p == "-" {
		return "<stdin>"
	}
	return p
}

// readInput reads a file the operator named, or stdin for -, through the
// guard.
func readInput(env *Env, p string) ([]byte, error) {
	if p == "-" {
		return manifest.ReadAll("<stdin>", env.Stdin, manifest.DefaultLimits)
	}
	return manifest.ReadFile("", p, manifest.DefaultLimits)
}

// readRootCert reads --root-cert through the guard and accepts only PEM
// certificates: a private key given by mistake must not be copied onto VMs.
func readRootCert(p string) ([]byte, error) {
	data, err := manifest.ReadFile("", p, manifest.Limits{MaxBytes: 1 << 20})
	if err != nil {
		return nil, err
	}
	rest, n := data, 0
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("--root-cert %s: holds a PEM %s block; only certificates belong in root-cert.pem", p, b.Type)
		}
		if _, err := x509.ParseCertificate(b.Bytes); err != nil {
			return nil, fmt.Errorf("--root-cert %s: certificate %d: %v", p, n+1, err)
		}
		n++
	}
	if n == 0 || strings.TrimSpace(string(rest)) != "" {
		return nil, fmt.Errorf("--root-cert %s: not a PEM certificate file", p)
	}
	return data, nil
}
