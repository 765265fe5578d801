package mesh

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"github.com/meshfleet/meshfleet/lint"
)

// identity is the peer identity mTLS gives the server; none for plaintext.
type identity struct {
	ok        bool
	namespace string
	principal string
}

// tri is a three-valued match: yes, no, or not decidable offline.
type tri int

const (
	no tri = iota
	yes
	unknown
)

func and(a, b tri) tri {
	if a == no || b == no {
		return no
	}
	if a == unknown || b == unknown {
		return unknown
	}
	return yes
}

func or(a, b tri) tri {
	if a == yes || b == yes {
		return yes
	}
	if a == unknown || b == unknown {
		return unknown
	}
	return no
}

func triOf(b bool) tri {
	if b {
		return yes
	}
	return no
}

// authorize evaluates the AuthorizationPolicies at the endpoint's workload
// (istio.io "Authorization Policy", implicit enablement and evaluation
// order): CUSTOM, then DENY, then ALLOW; a matching CUSTOM policy's verdict
// is the external authorizer's, unknown offline; with ALLOW policies
// present and none matching, the request is denied.
func (md *Model) authorize(f From, q Request, t target, e endpoint, id identity, res *Result) (Allowed, string) {
	var custom, deny, allow []int
	for _, ns := range uniq(e.w.Namespace, md.m.RootNamespace()) {
		for _, ref := range md.policies[ns] {
			sel := stringMapOf(dig(md.m.Object(ref), "spec", "selector", "matchLabels"))
			if len(sel) > 0 && !lint.MatchesLabels(sel, e.w.Labels) {
				continue
			}
			switch strings.ToUpper(str(dig(md.m.Object(ref), "spec", "action"))) {
			case "", "ALLOW":
				allow = append(allow, ref)
			case "DENY":
				deny = append(deny, ref)
			case "CUSTOM":
				custom = append(custom, ref)
			}
		}
	}
	httpReq := t.httpPort(q)
	c := reqCtx{f: f, q: q, id: id, port: e.port, http: httpReq}
	// A matching CUSTOM policy asks an external authorizer, whose answer
	// is unknown offline; a DENY that matches denies whatever it says.
	var pending string
	for _, ref := range custom {
		m, why := md.policyMatch(ref, c, false)
		res.step("authz", md.where(ref, ""), "%s: CUSTOM %s: %s", e.id, md.policyName(ref), verdictText(m, why))
		if m != no && pending == "" {
			pending = fmt.Sprintf("CUSTOM %s hands the decision to an external authorizer, unknown offline", md.policyName(ref))
		}
	}
	for _, ref := range deny {
		m, why := md.policyMatch(ref, c, true)
		res.step("authz", md.where(ref, ""), "%s: DENY %s: %s", e.id, md.policyName(ref), verdictText(m, why))
		switch m {
		case yes:
			return No, fmt.Sprintf("DENY %s matches", md.policyName(ref))
		case unknown:
			if pending == "" {
				pending = fmt.Sprintf("DENY %s: %s", md.policyName(ref), why)
			}
		}
	}
	if pending != "" {
		return Unknown, pending
	}
	if len(allow) == 0 {
		res.step("authz", none, "no ALLOW policy applies to %s: allowed", e.id)
		return Yes, ""
	}
	var names []string
	for _, ref := range allow {
		m, why := md.policyMatch(ref, c, false)
		res.step("authz", md.where(ref, ""), "%s: ALLOW %s: %s", e.id, md.policyName(ref), verdictText(m, why))
		switch m {
		case yes:
			return Yes, ""
		case unknown:
			if pending == "" {
				pending = fmt.Sprintf("ALLOW %s: %s", md.policyName(ref), why)
			}
		}
		names = append(names, md.policyName(ref))
	}
	if pending != "" {
		return Unknown, pending
	}
	return No, "ALLOW policies apply and none matches: " + strings.Join(names, ", ")
}

func (md *Model) policyName(ref int) string {
	return "AuthorizationPolicy " + md.m.Namespace(ref) + "/" + md.m.Name(ref)
}

func verdictText(m tri, why string) string {
	switch m {
	case yes:
		return "matches"
	case unknown:
		return "unknown offline (" + why + ")"
	}
	if why == "" {
		return "does not match"
	}
	return "does not match (" + why + ")"
}

func uniq(a, b string) []string {
	if a == b {
		return []string{a}
	}
	return []string{a, b}
}

// reqCtx is what a policy is matched against.
type reqCtx struct {
	f    From
	q    Request
	id   identity
	port int
	http bool
}

// policyMatch: any rule matches. A policy without rules matches nothing.
// On a TCP port, a rule using HTTP-only fields never matches in an ALLOW
// (or CUSTOM) policy, while a DENY policy ignores those fields, which makes
// it stricter (istio.io "Authorization Policy", TCP traffic).
func (md *Model) policyMatch(ref int, c reqCtx, isDeny bool) (tri, string) {
	rules := listOf(dig(md.m.Object(ref), "spec", "rules"))
	if len(rules) == 0 {
		return no, "no rules"
	}
	out := no
	var whys []string
	for i, r := range rules {
		m, why := md.ruleMatch(mapOf(r), c, isDeny)
		out = or(out, m)
		if m == yes {
			return yes, ""
		}
		if why != "" {
			whys = append(whys, fmt.Sprintf("rules[%d] %s", i, why))
		}
	}
	return out, strings.Join(whys, "; ")
}

// httpOnly lists the fields only HTTP carries.
var httpOnly = map[string]bool{
	"hosts": true, "notHosts": true, "methods": true, "notMethods": true, "paths": true, "notPaths": true,
	"requestPrincipals": true, "notRequestPrincipals": true,
}

func (md *Model) ruleMatch(r map[string]any, c reqCtx, isDeny bool) (tri, string) {
	if !c.http {
		uses := false
		for _, s := range listOf(r["from"]) {
			for k := range mapOf(mapOf(s)["source"]) {
				uses = uses || httpOnly[k]
			}
		}
		for _, o := range listOf(r["to"]) {
			for k := range mapOf(mapOf(o)["operation"]) {
				uses = uses || httpOnly[k]
			}
		}
		for _, w := range listOf(r["when"]) {
			uses = uses || strings.HasPrefix(str(mapOf(w)["key"]), "request.")
		}
		if uses && !isDeny {
			return no, "uses HTTP-only fields on a TCP port"
		}
	}
	m := yes
	var why []string
	if from := listOf(r["from"]); len(from) > 0 {
		fm := no
		var fw []string
		for _, s := range from {
			x, w := sourceMatches(mapOf(mapOf(s)["source"]), c)
			fm = or(fm, x)
			if w != "" {
				fw = append(fw, w)
			}
		}
		m = and(m, fm)
		if fm != yes {
			why = append(why, "from: "+strings.Join(fw, " or "))
		}
	}
	if to := listOf(r["to"]); len(to) > 0 {
		tm := no
		var tw []string
		for _, o := range to {
			x, w := md.operationMatches(mapOf(mapOf(o)["operation"]), c)
			tm = or(tm, x)
			if w != "" {
				tw = append(tw, w)
			}
		}
		m = and(m, tm)
		if tm != yes {
			why = append(why, "to: "+strings.Join(tw, " or "))
		}
	}
	for _, w := range listOf(r["when"]) {
		if !c.http && strings.HasPrefix(str(mapOf(w)["key"]), "request.") {
			continue // HTTP-only, ignored by a DENY on TCP
		}
		x, wy := conditionMatches(mapOf(w), c)
		m = and(m, x)
		if x != yes {
			why = append(why, "when: "+wy)
		}
	}
	return m, strings.Join(why, ", ")
}

// field is one positive/negative field pair: the request must match one
// value of the positive list (when given) and none of the negative one.
func field(name string, vals, notVals []string, have bool, get func(string) tri) (tri, string) {
	out := yes
	why := ""
	if len(vals) > 0 {
		m := no
		if have {
			for _, v := range vals {
				m = or(m, get(v))
			}
		}
		if m != yes {
			why = name + " " + strings.Join(vals, ",")
		}
		out = and(out, m)
	}
	if len(notVals) > 0 && have {
		for _, v := range notVals {
			if x := get(v); x != no {
				if x == yes {
					why = "not" + upper(name) + " " + v
					out = and(out, no)
				} else {
					out = and(out, unknown)
				}
			}
		}
	}
	return out, why
}

func upper(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// sourceMatches matches a rule's source. principals and namespaces need the
// peer identity only mTLS gives: plaintext never matches them and always
// matches their not-lists.
func sourceMatches(s map[string]any, c reqCtx) (tri, string) {
	m := yes
	var why []string
	add := func(x tri, w string) {
		m = and(m, x)
		if x != yes && w != "" {
			why = append(why, w)
		}
	}
	add(field("principals", stringList(s["principals"]), stringList(s["notPrincipals"]), c.id.ok,
		func(v string) tri { return triOf(wildcard(v, c.id.principal)) }))
	if !c.id.ok && len(stringList(s["principals"])) > 0 {
		why = append(why, "(plaintext: no peer identity)")
	}
	add(field("namespaces", stringList(s["namespaces"]), stringList(s["notNamespaces"]), c.id.ok,
		func(v string) tri { return triOf(wildcard(v, c.id.namespace)) }))
	// No JWT is validated offline: requests carry no request principal.
	// On TCP the fields are HTTP-only and ignored (ruleMatch).
	if c.http {
		add(field("requestPrincipals", stringList(s["requestPrincipals"]), stringList(s["notRequestPrincipals"]), false, nil))
	}
	for _, pair := range [][2]string{{"ipBlocks", "notIpBlocks"}, {"remoteIpBlocks", "notRemoteIpBlocks"}} {
		vals, notVals := stringList(s[pair[0]]), stringList(s[pair[1]])
		if len(vals)+len(notVals) == 0 {
			continue
		}
		if c.f.Address == "" {
			add(unknown, pair[0]+": the caller's address is not given (from.address)")
			continue
		}
		add(field(pair[0], vals, notVals, true, func(v string) tri { return ipIn(c.f.Address, v) }))
	}
	return m, strings.Join(why, " ")
}

func (md *Model) operationMatches(o map[string]any, c reqCtx) (tri, string) {
	m := yes
	var why []string
	add := func(x tri, w string) {
		m = and(m, x)
		if x != yes && w != "" {
			why = append(why, w)
		}
	}
	port := strconv.Itoa(c.port)
	add(field("ports", stringList(o["ports"]), stringList(o["notPorts"]), true,
		func(v string) tri { return triOf(v == port) }))
	if c.http {
		host := strings.ToLower(c.q.Host)
		hosts := []string{host, host + ":" + strconv.Itoa(c.q.Port)}
		add(field("hosts", stringList(o["hosts"]), stringList(o["notHosts"]), true, func(v string) tri {
			for _, h := range hosts {
				if wildcard(strings.ToLower(v), h) {
					return yes
				}
			}
			return no
		}))
		method := methodOr(c.q.Method)
		add(field("methods", stringList(o["methods"]), stringList(o["notMethods"]), true,
			func(v string) tri { return triOf(v == method) }))
		path, _ := splitQuery(c.q.Path)
		if path == "" {
			path = "/"
		}
		add(field("paths", stringList(o["paths"]), stringList(o["notPaths"]), true,
			func(v string) tri { return triOf(md.pathMatches(v, path)) }))
	}
	if len(why) > 0 && m == no {
		return m, strings.Join(why, " ")
	}
	return m, strings.Join(why, " ")
}

// conditionMatches decides a when condition offline where it can
// (istio.io "Authorization Policy Conditions"); the rest are unknown.
func conditionMatches(w map[string]any, c reqCtx) (tri, string) {
	key := str(w["key"])
	vals, notVals := stringList(w["values"]), stringList(w["notValues"])
	match := func(got string, have bool) (tri, string) {
		return field(key, vals, notVals, have, func(v string) tri { return triOf(wildcard(v, got)) })
	}
	switch {
	case key == "source.ip" || key == "remote.ip":
		if c.f.Address == "" {
			return unknown, key + ": the caller's address is not given (from.address)"
		}
		return field(key, vals, notVals, true, func(v string) tri { return ipIn(c.f.Address, v) })
	case key == "source.namespace":
		return match(c.id.namespace, c.id.ok)
	case key == "source.principal":
		return match(c.id.principal, c.id.ok)
	case key == "destination.port":
		return match(strconv.Itoa(c.port), true)
	case strings.HasPrefix(key, "request.headers[") && strings.HasSuffix(key, "]"):
		name := strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(key, "request.headers["), "]"))
		v, ok := c.q.Headers[name]
		return match(v, ok)
	case strings.HasPrefix(key, "request.auth."):
		if _, ok := c.q.Headers["authorization"]; ok {
			return unknown, key + ": the request's JWT is not validated offline"
		}
		return match("", false)
	}
	return unknown, key + " is not known offline"
}

// wildcard is Istio's string match in policies: exact, "*", "prefix*" or
// "*suffix".
func wildcard(pattern, v string) bool {
	switch {
	case pattern == "*":
		return v != ""
	case strings.HasPrefix(pattern, "*"):
		return strings.HasSuffix(v, pattern[1:])
	case strings.HasSuffix(pattern, "*"):
		return strings.HasPrefix(v, pattern[:len(pattern)-1])
	}
	return pattern == v
}

// pathMatches is Istio's paths match: exact, prefix "/x/*", suffix "*.x",
// "*", and the templates {*} (one path segment) and {**} (any remaining
// segments), which are matched against whole segments.
func (md *Model) pathMatches(pattern, path string) bool {
	if strings.Contains(pattern, "{*}") || strings.Contains(pattern, "{**}") {
		var b strings.Builder
		for i, seg := range strings.Split(pattern, "/") {
			if i > 0 {
				b.WriteString("/")
			}
			switch seg {
			case "{*}":
				b.WriteString("[^/]+")
			case "{**}":
				b.WriteString(".*")
			default:
				b.WriteString(regexp.QuoteMeta(seg))
			}
		}
		re, err := md.compile(b.String())
		return err == nil && re.MatchString(path)
	}
	return wildcard(pattern, path)
}

// ipIn matches an address against an IP or CIDR; unknown when either does
// not parse.
func ipIn(addr, block string) tri {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return unknown
	}
	if p, err := netip.ParsePrefix(block); err == nil {
		return triOf(p.Contains(a))
	}
	b, err := netip.ParseAddr(block)
	if err != nil {
		return unknown
	}
	return triOf(a == b)
}
