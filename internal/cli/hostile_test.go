package cli

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// usageEnv names the file where the meshfleet command of a script writes
// its wall time and peak memory when it exits (see TestMain), for the
// bounded command.
const usageEnv = "MESHFLEET_TEST_USAGE"

// trapped are the programs a hostile input might make meshfleet start:
// in TestHostile each is a trap on PATH that records being run.
var trapped = []string{"sh", "bash", "git", "ssh", "curl", "wget", "kustomize", "helm", "kubectl", "docker", "podman", "istioctl", "python3"}

// TestHostile runs the hostile corpus, fixtures/hostile/*.txtar: inputs an
// attacker can put in a pull request, each with the exit code, message and
// (outside -race) time and memory bound meshfleet must keep. Every script
// runs with a trap on PATH for each program in trapped and a listener on
// 127.0.0.1 ($TRAP_ADDR) that fails the test when anything is run or
// anything connects: meshfleet starts no process and opens no socket.
func TestHostile(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "../../fixtures/hostile",
		UpdateScripts: os.Getenv("UPDATE_GOLDEN") != "",
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": exitcode,
			"bounded":  bounded,
			"gen":      gen,
			"mkfifo":   mkfifo,
			"envsubst": envsubst,
		},
		Setup: func(e *testscript.Env) error {
			e.Setenv("NO_COLOR", "1")
			e.Setenv(usageEnv, filepath.Join(e.WorkDir, ".usage"))
			traps := filepath.Join(e.WorkDir, ".traps")
			log := filepath.Join(e.WorkDir, ".trapped")
			if err := os.Mkdir(traps, 0o755); err != nil {
				return err
			}
			for _, name := range trapped {
				script := fmt.Sprintf("#!/bin/sh\necho \"%s $*\" >> %s\nexit 0\n", name, log)
				if err := os.WriteFile(filepath.Join(traps, name), []byte(script), 0o755); err != nil {
					return err
				}
			}
			e.Setenv("PATH", traps+string(os.PathListSeparator)+e.Getenv("PATH"))
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return err
			}
			var contacted atomic.Bool
			go func() {
				for {
					c, err := ln.Accept()
					if err != nil {
						return
					}
					contacted.Store(true)
					c.Close()
				}
			}()
			e.Setenv("TRAP_ADDR", ln.Addr().String())
			e.Defer(func() {
				ln.Close()
				if contacted.Load() {
					e.T().Fatal("meshfleet connected to the trap listener on " + ln.Addr().String())
				}
				if b, err := os.ReadFile(log); err == nil {
					e.T().Fatal("meshfleet started a process: " + strings.TrimSpace(string(b)))
				}
			})
			return nil
		},
	})
}

// writeUsage records the process's wall time and peak memory for bounded.
func writeUsage(start time.Time) {
	file := os.Getenv(usageEnv)
	if file == "" {
		return
	}
	os.WriteFile(file, fmt.Appendf(nil, "%d %d\n", time.Since(start).Milliseconds(), peakKiB()), 0o644)
}

// peakKiB is this process's peak resident memory: VmHWM, which counts
// this program's own memory only. getrusage's ru_maxrss would do on other
// systems, but Linux carries it across execve from the process that
// started us (here the whole test binary), so it is the fallback.
func peakKiB() int64 {
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				var kib int64
				if _, err := fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), &kib); err == nil {
					return kib
				}
			}
		}
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Maxrss // KiB on Linux
}

// bounded DURATION MIB fails unless the last meshfleet run took at most
// DURATION and peaked at most MIB MiB of resident memory. The bound is
// not checked under -race, which multiplies both; the command still
// requires the run to have reported.
func bounded(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: bounded DURATION MIB")
	}
	limit, err := time.ParseDuration(args[0])
	if err != nil {
		ts.Fatalf("bounded: %v", err)
	}
	mib, err := strconv.Atoi(args[1])
	if err != nil {
		ts.Fatalf("bounded: %v", err)
	}
	file := ts.Getenv(usageEnv)
	b, err := os.ReadFile(file)
	if err != nil {
		ts.Fatalf("bounded: no usage recorded by the last run: %v", err)
	}
	os.Remove(file)
	var ms, kib int64
	if _, err := fmt.Sscan(string(b), &ms, &kib); err != nil {
		ts.Fatalf("bounded: %v", err)
	}
	ts.Logf("last run: %d ms, %d MiB peak", ms, kib>>10)
	if raceEnabled {
		return
	}
	if took := time.Duration(ms) * time.Millisecond; took > limit {
		ts.Fatalf("the run took %v, over the bound of %v", took, limit)
	}
	if kib>>10 > int64(mib) {
		ts.Fatalf("the run peaked at %d MiB, over the bound of %d MiB", kib>>10, mib)
	}
}

// gen KIND FILE N writes a generated hostile input too large to keep in
// the repository:
//
//	anchors: one document holding a 40,000-node anchor, then N documents
//	         each using it once (a per-document alias budget passes each)
//	docs:    N tiny documents without apiVersion and kind
//	deep:    a ConfigMap whose data nests N mappings
//	selectors: N Services and N WorkloadEntries on one selector
//	objects: N ConfigMaps in one file
func gen(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: gen anchors|docs|deep|selectors|objects FILE N")
	}
	n, err := strconv.Atoi(args[2])
	if err != nil {
		ts.Fatalf("gen: %v", err)
	}
	var b strings.Builder
	switch args[0] {
	case "anchors":
		b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: base}\ndata:\n  big: &big [")
		for i := 0; i < 40_000; i++ {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString("x")
		}
		b.WriteString("]\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c%d}\nbinaryData: {x: *big}\n", i)
		}
	case "docs":
		for i := 0; i < n; i++ {
			b.WriteString("---\na: 1\n")
		}
	case "deep":
		b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n")
		for i := 0; i < n; i++ {
			b.WriteString(strings.Repeat("  ", i+1) + "a:\n")
		}
	case "selectors":
		// N Services and N WorkloadEntries sharing one selector: the
		// index matched every selector against every workload (N²).
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "---\napiVersion: v1\nkind: Service\nmetadata: {name: s%d, namespace: shop}\nspec:\n  selector: {app: cart}\n  ports: [{name: http-web, port: 80, targetPort: 9090}]\n", i)
			fmt.Fprintf(&b, "---\napiVersion: networking.istio.io/v1\nkind: WorkloadEntry\nmetadata: {name: w%d, namespace: shop, labels: {app: cart, version: v1}}\nspec: {address: 10.%d.%d.%d, ports: {http: 8080}}\n", i, i>>16&255, i>>8&255, i&255)
		}
	case "objects":
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c%d, namespace: ns}\n", i)
		}
	default:
		ts.Fatalf("gen: unknown kind %q", args[0])
	}
	file := ts.MkAbs(args[1])
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		ts.Fatalf("gen: %v", err)
	}
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		ts.Fatalf("gen: %v", err)
	}
}

// mkfifo FILE makes a named pipe, which would block a reader forever.
func mkfifo(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: mkfifo FILE")
	}
	if err := syscall.Mkfifo(ts.MkAbs(args[0]), 0o644); err != nil {
		ts.Fatalf("mkfifo: %v", err)
	}
}

// envsubst FILE... replaces $VAR and ${VAR} in the files with the script's
// environment (to name $TRAP_ADDR inside a kustomization).
func envsubst(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: envsubst FILE...")
	}
	for _, f := range args {
		p := ts.MkAbs(f)
		b, err := os.ReadFile(p)
		if err != nil {
			ts.Fatalf("envsubst: %v", err)
		}
		if err := os.WriteFile(p, []byte(os.Expand(string(b), ts.Getenv)), 0o644); err != nil {
			ts.Fatalf("envsubst: %v", err)
		}
	}
}
