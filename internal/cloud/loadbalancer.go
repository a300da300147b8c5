package cloud

import "context"

// LoadBalancers is Elastic Load Balancing (v2): an internet-facing
// Application Load Balancer in front of an ECS service, for a stable URL
// (its DNS name) instead of a task's public IP, which changes with every
// deployment. It follows the rules of the deploy capabilities
// (capabilities.go): ErrReadonly first, then validation (*Error with
// Field), Ensure* is find-or-create and tags only what it creates.
type LoadBalancers interface {
	// EnsureLoadBalancer finds the load balancer by name or creates it:
	// type application, scheme internet-facing, IPv4, in spec.Subnets (at
	// least two, in different availability zones) with
	// spec.SecurityGroups. A found one keeps its settings. A new one is
	// "provisioning" for a minute or two, then "active".
	EnsureLoadBalancer(ctx context.Context, spec LoadBalancerSpec) (lb LoadBalancer, created bool, err error)
	// LoadBalancer describes one by name; an *Error with
	// CodeLoadBalancerNotFound ("LoadBalancerNotFound", AWS's) when there
	// is none.
	LoadBalancer(ctx context.Context, name string) (LoadBalancer, error)
	// DeleteLoadBalancer deletes it by ARN, and its listeners with it.
	DeleteLoadBalancer(ctx context.Context, arn string) error
	// EnsureTargetGroup finds the target group by name or creates it:
	// target type ip (what awsvpc tasks register as), protocol HTTP,
	// spec.Port, health check GET spec.HealthPath every 10 s, healthy
	// after 2 passes, unhealthy after 3 failures, 200–399; deregistration
	// delay 30 s (AWS's default of 300 s makes every deployment wait five
	// minutes for old tasks to drain).
	EnsureTargetGroup(ctx context.Context, spec TargetGroupSpec) (tg TargetGroup, created bool, err error)
	// DeleteTargetGroup deletes it by ARN; AWS answers ResourceInUse while
	// a listener still forwards to it.
	DeleteTargetGroup(ctx context.Context, arn string) error
	// EnsureListener finds the load balancer's listener on spec.Port or
	// creates it (HTTP, default action: forward to spec.TargetGroupARN).
	// A found listener that forwards elsewhere is changed to forward to
	// spec.TargetGroupARN (ModifyListener).
	EnsureListener(ctx context.Context, spec ListenerSpec) (arn string, created bool, err error)
	// TargetHealth lists the targets registered in the group and their
	// health (DescribeTargetHealth).
	TargetHealth(ctx context.Context, targetGroupARN string) ([]TargetHealth, error)
}

// CodeLoadBalancerNotFound is AWS's code for a load balancer that does not
// exist.
const CodeLoadBalancerNotFound = "LoadBalancerNotFound"

// LoadBalancerSpec is an Application Load Balancer to find or create.
type LoadBalancerSpec struct {
	// Name: 1–32 characters, letters, digits and hyphens, not starting or
	// ending with a hyphen, not starting with "internal-".
	Name           string
	Subnets        []string // at least two, in different availability zones
	SecurityGroups []string // at least one
	Tags           Tags
}

// LoadBalancer is an Application Load Balancer.
type LoadBalancer struct {
	ARN     string
	Name    string
	DNSName string // NAME-123456789.REGION.elb.amazonaws.com
	// State is AWS's: provisioning, active, active_impaired or failed.
	State       string
	StateReason string
	VpcID       string
	Subnets     []string
	Tags        Tags // as found or created
	// LocalURL is set by the sandbox only: its load balancers exist
	// nowhere on the internet, so nothing resolves DNSName; when the local
	// Docker engine runs a proxy for it, this is where the proxy listens
	// ("http://127.0.0.1:49160/"), the stand-in for http://DNSName/.
	LocalURL string
}

// TargetGroupSpec is a target group to find or create.
type TargetGroupSpec struct {
	Name       string // same rules as a load balancer's name
	VpcID      string
	Port       int32  // the container port targets are reached on
	HealthPath string // starts with "/", e.g. "/health"
	Tags       Tags
}

// TargetGroup is a target group of type ip.
type TargetGroup struct {
	ARN              string
	Name             string
	Port             int32
	HealthPath       string
	LoadBalancerARNs []string
	Tags             Tags
}

// ListenerSpec is a load balancer's listener to find or create.
type ListenerSpec struct {
	LoadBalancerARN string
	Port            int32 // 80
	TargetGroupARN  string
	Tags            Tags
}

// TargetHealth is one registered target.
type TargetHealth struct {
	ID   string // the task's private IP (target type ip)
	Port int32
	// State is AWS's: initial, healthy, unhealthy, unused, draining or
	// unavailable.
	State string
	// Reason and Description are AWS's when State is not healthy, e.g.
	// "Target.ResponseCodeMismatch", "Health checks failed with these
	// codes: [500]".
	Reason, Description string
}

// ServiceLoadBalancer attaches an ECS service to a target group: ECS
// registers each task's IP and container port there.
type ServiceLoadBalancer struct {
	TargetGroupARN string
	ContainerName  string
	ContainerPort  int32
}
