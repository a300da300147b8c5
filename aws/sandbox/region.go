package sandbox

import (
	"fmt"
	"slices"
)

// instanceTypes are the types RunInstance accepts: a small list of real,
// current x86_64 types (the seeded AMIs are x86_64).
var instanceTypes = []string{
	"t2.nano", "t2.micro", "t2.small", "t2.medium", "t2.large",
	"t3.nano", "t3.micro", "t3.small", "t3.medium", "t3.large", "t3.xlarge",
	"t3a.micro", "t3a.small", "t3a.medium",
	"m5.large", "m5.xlarge", "m6i.large", "m6i.xlarge", "m7i.large",
	"c5.large", "c6i.large", "c7i.large",
	"r5.large", "r6i.large",
}

// InstanceTypes lists the instance types the sandbox knows.
func InstanceTypes() []string { return slices.Clone(instanceTypes) }

// region returns the named region, creating it as AWS has every region: with
// a default VPC (172.31.0.0/16, one default subnet per availability zone,
// each giving public IPs), its default security group and a few public
// AMIs.
func (w *world) region(name string) *region {
	if r, ok := w.Regions[name]; ok {
		return r
	}
	r := &region{Name: name}
	v := &vpc{ID: w.ec2ID("vpc"), CIDR: "172.31.0.0/16", Default: true}
	r.VPCs = append(r.VPCs, v)
	for i, az := range []string{"a", "b", "c"} {
		r.Subnets = append(r.Subnets, &subnet{
			ID: w.ec2ID("subnet"), VpcID: v.ID, AZ: name + az,
			CIDR: fmt.Sprintf("172.31.%d.0/20", 16*i), Default: true, PublicIPs: true,
		})
	}
	r.SecurityGroups = append(r.SecurityGroups, &securityGroup{ID: w.ec2ID("sg"), Name: "default", VpcID: v.ID})
	for _, n := range []string{
		"al2023-ami-2023.6.20250115.0-kernel-6.1-x86_64",
		"ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20250115",
		"debian-12-amd64-20250112-1990",
	} {
		r.Images = append(r.Images, &image{ID: w.ec2ID("ami"), Name: n})
	}
	// One image to learn what a failed launch looks like (see BrokenSnapshot).
	r.Images = append(r.Images, &image{ID: w.ec2ID("ami"), Name: brokenImageName, BrokenSnapshot: true})
	w.Regions[name] = r
	w.dirty = true
	return r
}

func find[T any](xs []*T, match func(*T) bool) *T {
	for _, x := range xs {
		if match(x) {
			return x
		}
	}
	return nil
}

func (r *region) subnet(id string) *subnet {
	return find(r.Subnets, func(s *subnet) bool { return s.ID == id })
}

func (r *region) securityGroup(id string) *securityGroup {
	return find(r.SecurityGroups, func(g *securityGroup) bool { return g.ID == id })
}

func (r *region) instance(id string) *instance {
	return find(r.Instances, func(i *instance) bool { return i.ID == id })
}

// defaultSubnet is one of the default subnets, chosen at random as EC2
// chooses an availability zone.
func (w *world) defaultSubnet(r *region) *subnet {
	defaults := filter(r.Subnets, func(s *subnet) bool { return s.Default })
	if len(defaults) == 0 {
		return nil
	}
	return defaults[w.rand()%uint64(len(defaults))]
}

func (r *region) defaultGroup(vpcID string) *securityGroup {
	return find(r.SecurityGroups, func(g *securityGroup) bool { return g.VpcID == vpcID && g.Name == "default" })
}
