package cloud

import (
	"errors"
	"testing"
)

// TestIngressShapes: how rules of every shape EC2 holds are named, which
// ports they let through, and which a revoke accepts.
func TestIngressShapes(t *testing.T) {
	for _, tc := range []struct {
		r         IngressRule
		text      string
		allows    []int32 // tcp ports let through
		refuses   []int32 // tcp ports not
		revokeBad bool
	}{
		{IngressRule{Port: 22, CIDR: "0.0.0.0/0"}, "tcp 22", []int32{22}, []int32{21, 23}, false},
		{IngressRule{Protocol: "tcp", Port: 22, ToPort: 22, CIDR: "0.0.0.0/0"}, "tcp 22", []int32{22}, []int32{23}, false},
		{IngressRule{Protocol: "tcp", Port: 8000, ToPort: 8100, CIDR: "0.0.0.0/0"}, "tcp 8000-8100", []int32{8000, 8100}, []int32{7999, 8101}, false},
		{IngressRule{Protocol: "tcp", Port: 0, ToPort: 65535, SourceGroupID: "sg-0123456789abcdef0"}, "tcp all ports", []int32{1, 65535}, nil, false},
		{IngressRule{Protocol: "-1", CIDR: "10.0.0.0/8"}, "all traffic", []int32{1, 5432}, nil, false},
		{IngressRule{Protocol: "udp", Port: 53, CIDR: "0.0.0.0/0"}, "udp 53", nil, []int32{53}, false},
		{IngressRule{Protocol: "icmp", Port: -1, ToPort: -1, CIDR: "0.0.0.0/0"}, "icmp", nil, []int32{0, 8}, false},
		{IngressRule{Protocol: "1", Port: 8, ToPort: 0, CIDR: "0.0.0.0/0"}, "icmp", nil, []int32{8}, false},
		{IngressRule{Protocol: "tcp", Port: 9000, ToPort: 80, CIDR: "0.0.0.0/0"}, "tcp 9000-80", nil, []int32{80}, true},
		{IngressRule{Protocol: "gre", CIDR: "0.0.0.0/0"}, "gre", nil, []int32{1}, true},
		{IngressRule{Protocol: "-1"}, "all traffic", []int32{1}, nil, true}, // no CIDR nor group
	} {
		if got := tc.r.PortText(); got != tc.text {
			t.Errorf("%+v: PortText %q, want %q", tc.r, got, tc.text)
		}
		for _, p := range tc.allows {
			if !tc.r.Allows("tcp", p) {
				t.Errorf("%s: does not allow tcp %d", tc.text, p)
			}
		}
		for _, p := range tc.refuses {
			if tc.r.Allows("tcp", p) {
				t.Errorf("%s: allows tcp %d", tc.text, p)
			}
		}
		err := ValidateRevokeRule("RevokeSecurityGroupIngress", "sg-0123456789abcdef0", tc.r)
		if (err != nil) != tc.revokeBad || err != nil && !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%s: ValidateRevokeRule = %v, want refused %v", tc.text, err, tc.revokeBad)
		}
	}
	// deckhand adds rules of one port only.
	if err := ValidateIngressRule("AuthorizeSecurityGroupIngress", "sg-0123456789abcdef0",
		IngressRule{Protocol: "tcp", Port: 8000, ToPort: 8100, CIDR: "0.0.0.0/0"}); err == nil {
		t.Error("ValidateIngressRule accepted a range")
	}
}
