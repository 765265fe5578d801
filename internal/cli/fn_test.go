package cli

import (
	"bytes"
	"testing"
)

// FuzzFn feeds arbitrary bytes to the KRM function as its stdin. It calls
// runFn directly, below Main's recover, so a panic fails the fuzz run instead
// of becoming exit 2. Whatever the input: exit 0, 1 or 2, and exit 2 (input
// refused) writes nothing on stdout.
func FuzzFn(f *testing.F) {
	for _, seed := range []string{
		"",
		"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n",
		"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n",
		"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: meshfleet.dev/v1alpha1\n  kind: VMFleet\n  metadata: {name: a, namespace: b}\n  spec:\n    ports: [{name: http, port: 8080}]\n    vms: [{address: 10.0.0.1}]\n",
		"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig:\n  apiVersion: meshfleet.dev/v1alpha1\n  kind: VMFleet\n  metadata: {name: a}\n  spec: {ports: [{name: http, port: 80}], vms: [{address: nope}]}\n",
		"a: &a [1,2]\nb: [*a,*a]\n",
		`{"apiVersion":"config.kubernetes.io/v1","kind":"ResourceList","items":[{"kind":"VMFleet"}]}`,
		"items: [unclosed\n",
		"--- !!binary\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var stdout, stderr bytes.Buffer
		code := runFn(&Env{Stdin: bytes.NewReader(data), Stdout: &stdout, Stderr: &stderr}, nil)
		switch code {
		case ExitOK, ExitFindings:
		case ExitUsage:
			if stdout.Len() > 0 {
				t.Fatalf("exit 2 wrote stdout:\n%s", stdout.Bytes())
			}
		default:
			t.Fatalf("exit %d, want 0, 1 or 2; stderr:\n%s", code, stderr.Bytes())
		}
	})
}
