package cloud

import (
	"slices"
	"strings"
)

// SortSubnets sorts by availability zone, then id.
func SortSubnets(s []Subnet) {
	slices.SortFunc(s, func(a, b Subnet) int {
		if c := strings.Compare(a.AZ, b.AZ); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// SecurityGroupDescription is spec.Description, or "deckhand: NAME".
func SecurityGroupDescription(spec SecurityGroupSpec) string {
	if spec.Description != "" {
		return spec.Description
	}
	return "deckhand: " + spec.Name
}

// MissingIngress returns the rules of want that have is lacks (protocol,
// port and CIDR or source group compared; descriptions ignored), in want's
// order.
func MissingIngress(want, have []IngressRule) []IngressRule {
	got := map[IngressRule]bool{}
	for _, r := range have {
		got[r.Key()] = true
	}
	var out []IngressRule
	for _, r := range want {
		if !got[r.Key()] {
			out = append(out, r)
		}
	}
	return out
}
