package cli

import (
	"bytes"
	"runtime/debug"
	"testing"
)

// TestVersionSources: the ldflags stamp wins; without it the module build
// info gives what `go install` and a checkout build know.
func TestVersionSources(t *testing.T) {
	defer func(v, c, d string, r func() (*debug.BuildInfo, bool)) {
		version, commit, date, readBuildInfo = v, c, d, r
	}(version, commit, date, readBuildInfo)
	vcs := func(main string, settings ...string) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) {
			bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/meshfleet/meshfleet", Version: main}}
			for i := 0; i+1 < len(settings); i += 2 {
				bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
			}
			return bi, true
		}
	}
	for _, tc := range []struct {
		name                  string
		version, commit, date string
		info                  func() (*debug.BuildInfo, bool)
		want                  string
	}{
		{"ldflags", "v0.3.0", "0123456789abcdef0123", "2026-12-03T10:00:00Z",
			vcs("(devel)", "vcs.revision", "ffffffffffffffff", "vcs.time", "2020-01-01T00:00:00Z", "vcs.modified", "true"),
			"meshfleet v0.3.0 (commit 0123456789ab, built 2026-12-03T10:00:00Z, go1.26.8)"},
		{"go install module@version", "dev", "", "", vcs("v0.3.0"), "meshfleet v0.3.0 (go1.26.8)"},
		{"checkout build", "dev", "", "",
			vcs("(devel)", "vcs.revision", "abcdef0123456789abcd", "vcs.time", "2026-12-01T09:30:00Z", "vcs.modified", "true"),
			"meshfleet dev (commit abcdef012345-dirty, built 2026-12-01T09:30:00Z, go1.26.8)"},
		{"pseudo-version with vcs", "dev", "", "",
			vcs("v0.3.1-0.20261201093000-abcdef012345", "vcs.revision", "abcdef0123456789abcd", "vcs.time", "2026-12-01T09:30:00Z"),
			"meshfleet v0.3.1-0.20261201093000-abcdef012345 (commit abcdef012345, built 2026-12-01T09:30:00Z, go1.26.8)"},
		{"no build info", "dev", "", "", func() (*debug.BuildInfo, bool) { return nil, false }, "meshfleet dev ("},
	} {
		t.Run(tc.name, func(t *testing.T) {
			version, commit, date, readBuildInfo = tc.version, tc.commit, tc.date, tc.info
			var out bytes.Buffer
			if code := Main([]string{"version"}, nil, &out, &out); code != 0 {
				t.Fatalf("exit %d", code)
			}
			got := out.String()
			if tc.name == "no build info" {
				if !bytes.HasPrefix(out.Bytes(), []byte(tc.want)) {
					t.Errorf("got %q", got)
				}
				return
			}
			if got != tc.want+"\n" {
				t.Errorf("got  %q\nwant %q", got, tc.want+"\n")
			}
		})
	}
}
