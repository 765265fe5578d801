package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"

	"github.com/meshfleet/meshfleet/internal/manifest"
	"github.com/meshfleet/meshfleet/internal/safetext"
	"github.com/meshfleet/meshfleet/render"
)

const discoverUsage = `usage: meshfleet discover [DIR]

Print what 'meshfleet render DIR' would render, one line per VMFleet
(file:line: VMFleet namespace/name) and per kustomization directory it
would build (DIR: kustomization), and nothing when there is nothing: Argo
CD's config management plugin discovery claims an application exactly when
this prints something. DIR defaults to the current directory.

DIR is read as render reads it, through the same code: *.yaml, *.yml and
*.json files (quoted kinds, comments, JSON, flow style, any number of
documents), hidden directories and nested kustomizations skipped, no
symbolic link followed out of DIR. A VMFleet is found, not validated: a
broken one is claimed, so that render reports it with its position.

When DIR holds a kustomization, render would build it; discover claims it
only when it uses meshfleet: a VMFleet listed under generators: or
transformers: (a file, or inline), or a VMFleet among its resources, in it
or in the bases and components it reaches. The kustomization files and the
files they name are read through the guard, never built. A plain
kustomization is left to Argo CD's own kustomize.

Exit status: 0 whether or not anything was found (problems in files are
notices on stderr; render reports them), 2 on a usage error or when DIR
cannot be read.

flags:
`

func runDiscover(env *Env, args []string) int {
	flags := pflag.NewFlagSet("discover", pflag.ContinueOnError)
	flags.SetOutput(io.Discard)
	usage := discoverUsage + flags.FlagUsages()
	err := flags.Parse(args)
	if err == nil && flags.NArg() > 1 {
		err = fmt.Errorf("one DIR at most, got %d", flags.NArg())
	}
	if err == nil && flags.Arg(0) == "-" {
		err = errors.New("discover reads a directory, not stdin")
	}
	if code, stop := parseFailed(env, "discover", usage, err); stop {
		return code
	}
	dir := "."
	if flags.NArg() == 1 {
		dir = flags.Arg(0)
	}
	st, err := os.Stat(dir)
	if err == nil && st.IsDir() {
		_, err = os.ReadDir(dir)
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "meshfleet discover: %s\n", (&manifest.Error{File: dir, Msg: pathErrText(err)}).Error())
		return ExitUsage
	}

	in := gatherInputs(env, "discover", []string{dir}, false, false, nil)
	manifest.SortErrors(in.problems)
	for _, p := range in.problems {
		fmt.Fprintf(env.Stderr, "meshfleet discover: %s (render reports it)\n", p.Error())
	}
	var out strings.Builder
	for _, d := range in.fleetDocs {
		fmt.Fprintf(&out, "%s:%d: VMFleet %s\n", safetext.Escape(d.File), d.Node.Line, safetext.Escape(fleetName(d.Node)))
	}
	for _, k := range in.kustomizations {
		if usesMeshfleet(k) {
			fmt.Fprintf(&out, "%s: kustomization\n", safetext.Escape(k))
		} else {
			fmt.Fprintf(env.Stderr, "meshfleet discover: %s: a kustomization without VMFleets, not claimed\n", safetext.Escape(k))
		}
	}
	io.WriteString(env.Stdout, out.String())
	return ExitOK
}

// pathErrText is an os error without the path it repeats.
func pathErrText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// fleetName is namespace/name as the document says, whether or not it
// would decode.
func fleetName(n *yaml.Node) string {
	_, meta := manifest.Lookup(n, "metadata")
	meta = manifest.Resolve(meta)
	if meta == nil || meta.Kind != yaml.MappingNode {
		return "(no name)"
	}
	name, ns := scalarAt(meta, "name"), scalarAt(meta, "namespace")
	if name == "" {
		name = "(no name)"
	}
	if ns == "" {
		return name
	}
	return ns + "/" + name
}

// Bounds of discover's look into a kustomization graph; render's build
// has its own.
const (
	maxDiscoverKustomizations = 1000
	maxDiscoverDepth          = 64
)

// usesMeshfleet reports whether the kustomization in dir, or one it
// reaches through resources, bases or components, lists a VMFleet under
// generators: or transformers: or among its resources. Every file is read
// through the guard and must lie within the tree a build may read; what
// cannot be read, or is remote, counts as no VMFleet (the build reports it).
func usesMeshfleet(dir string) bool {
	boundary, err := manifest.Boundary(dir)
	if err != nil {
		return false
	}
	seen := map[string]bool{}
	var walk func(dir string, depth int) bool
	walk = func(dir string, depth int) bool {
		key, err := filepath.Abs(dir)
		if err == nil {
			key, err = filepath.EvalSymlinks(key)
		}
		if err != nil || seen[key] || depth > maxDiscoverDepth || len(seen) >= maxDiscoverKustomizations {
			return false
		}
		seen[key] = true
		root := kustomizationRoot(boundary, dir)
		if root == nil {
			return false
		}
		for i := 0; i+1 < len(root.Content); i += 2 {
			field, v := root.Content[i].Value, manifest.Resolve(root.Content[i+1])
			if v == nil || v.Kind != yaml.SequenceNode {
				continue
			}
			for _, e := range v.Content {
				e = manifest.Resolve(e)
				if e == nil || e.Kind != yaml.ScalarNode || e.Value == "" {
					continue
				}
				switch field {
				case "generators", "transformers":
					if strings.Contains(e.Value, "\n") || strings.HasPrefix(strings.TrimSpace(e.Value), "{") {
						if docs, err := manifest.Parse(dir, []byte(e.Value), manifest.DefaultLimits); err == nil && anyFleet(docs) {
							return true
						}
						continue
					}
					if fileHoldsFleet(boundary, filepath.Join(dir, e.Value)) {
						return true
					}
				case "resources", "bases", "components":
					p := filepath.Join(dir, e.Value)
					if filepath.IsAbs(e.Value) || strings.Contains(e.Value, "://") {
						continue
					}
					st, err := os.Stat(p)
					switch {
					case err != nil:
					case st.IsDir():
						if manifest.CheckWithin(boundary, p) == nil && walk(p, depth+1) {
							return true
						}
					case fileHoldsFleet(boundary, p):
						return true
					}
				}
			}
		}
		return false
	}
	return walk(filepath.Clean(dir), 0)
}

// kustomizationRoot reads the kustomization file of dir through the guard
// and returns its root mapping, nil when there is none to read.
func kustomizationRoot(boundary, dir string) *yaml.Node {
	for _, name := range render.KustomizationFiles {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
			continue
		}
		data, err := manifest.ReadFileIn(boundary, p, manifest.DefaultLimits)
		if err != nil {
			return nil
		}
		docs, err := manifest.Parse(p, data, manifest.DefaultLimits)
		if err != nil || len(docs) != 1 || docs[0].Node.Kind != yaml.MappingNode {
			return nil
		}
		return docs[0].Node
	}
	return nil
}

// fileHoldsFleet reports whether the file at p, read through the guard
// within boundary, holds a VMFleet document.
func fileHoldsFleet(boundary, p string) bool {
	data, err := manifest.ReadFileIn(boundary, p, manifest.DefaultLimits)
	if err != nil {
		return false
	}
	docs, err := manifest.Parse(p, data, manifest.DefaultLimits)
	return err == nil && anyFleet(docs)
}

func anyFleet(docs []*manifest.Document) bool {
	for _, d := range docs {
		if render.IsFleet(d.Node) {
			return true
		}
	}
	return false
}
