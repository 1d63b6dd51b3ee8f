package tracer

// Codes of application balancer listener rules (issue 11, Build item 2).
// They live in their own file and join the code table when it is built
// (newCodeInfo), as the other cloud codes do.
const (
	// LBRule names the listener rule that decided a request: the first
	// rule by priority whose conditions all match, or the listener's
	// default action. The hop's Matched rule holds the facts. It stops
	// nothing by itself.
	LBRule Code = "LB_RULE"
	// LBFixedResponse: a listener rule (or the default action) answered
	// the request itself with an error status (a fixed-response action);
	// no target saw it.
	LBFixedResponse Code = "LB_FIXED_RESPONSE"
	// RedirectLoop: following the redirects came back to a URL already
	// visited, or took more than the limit of redirects.
	RedirectLoop Code = "REDIRECT_LOOP"
)

// MaxRedirects is how many redirects a trace follows, as curl -L's
// default --max-redirs (50) does; one more is REDIRECT_LOOP.
const MaxRedirects = 50

// RuleCodes returns the listener-rule codes, for `pathlab codes`.
func RuleCodes() []Code {
	return []Code{LBRule, LBFixedResponse, RedirectLoop}
}

func addRuleCodes(codeInfo map[Code]CodeInfo) {
	codeInfo[LBRule] = pass(StageHTTP, TopicLoadBalancer, KindLoadBalancer, ActForward,
		"a listener rule decided the request: the first rule by priority whose conditions all match acts, else the listener's default action")
	codeInfo[LBFixedResponse] = block(GroupBalancer, StageHTTP, TopicLoadBalancer, KindLoadBalancer, ActRespond,
		Observation{Conn: ConnOpen, Line: "the balancer's own fixed response, such as HTTP/1.1 503 with a maintenance page"},
		"a listener rule (or the default action) answers the request itself with a fixed response and an error status: no target sees it")
	codeInfo[RedirectLoop] = block(GroupBalancer, StageHTTP, TopicLoadBalancer, KindLoadBalancer, ActRedirect,
		Observation{Conn: ConnOpen, Line: "curl: (47) Maximum (50) redirects followed"},
		"the redirects lead back to a URL already visited (a loop), or past the limit of redirects a client follows")
}
