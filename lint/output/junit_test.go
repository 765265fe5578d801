package output

import (
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/meshfleet/meshfleet/lint/finding"
)

// xmlNode is any element, kept generic so the checks below see exactly
// what a schema validator would: names, attributes, children, text.
type xmlNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []xmlNode  `xml:",any"`
	Text     string     `xml:",chardata"`
}

func (n xmlNode) attr(name string) (string, bool) {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// junitSchema is the structure of the JUnit XSD that Jenkins publishes
// (junit-10.xsd, which pytest's xunit2 family follows): the attributes
// each element may carry, those it must, and its allowed children.
var junitSchema = map[string]struct {
	attrs, required, children []string
}{
	"testsuites": {attrs: []string{"name", "time", "tests", "failures", "disabled", "errors"}, children: []string{"testsuite"}},
	"testsuite": {
		attrs:    []string{"name", "tests", "failures", "errors", "time", "disabled", "skipped", "timestamp", "hostname", "id", "package", "file", "log", "url", "version"},
		required: []string{"name", "tests"}, children: []string{"properties", "testcase", "system-out", "system-err"},
	},
	"testcase": {attrs: []string{"name", "assertions", "time", "classname", "status"}, required: []string{"name"},
		children: []string{"skipped", "error", "failure", "system-out", "system-err"}},
	"failure": {attrs: []string{"message", "type"}},
}

var junitCounts = []string{"tests", "failures", "errors", "skipped", "disabled"}

// checkJUnit validates doc against junitSchema and checks that every count
// attribute agrees with the elements it counts.
func checkJUnit(doc string) error {
	var root xmlNode
	if err := xml.Unmarshal([]byte(doc), &root); err != nil {
		return err
	}
	if !strings.HasPrefix(doc, xml.Header) {
		return fmt.Errorf("no XML declaration")
	}
	if root.XMLName.Local != "testsuites" {
		return fmt.Errorf("root element %s, want testsuites", root.XMLName.Local)
	}
	var check func(n xmlNode) error
	check = func(n xmlNode) error {
		el, ok := junitSchema[n.XMLName.Local]
		if !ok {
			return nil // text-only elements
		}
		for _, a := range n.Attrs {
			if !contains(el.attrs, a.Name.Local) {
				return fmt.Errorf("<%s> has attribute %s, not in the schema", n.XMLName.Local, a.Name.Local)
			}
			if contains(junitCounts, a.Name.Local) {
				if v, err := strconv.Atoi(a.Value); err != nil || v < 0 {
					return fmt.Errorf("<%s %s=%q>: not a count", n.XMLName.Local, a.Name.Local, a.Value)
				}
			}
		}
		for _, r := range el.required {
			if _, ok := n.attr(r); !ok {
				return fmt.Errorf("<%s> lacks required attribute %s", n.XMLName.Local, r)
			}
		}
		for _, c := range n.Children {
			if !contains(el.children, c.XMLName.Local) {
				return fmt.Errorf("<%s> in <%s>, not in the schema", c.XMLName.Local, n.XMLName.Local)
			}
			if err := check(c); err != nil {
				return err
			}
		}
		return nil
	}
	if err := check(root); err != nil {
		return err
	}
	total, totalFail := 0, 0
	for _, s := range root.Children {
		tests, fails := 0, 0
		for _, c := range s.Children {
			if c.XMLName.Local != "testcase" {
				continue
			}
			tests++
			for _, x := range c.Children {
				if x.XMLName.Local == "failure" {
					fails++
				}
			}
		}
		if err := wantCount(s, "tests", tests); err != nil {
			return err
		}
		if err := wantCount(s, "failures", fails); err != nil {
			return err
		}
		total += tests
		totalFail += fails
	}
	if err := wantCount(root, "tests", total); err != nil {
		return err
	}
	return wantCount(root, "failures", totalFail)
}

func wantCount(n xmlNode, attr string, want int) error {
	v, ok := n.attr(attr)
	if ok && v != strconv.Itoa(want) {
		name, _ := n.attr("name")
		return fmt.Errorf("<%s name=%q> %s=%s, counted %d", n.XMLName.Local, name, attr, v, want)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestJUnitSchema(t *testing.T) {
	for name, r := range schemaReports(t) {
		t.Run(name, func(t *testing.T) {
			if err := checkJUnit(render(t, "junit", Options{}, r)); err != nil {
				t.Error(err)
			}
		})
	}
	// The checks are not a formality.
	for _, bad := range []string{
		xml.Header + `<testsuite name="a" tests="1"></testsuite>`,
		xml.Header + `<testsuites><testsuite name="a" tests="2"><testcase name="x"/></testsuite></testsuites>`,
		xml.Header + `<testsuites><testsuite tests="1"><testcase name="x"/></testsuite></testsuites>`,
		xml.Header + `<testsuites><testsuite name="a" tests="1"><testcase name="x" line="3"/></testsuite></testsuites>`,
		xml.Header + `<testsuites><testsuite name="a" tests="1" failures="0"><testcase name="x"><failure/></testcase></testsuite></testsuites>`,
	} {
		if checkJUnit(bad) == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

// TestJUnitShape: a suite per file, a failing case per finding whatever
// its severity, a passing case per clean file, hostile text made safe.
func TestJUnitShape(t *testing.T) {
	r := &finding.Report{
		Files: []string{"a.yaml", "clean.yaml", "./b.yaml"},
		Findings: []finding.Finding{
			{Rule: "MF301", Severity: finding.Info, Message: "m1 \x1b[2J", File: "a.yaml", Line: 4, Column: 2, Path: "spec.x",
				Resource: finding.Resource{Kind: "DestinationRule", Namespace: "shop", Name: "cart"}},
			{Rule: "MF302", Severity: finding.Error, Message: "<m2> & \"q\"", File: "a.yaml", Line: 9},
			{Rule: "MF100", Severity: finding.Error, Message: "m3", File: "b.yaml"},
		},
		Rules: []finding.Rule{{ID: "MF301", Title: "Subset selects nothing", Severity: finding.Error}},
	}
	out := render(t, "junit", Options{}, r)
	var root xmlNode
	if err := xml.Unmarshal([]byte(out), &root); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range root.Children {
		name, _ := s.attr("name")
		for _, c := range s.Children {
			cn, _ := c.attr("name")
			state := "pass"
			if len(c.Children) > 0 {
				msg, _ := c.Children[0].attr("message")
				state = c.Children[0].XMLName.Local + ": " + msg
			}
			got = append(got, name+" | "+cn+" | "+state)
		}
	}
	want := []string{
		`a.yaml | MF301 Subset selects nothing - DestinationRule shop/cart - spec.x | failure: m1 \x1b[2J`,
		`a.yaml | MF302 | failure: <m2> & "q"`,
		`b.yaml | MF100 | failure: m3`,
		`clean.yaml | no findings | pass`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if strings.ContainsRune(out, 0x1b) {
		t.Error("raw ESC in the report")
	}
}
