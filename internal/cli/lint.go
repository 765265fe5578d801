package cli

import "fmt"

func runLint(env *Env, args []string) int {
	fmt.Fprintln(env.Stderr, "meshfleet lint: not available in this build yet")
	return ExitUsage
}
