package lint

import (
	"fmt"
	"strings"
)

// "In the mesh" is decided once, here, per workload (issue 10): whether
// Istio gives the workload a proxy, so that PeerAuthentications,
// AuthorizationPolicies and inbound protocol selection apply to it. Every
// member of a class shares it (the decision is part of the class key), so
// rules and behaviour tests read one fact per class.
//
// Pods (Pod, and the pod templates of Deployments, StatefulSets,
// DaemonSets, ReplicaSets, Jobs, CronJobs and other kinds) follow Istio's
// sidecar injector as installed by default (istio.io "Installing the
// Sidecar", "Controlling the injection policy", and the webhooks it
// installs: namespace.sidecar-injector, object.sidecar-injector and their
// revision variants; enableNamespacesByDefault off):
//
//   - a pod the injector never sees is out: hostNetwork: true, or a pod in
//     kube-system or kube-public;
//   - if either label is disabled, the pod is not injected: a namespace
//     istio-injection label with any value but "enabled", or the pod's
//     sidecar.istio.io/inject label "false" (the annotation counts when the
//     label is absent; the label wins over it, as in the injector);
//   - if either label is enabled, the pod is injected: namespace
//     istio-injection: enabled, namespace istio.io/rev (any value; the
//     revision's webhook selects it when istio-injection is absent), pod
//     label sidecar.istio.io/inject: "true" or pod label istio.io/rev;
//   - neither set: not injected (enableNamespacesByDefault is off);
//   - a namespace the input holds no Namespace object for is assumed
//     injected (its labels are unknown: no false alarms on partial inputs),
//     so only the pod's own opt-out takes it out.
//
// WorkloadEntries and WorkloadGroups (the entries a group auto-registers)
// are in the mesh unless their labels set security.istio.io/tlsMode:
// disabled (Istio then sends them plaintext: no proxy on the VM).

// nsInjection is what a namespace's labels say about injection.
type nsInjection int

const (
	nsUnknown   nsInjection = iota // no Namespace object in the input: assumed injected
	nsEnabled                      // istio-injection: enabled, or istio.io/rev
	nsDisabled                     // istio-injection with another value
	nsUnlabeled                    // declared, neither label
)

// namespaceInjection reads a Namespace's labels.
func namespaceInjection(labels map[string]string) nsInjection {
	if v, ok := labels["istio-injection"]; ok {
		if v == "enabled" {
			return nsEnabled
		}
		return nsDisabled
	}
	if _, ok := labels["istio.io/rev"]; ok {
		return nsEnabled
	}
	return nsUnlabeled
}

// podInjection is what a pod says about itself: -1 opts out, 1 opts in,
// 0 neither.
type podInjection int

// injectionDecision is Istio's precedence table: ns is the namespace's
// labels, pod the pod's.
func injectionDecision(ns nsInjection, pod podInjection) bool {
	switch {
	case pod < 0 || ns == nsDisabled:
		return false
	case pod > 0 || ns == nsEnabled || ns == nsUnknown:
		return true
	}
	return false
}

// namespaceInjections maps each namespace a Namespace object of rs declares
// to what its labels say.
func namespaceInjections(rs []*resource) map[string]nsInjection {
	out := map[string]nsInjection{}
	for _, r := range rs {
		if r.kind == "Namespace" && r.apiVersion == "v1" && r.name != "" {
			out[r.name] = namespaceInjection(stringMap(dig(r.obj, "metadata", "labels")))
		}
	}
	return out
}

// inMesh decides it for r's workload w; ns from namespaceInjections.
func inMesh(r *resource, w *workload, ns map[string]nsInjection) bool {
	if w.kind == "WorkloadEntry" || w.kind == "WorkloadGroup" {
		return w.labels["security.istio.io/tlsMode"] != "disabled"
	}
	if w.namespace == "kube-system" || w.namespace == "kube-public" {
		return false
	}
	meta, spec := podTemplateOf(r)
	if hn, _ := dig(spec, "hostNetwork").(bool); hn {
		return false
	}
	return injectionDecision(ns[w.namespace], podInjectionOf(meta))
}

// podTemplateOf is the metadata and spec of r's pod (template).
func podTemplateOf(r *resource) (meta, spec any) {
	switch r.kind {
	case "Pod":
		return r.obj["metadata"], r.obj["spec"]
	case "CronJob":
		t := dig(r.obj, "spec", "jobTemplate", "spec", "template")
		return dig(t, "metadata"), dig(t, "spec")
	}
	t := dig(r.obj, "spec", "template")
	return dig(t, "metadata"), dig(t, "spec")
}

// podInjectionOf reads a pod template's metadata: the label
// sidecar.istio.io/inject ("false", any case, opts out; "true" opts in),
// else the annotation of that name ("false" opts out), and the label
// istio.io/rev (opts in).
func podInjectionOf(meta any) podInjection {
	const key = "sidecar.istio.io/inject"
	if v := dig(meta, "labels", key); v != nil {
		switch s := fmt.Sprint(v); {
		case strings.EqualFold(s, "false"):
			return -1
		case s == "true":
			return 1
		}
	} else if v := dig(meta, "annotations", key); v != nil && strings.EqualFold(fmt.Sprint(v), "false") {
		return -1
	}
	if dig(meta, "labels", "istio.io/rev") != nil {
		return 1
	}
	return 0
}
