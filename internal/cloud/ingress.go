package cloud

import (
	"net/netip"
	"strconv"
	"strings"
)

// The shapes of inbound rules EC2 reports beyond deckhand's own single-port
// tcp/udp rules: "all traffic" (-1), port ranges and ICMP. deckhand shows
// them, deletes them and asks whether they let a port through; it never
// adds them (ValidateIngressRule refuses).

// Allows reports whether the rule lets proto ("tcp"/"udp") traffic to
// port through, whoever it allows it from.
func (r IngressRule) Allows(proto string, port int32) bool {
	k := r.Key()
	if k.Protocol == "-1" {
		return true
	}
	if k.Protocol != proto {
		return false
	}
	return port >= k.Port && port <= max(k.Port, k.ToPort)
}

// PortText is the rule's protocol and ports as the console words them:
// "tcp 22", "tcp 8000-8100", "all traffic", "icmp", "udp all ports".
func (r IngressRule) PortText() string {
	k := r.Key()
	switch {
	case k.Protocol == "-1":
		return "all traffic"
	case k.Protocol != "tcp" && k.Protocol != "udp":
		return protocolName(k.Protocol)
	case k.Port == 0 && k.ToPort == 65535:
		return k.Protocol + " all ports"
	case k.ToPort != 0:
		return k.Protocol + " " + strconv.Itoa(int(k.Port)) + "-" + strconv.Itoa(int(k.ToPort))
	}
	return k.Protocol + " " + strconv.Itoa(int(k.Port))
}

// protocolName names an IP protocol number EC2 reports as a number.
func protocolName(p string) string {
	switch p {
	case "1":
		return "icmp"
	case "58":
		return "icmpv6"
	}
	if _, err := strconv.Atoi(p); err == nil {
		return "protocol " + p
	}
	return p
}

// ValidateRevokeRule checks a rule given to RevokeSecurityGroupIngress:
// any rule EC2 can hold (all traffic, a range, ICMP), as read from the
// group, with the field at fault named.
func ValidateRevokeRule(op, groupID string, r IngressRule) error {
	if err := ValidateSecurityGroupID(op, groupID); err != nil {
		return err
	}
	bad := func(code, sub, format string, args ...any) error {
		return invalid("ec2", op, code, "Rule."+sub, format, args...)
	}
	switch p := strings.ToLower(r.Protocol); p {
	case "", "tcp", "udp":
		if r.Port < 0 || r.Port > 65535 || r.ToPort < 0 || r.ToPort > 65535 || (r.ToPort != 0 && r.ToPort < r.Port) {
			return bad("InvalidParameterValue", "Port", "%d-%d is not a port range; use 0–65535, the first port first", r.Port, r.ToPort)
		}
	case "-1", "icmp", "icmpv6":
	default:
		if n, err := strconv.Atoi(p); err != nil || n < 0 || n > 255 {
			return bad("InvalidParameterValue", "Protocol", "%q is not a protocol; use tcp, udp, icmp, icmpv6, -1 (all) or a number 0–255", r.Protocol)
		}
	}
	return validateSource(bad, r)
}

// validateSource checks who a rule allows: a CIDR block or a group.
func validateSource(bad func(code, sub, format string, args ...any) error, r IngressRule) error {
	if r.SourceGroupID != "" {
		if r.CIDR != "" {
			return bad("InvalidParameterCombination", "SourceGroupID", "and CIDR are both set; a rule allows either a CIDR block or a security group, so make two rules")
		}
		if !reSG.MatchString(r.SourceGroupID) {
			return bad("InvalidGroupId.Malformed", "SourceGroupID", "%q is not a security group id; it looks like sg-0123456789abcdef0", r.SourceGroupID)
		}
		if len(r.Description) > 255 || !reSGText.MatchString(r.Description) {
			return bad("InvalidParameterValue", "Description", "%q is too long or has characters EC2 does not allow", r.Description)
		}
		return nil
	}
	if r.CIDR == "" {
		return bad("MissingParameter", "CIDR", "is empty; say who may connect, e.g. \"0.0.0.0/0\" (anyone) or \"203.0.113.7/32\" (one address), or give SourceGroupID")
	}
	p, err := netip.ParsePrefix(r.CIDR)
	if err != nil {
		return bad("InvalidParameterValue", "CIDR", "%q is not a CIDR block; write it like 203.0.113.7/32 or 0.0.0.0/0", r.CIDR)
	}
	if p.Masked() != p {
		return bad("InvalidParameterValue", "CIDR", "%q has host bits set; write the block as %s", r.CIDR, p.Masked())
	}
	if len(r.Description) > 255 || !reSGText.MatchString(r.Description) {
		return bad("InvalidParameterValue", "Description", "%q is too long or has characters EC2 does not allow", r.Description)
	}
	return nil
}
