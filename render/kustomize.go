package render

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resmap"
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

// DefaultBuildDeadline bounds a kustomize build when Options.BuildDeadline
// is zero.
const DefaultBuildDeadline = 2 * time.Minute

// IstioVersionEnv is the environment variable `meshfleet fn` reads as its
// default --istio-version, for kustomize runs it as an exec function with
// no arguments. In-process builds do not use it: they pass Options directly,
// so the caller's environment cannot change what a build renders.
const IstioVersionEnv = "MESHFLEET_ISTIO_VERSION"

// krustyMu serialises krusty runs: kyaml keeps the OpenAPI schema in a
// process-wide variable that a kustomization's `openapi:` field replaces
// for the duration of its build.
var krustyMu sync.Mutex

// BuildKustomization is BuildKustomizationWith with default options.
func BuildKustomization(dir string) ([]byte, error) {
	return BuildKustomizationWith(dir, Options{})
}

// BuildKustomizationWith runs `kustomize build` on dir in-process and
// returns its YAML output, so users need no kustomize binary. Errors are
// *manifest.Error, positioned in the offending file when meshfleet refuses
// something, otherwise naming dir.
//
// The build runs on repositories nobody vetted (an Argo CD plugin, CI on a
// pull request), so it never starts a process and never opens a socket:
//
//   - krusty runs with builtin plugins only: exec and container functions,
//     Go plugins and Helm are off, whatever a kustomization names;
//   - before krusty runs, every kustomization in the graph is read through
//     the guard and every field that can name a path or URL is checked
//     (kustomize_walk.go): anything that is not a local file or directory
//     is refused with its position, before any connection;
//   - meshfleet's own function configs (VMFleet) under generators: and
//     transformers: are expanded in-process with Decode and Render, as the
//     exec function `meshfleet fn` would have, and every other function
//     config is refused;
//   - every YAML file kustomize reads passes manifest.Parse first (guardFS):
//     kyaml expands aliases without a budget;
//   - the whole build is bounded by Options.BuildDeadline.
func BuildKustomizationWith(dir string, opts Options) ([]byte, error) {
	limit := opts.BuildDeadline
	if limit <= 0 {
		limit = DefaultBuildDeadline
	}
	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := buildKustomization(dir, opts)
		done <- result{out, err}
	}()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.out, r.err
	case <-timer.C:
		// krusty cannot be cancelled; with no process and no socket it can
		// only be spinning or blocked on a file (a FIFO), and the goroutine
		// ends with the process.
		return nil, &manifest.Error{File: dir, Msg: fmt.Sprintf("kustomize build exceeded the %s build deadline", limit)}
	}
}

func buildKustomization(dir string, opts Options) (out []byte, err error) {
	defer func() {
		// The build runs on its own goroutine, out of reach of the CLI's
		// recover: a panic in krusty or kyaml must fail this build, not
		// take the process down.
		if r := recover(); r != nil {
			out, err = nil, &manifest.Error{File: dir, Msg: fmt.Sprintf("kustomize: internal error: %v", r)}
		}
	}()
	boundary, err := manifest.Boundary(dir)
	if err != nil {
		return nil, &manifest.Error{File: dir, Msg: err.Error()}
	}
	disk := filesys.MakeFsOnDisk()
	plan, err := planBuild(disk, boundary, dir, opts)
	if err != nil {
		return nil, err
	}
	overlay := &overlayFS{FileSystem: disk, files: plan.overlay}
	fsys := &guardFS{FileSystem: overlay, overlay: overlay, boundary: boundary}

	kopts := krusty.MakeDefaultOptions()
	kopts.PluginConfig = builtinsOnly()
	krustyMu.Lock()
	m, err := krusty.MakeKustomizer(kopts).Run(fsys, dir)
	krustyMu.Unlock()
	if fsys.err != nil {
		return nil, fsys.err
	}
	if err != nil {
		return nil, &manifest.Error{File: dir, Msg: "kustomize: " + err.Error()}
	}
	if m, err = plan.transform(m, opts); err != nil {
		return nil, err
	}
	out, err = m.AsYaml()
	if err != nil {
		return nil, &manifest.Error{File: dir, Msg: "kustomize: " + err.Error()}
	}
	return out, nil
}

// builtinsOnly is the plugin configuration of every build: kustomize's
// builtin generators and transformers and nothing that starts a process.
func builtinsOnly() *types.PluginConfig {
	pc := types.MakePluginConfig(types.PluginRestrictionsBuiltinsOnly, types.BploUseStaticallyLinked)
	pc.FnpLoadingOptions.EnableExec = false
	pc.FnpLoadingOptions.Network = false
	pc.FnpLoadingOptions.Mounts = nil
	pc.HelmConfig.Enabled = false
	pc.HelmConfig.Command = ""
	return pc
}

// guardFS is the disk as kustomize sees it, except that a YAML or JSON file
// (by name: .yaml, .yml, .json, or a kustomization) must pass manifest.Parse
// before its bytes are handed over. Guarding reads rather than walking dir
// beforehand covers every file a resource names, and never refuses a stray
// file the build does not use. Other files are what generators read raw (env
// files, certificates): kyaml never parses those as YAML.
type guardFS struct {
	filesys.FileSystem
	overlay *overlayFS
	// boundary is the tree the build may read: every file read from disk
	// must resolve within it and be a regular file of bounded size
	// (manifest.ReadFileIn), YAML or not.
	boundary string
	// err is the first refusal: krusty wraps errors in ways that lose the
	// position, so the build returns this one instead.
	err error
}

func (g *guardFS) ReadFile(path string) ([]byte, error) {
	data, _, virtual := g.overlay.lookup(path)
	var err error
	if virtual {
		data = append([]byte(nil), data...)
	} else if _, lerr := os.Lstat(path); lerr != nil {
		// Missing: kustomize probes names and reports what it needs.
		return g.FileSystem.ReadFile(path)
	} else if data, err = manifest.ReadFileIn(g.boundary, path, manifest.DefaultLimits); err != nil {
		if g.err == nil {
			g.err = err
		}
		return nil, err
	}
	if !guarded(path) {
		return data, nil
	}
	if _, err := manifest.Parse(displayPath(path), data, manifest.DefaultLimits); err != nil {
		if g.err == nil {
			g.err = err
		}
		return nil, err
	}
	return data, nil
}

// overlayFS serves the files a build plan rewrote or made up (kustomization
// files without meshfleet's own generators, the resources those rendered)
// in place of the disk's, keyed by absolute path with symbolic links
// resolved, as kustomize's loader resolves them.
type overlayFS struct {
	filesys.FileSystem
	files map[string][]byte
}

func (o *overlayFS) lookup(path string) ([]byte, string, bool) {
	if len(o.files) == 0 {
		return nil, "", false
	}
	key, ok := canonical(path)
	if !ok {
		return nil, "", false
	}
	data, ok := o.files[key]
	return data, key, ok
}

// canonical is path made absolute with the symbolic links of its directory
// resolved; the file itself need not exist.
func canonical(path string) (string, bool) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", false
	}
	d, err := filepath.EvalSymlinks(filepath.Dir(abs))
	if err != nil {
		return "", false
	}
	return filepath.Join(d, filepath.Base(abs)), true
}

func (o *overlayFS) ReadFile(path string) ([]byte, error) {
	if data, _, ok := o.lookup(path); ok {
		return append([]byte(nil), data...), nil
	}
	return o.FileSystem.ReadFile(path)
}

func (o *overlayFS) Exists(path string) bool {
	if _, _, ok := o.lookup(path); ok {
		return true
	}
	return o.FileSystem.Exists(path)
}

func (o *overlayFS) IsDir(path string) bool {
	if _, _, ok := o.lookup(path); ok {
		return false
	}
	return o.FileSystem.IsDir(path)
}

func (o *overlayFS) CleanedAbs(path string) (filesys.ConfirmedDir, string, error) {
	if _, key, ok := o.lookup(path); ok {
		return filesys.ConfirmedDir(filepath.Dir(key)), filepath.Base(key), nil
	}
	return o.FileSystem.CleanedAbs(path)
}

// The loader reads through ReadFile only; refuse the other ways into a file
// rather than serve the disk's version of a rewritten one.
func (o *overlayFS) Open(path string) (filesys.File, error) {
	if _, _, ok := o.lookup(path); ok {
		return nil, errors.New("meshfleet: " + path + " is generated; read it with ReadFile")
	}
	return o.FileSystem.Open(path)
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

// resmapOf is the type transform works on; named so kustomize_walk.go need
// not import resmap for one signature.
type resmapOf = resmap.ResMap
