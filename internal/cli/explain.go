package cli

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/meshfleet/meshfleet/internal/safetext"
	"github.com/meshfleet/meshfleet/lint/mesh"
)

const explainUsage = `usage: meshfleet explain --from NS/SA[/LABEL=V,...]|external --to URL [flags] [PATH ...]

Print the decision trail for one request, offline: the VirtualService and
route that matched (file:line), the destinations and subsets, the
endpoints, the server's mTLS mode and where it comes from, the client's TLS
setting, and every AuthorizationPolicy considered with its verdict. URL is
http://HOST[:PORT]/PATH?QUERY (port 80 by default) or tcp://HOST:PORT; a
short HOST resolves in the caller's namespace. PATH is read as lint reads
it; with no PATH, the current directory.

Exit status: 0 explained, 2 usage error, unreadable input, or a request
naming what the input lacks.

flags:
`

type explainFlags struct {
	from          mesh.From
	req           mesh.Request
	rootNamespace string
	config        string
	exclude       []string
	context       []string
	paths         []string
}

func parseExplainFlags(args []string) (*explainFlags, string, error) {
	f := &explainFlags{}
	flags := pflag.NewFlagSet("explain", pflag.ContinueOnError)
	flags.SetOutput(io.Discard)
	flags.SortFlags = true
	from := flags.String("from", "", "the caller: `NS/SA[/LABEL=V,...]` inside the mesh, or external (no sidecar)")
	to := flags.String("to", "", "the request `URL`: http://host[:port]/path or tcp://host:port")
	method := flags.String("method", "", "HTTP `METHOD` (default GET for http URLs)")
	headers := flags.StringArray("header", nil, "HTTP header `K=V` (repeatable)")
	flags.StringVar(&f.from.Address, "address", "", "the caller's `IP`, for ipBlocks and source.ip conditions")
	flags.StringVar(&f.rootNamespace, "root-namespace", "", "Istio root `namespace`, whose policies are mesh-wide (default istio-system)")
	flags.StringVar(&f.config, "config", "", "read settings from `FILE` instead of the .meshfleet.yaml found upward")
	flags.StringArrayVar(&f.exclude, "exclude", nil, "skip files and directories matching `GLOB` (repeatable)")
	flags.StringArrayVar(&f.context, "context", nil, "also read `PATH` (repeatable)")
	usage := explainUsage + flags.FlagUsages()
	if err := flags.Parse(args); err != nil {
		return nil, usage, err
	}
	if *from == "" || *to == "" {
		return nil, usage, errors.New("--from and --to are required")
	}
	if err := parseFrom(*from, &f.from); err != nil {
		return nil, usage, fmt.Errorf("--from: %w", err)
	}
	if err := parseTo(*to, *method, &f.req); err != nil {
		return nil, usage, fmt.Errorf("--to: %w", err)
	}
	for _, h := range *headers {
		k, v, ok := strings.Cut(h, "=")
		if !ok || k == "" {
			return nil, usage, fmt.Errorf("--header %q: want K=V", h)
		}
		if f.req.Headers == nil {
			f.req.Headers = map[string]string{}
		}
		f.req.Headers[strings.ToLower(k)] = v
	}
	if len(*headers) > 0 && f.req.Method == "" {
		return nil, usage, errors.New("--header: a tcp:// request carries no headers")
	}
	f.paths = flags.Args()
	if len(f.paths) == 0 {
		f.paths = []string{"."}
	}
	for _, p := range f.paths {
		if p == "-" {
			return nil, usage, errors.New("explain reads files and directories, not stdin")
		}
	}
	return f, usage, nil
}

func parseFrom(s string, f *mesh.From) error {
	if s == "external" {
		f.External = true
		return nil
	}
	parts := strings.SplitN(s, "/", 3)
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return fmt.Errorf("%q: want NS/SA[/LABEL=V,...] or external", s)
	}
	f.Namespace, f.ServiceAccount = parts[0], parts[1]
	if len(parts) == 3 && parts[2] != "" {
		f.Labels = map[string]string{}
		for _, kv := range strings.Split(parts[2], ",") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" {
				return fmt.Errorf("label %q: want LABEL=V", kv)
			}
			f.Labels[k] = v
		}
	}
	return nil
}

func parseTo(s, method string, q *mesh.Request) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	switch u.Scheme {
	case "http":
		q.Method = strings.ToUpper(method)
		if q.Method == "" {
			q.Method = "GET"
		}
		q.Path = u.EscapedPath()
		if q.Path == "" {
			q.Path = "/"
		}
		if u.RawQuery != "" {
			q.Path += "?" + u.RawQuery
		}
	case "tcp":
		if method != "" {
			return errors.New("--method: a tcp:// request has no method")
		}
		if u.Path != "" && u.Path != "/" {
			return errors.New("a tcp:// URL has no path")
		}
	default:
		return fmt.Errorf("%q: want an http:// or tcp:// URL", s)
	}
	q.Host = u.Hostname()
	if q.Host == "" {
		return fmt.Errorf("%q: no host", s)
	}
	switch p := u.Port(); {
	case p != "":
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("port %q: want 1 to 65535", p)
		}
		q.Port = n
	case u.Scheme == "http":
		q.Port = 80
	default:
		return errors.New("a tcp:// URL needs a port")
	}
	return nil
}

func runExplain(env *Env, args []string) int {
	f, usage, err := parseExplainFlags(args)
	if code, stop := parseFailed(env, "explain", usage, err); stop {
		return code
	}
	md, ok := loadMesh(env, "explain", f.paths, f.exclude, f.context, f.config, f.rootNamespace)
	if !ok {
		return ExitUsage
	}
	res, err := md.Evaluate(f.from, f.req)
	if err != nil {
		fmt.Fprintf(env.Stderr, "meshfleet explain: %s\n", safetext.Escape(err.Error()))
		return ExitUsage
	}
	writeExplain(env.Stdout, md, f.from, f.req, res)
	return ExitOK
}

func writeExplain(w io.Writer, md *mesh.Model, from mesh.From, q mesh.Request, res *mesh.Result) {
	var b strings.Builder
	caller := "external (no sidecar, plaintext)"
	if !from.External {
		caller = from.Namespace + "/" + from.ServiceAccount
		if len(from.Labels) > 0 {
			caller += " " + labelList(from.Labels)
		}
	}
	target := fmt.Sprintf("tcp %s:%d", q.Host, q.Port)
	if q.Method != "" {
		target = fmt.Sprintf("%s http://%s:%d%s", q.Method, q.Host, q.Port, q.Path)
	}
	fmt.Fprintf(&b, "request      %s\nfrom         %s\n", safetext.Escape(target), safetext.Escape(caller))
	for _, s := range res.Trail {
		fmt.Fprintf(&b, "%-13s%s", s.Topic, safetext.Escape(s.Text))
		if where := md.Where(s); where != "" {
			fmt.Fprintf(&b, "  (%s)", safetext.Escape(where))
		}
		b.WriteString("\n")
	}
	a := mesh.ActualOf(res)
	b.WriteString("result:\n")
	fmt.Fprintf(&b, "  allowed       %v", a.Allowed)
	if res.Reason != "" {
		fmt.Fprintf(&b, " (%s)", safetext.Escape(res.Reason))
	}
	fmt.Fprintf(&b, "\n  mtls          %v\n", a.MTLS)
	var ds []string
	for _, d := range a.Destinations {
		s := d.Host
		if d.Subset != "" {
			s += " subset " + d.Subset
		}
		ds = append(ds, fmt.Sprintf("%s port %d %d%%", s, d.Port, d.Weight))
	}
	fmt.Fprintf(&b, "  destinations  %s\n", safetext.Escape(orNone(strings.Join(ds, "; "))))
	fmt.Fprintf(&b, "  endpoints     %s\n", safetext.Escape(orNone(strings.Join(a.Endpoints, ", "))))
	status := "none (reaches a workload)"
	if a.Status != nil {
		status = strconv.Itoa(*a.Status)
	}
	fmt.Fprintf(&b, "  status        %s\n", status)
	_, _ = io.WriteString(w, b.String())
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func labelList(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + m[k]
	}
	return strings.Join(parts, ",")
}
