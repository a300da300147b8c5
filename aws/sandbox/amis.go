package sandbox

import (
	"context"
	"path"
	"slices"

	"deckhand/internal/cloud"
)

// LatestAMI finds the distro's newest image among the region's public AMIs
// (region.go seeds one of each). AWS publishes the SSM public parameters in
// every region, and so does the sandbox: the answer's Source is the
// parameter, as the SDK adapter's is when it reads it.
func (a *Account) LatestAMI(ctx context.Context, distro string) (cloud.AMI, error) {
	var out cloud.AMI
	err := a.viewCall(ctx, apiCall{"ssm", "GetParameter"}, func(w *world, r *region) error {
		if err := cloud.ValidateDistro(distro); err != nil {
			return err
		}
		param, owner, pattern, user, _ := cloud.AMISource(distro)
		var best *image
		for _, im := range r.Images {
			// Names carry the release date, so the greatest name is the newest.
			if ok, _ := path.Match(pattern, im.Name); ok && (best == nil || im.Name > best.Name) {
				best = im
			}
		}
		if best == nil {
			return ec2Error("DescribeImages", cloud.CodeNoImage, "no %s AMI found: no image named %s owned by %s", distro, pattern, owner)
		}
		out = cloud.AMI{ID: best.ID, Name: best.Name, Source: "ssm:" + param, SSHUser: user}
		return nil
	})
	return out, err
}

// InstanceTypeOffered reports whether RunInstances takes typ here.
func (a *Account) InstanceTypeOffered(ctx context.Context, typ string) (bool, error) {
	return slices.Contains(instanceTypes, typ), ctx.Err()
}

// FindAMI looks an image of the region up by id.
func (a *Account) FindAMI(ctx context.Context, id string) (cloud.AMI, bool, error) {
	var out cloud.AMI
	found := false
	err := a.viewCall(ctx, apiCall{"ec2", "DescribeImages"}, func(w *world, r *region) error {
		if im := find(r.Images, func(i *image) bool { return i.ID == id }); im != nil {
			out, found = cloud.AMI{ID: im.ID, Name: im.Name, Source: "DescribeImages"}, true
		}
		return nil
	})
	return out, found, err
}
