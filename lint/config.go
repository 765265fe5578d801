package lint

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"gopkg.in/yaml.v3"

	"github.com/meshfleet/meshfleet/internal/manifest"
	"github.com/meshfleet/meshfleet/lint/finding"
)

// ConfigFile is the name looked for upward from the working directory.
const ConfigFile = ".meshfleet.yaml"

// Config is .meshfleet.yaml. A zero Config means every default.
type Config struct {
	// File is where the config was read from, "" for none.
	File   string
	FailOn finding.Severity
	// OutputThreshold is the least severity printed (the CLI's
	// --output-threshold); FailOn alone decides the exit code.
	OutputThreshold finding.Severity
	Disable         []string
	// Enable turns on opt-in rules; Only runs just the rules and families
	// it names (selection.go).
	Enable, Only []string
	// Baseline is a baseline file (lint --baseline), relative to the
	// config file's directory and confined to the repository.
	Baseline        string
	Severity        map[string]finding.Severity
	Exclude         []string
	RootNamespace   string
	TrustDomain     string
	ProductionLabel map[string]string
	// Complete says the input is everything deployed (DESIGN §4): what it
	// does not hold does not exist, so references to it are findings.
	Complete bool
}

// FindConfig walks up from dir and returns the first .meshfleet.yaml, or
// "" when there is none, so a repository's settings apply from any
// subdirectory. It looks no higher than the repository root (the nearest
// directory holding .git) or, outside any repository, than dir itself: a
// .meshfleet.yaml in a parent directory of a CI checkout is not the
// repository's and must not disable its rules. A config that is a symbolic
// link leading out of that boundary is not followed: the error is then a
// *manifest.Skipped, which the caller reports as a notice.
func FindConfig(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	top := manifest.RepoRoot(dir)
	if top == "" {
		top = dir
	}
	for {
		p := filepath.Join(dir, ConfigFile)
		if _, err := os.Lstat(p); err == nil {
			var skip *manifest.Skipped
			if _, err := manifest.Confine(top, p); errors.As(err, &skip) {
				return "", skip
			}
			return p, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		if dir == top {
			return "", nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", nil
		}
		dir = parent
	}
}

// LoadConfig reads a config file strictly: through the input guard, and an
// unknown field or a wrong type is an error with its position, because a
// misspelt `disable:` that silently does nothing is worse than a failure.
func LoadConfig(file string) (*Config, error) {
	data, err := manifest.ReadFile("", file, manifest.DefaultLimits)
	if err != nil {
		return nil, err
	}
	return ParseConfig(file, data)
}

// ParseConfig parses the bytes of a config file named file.
func ParseConfig(file string, data []byte) (*Config, error) {
	docs, err := manifest.Parse(file, data, manifest.DefaultLimits)
	if err != nil {
		return nil, err
	}
	c := &Config{File: file}
	if len(docs) == 0 {
		return c, nil
	}
	if len(docs) > 1 {
		return nil, manifest.Errorf(file, docs[1].Node, "", "want one YAML document, found %d", len(docs))
	}
	root := docs[0].Node
	if root.Kind != yaml.MappingNode {
		return nil, manifest.Errorf(file, root, "", "want a mapping")
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], manifest.Resolve(root.Content[i+1])
		path := k.Value
		var err error
		switch k.Value {
		case "failOn":
			var s string
			if s, err = scalarString(file, v, path); err == nil {
				if c.FailOn, err = finding.ParseSeverity(s); err != nil {
					err = manifest.Errorf(file, v, path, "%v", err)
				}
			}
		case "outputThreshold":
			var s string
			if s, err = scalarString(file, v, path); err == nil {
				if c.OutputThreshold, err = finding.ParseSeverity(s); err != nil {
					err = manifest.Errorf(file, v, path, "%v", err)
				}
			}
		case "disable":
			c.Disable, err = yamlStringList(file, v, path)
		case "enable", "only":
			var l []string
			if l, err = yamlStringList(file, v, path); err == nil {
				for i, e := range l {
					for _, id := range splitIDs(e) {
						if !validSelector(id) {
							n := v.Content[i]
							return nil, manifest.Errorf(file, n, manifest.AppendIndex(path, i), "%q is not a rule ID or family (such as MF301 or MF6xx)", id)
						}
					}
				}
			}
			if k.Value == "enable" {
				c.Enable = l
			} else {
				c.Only = l
			}
		case "baseline":
			if c.Baseline, err = scalarString(file, v, path); err == nil && c.Baseline == "" {
				err = manifest.Errorf(file, v, path, "want a file name")
			}
		case "exclude":
			c.Exclude, err = yamlStringList(file, v, path)
		case "severity":
			var m map[string]string
			if m, err = yamlStringMap(file, v, path); err == nil {
				c.Severity = map[string]finding.Severity{}
				for id, s := range m {
					sev, perr := finding.ParseSeverity(s)
					if perr != nil {
						n, _ := manifest.Find(v, manifest.AppendKey("", id))
						return nil, manifest.Errorf(file, n, manifest.AppendKey(path, id), "%v", perr)
					}
					c.Severity[id] = sev
				}
			}
		case "rootNamespace":
			c.RootNamespace, err = scalarString(file, v, path)
		case "trustDomain":
			c.TrustDomain, err = scalarString(file, v, path)
		case "productionLabel":
			c.ProductionLabel, err = yamlStringMap(file, v, path)
		case "complete":
			if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!bool" || v.Decode(&c.Complete) != nil {
				return nil, manifest.Errorf(file, v, path, "want true or false")
			}
		default:
			return nil, manifest.Errorf(file, k, path, "unknown field (want %s)", "failOn, outputThreshold, disable, enable, only, severity, exclude, baseline, rootNamespace, trustDomain, productionLabel or complete")
		}
		if err != nil {
			return nil, err
		}
	}
	return c, nil
}

func scalarString(file string, n *yaml.Node, path string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		return "", manifest.Errorf(file, n, path, "want a string")
	}
	return n.Value, nil
}

func yamlStringList(file string, n *yaml.Node, path string) ([]string, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, manifest.Errorf(file, n, path, "want a list of strings")
	}
	out := make([]string, 0, len(n.Content))
	for i, e := range n.Content {
		s, err := scalarString(file, manifest.Resolve(e), manifest.AppendIndex(path, i))
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func yamlStringMap(file string, n *yaml.Node, path string) (map[string]string, error) {
	if n.Kind != yaml.MappingNode {
		return nil, manifest.Errorf(file, n, path, "want a mapping of strings")
	}
	out := make(map[string]string, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		s, err := scalarString(file, manifest.Resolve(n.Content[i+1]), manifest.AppendKey(path, n.Content[i].Value))
		if err != nil {
			return nil, err
		}
		out[n.Content[i].Value] = s
	}
	return out, nil
}

// sortedKeys returns m's keys in order, for deterministic iteration.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
