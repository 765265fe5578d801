package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/meshfleet/meshfleet/schemas"
)

const schemaUsage = `usage: meshfleet schema [--format cue|jsonschema]

Print the VMFleet schema (meshfleet.dev/v1alpha1). The CUE is the source
of truth; the JSON Schema (draft-07, with descriptions and defaults) is
exported from it for editors. Save it next to your fleets and point
yaml-language-server at it with a modeline on the first line of a file:

  meshfleet schema --format jsonschema > vmfleet.schema.json
  # yaml-language-server: $schema=./vmfleet.schema.json

flags:
`

// schemaFormats maps each --format value to the bytes it prints; the keys
// are what an unknown format lists.
var schemaFormats = map[string]func() []byte{
	"cue":        schemas.FleetCUE,
	"jsonschema": schemas.FleetJSONSchema,
}

func schemaFormatNames() []string { return []string{"cue", "jsonschema"} }

// parseSchemaFlags returns the chosen format, or the usage text with an
// error: ErrHelp for --help, anything else a usage error.
func parseSchemaFlags(args []string) (string, string, error) {
	var format string
	flags := pflag.NewFlagSet("schema", pflag.ContinueOnError)
	flags.SetOutput(io.Discard)
	flags.StringVar(&format, "format", "cue", "output `format`: "+strings.Join(schemaFormatNames(), ", "))
	usage := schemaUsage + flags.FlagUsages()
	if err := flags.Parse(args); err != nil {
		return "", usage, err
	}
	if flags.NArg() > 0 {
		return "", usage, fmt.Errorf("unexpected argument %q", strings.Join(flags.Args(), " "))
	}
	if _, ok := schemaFormats[format]; !ok {
		return "", usage, fmt.Errorf("--format: unknown format %q (valid: %s)", format, strings.Join(schemaFormatNames(), ", "))
	}
	return format, usage, nil
}

func runSchema(env *Env, args []string) int {
	format, usage, err := parseSchemaFlags(args)
	if code, stop := parseFailed(env, "schema", usage, err); stop {
		return code
	}
	if _, err := env.Stdout.Write(schemaFormats[format]()); err != nil {
		fmt.Fprintf(env.Stderr, "meshfleet schema: %v\n", err)
		return ExitUsage
	}
	return ExitOK
}
