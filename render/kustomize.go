package render

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/meshfleet/meshfleet/internal/manifest"
)

// KustomizationFiles are the names kustomize accepts for a kustomization,
// in the order it looks for them.
var KustomizationFiles = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// IsKustomization reports whether dir holds a kustomization file.
func IsKustomization(dir string) bool {
	for _, name := range KustomizationFiles {
		if st, err := os.Stat(filepath.Join(dir, name)); err == nil && st.Mode().IsRegular() {
			return true
		}
	}
	return false
}

// buildMu serialises builds: each one points PATH at its own executable
// directory for its duration, and PATH is process-wide.
var buildMu sync.Mutex

// BuildKustomization runs `kustomize build --enable-alpha-plugins
// --enable-exec` on dir in-process and returns its YAML output, so users need
// no kustomize binary and meshfleet works as its own exec generator. Errors
// are *manifest.Error: positioned in the offending file when the guard
// refuses one, otherwise naming dir.
//
// Every YAML file kustomize reads passes the input guard first (see
// guardFS): kyaml expands aliases without a budget, so an alias bomb in a
// kustomization, a resource or a base outside dir is refused with its
// position before kyaml parses a byte of it.
//
// kyaml runs an exec function with exec.Command(path), which resolves a bare
// name through the PATH of this process at that moment (the function's Env
// only reaches the child). So for the build a private directory holding a
// symbolic link "meshfleet" to os.Executable() is put first on PATH: the
// annotation `exec: {path: meshfleet}` then runs exactly this binary — the
// same version that renders on the command line, whether or not meshfleet is
// installed on PATH (an Argo CD sidecar, a CI runner, a test binary). The
// link points at the running executable rather than a copy, costing nothing,
// and the directory is removed after the build. No other function may run
// (see onlySelfFunctions).
func BuildKustomization(dir string) ([]byte, error) {
	return BuildKustomizationWith(dir, Options{})
}

// IstioVersionEnv carries Options.IstioVersion from a build to the meshfleet
// exec functions it runs, which kustomize starts with no arguments. A build
// always sets it, empty included, so a value in the caller's environment
// cannot make the function render other API versions than the build asked for.
const IstioVersionEnv = "MESHFLEET_ISTIO_VERSION"

// BuildKustomizationWith is BuildKustomization with render options, passed
// to meshfleet exec functions through IstioVersionEnv.
func BuildKustomizationWith(dir string, opts Options) ([]byte, error) {
	buildMu.Lock()
	defer buildMu.Unlock()
	restore, err := selfOnPath()
	if err != nil {
		return nil, &manifest.Error{File: dir, Msg: err.Error()}
	}
	defer restore()

	pc := types.MakePluginConfig(types.PluginRestrictionsNone, types.BploUseStaticallyLinked)
	pc.FnpLoadingOptions.EnableExec = true
	pc.FnpLoadingOptions.Env = []string{IstioVersionEnv + "=" + opts.IstioVersion}
	kopts := krusty.MakeDefaultOptions()
	kopts.PluginConfig = pc
	fsys := &guardFS{FileSystem: filesys.MakeFsOnDisk()}
	m, err := krusty.MakeKustomizer(kopts).Run(fsys, dir)
	if fsys.err != nil {
		return nil, fsys.err
	}
	if err != nil {
		return nil, &manifest.Error{File: dir, Msg: "kustomize: " + err.Error()}
	}
	out, err := m.AsYaml()
	if err != nil {
		return nil, &manifest.Error{File: dir, Msg: "kustomize: " + err.Error()}
	}
	return out, nil
}

// selfOnPath prepends a fresh directory holding "meshfleet" → this
// executable to PATH and returns the function that undoes both.
func selfOnPath() (func(), error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("cannot locate the meshfleet executable for exec functions: %w", err)
	}
	bin, err := os.MkdirTemp("", "meshfleet-exec-")
	if err != nil {
		return nil, err
	}
	if err := os.Symlink(exe, filepath.Join(bin, "meshfleet")); err != nil {
		os.RemoveAll(bin)
		return nil, err
	}
	old, had := os.LookupEnv("PATH")
	path := bin
	if old != "" {
		path += string(os.PathListSeparator) + old
	}
	os.Setenv("PATH", path)
	return func() {
		if had {
			os.Setenv("PATH", old)
		} else {
			os.Unsetenv("PATH")
		}
		os.RemoveAll(bin)
	}, nil
}

// guardFS is the disk as kustomize sees it, except that a YAML or JSON file
// (by name: .yaml, .yml, .json, or a kustomization) must pass manifest.Parse
// before its bytes are handed over. Guarding reads rather than walking dir
// beforehand covers bases and components outside dir too, and never refuses
// a stray file the build does not use. Other files are what generators read
// raw (env files, scripts, certificates): kyaml never parses those as YAML.
type guardFS struct {
	filesys.FileSystem
	// err is the first refusal: krusty wraps errors in ways that lose the
	// position, so BuildKustomization returns this one instead.
	err error
}

func (g *guardFS) ReadFile(path string) ([]byte, error) {
	data, err := g.FileSystem.ReadFile(path)
	if err != nil || !guarded(path) {
		return data, err
	}
	docs, err := manifest.Parse(displayPath(path), data, manifest.DefaultLimits)
	if err == nil {
		err = onlySelfFunctions(docs)
	}
	if err != nil {
		if g.err == nil {
			g.err = err
		}
		return nil, err
	}
	return data, nil
}

// onlySelfFunctions refuses a document that names any KRM function other
// than `exec: {path: meshfleet}`. Exec functions must be enabled for meshfleet
// to be its own generator, but kyaml would then run whatever executable a
// repository names — and render and lint run on repositories their operator
// did not write (an Argo CD sidecar, CI on a pull request). So a build runs
// meshfleet and nothing else: no other path, no arguments (which could make it
// write files), no containers. It reads the function the way kyaml does: the
// function annotations, metadata.configFn, then the legacy container
// annotation.
func onlySelfFunctions(docs []*manifest.Document) error {
	for _, d := range docs {
		_, meta := manifest.Lookup(d.Node, "metadata")
		_, annos := manifest.Lookup(meta, "annotations")
		var spec *yaml.Node
		var specPath string
		for _, key := range []string{"config.kubernetes.io/function", "config.k8s.io/function"} {
			if k, v := manifest.Lookup(annos, key); v != nil && v.Kind == yaml.ScalarNode && v.Value != "" {
				specPath = manifest.AppendKey("metadata.annotations", key)
				// Problems are reported at the annotation's key: lines
				// inside its string value are not lines of the file.
				fdocs, err := manifest.Parse(d.File, []byte(v.Value), manifest.DefaultLimits)
				if err != nil || len(fdocs) != 1 {
					return manifest.Errorf(d.File, k, specPath, "function spec is not a YAML mapping")
				}
				spec = fdocs[0].Node
				if !isSelfFunction(spec) {
					return manifest.Errorf(d.File, k, specPath, "%s", notSelfFunction)
				}
				break
			}
		}
		if spec != nil {
			continue
		}
		if k, v := manifest.Lookup(meta, "configFn"); v != nil && !(v.Kind == yaml.ScalarNode && v.Tag == "!!null") {
			if !isSelfFunction(v) {
				return manifest.Errorf(d.File, k, "metadata.configFn", "%s", notSelfFunction)
			}
			continue
		}
		if k, v := manifest.Lookup(annos, "config.kubernetes.io/container"); v != nil && v.Value != "" {
			return manifest.Errorf(d.File, k, manifest.AppendKey("metadata.annotations", "config.kubernetes.io/container"), "%s", notSelfFunction)
		}
	}
	return nil
}

const notSelfFunction = "meshfleet runs only itself as a KRM function (exec: {path: meshfleet}, no args); build other functions with kustomize build --enable-exec"

// isSelfFunction reports whether spec is exactly {exec: {path: meshfleet}}
// (deferFailure aside, which changes only when kyaml reports a failure).
func isSelfFunction(spec *yaml.Node) bool {
	spec = manifest.Resolve(spec)
	if spec == nil || spec.Kind != yaml.MappingNode {
		return false
	}
	var exec *yaml.Node
	for i := 0; i+1 < len(spec.Content); i += 2 {
		switch spec.Content[i].Value {
		case "deferFailure":
		case "exec":
			exec = manifest.Resolve(spec.Content[i+1])
		default:
			return false
		}
	}
	if exec == nil || exec.Kind != yaml.MappingNode || len(exec.Content) != 2 {
		return false
	}
	k, v := exec.Content[0], manifest.Resolve(exec.Content[1])
	return k.Value == "path" && v.Kind == yaml.ScalarNode && v.Value == "meshfleet"
}

func guarded(path string) bool {
	base := filepath.Base(path)
	if base == "Kustomization" {
		return true
	}
	switch strings.ToLower(filepath.Ext(base)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// displayPath shortens the absolute paths kustomize reads by to the form a
// user typed, relative to the working directory when that is shorter.
func displayPath(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	rel, err := filepath.Rel(wd, path)
	if err != nil || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return path
	}
	return rel
}
