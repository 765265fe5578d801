// Command meshfleet renders VMFleets into Istio resources and lints Istio
// manifests. Everything but the process boundary lives in internal/cli.
package main

import (
	"os"

	"github.com/meshfleet/meshfleet/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
