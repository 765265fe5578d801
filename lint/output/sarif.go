package output

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/meshfleet/meshfleet/lint/finding"
)

// sarifWriter prints SARIF 2.1.0 in the subset GitHub code scanning reads:
// the rule catalogue in tool.driver.rules (so alerts show the rule's docs),
// repository-relative locations, and partialFingerprints that ignore the
// line, so an alert survives edits above it instead of being reopened.
type sarifWriter struct{ opts Options }

func (sarifWriter) Name() string { return "sarif" }

const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
	toolName     = "meshfleet"
	toolURI      = "https://github.com/meshfleet/meshfleet"
	// srcRoot is the base the relative artifact URIs resolve against: the
	// directory lint ran in, which in CI is the checkout.
	srcRoot = "%SRCROOT%"
	// SARIFMaxResults is the most results GitHub code scanning accepts in
	// one run; it rejects the whole upload past it.
	SARIFMaxResults = 25000
	// fingerprintKey is versioned so a change to what is hashed can move
	// to a new key instead of silently reopening every alert.
	fingerprintKey = "meshfleet/v1"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                        `json:"tool"`
	OriginalURIBaseIDs map[string]sarifArtifactLocation `json:"originalUriBaseIds"`
	Results            []sarifResult                    `json:"results"`
	Properties         *sarifRunProps                   `json:"properties,omitempty"`
}

// sarifRunProps tells, when results were dropped over the limit, how many
// and what the limit was, so a reader of the log knows it is not all.
type sarifRunProps struct {
	ResultLimit    int `json:"meshfleetResultLimit"`
	DroppedResults int `json:"meshfleetDroppedResults"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Version        string      `json:"version,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string          `json:"id"`
	Name                 string          `json:"name"`
	ShortDescription     sarifText       `json:"shortDescription"`
	FullDescription      sarifText       `json:"fullDescription"`
	Help                 sarifHelp       `json:"help"`
	DefaultConfiguration sarifRuleConfig `json:"defaultConfiguration"`
	Properties           sarifRuleProps  `json:"properties"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifHelp struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown"`
}

type sarifRuleConfig struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	Tags []string `json:"tags"`
	// SecuritySeverity is GitHub's 0.0-10.0 score, a string, by which code
	// scanning ranks security alerts (critical over 9.0, high from 7.0,
	// medium from 4.0, low below).
	SecuritySeverity string `json:"security-severity,omitempty"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          *sarifResultProps `json:"properties,omitempty"`
}

type sarifResultProps struct {
	// Path is the YAML path of the field, which SARIF has no slot for.
	Path string `json:"path"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysicalLocation `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogicalLocation `json:"logicalLocations,omitempty"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           *sarifRegion          `json:"region,omitempty"`
}

type sarifArtifactLocation struct {
	URI         string     `json:"uri,omitempty"`
	URIBaseID   string     `json:"uriBaseId,omitempty"`
	Description *sarifText `json:"description,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
	EndLine     int `json:"endLine,omitempty"`
	// EndColumn is SARIF's: the column after the region's last character.
	EndColumn int `json:"endColumn,omitempty"`
}

type sarifLogicalLocation struct {
	Name               string            `json:"name,omitempty"`
	FullyQualifiedName string            `json:"fullyQualifiedName"`
	Kind               string            `json:"kind"`
	Properties         *finding.Resource `json:"properties,omitempty"`
}

func (sw sarifWriter) Write(w io.Writer, r *finding.Report) error {
	fs, _ := prepare(r)
	var catalogue []finding.Rule
	version := ""
	if r != nil {
		catalogue, version = r.Rules, r.Version
	}
	rules, index := sarifRules(catalogue, fs)

	results := make([]sarifResult, 0, len(fs))
	seen := map[string]int{}
	for _, f := range fs {
		file, inside := sw.opts.repoPath(f.File)
		fp := fingerprint(f, file)
		seen[fp]++
		res := sarifResult{
			RuleID:    f.Rule,
			RuleIndex: index[f.Rule],
			Level:     sarifLevel(f.Severity),
			Message:   sarifText{Text: f.Message},
			// Identical findings at different places in one file share a
			// hash; the occurrence number keeps them apart, as CodeQL does.
			PartialFingerprints: map[string]string{fingerprintKey: fp + ":" + strconv.Itoa(seen[fp])},
			Locations:           sarifLocations(f, file, inside),
		}
		if res.Message.Text == "" {
			res.Message.Text = f.Rule
		}
		if f.Path != "" {
			res.Properties = &sarifResultProps{Path: f.Path}
		}
		results = append(results, res)
	}
	limit := sw.opts.MaxResults
	if limit <= 0 {
		limit = SARIFMaxResults
	}
	var props *sarifRunProps
	if len(results) > limit {
		dropped := len(results) - limit
		results = mostSevere(results, fs, limit)
		props = &sarifRunProps{ResultLimit: limit, DroppedResults: dropped}
		sw.opts.notice(fmt.Sprintf("sarif: %d results over the limit of %d per run (GitHub code scanning rejects more) were left out, the least severe first", dropped, limit))
	}

	log := sarifLog{
		Schema:  sarifSchema,
		Version: sarifVersion,
		Runs: []sarifRun{{
			Tool: sarifTool{Driver: sarifDriver{
				Name:           toolName,
				InformationURI: toolURI,
				Version:        version,
				Rules:          rules,
			}},
			OriginalURIBaseIDs: map[string]sarifArtifactLocation{
				srcRoot: {Description: &sarifText{Text: sw.rootText()}},
			},
			Results:    results,
			Properties: props,
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(log); err != nil {
		return fmt.Errorf("write sarif report: %w", err)
	}
	return nil
}

func (sw sarifWriter) rootText() string {
	if sw.opts.Root == "" {
		return "The directory meshfleet lint ran in; file names are relative to it."
	}
	return "The repository root (the nearest directory upward holding .git, or --sarif-root); file names are relative to it."
}

// mostSevere keeps limit of results (parallel to the sorted findings fs):
// the most severe, ties broken by the findings' order, which is also the
// order they keep, so the same input always keeps the same results.
func mostSevere(results []sarifResult, fs []finding.Finding, limit int) []sarifResult {
	order := make([]int, len(results))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return fs[b].Severity.Rank() - fs[a].Severity.Rank()
	})
	keep := order[:limit]
	slices.Sort(keep)
	out := make([]sarifResult, len(keep))
	for i, k := range keep {
		out[i] = results[k]
	}
	return out
}

// sarifRules builds the rule table from the catalogue, adding a bare entry
// for any rule a finding names that the catalogue lacks (a user policy
// without metadata), so every result's ruleIndex points at its rule. The
// table is sorted by ID; index maps an ID to its position.
func sarifRules(catalogue []finding.Rule, fs []finding.Finding) ([]sarifRule, map[string]int) {
	byID := map[string]finding.Rule{}
	for _, r := range catalogue {
		if _, dup := byID[r.ID]; !dup {
			byID[r.ID] = r
		}
	}
	for _, f := range fs {
		if _, ok := byID[f.Rule]; !ok {
			byID[f.Rule] = finding.Rule{ID: f.Rule, Severity: f.Severity}
		}
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	slices.Sort(ids)

	rules := make([]sarifRule, len(ids))
	index := make(map[string]int, len(ids))
	for i, id := range ids {
		rules[i] = sarifRuleFor(byID[id])
		index[id] = i
	}
	return rules, index
}

func sarifRuleFor(r finding.Rule) sarifRule {
	short := firstNonEmpty(r.Title, r.ID)
	full := firstNonEmpty(r.Description, short)
	text, markdown := ruleHelp(r, full)
	return sarifRule{
		ID:                   r.ID,
		Name:                 firstNonEmpty(pascalCase(r.Title), r.ID),
		ShortDescription:     sarifText{Text: short},
		FullDescription:      sarifText{Text: full},
		Help:                 sarifHelp{Text: text, Markdown: markdown},
		DefaultConfiguration: sarifRuleConfig{Level: sarifLevel(r.Severity)},
		Properties:           sarifRuleProps{Tags: ruleTags(r.ID), SecuritySeverity: securitySeverity(r)},
	}
}

// securityFamilies are the rule families about who may talk to whom: mTLS
// (MF5xx) and authorization (MF6xx). Their rules carry a security-severity
// and the "security" tag, so code scanning ranks their alerts with other
// security findings.
func securityRule(id string) bool {
	return len(id) == 5 && strings.HasPrefix(id, "MF") && (id[2] == '5' || id[2] == '6')
}

// securitySeverity scores a security rule from its severity: an error
// (traffic admitted or left in plaintext against the policy's intent) is
// high, a warning medium, an info low. Other rules get none.
func securitySeverity(r finding.Rule) string {
	if !securityRule(r.ID) {
		return ""
	}
	switch r.Severity {
	case finding.Error:
		return "8.0"
	case finding.Warning:
		return "5.0"
	}
	return "2.0"
}

// ruleHelp is what GitHub shows under "Rule help": how to fix the finding,
// then the rule's bad and good examples, the same docs `meshfleet rules ID`
// prints.
func ruleHelp(r finding.Rule, fallback string) (text, markdown string) {
	fix := firstNonEmpty(r.Remediation, fallback)
	var t, md strings.Builder
	t.WriteString(fix)
	md.WriteString(fix)
	for _, ex := range []struct{ label, yaml string }{{"Bad", r.Bad}, {"Good", r.Good}} {
		y := strings.TrimRight(ex.yaml, "\n")
		if strings.TrimSpace(y) == "" {
			continue
		}
		fmt.Fprintf(&t, "\n\n%s:\n%s", ex.label, y)
		fence := codeFence(y)
		fmt.Fprintf(&md, "\n\n**%s**\n\n%syaml\n%s\n%s", ex.label, fence, y, fence)
	}
	return t.String(), md.String()
}

// codeFence is a backtick fence longer than any backtick run in s, so an
// example holding ``` cannot close its own block.
func codeFence(s string) string {
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

// ruleFamilies names the MFnxx families of DESIGN.md §4; GitHub shows tags
// as filters on the alert list.
var ruleFamilies = map[byte]string{
	'1': "schema",
	'2': "selectors",
	'3': "hosts",
	'4': "ports",
	'5': "mtls",
	'6': "authorization",
}

func ruleTags(id string) []string {
	tags := []string{"istio", "kubernetes"}
	if len(id) == 5 && strings.HasPrefix(id, "MF") {
		if fam, ok := ruleFamilies[id[2]]; ok {
			tags = append(tags, fam)
		}
	}
	if securityRule(id) {
		tags = append(tags, "security")
	}
	return tags
}

// pascalCase turns a title into SARIF's rule name, an identifier-like form:
// "DestinationRule subset selects no workload" gives
// "DestinationRuleSubsetSelectsNoWorkload".
func pascalCase(title string) string {
	var b strings.Builder
	for _, word := range strings.FieldsFunc(title, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		rs := []rune(word)
		rs[0] = unicode.ToUpper(rs[0])
		b.WriteString(string(rs))
	}
	return b.String()
}

// sarifLevel maps severities to SARIF levels; SARIF calls info "note". An
// unknown severity becomes a warning so it is still seen.
func sarifLevel(s finding.Severity) string {
	switch s {
	case finding.Error:
		return "error"
	case finding.Info:
		return "note"
	}
	return "warning"
}

// sarifLocations gives the file position and, as a logical location, the
// resource: for a rendered VMFleet the file points at the fleet and only
// the resource names what failed.
func sarifLocations(f finding.Finding, file string, inside bool) []sarifLocation {
	var loc sarifLocation
	if f.File != "" {
		uri, base := artifactURI(file, inside)
		loc.PhysicalLocation = &sarifPhysicalLocation{
			ArtifactLocation: sarifArtifactLocation{URI: uri, URIBaseID: base},
			// SARIF lines start at 1; a whole-file finding (line 0) is
			// shown on the first line.
			Region: &sarifRegion{StartLine: max(f.Line, 1), StartColumn: max(f.Column, 0)},
		}
		if f.Line > 0 && f.EndLine >= f.Line {
			loc.PhysicalLocation.Region.EndLine = f.EndLine
			if f.Column > 0 && f.EndColumn > 0 && (f.EndLine > f.Line || f.EndColumn >= f.Column) {
				loc.PhysicalLocation.Region.EndColumn = f.EndColumn + 1
			}
		}
	}
	if res := f.Resource.String(); res != "" {
		r := f.Resource
		loc.LogicalLocations = []sarifLogicalLocation{{
			Name:               r.Name,
			FullyQualifiedName: res,
			Kind:               "resource",
			Properties:         &r,
		}}
	}
	if loc.PhysicalLocation == nil && loc.LogicalLocations == nil {
		return nil
	}
	return []sarifLocation{loc}
}

// artifactURI makes a file name (slashed, relative to the root when
// inside it) a URI reference: relative names resolve against %SRCROOT%
// (GitHub maps them onto the repository), others become file URIs.
// Everything but unreserved characters and "/" is percent-encoded, so
// spaces are legal and a colon in a name cannot be read as a URI scheme.
func artifactURI(file string, inside bool) (uri, base string) {
	if inside {
		return escapeURIPath(file), srcRoot
	}
	p := file
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/x on Windows
	}
	return "file://" + escapeURIPath(p), ""
}

func escapeURIPath(p string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '/' || c == '-' || c == '.' || c == '_' || c == '~' ||
			'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// fingerprint hashes what identifies a finding independently of where the
// file's lines moved: rule, file (as the report names it, relative to the
// repository root when known, so a run from a subdirectory agrees),
// resource, YAML path and message, never the line or column.
func fingerprint(f finding.Finding, file string) string {
	h := sha256.New()
	for _, part := range []string{
		f.Rule, file,
		f.Resource.APIVersion, f.Resource.Kind, f.Resource.Namespace, f.Resource.Name,
		f.Path, f.Message,
	} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}
