package lint

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshfleet/meshfleet/render"
)

func TestIstioProtocol(t *testing.T) {
	for in, want := range map[string]render.Protocol{
		"http": render.ProtoHTTP, "http-web": render.ProtoHTTP, "HTTP2": render.ProtoHTTP2,
		"grpc-web": render.ProtoGRPCWeb, "grpc-web-api": render.ProtoGRPCWeb, "grpc-api": render.ProtoGRPC,
		"tcp-postgres": render.ProtoTCP, "mysql": render.ProtoMySQL,
		"postgres": "", "httpx": "", "web-http": "", "": "",
	} {
		if got := istioProtocol(in); got != want {
			t.Errorf("istioProtocol(%q) = %q, want %q", in, got, want)
		}
	}
}

const portsInput = `apiVersion: v1
kind: Service
metadata: {name: pay, namespace: p}
spec:
  selector: {app: pay}
  ports:
    - {name: http, port: 80, targetPort: 7000}
    - {name: grpc-web, port: 81, targetPort: api}
    - {name: tcp-gone, port: 82, targetPort: gone}
    - {name: tcp-raw, port: 8080}
    - {name: postgres, port: 5432, targetPort: 9999}
    - {name: dns, port: 53, protocol: UDP}
    - {name: x, port: 83, targetPort: metrics, appProtocol: HTTP2}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: vm, namespace: p}
spec:
  address: 10.0.0.1
  labels: {app: pay}
  ports: {http: 8080, api: 9090, metrics: 9091}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: bare, namespace: p}
spec:
  address: 10.0.0.2
  labels: {app: pay}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: pod, namespace: p}
spec:
  template:
    metadata: {labels: {app: pay}}
    spec:
      initContainers:
        - {name: side, image: s, restartPolicy: Always, ports: [{name: api, containerPort: 9090}]}
      containers:
        - {name: c, image: c, ports: [{name: metrics, containerPort: 9091}]}
---
apiVersion: ops.example.com/v1
kind: Custom
metadata: {name: op, namespace: p}
spec:
  template:
    metadata: {labels: {app: pay}}
    spec:
      containers: [{name: c, image: c}]
---
apiVersion: v1
kind: Service
metadata: {name: pay-http, namespace: p}
spec:
  selector: {app: pay}
  ports:
    - {name: http-raw, port: 8080}
`

// TestEndpointPorts pins DESIGN.md §4's resolution of the port each workload
// receives a Service port's traffic on, and its status for MF402/MF403.
func TestEndpointPorts(t *testing.T) {
	ix, byName := testIndex(t, portsInput)
	type ep struct {
		Status string
		Port   any
		Via    any
	}
	// Each workload here is a class of its own: resolve the Service's
	// ports again to read the endpoint of every class.
	pi := &portIndex{pods: map[int]*podPorts{}, dups: map[string][]any{}}
	for _, r := range byName {
		if r.wl != nil && r.wl.containerPorts != nil {
			pi.pods[r.ref] = pi.podDuplicates(r)
		}
	}
	got := map[string]ep{}
	for _, sp := range ix.servicePorts(byName["Service/pay"], pi, map[portGroupKey]*portGroup{}) {
		for _, ce := range sp.group.endpoints {
			em := ce.ep
			got[sp.name+" "+em["name"].(string)] = ep{em["status"].(string), em["port"], em["via"]}
		}
	}
	want := map[string]ep{
		// The map entry named like the Service port wins over targetPort.
		"http vm": {"ok", 8080, "name"},
		// A named targetPort resolves through the map, or drops the VM.
		"grpc-web vm": {"ok", 9090, "targetPort"},
		"tcp-gone vm": {"dropped", nil, nil},
		// Numeric: the targetPort, or the port, must be a declared number.
		"tcp-raw vm":  {"ok", 8080, "port"},
		"postgres vm": {"undeclared", 9999, "targetPort"},
		"dns vm":      {"undeclared", 53, "port"},
		"x vm":        {"ok", 9091, "targetPort"},
		// A VM without ports is not checked.
		"http bare": {"unchecked", 7000, nil}, "grpc-web bare": {"unchecked", nil, nil},
		"tcp-gone bare": {"unchecked", nil, nil}, "tcp-raw bare": {"unchecked", 8080, nil},
		"postgres bare": {"unchecked", 9999, nil}, "dns bare": {"unchecked", 53, nil},
		"x bare": {"unchecked", nil, nil},
		// Pods: named targetPorts must name a container port (native
		// sidecars included); numeric ones need not be declared.
		"http pod": {"ok", 7000, "targetPort"}, "grpc-web pod": {"ok", 9090, "targetPort"},
		"tcp-gone pod": {"unnamed", nil, nil}, "tcp-raw pod": {"ok", 8080, "port"},
		"postgres pod": {"ok", 9999, "targetPort"}, "dns pod": {"ok", 53, "port"},
		"x pod": {"ok", 9091, "targetPort"},
		// Other kinds with pod templates are not checked.
		"http op": {"ok", 7000, "targetPort"}, "grpc-web op": {"unchecked", nil, nil},
		"tcp-gone op": {"unchecked", nil, nil}, "tcp-raw op": {"ok", 8080, "port"},
		"postgres op": {"ok", 9999, "targetPort"}, "dns op": {"ok", 53, "port"},
		"x op": {"unchecked", nil, nil},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("endpoints (-want +got):\n%s", d)
	}
	// What rules read: per status, the first workload by "kind name ref"
	// and how many there are.
	byStatus := map[string]string{}
	for _, p := range ix.extras[byName["Service/pay"].ref]["servicePorts"].([]any) {
		pm := p.(map[string]any)
		if pm["name"] != "tcp-gone" {
			continue
		}
		for status, v := range pm["endpointsByStatus"].(map[string]any) {
			vm := v.(map[string]any)
			first := vm["first"].(map[string]any)
			byStatus[status] = fmt.Sprintf("%s %s x%d", first["kind"], first["name"], vm["count"])
		}
	}
	wantStatus := map[string]string{
		"dropped": "WorkloadEntry vm x1", "unnamed": "Deployment pod x1", "unchecked": "Custom op x2",
	}
	if d := cmp.Diff(wantStatus, byStatus); d != "" {
		t.Errorf("endpointsByStatus (-want +got):\n%s", d)
	}
}

// TestProtocolConflicts checks that two Services declaring different
// protocol classes for one workload port are linked both ways, and that
// alike protocols (http2 by appProtocol and grpc-web) are not.
func TestProtocolConflicts(t *testing.T) {
	ix, byName := testIndex(t, portsInput)
	conflicts := func(svc, port string) []string {
		var out []string
		for _, p := range ix.extras[byName["Service/"+svc].ref]["servicePorts"].([]any) {
			pm := p.(map[string]any)
			if pm["name"] != port {
				continue
			}
			cs, _ := pm["conflicts"].([]any)
			for _, c := range cs {
				cm := c.(map[string]any)
				first := cm["first"].(map[string]any)
				out = append(out, fmt.Sprintf("%s/%s/%s port %v first %s %s x%d", cm["service"], cm["portName"], cm["protocol"], cm["port"], first["kind"], first["name"], cm["count"]))
			}
		}
		return out
	}
	for _, tc := range []struct {
		svc, port string
		want      []string
	}{
		// Every workload receives both on 8080; the first by "kind name
		// ref" is named.
		{"pay-http", "http-raw", []string{"pay/tcp-raw/tcp port 8080 first Custom op x4"}},
		{"pay", "tcp-raw", []string{"pay-http/http-raw/http port 8080 first Custom op x4"}},
		// Same Service, or no declared protocol: not a conflict here.
		{"pay", "http", nil},
		{"pay", "postgres", nil},
	} {
		if d := cmp.Diff(tc.want, conflicts(tc.svc, tc.port)); d != "" {
			t.Errorf("%s %s: (-want +got):\n%s", tc.svc, tc.port, d)
		}
	}
}

func TestPortDuplicates(t *testing.T) {
	ix, _ := testIndex(t, `apiVersion: v1
kind: Service
metadata: {name: s, namespace: p}
spec:
  ports:
    - {name: http, port: 80}
    - {name: http, port: 81}
    - {name: dns, port: 53}
    - {name: dns-udp, port: 53, protocol: UDP}
    - {name: other, port: 80, protocol: TCP}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: j, namespace: p}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - {name: a, image: a, ports: [{name: web, containerPort: 80}, {containerPort: 80}]}
            - {name: b, image: b, ports: [{name: web, containerPort: 81}, {containerPort: 80}]}
`)
	var got []string
	for _, d := range ix.portDups["p"] {
		m := d.(map[string]any)
		got = append(got, m["path"].(string)+" "+m["field"].(string)+" "+m["value"].(string)+" first "+m["first"].(string))
	}
	want := []string{
		"spec.ports[1].name name http first spec.ports[0]",
		"spec.ports[4].port port 80/TCP first spec.ports[0]",
		"spec.jobTemplate.spec.template.spec.containers[0].ports[1].containerPort port 80/TCP first spec.jobTemplate.spec.template.spec.containers[0].ports[0]",
		"spec.jobTemplate.spec.template.spec.containers[1].ports[0].name name web first spec.jobTemplate.spec.template.spec.containers[0].ports[0]",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("duplicates (-want +got):\n%s", d)
	}
}
