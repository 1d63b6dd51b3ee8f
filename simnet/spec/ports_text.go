package spec

// PortsText is a rule's ports as the fix commands write them: "443",
// "1024-65535", or "all" for a protocol without ports or a rule over every
// port. Views read it from the rule's fields instead of splitting a
// rule's command text.
func PortsText(proto string, p Ports) string { return portsText(proto, p) }
