package cli

import "fmt"

func runFn(env *Env, args []string) int {
	fmt.Fprintln(env.Stderr, "meshfleet fn: not available in this build yet")
	return ExitUsage
}
