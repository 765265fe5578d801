package cli

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"

	yamlv3 "gopkg.in/yaml.v3"
	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/meshfleet/meshfleet/internal/manifest"
	"github.com/meshfleet/meshfleet/internal/safetext"
	"github.com/meshfleet/meshfleet/lint"
	"github.com/meshfleet/meshfleet/lint/finding"
	"github.com/meshfleet/meshfleet/render"
)

// lintConfigFields are the fields a LintConfig may set besides apiVersion,
// kind and metadata: .meshfleet.yaml's, less exclude (a function is given
// objects, not files to walk). complete says the items are everything
// deployed (lint --complete).
const lintConfigFields = "failOn, disable, enable, only, severity, rootNamespace, trustDomain, productionLabel or complete"

// isLintConfig reports whether a functionConfig is a LintConfig, which
// makes `meshfleet fn` a validator: it lints the items instead of
// rendering them.
func isLintConfig(fc *yamlv3.Node) bool {
	return scalarAt(fc, "apiVersion") == render.APIVersion && scalarAt(fc, "kind") == render.LintConfigKind
}

// fnLintConfig is a LintConfig read.
type fnLintConfig struct {
	cfg *lint.Config
}

// parseLintConfig reads a LintConfig functionConfig as strictly as
// lint.ParseConfig reads .meshfleet.yaml, whose parser it reuses: the
// fields lint knows are handed over, and its errors are positioned back in
// the input.
func parseLintConfig(fc *yamlv3.Node) (*fnLintConfig, *manifest.Error) {
	out := &fnLintConfig{}
	sub := &yamlv3.Node{Kind: yamlv3.MappingNode, Tag: "!!map"}
	for i := 0; i+1 < len(fc.Content); i += 2 {
		k, v := fc.Content[i], manifest.Resolve(fc.Content[i+1])
		p := manifest.AppendKey("functionConfig", k.Value)
		switch k.Value {
		case "apiVersion", "kind", "metadata":
		case "failOn", "disable", "enable", "only", "severity", "rootNamespace", "trustDomain", "productionLabel", "complete":
			sub.Content = append(sub.Content, k, v)
		case "exclude":
			return nil, manifest.Errorf(render.FnStdin, k, p, "unknown field: a function is given objects, not files to exclude (want %s)", lintConfigFields)
		case "spec":
			return nil, manifest.Errorf(render.FnStdin, k, p, "unknown field: a LintConfig has its fields at the top level, as .meshfleet.yaml (want %s)", lintConfigFields)
		default:
			return nil, manifest.Errorf(render.FnStdin, k, p, "unknown field (want %s)", lintConfigFields)
		}
	}
	data, err := yamlv3.Marshal(sub)
	if err != nil {
		return nil, manifest.Errorf(render.FnStdin, fc, "functionConfig", "%v", err)
	}
	cfg, err := lint.ParseConfig("functionConfig", data)
	if err != nil {
		me, ok := err.(*manifest.Error)
		if !ok {
			return nil, manifest.Errorf(render.FnStdin, fc, "functionConfig", "%v", err)
		}
		n, _ := manifest.Find(fc, me.Path)
		p := "functionConfig"
		if me.Path != "" {
			p += "." + me.Path
		}
		return nil, manifest.Errorf(render.FnStdin, n, p, "%s", me.Msg)
	}
	cfg.File = ""
	out.cfg = cfg
	return out, nil
}

// runFnLint is `meshfleet fn` as a validator (kpt's validators, kustomize's
// validators:): the items are linted in-process and come back unchanged,
// the findings as results. It exits 1 when a finding is at or above
// failOn, or when the LintConfig is wrong (an error result).
func runFnLint(env *Env, fi *render.FnInput, fc *yamlv3.Node) int {
	lc, cerr := parseLintConfig(fc)
	p := &fnLinter{cfg: lc, cerr: cerr, ref: fcRef(fc)}
	var buf bytes.Buffer
	rw := &kio.ByteReadWriter{Reader: bytes.NewReader(fi.Data), Writer: &buf, KeepReaderAnnotations: true}
	if err := framework.Execute(p, rw); err != nil {
		fmt.Fprintf(env.Stderr, "meshfleet fn: %s\n", safetext.Escape(err.Error()))
		return ExitUsage
	}
	env.Stdout.Write(buf.Bytes())
	for _, l := range p.lines {
		fmt.Fprintln(env.Stderr, safetext.Escape(l))
	}
	return p.code
}

// fcRef identifies the LintConfig in a result about it.
func fcRef(fc *yamlv3.Node) *yaml.ResourceIdentifier {
	ref := &yaml.ResourceIdentifier{}
	ref.APIVersion, ref.Kind = scalarAt(fc, "apiVersion"), scalarAt(fc, "kind")
	_, md := manifest.Lookup(fc, "metadata")
	ref.Name, ref.Namespace = scalarAt(md, "name"), scalarAt(md, "namespace")
	return ref
}

type fnLinter struct {
	cfg  *fnLintConfig
	cerr *manifest.Error
	ref  *yaml.ResourceIdentifier
	// lines are the stderr lines, one per result; code the exit code.
	lines []string
	code  int
}

func (p *fnLinter) Process(rl *framework.ResourceList) error {
	if p.cerr != nil {
		e := p.cerr
		rl.Results = append(rl.Results, &framework.Result{
			Severity: framework.Error, ResourceRef: p.ref,
			Field:   &framework.Field{Path: strings.TrimPrefix(strings.TrimPrefix(e.Path, "functionConfig"), ".")},
			Message: e.Error(),
		})
		p.lines = append(p.lines, "meshfleet fn: "+e.Error())
		p.code = ExitFindings
		return nil
	}
	stream, starts, items, texts, err := lintStream(rl.Items)
	if err != nil {
		return err
	}
	ctx := context.Background()
	eng, err := lint.NewEngine(ctx, lint.EngineOptions{})
	if err != nil {
		return err
	}
	eng.Kustomize = nil // the input is objects: nothing to build
	res, err := eng.Lint(ctx, lint.Options{
		Paths: []string{"-"}, Stdin: bytes.NewReader(stream), StdinFilename: render.FnStdin,
		Config: p.cfg.cfg, Workers: 1,
	})
	if err != nil {
		return err
	}
	failOn := finding.Error
	if p.cfg.cfg.FailOn != "" {
		failOn = p.cfg.cfg.FailOn
	}
	if res.ExitCode(failOn) != 0 {
		p.code = ExitFindings
	}
	for _, f := range res.Report.Findings {
		r, line := fnFindingResult(f, starts, items, texts)
		rl.Results = append(rl.Results, r)
		p.lines = append(p.lines, line)
	}
	return nil
}

// lintStream writes the items to lint as one multi-document stream, without
// the annotations the host added to say where each came from, and returns
// the line each document starts on, the item it is and its text. A local-config
// object is not deployed and not linted, except a VMFleet: the function
// keeps fleets in the package that way, and lint renders them (what they
// rendered earlier is then left out, see lint's precedence).
func lintStream(items []*yaml.RNode) (stream []byte, starts []int, kept []*yaml.RNode, texts []string, err error) {
	var b bytes.Buffer
	line := 1
	for _, it := range items {
		a := it.GetAnnotations()
		if a[render.LocalConfigAnnotation] == "true" && it.GetKind() != render.Kind {
			continue
		}
		c := it.Copy()
		for k := range a {
			if render.IsHostAnnotation(k) {
				if err := c.PipeE(yaml.ClearAnnotation(k)); err != nil {
					return nil, nil, nil, nil, err
				}
			}
		}
		s, err := c.String()
		if err != nil {
			return nil, nil, nil, nil, err
		}
		b.WriteString("---\n")
		line++
		starts = append(starts, line)
		kept = append(kept, it)
		texts = append(texts, s)
		b.WriteString(s)
		line += strings.Count(s, "\n")
	}
	return b.Bytes(), starts, kept, texts, nil
}

// fnFindingResult maps a finding on the stream back to the item it is in:
// the item's file and index as the host annotated them (no host gives
// lines, so none is claimed), the rule in the message and the tags. It
// returns the stderr line too, shaped like lint's text output.
func fnFindingResult(f finding.Finding, starts []int, items []*yaml.RNode, texts []string) (*framework.Result, string) {
	r := &framework.Result{
		Severity: framework.Severity(f.Severity),
		Message:  f.Rule + " " + f.Message,
		Tags:     map[string]string{"rule": f.Rule},
	}
	if f.Resource != (finding.Resource{}) {
		r.ResourceRef = &yaml.ResourceIdentifier{
			TypeMeta: yaml.TypeMeta{APIVersion: f.Resource.APIVersion, Kind: f.Resource.Kind},
			NameMeta: yaml.NameMeta{Name: f.Resource.Name, Namespace: f.Resource.Namespace},
		}
	}
	if f.Path != "" {
		r.Field = &framework.Field{Path: f.Path}
	}
	if f.File == render.FnStdin && f.Line > 0 {
		if i := sort.SearchInts(starts, f.Line+1) - 1; i >= 0 {
			it := items[i]
			r.File = render.FnFile(it)
			if r.ResourceRef == nil {
				r.ResourceRef = render.FnRef(it)
			}
			if it.GetKind() == render.Kind && f.Resource.Kind != render.Kind {
				// A finding on what the fleet renders: lint positions it
				// at the fleet field that produced it, and so does the
				// result, naming the rendered object in the message.
				r.ResourceRef = render.FnRef(it)
				r.Field = nil
				if p := pathAt(texts[i], f.Line-starts[i]+1, f.Column); p != "" {
					r.Field = &framework.Field{Path: p}
				}
				r.Message += " (rendered " + f.Resource.String() + ")"
			}
		}
	}
	path := ""
	if r.Field != nil {
		path = r.Field.Path
	}
	var line string
	if r.File != nil {
		r.Message = render.FnMessage(r.File.Path, path, r.Message)
		line = render.FnMessage(r.File.Path, path, string(f.Severity)+" "+f.Rule+" "+f.Message)
	} else {
		line = string(f.Severity) + " " + f.Rule + " " + f.Message
		if path != "" {
			line = path + ": " + line
		}
	}
	if res := f.Resource.String(); res != "" {
		line += " [" + res + "]"
	}
	return r, line
}

// pathAt is the path of the node at line and column of n (counted from the
// start of n's document as written to the lint stream), "" when none is
// there.
func pathAt(text string, line, col int) string {
	docs, err := manifest.Parse("item", []byte(text), manifest.DefaultLimits)
	if err != nil || len(docs) != 1 {
		return ""
	}
	n := docs[0].Node
	var walk func(n *yamlv3.Node, p string) (string, bool)
	walk = func(n *yamlv3.Node, p string) (string, bool) {
		if n == nil {
			return "", false
		}
		if n.Line == line && n.Column == col {
			return p, true
		}
		switch n.Kind {
		case yamlv3.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				kp := manifest.AppendKey(p, k.Value)
				if k.Line == line && k.Column == col {
					return kp, true
				}
				if got, ok := walk(n.Content[i+1], kp); ok {
					return got, true
				}
			}
		case yamlv3.SequenceNode:
			for i, c := range n.Content {
				if got, ok := walk(c, manifest.AppendIndex(p, i)); ok {
					return got, true
				}
			}
		}
		return "", false
	}
	got, _ := walk(n, "")
	return got
}
