package spec

import (
	"strings"
)

// ELB's quotas and formats for rule conditions and actions ("Condition
// types for listener rules": up to three match evaluations per condition,
// five per rule, 128 characters per host or path pattern; RedirectActionConfig
// and FixedResponseActionConfig in the Elastic Load Balancing API Reference).
const (
	MaxPerCondition = 3
	MaxPerRule      = 5
	MaxPattern      = 128
	MaxHeaderName   = 40
	MaxMethod       = 40
	MaxBody         = 1024
	MaxPriority     = 50000
)

// conditionText is a rule's conditions in a few words: "path /api/*",
// "host api.example.com, path /v2/*".
func ConditionText(cs RuleConditionSpec) string {
	var parts []string
	if len(cs.Host) > 0 {
		parts = append(parts, "host "+strings.Join(cs.Host, " or "))
	}
	if len(cs.Path) > 0 {
		parts = append(parts, "path "+strings.Join(cs.Path, " or "))
	}
	if h := cs.HTTPHeader; h != nil {
		parts = append(parts, "header "+h.Name+": "+strings.Join(h.Values, " or "))
	}
	if len(cs.Method) > 0 {
		parts = append(parts, "method "+strings.Join(cs.Method, " or "))
	}
	if len(cs.SourceIP) > 0 {
		parts = append(parts, "source "+strings.Join(cs.SourceIP, " or "))
	}
	return strings.Join(parts, ", ")
}
