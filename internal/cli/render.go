package cli

import "fmt"

func runRender(env *Env, args []string) int {
	fmt.Fprintln(env.Stderr, "meshfleet render: not available in this build yet")
	return ExitUsage
}
