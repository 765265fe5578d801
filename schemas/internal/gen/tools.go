//go:build tools

package main

// `cue get go` reads these packages from our module graph; importing them
// here keeps k8s.io/api (and what it needs) in go.mod through `go mod tidy`
// without linking them into meshfleet.
import (
	_ "k8s.io/api/apps/v1"
	_ "k8s.io/api/batch/v1"
	_ "k8s.io/api/core/v1"
)
