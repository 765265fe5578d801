package lint

import (
	"reflect"
	"testing"
)

func TestExportTo(t *testing.T) {
	svc := func(anno string) *resource {
		obj := map[string]any{"metadata": map[string]any{"annotations": map[string]any{exportToAnnotation: anno}}}
		return &resource{kind: "Service", namespace: "billing", obj: obj}
	}
	spec := func(kind string, exportTo ...any) *resource {
		obj := map[string]any{"spec": map[string]any{}}
		if exportTo != nil {
			obj["spec"].(map[string]any)["exportTo"] = exportTo
		}
		return &resource{kind: kind, namespace: "shop", obj: obj}
	}
	for _, c := range []struct {
		r      *resource
		scopes []string
		want   bool
	}{
		{svc(""), []string{"shop"}, true},
		{svc("."), []string{"shop"}, false},
		{svc("."), []string{"billing"}, true},
		{svc(" shop , ."), []string{"shop"}, true},
		{svc("~"), []string{"billing"}, false},
		{svc("*"), []string{"*"}, true},
		{svc("shop"), []string{"*"}, false},
		{spec("ServiceEntry"), []string{"x"}, true},
		{spec("ServiceEntry", "~"), []string{"shop"}, false},
		{spec("ServiceEntry", "."), []string{"web", "shop"}, true},
	} {
		if got := exportsOf(c.r).visibleIn(c.scopes); got != c.want {
			t.Errorf("%s %v visible in %v = %v, want %v", c.r.kind, c.r.obj, c.scopes, got, c.want)
		}
	}
	if got := consumerScopes(spec("VirtualService")); !reflect.DeepEqual(got, []string{"shop"}) {
		t.Errorf("scopes without exportTo = %v", got)
	}
	if got := consumerScopes(spec("VirtualService", "web", ".", "~", "web")); !reflect.DeepEqual(got, []string{"shop", "web"}) {
		t.Errorf("scopes = %v", got)
	}
	if ruleVisibleIn(spec("DestinationRule", "web"), "shop") || !ruleVisibleIn(spec("DestinationRule", "web"), "web") || !ruleVisibleIn(spec("DestinationRule"), "x") {
		t.Error("DestinationRule visibility")
	}
}
