package lint

import (
	"slices"
	"testing"
)

const precedenceInput = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: ignored, namespace: istio-system}
spec: {selector: {matchLabels: {app: a}}, mtls: {mode: DISABLE}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: ns, namespace: shop}
spec: {mtls: {mode: UNSET}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: b-newer, namespace: shop, creationTimestamp: "2024-02-01T00:00:00Z"}
spec: {selector: {matchLabels: {app: a}}, mtls: {mode: DISABLE}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: z-older, namespace: shop, creationTimestamp: "2024-01-01T00:00:00Z"}
spec:
  selector: {matchLabels: {app: a}}
  mtls: {mode: PERMISSIVE}
  portLevelMtls: {"8080": {mode: STRICT}, "9090": {mode: UNSET}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: a, namespace: other}
spec: {mtls: {mode: PERMISSIVE}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: b, namespace: other}
spec: {mtls: {mode: DISABLE}}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: shop, labels: {app: a}}
spec: {containers: [{name: a, image: a}]}
---
apiVersion: v1
kind: Pod
metadata: {name: c, namespace: shop, labels: {app: c}}
spec: {containers: [{name: c, image: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: d, namespace: other, labels: {app: d}}
spec: {containers: [{name: d, image: d}]}
---
apiVersion: v1
kind: Pod
metadata: {name: e, namespace: bare, labels: {app: a}}
spec: {containers: [{name: e, image: e}]}
---
apiVersion: v1
kind: Pod
metadata: {name: f, namespace: istio-system, labels: {app: a}}
spec: {containers: [{name: f, image: f}]}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: a-unstamped, namespace: late}
spec: {mtls: {mode: DISABLE}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: z-stamped, namespace: late, creationTimestamp: "2024-01-01T00:00:00Z"}
spec: {mtls: {mode: STRICT}}
---
apiVersion: v1
kind: Pod
metadata: {name: g, namespace: late, labels: {app: g}}
spec: {containers: [{name: g, image: g}]}`

// TestEffectiveMTLS pins istiod's PeerAuthentication precedence: the oldest
// matching workload policy (creationTimestamp, then name) over the namespace
// policy over the mesh policy, UNSET inheriting, portLevelMtls per port, a
// selector in the root namespace ignored (even for the root namespace's own
// workloads), a policy without creationTimestamp newer than one with it.
func TestEffectiveMTLS(t *testing.T) {
	ix, rs := testIndex(t, precedenceInput)
	check := func(pod string, port int, mode, level, by string) {
		t.Helper()
		r := rs["Pod/"+pod]
		s := ix.sec.mtls[r.wl.cls].at(port)
		got := s.mode + " " + s.level + " "
		if s.pa != nil {
			got += s.pa.namespace + "/" + s.pa.name
		}
		if want := mode + " " + level + " " + by; got != want {
			t.Errorf("%s port %d: got %q, want %q", pod, port, got, want)
		}
	}
	check("shop/a", 0, "PERMISSIVE", "workload", "shop/z-older")
	check("shop/a", 8080, "STRICT", "port", "shop/z-older")
	check("shop/a", 9090, "PERMISSIVE", "workload", "shop/z-older")
	check("shop/c", 0, "STRICT", "mesh", "istio-system/default")
	check("other/d", 0, "PERMISSIVE", "namespace", "other/a")
	check("bare/e", 0, "STRICT", "mesh", "istio-system/default")
	check("istio-system/f", 0, "STRICT", "mesh", "istio-system/default")
	check("late/g", 0, "STRICT", "namespace", "late/z-stamped")
}

// TestSecurityFacts covers listen ports with protocols, the workloads an
// AuthorizationPolicy applies to, and DestinationRule TLS settings against
// STRICT backends.
func TestSecurityFacts(t *testing.T) {
	ix, rs := testIndex(t, `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: db, namespace: shop}
spec: {selector: {matchLabels: {app: db}}, mtls: {mode: STRICT}, portLevelMtls: {"9187": {mode: PERMISSIVE}}}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec:
  selector: {app: db}
  ports: [{name: postgres, port: 5432, appProtocol: tcp}, {name: http-metrics, port: 80, targetPort: metrics}]
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: db-1, namespace: shop}
spec: {address: 10.0.0.1, labels: {app: db}, ports: {postgres: 5432, metrics: 9187}}
---
apiVersion: v1
kind: Pod
metadata: {name: job, namespace: shop, labels: {app: db}, annotations: {sidecar.istio.io/inject: "false"}}
spec: {containers: [{name: job, image: job}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: all, namespace: shop}
spec:
  rules:
    - from: [{source: {principals: [cluster.local/ns/a/sa/b]}}]
      to: [{operation: {methods: [GET], ports: ["5432", "9187"]}}]
    - to: [{operation: {paths: [/x]}}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: db, namespace: shop}
spec:
  host: db
  trafficPolicy:
    tls: {mode: DISABLE}
    portLevelSettings:
      - port: {number: 80}
        tls: {mode: SIMPLE}`)
	we := rs["WorkloadEntry/shop/db-1"]
	listen, _ := workloadFacts(t, ix, we.wl)["listenPorts"].(map[string]any)
	if listen["5432"] != "tcp" || listen["9187"] != "http" || len(listen) != 2 {
		t.Errorf("listenPorts = %v", listen)
	}
	if job := rs["Pod/shop/job"]; !ix.sec.noSidecar[job.wl.cls] {
		t.Errorf("pod opting out of injection has a sidecar")
	}
	ap := ix.extras[rs["AuthorizationPolicy/shop/all"].ref]
	if got := ap["appliesTo"].(*selection); got.count != 2 || ap["appliesComplete"] != true {
		t.Errorf("appliesTo = %d workloads, complete %v", got.count, ap["appliesComplete"])
	}
	authz := ap["authz"].(map[string]any)
	if got := authz["listenPorts"].([]string); !slices.Equal(got, []string{"5432", "9187"}) {
		t.Errorf("listenPorts of the entry (the pod without sidecar does not count) = %v", got)
	}
	rules := authz["rules"].([]any)
	first := rules[0].(map[string]any)
	plain := first["plaintext"].([]any)
	if len(plain) != 1 || plain[0].(map[string]any)["first"] != "WorkloadEntry shop/db-1 accepts plaintext (PERMISSIVE on port 9187, by PeerAuthentication shop/db)" || plain[0].(map[string]any)["count"] != 1 {
		t.Errorf("plaintext on the rule's ports = %v", plain)
	}
	if got := first["to"].([]any)[0].(map[string]any)["tcp"]; got != "port 5432 of WorkloadEntry shop/db-1" {
		t.Errorf("tcp of to[0] = %q", got)
	}
	if got := rules[1].(map[string]any)["tcp"]; got != "" {
		t.Errorf("9187 is HTTP, so a rule on every port is not TCP-only: %q", got)
	}
	settings := ix.extras[rs["DestinationRule/shop/db"].ref]["tlsSettings"].([]any)
	if len(settings) != 2 {
		t.Fatalf("tlsSettings = %v", settings)
	}
	port := settings[0].(map[string]any)
	if port["path"] != "spec.trafficPolicy.portLevelSettings[0].tls.mode" || port["strictCount"] != 0 || port["strictFirst"] != nil {
		t.Errorf("port 80 lands on 9187, PERMISSIVE: %v", port)
	}
	all := settings[1].(map[string]any)
	strict, _ := all["strictFirst"].(map[string]any)
	if all["path"] != "spec.trafficPolicy.tls.mode" || all["strictCount"] != 1 || strict["port"] != 5432 {
		t.Errorf("DISABLE reaches STRICT 5432 of the entry only: %v", all)
	}
}
