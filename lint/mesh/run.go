package mesh

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/meshfleet/meshfleet/internal/manifest"
)

// Failure is one expectation a case did not meet.
type Failure struct {
	Field    string `json:"field"`
	Expected any    `json:"expected"`
	Actual   any    `json:"actual"`
}

// Actual is what the model decided, as tests report it.
type Actual struct {
	// Allowed is true, false or "unknown".
	Allowed      any           `json:"allowed"`
	MTLS         bool          `json:"mtls"`
	Destinations []Destination `json:"destinations"`
	Endpoints    []string      `json:"endpoints"`
	// Status is null when the request reaches a workload.
	Status *int `json:"status"`
}

// CaseResult is one case's outcome.
type CaseResult struct {
	File     string    `json:"file"`
	Line     int       `json:"line"`
	Test     string    `json:"test"`
	Name     string    `json:"name"`
	Passed   bool      `json:"passed"`
	Failures []Failure `json:"failures"`
	Actual   Actual    `json:"actual"`
	// Reason says why allowed is not true ("" when it is).
	Reason string `json:"-"`
}

// Run evaluates every case of suites whose "test/name" run matches (nil:
// all). Cases naming what the input lacks are input errors with file:line;
// when there are any, no result is returned.
func (md *Model) Run(suites []*Suite, run *regexp.Regexp) ([]CaseResult, []*manifest.Error) {
	var out []CaseResult
	var errs []*manifest.Error
	for _, s := range suites {
		for _, c := range s.Cases {
			if run != nil && !run.MatchString(c.Suite+"/"+c.Name) {
				continue
			}
			res, err := md.Evaluate(c.From, c.Request)
			if err != nil {
				var ie *InputError
				if errors.As(err, &ie) {
					errs = append(errs, &manifest.Error{File: c.File, Line: c.LineOf(ie.Field), Path: ie.Field, Msg: fmt.Sprintf("case %q: %s", c.Name, ie.Msg)})
					continue
				}
				errs = append(errs, &manifest.Error{File: c.File, Line: c.Line, Msg: err.Error()})
				continue
			}
			if e := md.checkExpect(c); len(e) > 0 {
				errs = append(errs, e...)
				continue
			}
			out = append(out, compare(c, res))
		}
	}
	if len(errs) > 0 {
		manifest.SortErrors(errs)
		return nil, errs
	}
	return out, nil
}

// checkExpect reports expectations naming hosts, subsets or workloads the
// input does not hold: such a case could never pass, and must not pass
// silently either.
func (md *Model) checkExpect(c *Case) []*manifest.Error {
	var errs []*manifest.Error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &manifest.Error{File: c.File, Line: c.LineOf(field), Path: field, Msg: fmt.Sprintf("case %q: ", c.Name) + fmt.Sprintf(format, args...)})
	}
	ns := c.From.Namespace
	for i, d := range c.Expect.Destinations {
		field := fmt.Sprintf("expect.destinations[%d]", i)
		host := c.Request.Host // a subset without host is the request host's
		if d.Host != nil {
			host = *d.Host
		}
		fqdn := md.m.FQDN(host, ns)
		h, ok := md.m.Host(fqdn)
		if !ok || len(h.Services)+len(h.ServiceEntries) == 0 {
			bad(field, "host %s: the input has no Service or ServiceEntry for it", fqdn)
			continue
		}
		if d.Host != nil {
			*d.Host = fqdn
		}
		if d.Subset != nil && *d.Subset != "" && !md.subsetDefined(h.DestinationRules, *d.Subset) {
			bad(field, "subset %q: no DestinationRule for %s defines it", *d.Subset, fqdn)
		}
	}
	for i, e := range c.Expect.Endpoints {
		field := fmt.Sprintf("expect.endpoints[%d]", i)
		parts := strings.SplitN(e, "/", 3)
		if len(parts) != 3 {
			continue
		}
		if _, ok := md.m.Lookup(parts[0], parts[1], parts[2]); !ok {
			bad(field, "%s: the input holds no such resource", e)
		}
	}
	return errs
}

func (md *Model) subsetDefined(drs []int, name string) bool {
	for _, ref := range drs {
		for _, s := range listOf(dig(md.m.Object(ref), "spec", "subsets")) {
			if str(mapOf(s)["name"]) == name {
				return true
			}
		}
	}
	return false
}

// ActualOf is a result as tests report it.
func ActualOf(res *Result) Actual {
	a := Actual{MTLS: res.MTLS, Destinations: res.Destinations, Endpoints: res.Endpoints}
	if a.Destinations == nil {
		a.Destinations = []Destination{}
	}
	if a.Endpoints == nil {
		a.Endpoints = []string{}
	}
	switch res.Allowed {
	case Yes:
		a.Allowed = true
	case No:
		a.Allowed = false
	default:
		a.Allowed = "unknown"
	}
	if res.Status != 0 {
		s := res.Status
		a.Status = &s
	}
	return a
}

func compare(c *Case, res *Result) CaseResult {
	cr := CaseResult{File: c.File, Line: c.Line, Test: c.Suite, Name: c.Name, Actual: ActualOf(res), Failures: []Failure{}, Reason: res.Reason}
	e := c.Expect
	if e.Allowed != nil {
		switch {
		case res.Allowed == Unknown:
			cr.Failures = append(cr.Failures, Failure{"allowed", *e.Allowed, "unknown: " + res.Reason})
		case (res.Allowed == Yes) != *e.Allowed:
			cr.Failures = append(cr.Failures, Failure{"allowed", *e.Allowed, res.Allowed == Yes})
		}
	}
	if e.MTLS != nil && *e.MTLS != res.MTLS {
		cr.Failures = append(cr.Failures, Failure{"mtls", *e.MTLS, res.MTLS})
	}
	if e.HasDestinations && !destinationsMatch(e.Destinations, cr.Actual.Destinations) {
		cr.Failures = append(cr.Failures, Failure{"destinations", e.Destinations, cr.Actual.Destinations})
	}
	if e.HasEndpoints && !sameSet(e.Endpoints, cr.Actual.Endpoints) {
		cr.Failures = append(cr.Failures, Failure{"endpoints", sortedCopy(e.Endpoints), cr.Actual.Endpoints})
	}
	if e.Status != nil && *e.Status != res.Status {
		var actual any
		if res.Status != 0 {
			actual = res.Status
		}
		cr.Failures = append(cr.Failures, Failure{"status", *e.Status, actual})
	}
	cr.Passed = len(cr.Failures) == 0
	return cr
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	sa, sb := sortedCopy(a), sortedCopy(b)
	for i := range sa {
		if sa[i] != sb[i] {
			return false
		}
	}
	return true
}

// destinationsMatch compares as sets: a one-to-one pairing where each
// expected entry agrees with its actual one on the fields it gives.
func destinationsMatch(want []ExpectDestination, got []Destination) bool {
	if len(want) != len(got) {
		return false
	}
	pair := make([]int, len(got)) // got index → want index + 1
	var try func(i int, seen []bool) bool
	try = func(i int, seen []bool) bool {
		for j := range got {
			if seen[j] || !want[i].agrees(got[j]) {
				continue
			}
			seen[j] = true
			if pair[j] == 0 || try(pair[j]-1, seen) {
				pair[j] = i + 1
				return true
			}
		}
		return false
	}
	for i := range want {
		if !try(i, make([]bool, len(got))) {
			return false
		}
	}
	return true
}

func (w ExpectDestination) agrees(d Destination) bool {
	return (w.Host == nil || *w.Host == d.Host) && (w.Subset == nil || *w.Subset == d.Subset) &&
		(w.Port == nil || *w.Port == d.Port) && (w.Weight == nil || *w.Weight == d.Weight)
}
