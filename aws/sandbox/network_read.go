package sandbox

import (
	"context"
	"maps"
	"slices"
	"strings"

	"deckhand/internal/cloud"
)

var _ cloud.SecurityGroupReader = (*Account)(nil)

// SecurityGroups lists the region's security groups, sorted by name.
func (a *Account) SecurityGroups(ctx context.Context) ([]cloud.SecurityGroup, error) {
	var out []cloud.SecurityGroup
	err := a.viewCall(ctx, apiCall{"ec2", "DescribeSecurityGroups"}, func(w *world, r *region) error {
		for _, g := range r.SecurityGroups {
			sg := cloud.SecurityGroup{ID: g.ID, Name: g.Name, VpcID: g.VpcID, Description: g.Description, Tags: maps.Clone(g.Tags)}
			for _, in := range g.Ingress {
				sg.Ingress = append(sg.Ingress, cloud.IngressRule{Protocol: in.Protocol, Port: in.Port, CIDR: in.CIDR,
					SourceGroupID: in.SourceGroup, Description: in.Description})
			}
			out = append(out, sg)
		}
		return nil
	})
	slices.SortFunc(out, func(x, y cloud.SecurityGroup) int {
		if c := strings.Compare(x.Name, y.Name); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	return out, err
}
