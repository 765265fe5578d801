package schemas

import (
	"fmt"
	"regexp"
)

// Kubernetes' name formats (k8s.io/apimachinery/pkg/util/validation),
// restated here so that lint does not link apimachinery for three regexps.
var (
	dns1123LabelRE     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	dns1123SubdomainRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	dns1035LabelRE     = regexp.MustCompile(`^[a-z]([-a-z0-9]*[a-z0-9])?$`)
)

// nameFormat is how Kubernetes validates metadata.name of a kind.
type nameFormat int

const (
	subdomain nameFormat = iota // most kinds, and every CRD (Istio's)
	label                       // Namespace; VMFleet, whose name prefixes rendered names
	label1035                   // Service: it becomes a DNS name and an env var prefix
)

// nameFormats lists the kinds whose names are stricter than a subdomain.
var nameFormats = map[string]nameFormat{
	"Namespace": label,
	"Service":   label1035,
	FleetKind:   label,
}

// maxNameLen caps names that Kubernetes shortens further: a CronJob's name
// plus an 11-character suffix must fit a Job's 63-character label.
var maxNameLen = map[string]int{"CronJob": 52}

// ValidName reports whether name is a valid metadata.name for kind, by the
// rule Kubernetes applies: a DNS-1123 subdomain for most kinds and every
// custom resource, a DNS-1123 label for Namespace (and VMFleet), a DNS-1035
// label for Service. The error says which rule failed.
func ValidName(kind, name string) error {
	if name == "" {
		return fmt.Errorf("name is empty")
	}
	format := nameFormats[kind]
	limit := map[nameFormat]int{subdomain: 253, label: 63, label1035: 63}[format]
	if l, ok := maxNameLen[kind]; ok {
		limit = l
	}
	if len(name) > limit {
		return fmt.Errorf("name %q is %d characters long; a %s name must be at most %d", name, len(name), kind, limit)
	}
	switch format {
	case label:
		if !dns1123LabelRE.MatchString(name) {
			return fmt.Errorf("name %q is not a DNS-1123 label: use lower-case letters, digits and '-', starting and ending with a letter or digit", name)
		}
	case label1035:
		if !dns1035LabelRE.MatchString(name) {
			return fmt.Errorf("name %q is not a DNS-1035 label: use lower-case letters, digits and '-', starting with a letter and ending with a letter or digit", name)
		}
	default:
		if !dns1123SubdomainRE.MatchString(name) {
			return fmt.Errorf("name %q is not a DNS-1123 subdomain: use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit", name)
		}
	}
	return nil
}
