package manifest

import (
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Value converts a checked node into plain Go values without reflection:
// map[string]any, []any, string, int64, float64, bool and nil. Aliases are
// followed (Parse has bounded them) and merge keys (<<) are applied, keys
// written in the mapping winning over merged ones.
func Value(n *yaml.Node) any {
	n = Resolve(n)
	if n == nil {
		return nil
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return Value(n.Content[0])
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		var merges []*yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Tag == "!!merge" {
				merges = append(merges, v)
				continue
			}
			m[keyString(k)] = Value(v)
		}
		for _, mv := range merges {
			mergeInto(m, Resolve(mv))
		}
		return m
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, v := range n.Content {
			s[i] = Value(v)
		}
		return s
	default:
		return Scalar(n)
	}
}

func mergeInto(m map[string]any, src *yaml.Node) {
	if src == nil {
		return
	}
	switch src.Kind {
	case yaml.MappingNode:
		sv, _ := Value(src).(map[string]any)
		for k, v := range sv {
			if _, ok := m[k]; !ok {
				m[k] = v
			}
		}
	case yaml.SequenceNode:
		for _, e := range src.Content {
			mergeInto(m, Resolve(e))
		}
	}
}

func keyString(k *yaml.Node) string {
	k = Resolve(k)
	if k.Kind == yaml.ScalarNode {
		return k.Value
	}
	return ""
}

// Scalar converts a scalar node by its resolved tag. Integers that do not fit
// an int64 become float64.
func Scalar(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		switch strings.ToLower(n.Value) {
		case "true", "yes", "on", "y":
			return true
		}
		return false
	case "!!int":
		v := strings.ReplaceAll(n.Value, "_", "")
		if i, err := strconv.ParseInt(v, 0, 64); err == nil {
			return i
		}
		if strings.HasPrefix(v, "0o") || strings.HasPrefix(v, "-0o") {
			if i, err := strconv.ParseInt(strings.Replace(v, "0o", "0", 1), 0, 64); err == nil {
				return i
			}
		}
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return f
		}
		return n.Value
	case "!!float":
		switch strings.ToLower(n.Value) {
		case ".inf", "+.inf":
			return math.Inf(1)
		case "-.inf":
			return math.Inf(-1)
		case ".nan":
			return math.NaN()
		}
		if f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64); err == nil {
			return f
		}
		return n.Value
	default:
		return n.Value
	}
}
