package lint

import (
	"maps"
	"sort"
)

// Rules are evaluated per shard of resources. Each rule's evaluation costs
// some 10 µs before it finds anything, so a shard per namespace made a mesh
// of many small namespaces cost more than one of few large ones (1,000
// namespaces of 11 resources took 1.5× the time of 100 of 110; issue 11).
// The built-in rules therefore take whole namespaces grouped into shards of
// about shardResources resources (input.namespaces lists them; every rule
// groups by a resource's own namespace), while user policies keep the
// documented contract of one namespace per shard (input.namespace).
// Findings do not depend on how namespaces are grouped
// (TestShardingSameFindings).

// shardResources is the size a shard of several namespaces grows to; a
// larger namespace is a shard of its own. (Engine.shardSize overrides it
// in tests.)
const shardResources = 256

// shard is the resources of one or more namespaces ("" holds cluster-scoped
// ones) and what is evaluated on them.
type shard struct {
	namespaces []string // sorted
	rs         []*resource
	// off holds the rules not evaluated on this shard: the disabled ones
	// and those of the other kind of shard.
	off map[string]bool
	// user: a shard of one namespace for user policies, whose input also
	// carries input.namespace.
	user bool
	// problems: the shard reports its resources' Go-check findings (every
	// resource is in exactly one such shard).
	problems bool
	// rules: some rule is evaluated on it.
	rules bool
}

// shards splits rs into the shards the built-in rules run on and, when
// user policies are enabled, one shard per namespace for them; largest
// first, so one big shard does not finish last.
func (e *Engine) shards(rs []*resource, disabled map[string]bool) []shard {
	byNS := map[string][]*resource{}
	for _, r := range rs {
		byNS[r.namespace] = append(byNS[r.namespace], r)
	}
	builtinOff, userOff := maps.Clone(disabled), maps.Clone(disabled)
	if builtinOff == nil {
		builtinOff, userOff = map[string]bool{}, map[string]bool{}
	}
	anyBuiltin, anyUser := false, false
	for _, p := range e.policies {
		if p.builtin {
			userOff[p.rule.ID] = true
			anyBuiltin = anyBuiltin || !disabled[p.rule.ID]
		} else {
			builtinOff[p.rule.ID] = true
			anyUser = anyUser || !disabled[p.rule.ID]
		}
	}
	size := shardResources
	if e.shardSize > 0 {
		size = e.shardSize
	}
	var out []shard
	cur := shard{off: builtinOff, problems: true, rules: anyBuiltin}
	for _, ns := range sortedKeys(byNS) {
		if len(cur.rs) > 0 && len(cur.rs)+len(byNS[ns]) > size {
			out = append(out, cur)
			cur = shard{off: builtinOff, problems: true, rules: anyBuiltin}
		}
		cur.namespaces = append(cur.namespaces, ns)
		cur.rs = append(cur.rs, byNS[ns]...)
	}
	if len(cur.namespaces) > 0 {
		out = append(out, cur)
	}
	if anyUser {
		for _, ns := range sortedKeys(byNS) {
			out = append(out, shard{namespaces: []string{ns}, rs: byNS[ns], off: userOff, user: true, rules: true})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i].rs) > len(out[j].rs) })
	return out
}
