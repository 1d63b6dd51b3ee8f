package play

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/pathlab/pathlab/simnet/spec"
)

// listenerDefault is a listener's default action in show lb's words, for
// the default actions beyond forward and the short redirect.
func listenerDefault(li spec.ListenerSpec, action string) string {
	switch {
	case li.DefaultRedirect != nil:
		return "redirect " + redirectWords(li.DefaultRedirect)
	case li.FixedResponse != nil:
		return "fixed response " + strconv.Itoa(li.FixedResponse.StatusCode)
	}
	return action
}

func redirectWords(r *spec.RedirectSpec) string {
	var w []string
	for _, kv := range [][2]string{{"protocol", r.Protocol}, {"host", r.Host}, {"port", r.Port}, {"path", r.Path}, {"query", r.Query}} {
		if kv[1] != "" {
			w = append(w, kv[0]+" "+kv[1])
		}
	}
	code := "301"
	if r.StatusCode == "HTTP_302" {
		code = "302"
	}
	return code + " (" + strings.Join(w, ", ") + ")"
}

// showRules lists each listener's rules in priority order, as the console's
// rules tab does, the default action last.
func showRules(tw io.Writer, l spec.LoadBalancerSpec) {
	for _, li := range l.Listeners {
		if len(li.Rules) == 0 {
			continue
		}
		fmt.Fprintf(tw, "\nRules of %s:%d\tConditions\tAction\n", strings.ToUpper(li.Protocol), li.Port)
		rules := append([]spec.ListenerRuleSpec(nil), li.Rules...)
		sortRules(rules)
		for _, r := range rules {
			action := "forward to " + r.Forward
			switch {
			case r.Redirect != nil:
				action = "redirect " + redirectWords(r.Redirect)
			case r.FixedResponse != nil:
				action = "fixed response " + strconv.Itoa(r.FixedResponse.StatusCode)
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\n", r.Priority, ruleConditions(r.Conditions), action)
		}
		action := "forward to " + li.TargetGroup
		if li.Redirect != "" {
			action = "redirect to " + strings.ToUpper(li.Redirect)
		}
		fmt.Fprintf(tw, "default\t-\t%s\n", listenerDefault(li, action))
	}
}

func sortRules(rs []spec.ListenerRuleSpec) {
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && rs[j].Priority < rs[j-1].Priority; j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}

func ruleConditions(c spec.RuleConditionSpec) string {
	var parts []string
	add := func(k string, v []string) {
		if len(v) > 0 {
			parts = append(parts, k+" "+strings.Join(v, ","))
		}
	}
	add("host", c.Host)
	add("path", c.Path)
	add("method", c.Method)
	add("source", c.SourceIP)
	if h := c.HTTPHeader; h != nil {
		parts = append(parts, "header "+h.Name+" "+strings.Join(h.Values, ","))
	}
	return strings.Join(parts, "; ")
}
