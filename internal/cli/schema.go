package cli

import "fmt"

func runSchema(env *Env, args []string) int {
	fmt.Fprintln(env.Stderr, "meshfleet schema: not available in this build yet")
	return ExitUsage
}
