package cli

import "fmt"

func runRules(env *Env, args []string) int {
	fmt.Fprintln(env.Stderr, "meshfleet rules: not available in this build yet")
	return ExitUsage
}
