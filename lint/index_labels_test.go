package lint

import (
	"reflect"
	"testing"
)

// TestDeclaredLabels: run-time labels match anything and leave the
// selector, except an empty value of a label Istio adds only non-empty.
func TestDeclaredLabels(t *testing.T) {
	for _, c := range []struct {
		sel, want map[string]string
	}{
		{map[string]string{"app": "cart", "topology.kubernetes.io/zone": "us-east-1a"}, map[string]string{"app": "cart"}},
		{map[string]string{"topology.istio.io/network": "network-1", "pod-template-hash": ""}, map[string]string{}},
		{map[string]string{"topology.istio.io/network": ""}, map[string]string{"topology.istio.io/network": ""}},
		{map[string]string{"kubernetes.io/hostname": "", "topology.istio.io/cluster": "", "version": "v1"},
			map[string]string{"kubernetes.io/hostname": "", "topology.istio.io/cluster": "", "version": "v1"}},
		{map[string]string{"topology.kubernetes.io/region": "", "topology.kubernetes.io/zone": "", "topology.istio.io/subzone": ""},
			map[string]string{"topology.kubernetes.io/region": "", "topology.kubernetes.io/zone": "", "topology.istio.io/subzone": ""}},
		// Not added by Istio's AugmentLabels: still run-time, still anything.
		{map[string]string{"topology.istio.io/other": "", "statefulset.kubernetes.io/pod-name": ""}, map[string]string{}},
	} {
		if got := declaredLabels(c.sel); !reflect.DeepEqual(got, c.want) {
			t.Errorf("declaredLabels(%v) = %v, want %v", c.sel, got, c.want)
		}
	}
}
