package lint

import "testing"

func TestEffectiveSplit(t *testing.T) {
	for _, c := range []struct {
		ws   []int64
		want string
	}{
		{[]int64{90, 20}, "82%/18%"},
		{[]int64{90, 10}, "90%/10%"},
		{[]int64{1, 1, 1}, "34%/33%/33%"},
		{[]int64{50, 0, 30}, "63%/0%/37%"},
		{[]int64{1, 2}, "33%/67%"},
		{[]int64{0, 0}, ""},
	} {
		var total int64
		for _, w := range c.ws {
			total += w
		}
		if got := effectiveSplit(c.ws, total); got != c.want {
			t.Errorf("effectiveSplit(%v) = %q, want %q", c.ws, got, c.want)
		}
	}
}

func TestRouteOf(t *testing.T) {
	kind, i, ok := routeOf("spec.tcp[12].route[0].destination")
	if kind != "tcp" || i != 12 || !ok {
		t.Errorf("routeOf = %q, %d, %v", kind, i, ok)
	}
	if _, _, ok := routeOf("metadata.name"); ok {
		t.Error("routeOf(metadata.name) ok")
	}
}

func TestExportKey(t *testing.T) {
	if a, b := exportKey(nil, "shop"), exportKey([]any{"*"}, "shop"); a != b {
		t.Errorf("unset exportTo %q differs from * %q", a, b)
	}
	if a, b := exportKey([]any{"."}, "shop"), exportKey([]any{"shop"}, "shop"); a != b {
		t.Errorf(". %q differs from the own namespace %q", a, b)
	}
}
