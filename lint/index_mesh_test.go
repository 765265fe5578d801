package lint

import (
	"fmt"
	"strings"
	"testing"
)

// TestMeshDecisionTable is Istio's injection precedence (istio.io,
// "Installing the Sidecar" / "Controlling the injection policy", and the
// webhooks the default install creates): either label disabled → not
// injected; else either label enabled → injected; else not injected
// (enableNamespacesByDefault is off). A namespace the input does not
// declare is assumed injected.
func TestMeshDecisionTable(t *testing.T) {
	namespaces := []struct {
		name   string
		labels string // "" with declared false: no Namespace object
		absent bool
	}{
		{"undeclared", "", true},
		{"unlabeled", "{}", false},
		{"enabled", "{istio-injection: enabled}", false},
		{"disabled", "{istio-injection: disabled}", false},
		{"other-value", "{istio-injection: \"off\"}", false},
		{"rev", "{istio.io/rev: canary}", false},
		{"enabled-rev", "{istio-injection: enabled, istio.io/rev: canary}", false},
		{"disabled-rev", "{istio-injection: disabled, istio.io/rev: canary}", false},
	}
	pods := []struct {
		name        string
		labels, ann string
	}{
		{"plain", "{app: a}", "{}"},
		{"label-true", `{app: a, sidecar.istio.io/inject: "true"}`, "{}"},
		{"label-false", `{app: a, sidecar.istio.io/inject: "false"}`, "{}"},
		{"label-False", `{app: a, sidecar.istio.io/inject: "False"}`, "{}"},
		{"annotation-false", "{app: a}", `{sidecar.istio.io/inject: "false"}`},
		{"annotation-true", "{app: a}", `{sidecar.istio.io/inject: "true"}`},
		{"label-true-annotation-false", `{app: a, sidecar.istio.io/inject: "true"}`, `{sidecar.istio.io/inject: "false"}`},
		{"pod-rev", "{app: a, istio.io/rev: canary}", "{}"},
		{"pod-rev-label-false", `{app: a, istio.io/rev: canary, sidecar.istio.io/inject: "false"}`, "{}"},
	}
	// want[namespace][pod]
	want := map[string]map[string]bool{
		"undeclared":   {"plain": true, "label-true": true, "annotation-true": true, "label-true-annotation-false": true, "pod-rev": true},
		"unlabeled":    {"label-true": true, "label-true-annotation-false": true, "pod-rev": true},
		"enabled":      {"plain": true, "label-true": true, "annotation-true": true, "label-true-annotation-false": true, "pod-rev": true},
		"disabled":     {},
		"other-value":  {},
		"rev":          {"plain": true, "label-true": true, "annotation-true": true, "label-true-annotation-false": true, "pod-rev": true},
		"enabled-rev":  {"plain": true, "label-true": true, "annotation-true": true, "label-true-annotation-false": true, "pod-rev": true},
		"disabled-rev": {},
	}
	var docs []string
	for _, ns := range namespaces {
		if !ns.absent {
			docs = append(docs, fmt.Sprintf("apiVersion: v1\nkind: Namespace\nmetadata: {name: %s, labels: %s}", ns.name, ns.labels))
		}
		for _, p := range pods {
			docs = append(docs, fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: %s, namespace: %s}
spec:
  template:
    metadata: {labels: %s, annotations: %s}
    spec: {containers: [{name: c, image: i}]}`, p.name, ns.name, p.labels, p.ann))
		}
	}
	_, rs := testIndex(t, strings.Join(docs, "\n---\n"))
	for _, ns := range namespaces {
		for _, p := range pods {
			r := rs["Deployment/"+ns.name+"/"+p.name]
			if got := r.wl.cls.mesh; got != want[ns.name][p.name] {
				t.Errorf("namespace %s, pod %s: mesh = %v, want %v", ns.name, p.name, got, !got)
			}
		}
	}
}

// TestMeshOtherKinds: WorkloadEntries and WorkloadGroups by their tlsMode
// label; pods on the host network and in kube-system never injected; every
// pod-template kind read where its template is; the fact in the workload
// value; and the class key splitting only where the fact differs.
func TestMeshOtherKinds(t *testing.T) {
	ix, rs := testIndex(t, `apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: vm-1, namespace: vms}
spec: {address: 10.0.0.1, labels: {app: vm}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: vm-2, namespace: vms, labels: {security.istio.io/tlsMode: disabled}}
spec: {address: 10.0.0.2, labels: {app: vm}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: vm-3, namespace: vms}
spec: {address: 10.0.0.3, labels: {app: vm, instance: i-3}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadGroup
metadata: {name: plain, namespace: groups}
spec: {metadata: {labels: {app: vm, security.istio.io/tlsMode: disabled}}, template: {}}
---
apiVersion: v1
kind: Namespace
metadata: {name: vms}
---
apiVersion: v1
kind: Pod
metadata: {name: host, namespace: apps}
spec: {hostNetwork: true, containers: [{name: c, image: i}]}
---
apiVersion: v1
kind: Pod
metadata: {name: pod, namespace: apps}
spec: {containers: [{name: c, image: i}]}
---
apiVersion: v1
kind: Pod
metadata: {name: out, namespace: apps, annotations: {sidecar.istio.io/inject: "false"}}
spec: {containers: [{name: c, image: i}]}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cron, namespace: apps}
spec: {jobTemplate: {spec: {template: {metadata: {labels: {sidecar.istio.io/inject: "false"}}, spec: {containers: [{name: c, image: i}]}}}}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec: {template: {spec: {containers: [{name: c, image: i}]}}}`)
	for name, want := range map[string]bool{
		"WorkloadEntry/vms/vm-1": true, "WorkloadEntry/vms/vm-2": false, "WorkloadEntry/vms/vm-3": true,
		"WorkloadGroup/groups/plain": false, "Pod/apps/host": false, "Pod/apps/pod": true, "Pod/apps/out": false,
		"CronJob/apps/cron": false, "DaemonSet/kube-system/agent": false,
	} {
		if got := rs[name].wl.cls.mesh; got != want {
			t.Errorf("%s: mesh = %v, want %v", name, got, want)
		}
	}
	// vm-1 and vm-3 differ only in a label no selector reads: one class;
	// vm-2 is outside the mesh: its own.
	if rs["WorkloadEntry/vms/vm-1"].wl.cls != rs["WorkloadEntry/vms/vm-3"].wl.cls {
		t.Errorf("vm-1 and vm-3 (both in the mesh) are in different classes")
	}
	if rs["WorkloadEntry/vms/vm-1"].wl.cls == rs["WorkloadEntry/vms/vm-2"].wl.cls {
		t.Errorf("vm-2 (tlsMode disabled) shares vm-1's class")
	}
	// The host-network pod and the opted-out pod: both outside, one class.
	if rs["Pod/apps/host"].wl.cls != rs["Pod/apps/out"].wl.cls {
		t.Errorf("two pods outside the mesh, alike otherwise, are in different classes")
	}
	if v := workloadFacts(t, ix, rs["WorkloadEntry/vms/vm-2"].wl); v["mesh"] != false || v["sidecar"] != false {
		t.Errorf("vm-2 value: mesh %v, sidecar %v", v["mesh"], v["sidecar"])
	}
	if v := workloadFacts(t, ix, rs["Pod/apps/pod"].wl); v["mesh"] != true || v["sidecar"] != true {
		t.Errorf("pod value: mesh %v, sidecar %v", v["mesh"], v["sidecar"])
	}
}

// TestMeshProtocolConflicts: two Services disagreeing on a workload port's
// protocol conflict (MF406) only where the workload is in the mesh.
func TestMeshProtocolConflicts(t *testing.T) {
	doc := func(ns, nsLabels, podLabels string) string {
		return fmt.Sprintf(`apiVersion: v1
kind: Namespace
metadata: {name: %[1]s, labels: %[2]s}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: %[1]s}
spec: {selector: {app: a}, ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: raw, namespace: %[1]s}
spec: {selector: {app: a}, ports: [{name: tcp, port: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: a, namespace: %[1]s}
spec: {template: {metadata: {labels: %[3]s}, spec: {containers: [{name: c, image: i, ports: [{containerPort: 8080}]}]}}}`, ns, nsLabels, podLabels)
	}
	ix, rs := testIndex(t, strings.Join([]string{
		doc("in", "{istio-injection: enabled}", "{app: a}"),
		doc("optout", "{istio-injection: enabled}", `{app: a, sidecar.istio.io/inject: "false"}`),
		doc("unlabeled", "{}", "{app: a}"),
		doc("optin", "{}", `{app: a, sidecar.istio.io/inject: "true"}`),
	}, "\n---\n"))
	for ns, want := range map[string]bool{"in": true, "optout": false, "unlabeled": false, "optin": true} {
		got := false
		for _, p := range ix.extras[rs["Service/"+ns+"/web"].ref]["servicePorts"].([]any) {
			if cs, _ := p.(map[string]any)["conflicts"].([]any); len(cs) > 0 {
				got = true
			}
		}
		if got != want {
			t.Errorf("namespace %s: conflicts %v, want %v", ns, got, want)
		}
	}
}
