package lint

import "testing"

// The host and path grammars istiod applies, case by case; the rules
// themselves are pinned by fixtures/lint/istiod-validation-*, which
// istioctl analyze agrees with.
func TestIstiodGrammars(t *testing.T) {
	for _, c := range []struct {
		sni, host string
		want      bool
	}{
		{"a.example.com", "a.example.com", true},
		{"a.example.com", "*.example.com", true},
		{"*.eu.example.com", "*.example.com", true},
		{"*.example.com", "a.example.com", false},
		{"api.payments.example.com", "cart", false},
		{"anything.example", "*", true},
	} {
		if got := hostSubsetOf(c.sni, c.host); got != c.want {
			t.Errorf("hostSubsetOf(%q, %q) = %v", c.sni, c.host, got)
		}
	}
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"*.example.com", "api.example.com", true},
		{"api.example.com", "*.example.com", true},
		{"*.example.com", "*.eu.example.com", true},
		{"a.example.com", "b.example.com", false},
		{"*.a.com", "*.b.com", false},
	} {
		if got := hostsOverlap(c.a, c.b); got != c.want {
			t.Errorf("hostsOverlap(%q, %q) = %v", c.a, c.b, got)
		}
	}
	for path, bad := range map[string]bool{
		"/users/{id}": true, "/a/{**}/{*}": true, "/a/{*}/b*": true, "/a/{*}/b": false,
		"/static/*": false, "*.css": false, "/a/{**}": false, "/a/**": false,
	} {
		if got := pathTemplateError(path) != ""; got != bad {
			t.Errorf("pathTemplateError(%q) rejects = %v, want %v", path, got, bad)
		}
	}
	for addr, ok := range map[string]bool{
		"127.0.0.1:8080": true, "[::1]:80": true, ":80": true, "[::1:80": false, "a:b:80": false, "10.0.0.1": false,
	} {
		if _, _, err := splitHostPort(addr); (err == "") != ok {
			t.Errorf("splitHostPort(%q) error %q", addr, err)
		}
	}
	for d, ok := range map[string]bool{
		"cart.shop.svc.cluster.local": true, "Cart.Example.com": true, "istio.io.": true,
		"vm_01.example.com": false, "a.123": false, "": false, "*.example.com": false,
	} {
		if (fqdnError(d) == "") != ok {
			t.Errorf("fqdnError(%q) = %q", d, fqdnError(d))
		}
	}
}
