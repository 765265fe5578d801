package lint

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/meshfleet/meshfleet/lint/finding"
)

// Rule selection beyond --disable: opt-in rules (METADATA `custom.optIn:
// true`, for checks too opinionated or too costly to run everywhere) run
// only when named by --enable or `enable:`, and --only / `only:` runs just
// the rules it names, by ID or by family (MF6xx), for trying one family at
// a time on a repository that is new to meshfleet. --disable wins over
// both; MF100 (unreadable input) always runs, since hiding it would hide
// that the lint is incomplete.

// selectorPattern is what enable, only and disable entries may be: a rule
// ID, or a family such as MF6xx (any digits replaced by x at the end).
var selectorPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)

// validSelector reports whether s can name a rule or family at all; the
// config parser uses it, the run then checks the names against the
// catalogue.
func validSelector(s string) bool { return selectorPattern.MatchString(s) }

// matchSelector reports whether rule id is named by selector s: equal
// (case-insensitively), or a family whose trailing x's stand for any
// digit (MF6xx matches MF601, MF1xx matches MF100).
func matchSelector(s, id string) bool {
	s, id = strings.ToUpper(s), strings.ToUpper(id)
	if s == id {
		return true
	}
	base := strings.TrimRight(s, "X")
	n := len(s) - len(base)
	if n == 0 || len(id) != len(s) || !strings.HasPrefix(id, base) {
		return false
	}
	for _, c := range id[len(base):] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// selectors splits comma-separated entries ("MF601,MF602") and trims them.
func selectors(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		for _, e := range l {
			out = append(out, splitIDs(e)...)
		}
	}
	return out
}

// deselect adds to disabled the rules of catalogue that the selection
// leaves out: opt-in rules not enabled, and with an only list every rule
// it does not name. A selector naming no rule of the catalogue is an error,
// so a typo in --only cannot silently lint nothing; partial is set for a
// catalogue known to be incomplete (the Go rules, before the policies have
// compiled), where that check waits for the whole one.
func deselect(disabled map[string]bool, catalogue []finding.Rule, partial bool, cfg *Config, opts Options) error {
	enable := selectors(cfg.Enable, opts.Enable)
	only := selectors(cfg.Only, opts.Only)
	if len(opts.Only) > 0 {
		only = selectors(opts.Only) // the flag replaces the config's list
	}
	for _, list := range [][]string{enable, only} {
		for _, s := range list {
			if !validSelector(s) {
				return fmt.Errorf("%q is not a rule ID or family (such as MF301 or MF6xx)", s)
			}
			found := false
			for _, r := range catalogue {
				if matchSelector(s, r.ID) {
					found = true
					break
				}
			}
			if !found && !partial {
				return fmt.Errorf("%q names no rule (run 'meshfleet rules' for the list)", s)
			}
		}
	}
	named := func(list []string, id string) bool {
		for _, s := range list {
			if matchSelector(s, id) {
				return true
			}
		}
		return false
	}
	for _, r := range catalogue {
		if r.ID == RuleUnreadable.ID {
			continue
		}
		switch {
		case len(only) > 0 && !named(only, r.ID):
			disabled[r.ID] = true
		case r.OptIn && !named(enable, r.ID) && !named(only, r.ID):
			disabled[r.ID] = true
		}
	}
	return nil
}

// goRules are the rules known before the policies compile: those the Go
// checks run on the parse workers, which need their selection first.
func (e *Engine) goRules() []finding.Rule {
	rules := []finding.Rule{RuleUnreadable, RuleInvalidFleet}
	for _, c := range e.checks {
		rules = append(rules, c.Rule)
	}
	return rules
}
