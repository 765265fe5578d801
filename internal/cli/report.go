package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/meshfleet/meshfleet/internal/manifest"
	"github.com/meshfleet/meshfleet/lint"
	"github.com/meshfleet/meshfleet/lint/finding"
	"github.com/meshfleet/meshfleet/lint/output"
	"github.com/meshfleet/meshfleet/render"
)

// formatSpec is one --format FORMAT[=FILE]; file "" is stdout.
type formatSpec struct {
	format, file string
}

// parseFormats reads the --format values: FORMAT or FORMAT=FILE (FILE "-"
// is stdout). One report at most goes to stdout and no file is named
// twice, since two reports would interleave or overwrite each other. With
// no --format, text goes to stdout.
func parseFormats(values []string) ([]formatSpec, error) {
	if len(values) == 0 {
		return []formatSpec{{format: "text"}}, nil
	}
	var specs []formatSpec
	files := map[string]bool{}
	stdout := ""
	for _, v := range values {
		format, file, hasFile := strings.Cut(v, "=")
		if hasFile && file == "" {
			return nil, fmt.Errorf("%q: want FORMAT=FILE with a file name", v)
		}
		if _, err := output.New(format, output.Options{}); err != nil {
			return nil, err
		}
		if file == "-" {
			file = ""
		}
		if file == "" {
			if stdout != "" {
				return nil, fmt.Errorf("%s and %s both write to stdout: send one to a file with FORMAT=FILE", stdout, format)
			}
			stdout = format
		} else {
			key := filepath.Clean(file)
			if files[key] {
				return nil, fmt.Errorf("%s named twice", file)
			}
			files[key] = true
		}
		specs = append(specs, formatSpec{format: format, file: file})
	}
	return specs, nil
}

// reportWriter is a writer with its destination.
type reportWriter struct {
	w    output.Writer
	spec formatSpec
}

func newWriters(specs []formatSpec, opts output.Options) ([]reportWriter, error) {
	var ws []reportWriter
	for _, s := range specs {
		o := opts
		// Colour is for a person at a terminal: never in a file.
		o.Color = opts.Color && s.file == ""
		w, err := output.New(s.format, o)
		if err != nil {
			return nil, err
		}
		ws = append(ws, reportWriter{w: w, spec: s})
	}
	return ws, nil
}

// reportOptions decides what the writers may not look up themselves: the
// colour of the text report and the directories paths are relative to.
func reportOptions(env *Env, f *lintFlags) (output.Options, error) {
	var o output.Options
	switch f.color {
	case "always":
		o.Color = true
	case "auto":
		o.Color = colorOK(env.Stdout)
	}
	wd, err := os.Getwd()
	if err != nil {
		return o, err
	}
	o.Dir = wd
	root := f.sarifRoot
	if root == "" {
		root = manifest.RepoRoot(wd)
	}
	if root == "" {
		root = wd
	}
	if o.Root, err = filepath.Abs(root); err != nil {
		return o, fmt.Errorf("--sarif-root: %w", err)
	}
	if st, err := os.Stat(o.Root); err != nil || !st.IsDir() {
		return o, fmt.Errorf("--sarif-root: %s is not a directory", root)
	}
	return o, nil
}

// writeReports writes every report of one lint pass. Files are written
// whole or not at all (a temporary file renamed into place), so a failed
// run never leaves a truncated SARIF for the upload step; stdout is
// written last, after the files, so its exit status is the run's.
func writeReports(env *Env, ws []reportWriter, r *finding.Report, opts output.Options) error {
	var stdout *reportWriter
	for i := range ws {
		if ws[i].spec.file == "" {
			stdout = &ws[i]
			continue
		}
		var buf bytes.Buffer
		if err := ws[i].w.Write(&buf, r); err != nil {
			return err
		}
		if err := writeFileAtomic(ws[i].spec.file, buf.Bytes()); err != nil {
			return fmt.Errorf("--format %s=%s: %w", ws[i].spec.format, ws[i].spec.file, err)
		}
	}
	if stdout != nil {
		return stdout.w.Write(env.Stdout, r)
	}
	return nil
}

// writeFileAtomic writes data to path through a temporary file in the same
// directory, renamed over path once complete. Missing parent directories
// are made (CI jobs write to reports/ before it exists).
func writeFileAtomic(path string, data []byte) error {
	dir, _ := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		return fmt.Errorf("%s exists and is not a regular file", path)
	}
	return render.WriteFileAtomic(path, data)
}

// loadLintBaseline reads --baseline, else the config's baseline: (relative
// to the config file and confined to its repository, being repository
// content), else returns nil.
func loadLintBaseline(flag string, cfg *lint.Config) (*lint.Baseline, error) {
	if flag != "" {
		return lint.LoadBaseline("", flag)
	}
	if cfg.Baseline == "" {
		return nil, nil
	}
	dir := filepath.Dir(cfg.File)
	file := cfg.Baseline
	if !filepath.IsAbs(file) {
		file = filepath.Join(dir, file)
	}
	boundary, err := manifest.Boundary(dir)
	if err != nil {
		return nil, err
	}
	b, err := lint.LoadBaseline(boundary, file)
	var me *manifest.Error
	if err != nil && !errors.As(err, &me) {
		err = fmt.Errorf("%s: baseline %s: %w", cfg.File, cfg.Baseline, err)
	}
	return b, err
}

// canTellTime is true when a person is watching (stdout or stderr is a
// terminal): only then does the text summary say how long the run took,
// so piped output, CI logs and golden files stay the same run to run.
func canTellTime(env *Env) bool {
	return isTerminalWriter(env.Stdout) || isTerminalWriter(env.Stderr)
}

func isTerminalWriter(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
