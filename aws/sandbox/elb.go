package sandbox

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"deckhand/internal/cloud"
)

// Elastic Load Balancing v2 (aws.LoadBalancers): internet-facing
// Application Load Balancers whose HTTP listeners forward to target groups
// of type ip, in which ECS registers a service's tasks (elb_targets.go).
//
// A new load balancer is "provisioning" for elbProvisioning (sim.go), then
// "active"; only an active one health-checks its targets. Nothing answers
// on its DNS name: the sandbox's stand-in is a proxy on the local Docker
// engine (elb_proxy.go), at aws.LoadBalancer.LocalURL.
//
// DeleteLoadBalancer of one that does not exist succeeds, as the API
// reference says ("If the load balancer does not exist or has already been
// deleted, the call succeeds"); DeleteTargetGroup answers
// TargetGroupNotFound.

type loadBalancer struct {
	Name           string            `json:"name"`
	ARN            string            `json:"arn"`
	DNSName        string            `json:"dnsName"`
	VpcID          string            `json:"vpcId"`
	Subnets        []string          `json:"subnets"`
	SecurityGroups []string          `json:"securityGroups"`
	State          string            `json:"state"` // provisioning, active
	Created        time.Time         `json:"created"`
	Due            time.Time         `json:"due,omitzero"` // the end of provisioning
	Listeners      []*listener       `json:"listeners,omitempty"`
	Tags           map[string]string `json:"tags,omitempty"`
}

// listener is an HTTP listener whose default action forwards to one
// target group.
type listener struct {
	ARN         string            `json:"arn"`
	Port        int32             `json:"port"`
	TargetGroup string            `json:"targetGroup"`
	Tags        map[string]string `json:"tags,omitempty"`
	// Proxy is the container that answers for the listener on the local
	// engine (elb_proxy.go).
	Proxy *lbProxy `json:"proxy,omitempty"`
}

// targetGroup is a target group of type ip, HTTP, with the health check
// and deregistration delay EnsureTargetGroup documents (elb_targets.go has
// the numbers). Its targets are kept on the tasks ECS registered.
type targetGroup struct {
	Name       string            `json:"name"`
	ARN        string            `json:"arn"`
	VpcID      string            `json:"vpcId"`
	Port       int32             `json:"port"`
	HealthPath string            `json:"healthPath"`
	Created    time.Time         `json:"created"`
	Tags       map[string]string `json:"tags,omitempty"`
}

var _ cloud.LoadBalancers = (*Account)(nil)

func elbError(op, code, format string, args ...any) error {
	return &cloud.Error{Service: "elbv2", Operation: op, Code: code, Message: fmt.Sprintf(format, args...)}
}

func errLoadBalancerNotFound(op, ref string) error {
	return elbError(op, cloud.CodeLoadBalancerNotFound, "Load balancers '[%s]' not found", ref)
}

func errTargetGroupNotFound(op, arn string) error {
	return elbError(op, "TargetGroupNotFound", "Target groups '%s' not found", arn)
}

func (w *world) elbARN(r *region, resource string) string {
	return "arn:aws:elasticloadbalancing:" + r.Name + ":" + w.Account + ":" + resource
}

func (r *region) loadBalancer(arn string) *loadBalancer {
	return find(r.LoadBalancers, func(lb *loadBalancer) bool { return lb.ARN == arn })
}

func (r *region) targetGroup(arn string) *targetGroup {
	return find(r.TargetGroups, func(g *targetGroup) bool { return g.ARN == arn })
}

// forwarders are the load balancers with a listener that forwards to the
// target group.
func (r *region) forwarders(tgARN string) []*loadBalancer {
	return filter(r.LoadBalancers, func(lb *loadBalancer) bool {
		return slices.ContainsFunc(lb.Listeners, func(l *listener) bool { return l.TargetGroup == tgARN })
	})
}

func (lb *loadBalancer) value() cloud.LoadBalancer {
	return cloud.LoadBalancer{
		ARN: lb.ARN, Name: lb.Name, DNSName: lb.DNSName, State: lb.State, VpcID: lb.VpcID,
		Subnets: slices.Clone(lb.Subnets), Tags: maps.Clone(lb.Tags), LocalURL: lb.localURL(),
	}
}

func (r *region) targetGroupValue(g *targetGroup) cloud.TargetGroup {
	out := cloud.TargetGroup{ARN: g.ARN, Name: g.Name, Port: g.Port, HealthPath: g.HealthPath, Tags: maps.Clone(g.Tags)}
	for _, lb := range r.forwarders(g.ARN) {
		out.LoadBalancerARNs = append(out.LoadBalancerARNs, lb.ARN)
	}
	return out
}

// EnsureLoadBalancer finds the load balancer by name or creates it.
func (a *Account) EnsureLoadBalancer(ctx context.Context, spec cloud.LoadBalancerSpec) (cloud.LoadBalancer, bool, error) {
	var out cloud.LoadBalancer
	created := false
	err := a.updateCall(ctx, apiCall{"elbv2", "CreateLoadBalancer"}, func(w *world, r *region) error {
		if err := cloud.ValidateLoadBalancerSpec(spec); err != nil {
			return err
		}
		lb := find(r.LoadBalancers, func(lb *loadBalancer) bool { return lb.Name == spec.Name })
		if lb == nil {
			var err error
			if lb, err = w.createLoadBalancer(r, spec); err != nil {
				return err
			}
			created = true
		}
		out = lb.value()
		return nil
	})
	return out, created, err
}

// createLoadBalancer checks the subnets and security groups as
// CreateLoadBalancer does, then creates it provisioning.
func (w *world) createLoadBalancer(r *region, spec cloud.LoadBalancerSpec) (*loadBalancer, error) {
	const op = "CreateLoadBalancer"
	var vpcID string
	subnets := []string{}
	inAZ := map[string][]string{}
	for _, id := range spec.Subnets {
		if slices.Contains(subnets, id) {
			continue
		}
		sn := r.subnet(id)
		switch {
		case sn == nil:
			return nil, elbError(op, "InvalidSubnet", "The subnet ID '%s' is not valid", id)
		case vpcID != "" && sn.VpcID != vpcID:
			return nil, elbError(op, "InvalidConfigurationRequest", "The subnets must all be in the same VPC: '%s' is in '%s', '%s' in '%s'", subnets[0], vpcID, id, sn.VpcID)
		}
		vpcID = sn.VpcID
		subnets = append(subnets, id)
		inAZ[sn.AZ] = append(inAZ[sn.AZ], id)
	}
	if len(inAZ) < 2 {
		return nil, elbError(op, "ValidationError", "At least two subnets in two different Availability Zones must be specified")
	}
	for _, ids := range inAZ {
		if len(ids) > 1 {
			return nil, elbError(op, "InvalidConfigurationRequest", "A load balancer cannot be attached to multiple subnets in the same Availability Zone")
		}
	}
	for _, id := range spec.SecurityGroups {
		g := r.securityGroup(id)
		switch {
		case g == nil:
			return nil, elbError(op, "InvalidSecurityGroup", "Security group '%s' does not exist", id)
		case g.VpcID != vpcID:
			return nil, elbError(op, "InvalidSecurityGroup", "Security group '%s' does not belong to VPC '%s'", id, vpcID)
		}
	}
	lb := &loadBalancer{
		Name: spec.Name, ARN: w.elbARN(r, "loadbalancer/app/"+spec.Name+"/"+w.hexID(16)),
		// AWS's DNS names end in a number of 9 or 10 digits.
		DNSName: fmt.Sprintf("%s-%d.%s.elb.amazonaws.com", spec.Name, 100_000_000+w.rand()%1_900_000_000, r.Name),
		VpcID:   vpcID, Subnets: subnets, SecurityGroups: slices.Compact(slices.Clone(spec.SecurityGroups)),
		State: "provisioning", Created: w.now, Due: w.after(elbProvisioning), Tags: maps.Clone(spec.Tags),
	}
	r.LoadBalancers = append(r.LoadBalancers, lb)
	w.adopt(r, nil, lb)
	return lb, nil
}

// stepLoadBalancer ends the provisioning: the load balancer starts
// checking its targets.
func (w *world) stepLoadBalancer(r *region, lb *loadBalancer) {
	defer w.sched(lb)
	lb.State, lb.Due = "active", time.Time{}
	w.retarget(r)
}

// LoadBalancer describes one load balancer by name.
func (a *Account) LoadBalancer(ctx context.Context, name string) (cloud.LoadBalancer, error) {
	var out cloud.LoadBalancer
	err := a.viewCall(ctx, apiCall{"elbv2", "DescribeLoadBalancers"}, func(w *world, r *region) error {
		const op = "DescribeLoadBalancers"
		if err := cloud.ValidateELBName(op, name); err != nil {
			return err
		}
		lb := find(r.LoadBalancers, func(lb *loadBalancer) bool { return lb.Name == name })
		if lb == nil {
			return errLoadBalancerNotFound(op, name)
		}
		out = lb.value()
		return nil
	})
	return out, err
}

// DeleteLoadBalancer deletes a load balancer and its listeners; the
// targets of its target groups are no longer checked ("unused").
func (a *Account) DeleteLoadBalancer(ctx context.Context, arn string) error {
	return a.updateCall(ctx, apiCall{"elbv2", "DeleteLoadBalancer"}, func(w *world, r *region) error {
		if err := cloud.ValidateELBARN("DeleteLoadBalancer", "loadbalancer", arn); err != nil {
			return err
		}
		r.LoadBalancers = slices.DeleteFunc(r.LoadBalancers, func(lb *loadBalancer) bool { return lb.ARN == arn })
		w.retarget(r)
		return nil
	})
}

// EnsureTargetGroup finds the target group by name or creates it.
func (a *Account) EnsureTargetGroup(ctx context.Context, spec cloud.TargetGroupSpec) (cloud.TargetGroup, bool, error) {
	var out cloud.TargetGroup
	created := false
	err := a.updateCall(ctx, apiCall{"elbv2", "CreateTargetGroup"}, func(w *world, r *region) error {
		if err := cloud.ValidateTargetGroupSpec(spec); err != nil {
			return err
		}
		g := find(r.TargetGroups, func(g *targetGroup) bool { return g.Name == spec.Name })
		if g == nil {
			if find(r.VPCs, func(v *vpc) bool { return v.ID == spec.VpcID }) == nil {
				return elbError("CreateTargetGroup", "ValidationError", "The VPC ID '%s' is not found", spec.VpcID)
			}
			g = &targetGroup{
				Name: spec.Name, ARN: w.elbARN(r, "targetgroup/"+spec.Name+"/"+w.hexID(16)), VpcID: spec.VpcID,
				Port: spec.Port, HealthPath: spec.HealthPath, Created: w.now, Tags: maps.Clone(spec.Tags),
			}
			r.TargetGroups = append(r.TargetGroups, g)
			created = true
		}
		out = r.targetGroupValue(g)
		return nil
	})
	return out, created, err
}

// DeleteTargetGroup deletes a target group no listener forwards to. Tasks
// registered in it are no longer targets.
func (a *Account) DeleteTargetGroup(ctx context.Context, arn string) error {
	return a.updateCall(ctx, apiCall{"elbv2", "DeleteTargetGroup"}, func(w *world, r *region) error {
		const op = "DeleteTargetGroup"
		if err := cloud.ValidateELBARN(op, "targetgroup", arn); err != nil {
			return err
		}
		switch {
		case r.targetGroup(arn) == nil:
			return errTargetGroupNotFound(op, arn)
		case len(r.forwarders(arn)) > 0:
			return elbError(op, "ResourceInUse", "Target group '%s' is currently in use by a listener or a rule", arn)
		}
		r.TargetGroups = slices.DeleteFunc(r.TargetGroups, func(g *targetGroup) bool { return g.ARN == arn })
		w.retarget(r)
		return nil
	})
}

// EnsureListener finds the load balancer's listener on the port or
// creates it; a found one that forwards elsewhere is changed to forward to
// the target group (ModifyListener).
func (a *Account) EnsureListener(ctx context.Context, spec cloud.ListenerSpec) (string, bool, error) {
	var arn string
	created := false
	err := a.updateCall(ctx, apiCall{"elbv2", "CreateListener"}, func(w *world, r *region) error {
		op := "CreateListener"
		if err := cloud.ValidateListenerSpec(spec); err != nil {
			return err
		}
		lb := r.loadBalancer(spec.LoadBalancerARN)
		if lb == nil {
			return errLoadBalancerNotFound(op, spec.LoadBalancerARN)
		}
		l := find(lb.Listeners, func(l *listener) bool { return l.Port == spec.Port })
		if l != nil {
			op = "ModifyListener"
		}
		g := r.targetGroup(spec.TargetGroupARN)
		if g == nil {
			return errTargetGroupNotFound(op, spec.TargetGroupARN)
		}
		if g.VpcID != lb.VpcID {
			return elbError(op, "InvalidConfigurationRequest", "The target group's VPC '%s' is not the load balancer's VPC '%s'", g.VpcID, lb.VpcID)
		}
		for _, other := range r.forwarders(g.ARN) {
			if other != lb {
				// A target group of type ip serves one load balancer.
				return elbError(op, "TargetGroupAssociationLimit", "The following target groups cannot be associated with more than one load balancer: %s", g.ARN)
			}
		}
		if l == nil {
			l = &listener{
				ARN:  w.elbARN(r, "listener/app/"+lb.Name+"/"+lb.ARN[len(lb.ARN)-16:]+"/"+w.hexID(16)),
				Port: spec.Port, Tags: maps.Clone(spec.Tags),
			}
			lb.Listeners = append(lb.Listeners, l)
			created = true
		}
		l.TargetGroup, arn = g.ARN, l.ARN
		w.retarget(r)
		return nil
	})
	return arn, created, err
}
