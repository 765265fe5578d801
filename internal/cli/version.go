package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Stamped by the Makefile and GoReleaser with -ldflags "-X
// github.com/meshfleet/meshfleet/internal/cli.version=v0.3.0 -X ...commit=...
// -X ...date=...". A build without them (go install, pre-commit's
// language: golang) reads the module build info instead.
var (
	version = "dev"
	commit  = ""
	date    = ""
)

// buildInfo is what `meshfleet version` reports.
type buildInfo struct {
	Version, Commit, Date, Go string
	Modified                  bool
}

// readBuildInfo is debug.ReadBuildInfo, replaced in tests.
var readBuildInfo = debug.ReadBuildInfo

// currentBuild combines the ldflags stamp with the module build info: the
// stamp wins where set; otherwise `go install module@v0.3.0` gives the
// module version, and a build from a checkout gives vcs.revision,
// vcs.time and vcs.modified.
func currentBuild() buildInfo {
	b := buildInfo{Version: version, Commit: commit, Date: date, Go: runtime.Version()}
	info, ok := readBuildInfo()
	if !ok {
		return b
	}
	if b.Version == "dev" || b.Version == "" {
		if v := info.Main.Version; v != "" && v != "(devel)" {
			b.Version = v
		} else {
			b.Version = "dev"
		}
	}
	if info.GoVersion != "" {
		b.Go = info.GoVersion
	}
	stamped := commit != ""
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			if !stamped {
				b.Commit = s.Value
			}
		case "vcs.time":
			if b.Date == "" {
				b.Date = s.Value
			}
		case "vcs.modified":
			if !stamped {
				b.Modified = s.Value == "true"
			}
		}
	}
	return b
}

// String is "meshfleet v0.3.0 (commit 1a2b3c4d5e6f, 2026-12-03T10:00:00Z, go1.26.8)",
// with the parts that are unknown left out.
func (b buildInfo) String() string {
	var parts []string
	if b.Commit != "" {
		c := b.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		if b.Modified {
			c += "-dirty"
		}
		parts = append(parts, "commit "+c)
	}
	if b.Date != "" {
		parts = append(parts, "built "+b.Date)
	}
	if b.Go != "" {
		parts = append(parts, b.Go)
	}
	s := "meshfleet " + b.Version
	if len(parts) > 0 {
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	return s
}

func runVersion(env *Env, args []string) int {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Fprint(env.Stdout, "usage: meshfleet version\n\nPrint meshfleet's version, the commit and date it was built from, and the Go\nversion: stamped at build (make, GoReleaser), else read from the module\nbuild info (go install, pre-commit).\n")
		return ExitOK
	}
	if len(args) > 0 {
		fmt.Fprintf(env.Stderr, "meshfleet version: unexpected argument %q\n", strings.Join(args, " "))
		return ExitUsage
	}
	fmt.Fprintln(env.Stdout, currentBuild())
	return ExitOK
}
