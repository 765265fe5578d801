package output

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/meshfleet/meshfleet/lint/finding"
)

// codequalityWriter prints a GitLab Code Quality report: a JSON array of
// issues (the Code Climate subset GitLab reads) that the merge request
// widget compares between the source and target branch by fingerprint.
type codequalityWriter struct{ opts Options }

func (codequalityWriter) Name() string { return "codequality" }

type cqIssue struct {
	Type        string     `json:"type"`
	Description string     `json:"description"`
	CheckName   string     `json:"check_name"`
	Fingerprint string     `json:"fingerprint"`
	Severity    string     `json:"severity"`
	Categories  []string   `json:"categories"`
	Location    cqLocation `json:"location"`
}

type cqLocation struct {
	Path  string  `json:"path"`
	Lines cqLines `json:"lines"`
}

type cqLines struct {
	Begin int `json:"begin"`
}

func (c codequalityWriter) Write(w io.Writer, r *finding.Report) error {
	fs, _ := prepare(r)
	titles := ruleTitles(r)
	issues := make([]cqIssue, 0, len(fs))
	seen := map[string]int{}
	for _, f := range fs {
		path, _ := c.opts.repoPath(f.File)
		if path == "" {
			path = "." // a finding on the run as a whole; GitLab wants a path
		}
		// The fingerprint is SARIF's, line-free, so a finding keeps its
		// identity when lines above it change; the occurrence number
		// keeps identical findings in one file apart, and the whole is
		// hashed again because GitLab wants one opaque string.
		fp := fingerprint(f, path)
		seen[fp]++
		sum := sha256.Sum256([]byte(fingerprintKey + ":" + fp + ":" + strconv.Itoa(seen[fp])))
		desc := firstNonEmpty(f.Message, titles[f.Rule], f.Rule)
		if res := f.Resource.String(); res != "" {
			desc += " [" + res + "]"
		}
		issues = append(issues, cqIssue{
			Type:        "issue",
			Description: desc,
			CheckName:   f.Rule,
			Fingerprint: hex.EncodeToString(sum[:16]),
			Severity:    cqSeverity(f),
			Categories:  cqCategories(f.Rule),
			Location:    cqLocation{Path: path, Lines: cqLines{Begin: max(f.Line, 1)}},
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(issues); err != nil {
		return fmt.Errorf("write codequality report: %w", err)
	}
	return nil
}

// cqSeverity maps onto GitLab's five levels: info stays info, a warning is
// minor, an error major, an error of the mTLS and authorization rules
// (traffic admitted or sent in plaintext against intent) critical, and
// an unreadable input (MF100: the lint is incomplete) a blocker.
func cqSeverity(f finding.Finding) string {
	switch {
	case f.Rule == "MF100":
		return "blocker"
	case f.Severity == finding.Error && securityRule(f.Rule):
		return "critical"
	case f.Severity == finding.Error:
		return "major"
	case f.Severity == finding.Info:
		return "info"
	}
	return "minor"
}

// cqCategories uses Code Climate's categories: "Security" for the mTLS and
// authorization rules, "Bug Risk" for the rest (a configuration Istio
// accepts but that does not do what it says).
func cqCategories(rule string) []string {
	if securityRule(rule) {
		return []string{"Security"}
	}
	return []string{"Bug Risk"}
}
