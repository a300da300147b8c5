package sandbox

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"strings"

	"deckhand/internal/cloud"
)

// The sandbox's VPC side (aws.Network): the default VPC and its subnets,
// security groups with ingress rules, and the public IP of a task's network
// interface.
//
// A task's public IP is simulated: an address of the documentation ranges
// (RFC 5737), fixed by the task id, while its interface is attached
// (PENDING to STOPPING) and its network configuration assigns one. Nothing
// answers on it. Where a sandbox task really answers is its container's
// network bindings on 127.0.0.1 (resource.Container.NetworkBindings, set by
// the task runner when the image runs on the local Docker engine).

type ingressRule struct {
	Protocol string `json:"protocol"`
	Port     int32  `json:"port"`
	CIDR     string `json:"cidr"`
	// SourceGroup allows the members of that group (in place of CIDR).
	SourceGroup string `json:"sourceGroup,omitempty"`
	Description string `json:"description,omitempty"`
}

// taskNet is a standalone task's awsvpc configuration; a service's tasks
// use the service's.
type taskNet struct {
	Subnets        []string `json:"subnets,omitempty"`
	SecurityGroups []string `json:"securityGroups,omitempty"`
	PublicIP       bool     `json:"publicIp,omitempty"`
}

// newTaskNet is RunTask's network configuration for an awsvpc task, nil for
// other network modes.
func newTaskNet(td *taskDef, subnets, groups []string, publicIP bool) *taskNet {
	if td.NetworkMode != "awsvpc" {
		return nil
	}
	return &taskNet{Subnets: slices.Clone(subnets), SecurityGroups: slices.Clone(groups), PublicIP: publicIP}
}

// DefaultVPC is the region's default VPC.
func (a *Account) DefaultVPC(ctx context.Context) (cloud.VPC, error) {
	var out cloud.VPC
	err := a.viewCall(ctx, apiCall{"ec2", "DescribeVpcs"}, func(w *world, r *region) error {
		v := find(r.VPCs, func(v *vpc) bool { return v.Default })
		if v == nil {
			return ec2Error("DescribeVpcs", cloud.CodeNoDefaultVPC,
				"region %s has no default VPC; create one with `aws ec2 create-default-vpc`, or choose a VPC", r.Name)
		}
		out = cloud.VPC{ID: v.ID, CIDR: v.CIDR}
		return nil
	})
	return out, err
}

// Subnets lists the VPC's subnets, sorted by availability zone. A VPC that
// does not exist has none, as DescribeSubnets' filter answers.
func (a *Account) Subnets(ctx context.Context, vpcID string) ([]cloud.Subnet, error) {
	var out []cloud.Subnet
	err := a.viewCall(ctx, apiCall{"ec2", "DescribeSubnets"}, func(w *world, r *region) error {
		if err := cloud.ValidateVpcID("DescribeSubnets", vpcID); err != nil {
			return err
		}
		for _, s := range r.Subnets {
			if s.VpcID == vpcID {
				out = append(out, cloud.Subnet{ID: s.ID, VpcID: s.VpcID, AZ: s.AZ, CIDR: s.CIDR, PublicIPOnLaunch: s.PublicIPs, Default: s.Default})
			}
		}
		return nil
	})
	cloud.SortSubnets(out)
	return out, err
}

func (g *securityGroup) rules() []cloud.IngressRule {
	out := make([]cloud.IngressRule, 0, len(g.Ingress))
	for _, r := range g.Ingress {
		out = append(out, cloud.IngressRule{Protocol: r.Protocol, Port: r.Port, CIDR: r.CIDR, SourceGroupID: r.SourceGroup, Description: r.Description})
	}
	return out
}

// EnsureSecurityGroup finds the group by name in the VPC or creates it,
// then adds the ingress rules it lacks.
func (a *Account) EnsureSecurityGroup(ctx context.Context, spec cloud.SecurityGroupSpec) (string, bool, error) {
	var id string
	created := false
	err := a.updateCall(ctx, apiCall{"ec2", "CreateSecurityGroup"}, func(w *world, r *region) error {
		if err := cloud.ValidateSecurityGroupSpec(spec); err != nil {
			return err
		}
		g := find(r.SecurityGroups, func(g *securityGroup) bool { return g.VpcID == spec.VpcID && g.Name == spec.Name })
		// Before anything is created, so that a refused call changes nothing.
		if err := r.checkSourceGroups(spec.VpcID, spec.Ingress, g); err != nil {
			return err
		}
		if g == nil {
			var err error
			if g, err = w.createSecurityGroup(r, spec); err != nil {
				return err
			}
			created = true
		}
		id = g.ID
		return authorize(g, cloud.MissingIngress(spec.Ingress, g.rules()))
	})
	return id, created, err
}

// checkSourceGroups checks the rules' source groups as
// AuthorizeSecurityGroupIngress does: each exists, in the group's VPC (the
// group itself, g, is one; nil when it is yet to be created).
func (r *region) checkSourceGroups(vpcID string, rules []cloud.IngressRule, g *securityGroup) error {
	const op = "AuthorizeSecurityGroupIngress"
	for _, rule := range rules {
		if rule.SourceGroupID == "" || (g != nil && rule.SourceGroupID == g.ID) {
			continue
		}
		src := r.securityGroup(rule.SourceGroupID)
		switch {
		case src == nil:
			return ec2Error(op, "InvalidGroup.NotFound", "The security group '%s' does not exist", rule.SourceGroupID)
		case src.VpcID != vpcID:
			return ec2Error(op, "InvalidGroup.NotFound", "You have specified two resources that belong to different networks.")
		}
	}
	return nil
}

func (w *world) createSecurityGroup(r *region, spec cloud.SecurityGroupSpec) (*securityGroup, error) {
	const op = "CreateSecurityGroup"
	if find(r.VPCs, func(v *vpc) bool { return v.ID == spec.VpcID }) == nil {
		return nil, ec2Error(op, "InvalidVpcID.NotFound", "The vpc ID '%s' does not exist", spec.VpcID)
	}
	if find(r.SecurityGroups, func(g *securityGroup) bool { return g.VpcID == spec.VpcID && g.Name == spec.Name }) != nil {
		return nil, ec2Error(op, "InvalidGroup.Duplicate", "The security group '%s' already exists for VPC '%s'", spec.Name, spec.VpcID)
	}
	g := &securityGroup{
		ID: w.ec2ID("sg"), Name: spec.Name, VpcID: spec.VpcID,
		Description: cloud.SecurityGroupDescription(spec), Tags: maps.Clone(spec.Tags),
	}
	r.SecurityGroups = append(r.SecurityGroups, g)
	return g, nil
}

// authorize adds rules; one that the group has already fails the whole
// call with InvalidPermission.Duplicate, as AuthorizeSecurityGroupIngress
// does.
func authorize(g *securityGroup, rules []cloud.IngressRule) error {
	have := cloud.MissingIngress(rules, g.rules())
	if len(have) != len(rules) {
		for _, r := range rules {
			if len(cloud.MissingIngress([]cloud.IngressRule{r}, g.rules())) == 0 {
				return ec2Error("AuthorizeSecurityGroupIngress", "InvalidPermission.Duplicate",
					"the specified rule \"peer: %s, %s, from port: %d, to port: %d, ALLOW\" already exists", r.CIDR+r.SourceGroupID, strings.ToUpper(proto(r)), r.Port, r.Port)
			}
		}
	}
	for _, r := range rules {
		g.Ingress = append(g.Ingress, ingressRule{Protocol: proto(r), Port: r.Port, CIDR: r.CIDR, SourceGroup: r.SourceGroupID, Description: r.Description})
	}
	return nil
}

func proto(r cloud.IngressRule) string {
	if r.Protocol == "" {
		return "tcp"
	}
	return strings.ToLower(r.Protocol)
}

// DeleteSecurityGroup deletes a group that nothing uses: not the VPC's
// default group, and not a group of an instance that is not terminated, of
// a task whose network interface is still attached, of a load balancer, or
// that another group's rule names as its source (DependencyViolation).
func (a *Account) DeleteSecurityGroup(ctx context.Context, id string) error {
	return a.updateCall(ctx, apiCall{"ec2", "DeleteSecurityGroup"}, func(w *world, r *region) error {
		const op = "DeleteSecurityGroup"
		if err := cloud.ValidateSecurityGroupID(op, id); err != nil {
			return err
		}
		g := r.securityGroup(id)
		switch {
		case g == nil:
			return ec2Error(op, "InvalidGroup.NotFound", "The security group '%s' does not exist", id)
		case g.Name == "default":
			return ec2Error(op, "CannotDelete", "the specified group: \"%s\" name: \"default\" cannot be deleted by a user", id)
		case r.groupInUse(id):
			return ec2Error(op, "DependencyViolation", "resource %s has a dependent object", id)
		}
		r.SecurityGroups = slices.DeleteFunc(r.SecurityGroups, func(x *securityGroup) bool { return x == g })
		return nil
	})
}

func (r *region) groupInUse(id string) bool {
	for _, lb := range r.LoadBalancers {
		if slices.Contains(lb.SecurityGroups, id) {
			return true
		}
	}
	for _, g := range r.SecurityGroups {
		if g.ID != id && slices.ContainsFunc(g.Ingress, func(rule ingressRule) bool { return rule.SourceGroup == id }) {
			return true
		}
	}
	for _, in := range r.Instances {
		if in.State != "terminated" && slices.Contains(in.SecurityGroups, id) {
			return true
		}
	}
	for _, c := range r.Clusters {
		for _, t := range c.Tasks {
			if n := r.taskNet(c, t); n != nil && t.LastStatus != "STOPPED" && slices.Contains(n.SecurityGroups, id) {
				return true
			}
		}
	}
	return false
}

// taskNet is the task's awsvpc configuration: its own (RunTask) or its
// service's; nil when the task has no network interface of its own.
func (r *region) taskNet(c *cluster, t *task) *taskNet {
	if t.Net != nil {
		return t.Net
	}
	if td := r.taskDef(t.TaskDef); td == nil || td.NetworkMode != "awsvpc" {
		return nil
	}
	name, ok := strings.CutPrefix(t.Group, "service:")
	if !ok {
		return nil
	}
	s := c.service(name)
	if s == nil {
		return nil
	}
	return &taskNet{Subnets: s.Subnets, SecurityGroups: s.SecurityGroups, PublicIP: s.PublicIP}
}

// eniAttached: Fargate attaches the interface while the task is
// PROVISIONING and detaches it while DEPROVISIONING.
func eniAttached(status string) bool {
	switch status {
	case "PENDING", "ACTIVATING", "RUNNING", "DEACTIVATING", "STOPPING":
		return true
	}
	return false
}

// taskAddress is the task's simulated interface id and public IP, fixed by
// its id.
func taskAddress(t *task) (eni, ip string) {
	h := sha256.Sum256([]byte(t.ARN))
	n := binary.BigEndian.Uint64(h[:8])
	nets := []string{"192.0.2", "198.51.100", "203.0.113"}
	return fmt.Sprintf("eni-0%016x", binary.BigEndian.Uint64(h[8:16])), fmt.Sprintf("%s.%d", nets[n%3], 1+(n/3)%254)
}

// TaskPublicIP is the simulated public IP of an awsvpc task (see the top of
// this file: the address to connect to in the sandbox is the container's
// network binding on 127.0.0.1).
func (a *Account) TaskPublicIP(ctx context.Context, cluster, taskRef string) (string, error) {
	var ip string
	err := a.viewCall(ctx, apiCall{"ec2", "DescribeNetworkInterfaces"}, func(w *world, r *region) error {
		const op = "DescribeTasks"
		if err := cloud.ValidateTaskRef(cluster, taskRef); err != nil {
			return err
		}
		c := r.cluster(cluster)
		if c == nil {
			return errClusterNotFound(op)
		}
		t := c.task(taskRef)
		if t == nil {
			return ecsError(op, "InvalidParameterException", "MISSING")
		}
		noIP := func(format string, args ...any) error {
			return ecsError(op, cloud.CodeNoPublicIP, "task "+t.ID+" "+format, args...)
		}
		n := r.taskNet(c, t)
		eni, addr := taskAddress(t)
		switch {
		case !eniAttached(t.LastStatus):
			return noIP("has no network interface: it is %s; an awsvpc task has one from PROVISIONING until DEPROVISIONING", t.LastStatus)
		case n == nil:
			return noIP("has no network interface of its own: only awsvpc tasks have one")
		case !n.PublicIP:
			return noIP("has no public IP on %s: run it with a public IP (assignPublicIp ENABLED) in a public subnet", eni)
		}
		ip = addr
		return nil
	})
	return ip, err
}
