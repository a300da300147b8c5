package cloud

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"time"
)

// Types of the deploy capabilities (capabilities.go), shared by every
// backend.

// Tags are the tags a create puts on a resource. It is an alias, so a
// map[string]string literal is a Tags.
type Tags = map[string]string

// StackTag is the tag key every resource of a launch carries; its value is
// the launch (stack) name.
const StackTag = "deckhand:stack"

// StackTags returns {StackTag: stack} plus extra (which may be nil).
func StackTags(stack string, extra Tags) Tags {
	t := maps.Clone(extra)
	if t == nil {
		t = Tags{}
	}
	t[StackTag] = stack
	return t
}

// Codes deckhand gives to failures of the deploy capabilities that AWS
// itself reports without a code.
const (
	// CodeNoDefaultVPC: the region has no default VPC (DefaultVPC).
	CodeNoDefaultVPC = "NoDefaultVpc"
	// CodeNoPublicIP: the task has no public IP address (TaskPublicIP):
	// not attached yet, already detached, or assignPublicIp was DISABLED.
	CodeNoPublicIP = "NoPublicIp"
	// CodeRoleNotAssumable: an existing role of the requested name does not
	// trust ecs-tasks.amazonaws.com (EnsureTaskExecutionRole).
	CodeRoleNotAssumable = "RoleNotAssumableByEcsTasks"
	// CodeRoleNotAssumableByEC2: an existing role of the requested name does
	// not trust ec2.amazonaws.com (EnsureInstanceProfile).
	CodeRoleNotAssumableByEC2 = "RoleNotAssumableByEc2"
	// CodeNoImage: no AMI of the distro was found (LatestAMI).
	CodeNoImage = "NoImageFound"
)

// TaskExecutionPolicyARN is the AWS managed policy a task execution role
// needs to pull from ECR and write to CloudWatch Logs.
const TaskExecutionPolicyARN = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"

// TaskExecutionRolePath is the IAM path deckhand creates roles under, which
// also lets Stacks list them cheaply.
const TaskExecutionRolePath = "/deckhand/"

// TaskExecutionTrustPolicy lets ECS tasks assume the role.
const TaskExecutionTrustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// InstanceRolePolicyARN is the AWS managed policy an instance role needs
// to log in to ECR and pull images (GetAuthorizationToken and the read
// actions, no push).
const InstanceRolePolicyARN = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"

// InstanceRoleTrustPolicy lets EC2 instances assume the role (through an
// instance profile).
const InstanceRoleTrustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// Repository is an ECR repository.
type Repository struct {
	Name string
	URI  string // ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME: tag images as URI:TAG
	ARN  string
	Tags Tags // as found (EnsureRepository) or created
}

// RegistryAuth is a registry credential: docker login -u Username -p
// Password ServerAddress. String and GoString hide the password, so
// printing the value (%v, %+v, %#v) never leaks it.
type RegistryAuth struct {
	Username      string // "AWS" for ECR
	Password      string // secret
	ServerAddress string // https://ACCOUNT.dkr.ecr.REGION.amazonaws.com
	ExpiresAt     time.Time
	// Local is set by the sandbox: its registry is the local Docker engine.
	// "Pushing" an image means tagging it under the repository URI in the
	// local engine (no login, no upload); the sandbox's tasks run images
	// that exist there. Username and Password are then placeholders.
	Local bool
}

func (a RegistryAuth) String() string {
	s := "RegistryAuth{" + a.Username + " @ " + a.ServerAddress + ", password [redacted]"
	if a.Local {
		s += ", local engine"
	}
	return s + "}"
}

func (a RegistryAuth) GoString() string { return a.String() }

// Host is ServerAddress without its scheme, as image references use it.
func (a RegistryAuth) Host() string {
	h := strings.TrimPrefix(strings.TrimPrefix(a.ServerAddress, "https://"), "http://")
	return strings.TrimSuffix(h, "/")
}

// LogEvent is one CloudWatch Logs event.
type LogEvent struct {
	At      time.Time
	Stream  string
	Message string
}

// VPC is a VPC.
type VPC struct {
	ID   string
	CIDR string
}

// Subnet is a VPC subnet.
type Subnet struct {
	ID               string
	VpcID            string
	AZ               string
	CIDR             string
	PublicIPOnLaunch bool // MapPublicIpOnLaunch: instances get a public IP
	Default          bool // a default subnet of its AZ
}

// IngressRule allows traffic to one port from one CIDR, or from the
// members of another security group (exactly one of the two).
type IngressRule struct {
	Protocol string // "tcp" (when "") or "udp"; as read from EC2 also "-1" (all traffic), "icmp", "icmpv6" or a number
	Port     int32  // 1–65535 (for ICMP, the type; ignored for "-1")
	// ToPort is the last port of a range as EC2 reports it ("tcp
	// 8000-8100"); 0 means the rule is Port alone. deckhand adds only
	// single-port rules, but deletes and reads whatever the group holds.
	// For ICMP it is the code (-1 = any).
	ToPort int32
	CIDR   string // IPv4 or IPv6, in canonical form: "203.0.113.7/32", "0.0.0.0/0"
	// SourceGroupID allows traffic from whatever uses that group (e.g. a
	// load balancer's), in place of CIDR.
	SourceGroupID string
	Description   string // optional, up to 255 characters
}

// SecurityGroupSpec is a security group to find or create.
type SecurityGroupSpec struct {
	Name        string // unique in the VPC
	Description string // "" = "deckhand: NAME"; EC2 cannot change it later
	VpcID       string
	Ingress     []IngressRule
	Tags        Tags
}

// KeyPair is an EC2 key pair.
type KeyPair struct {
	Name        string
	ID          string // key-…
	Fingerprint string
	Type        string // "ed25519" or "rsa"
	Tags        Tags
	Created     time.Time // CreateTime (KeyPairList; zero when not reported)
}

// The distributions LatestAMI knows.
const (
	DistroAL2023     = "al2023"
	DistroUbuntu2404 = "ubuntu-24.04"
)

// AMI is an image LatestAMI found.
type AMI struct {
	ID      string
	Name    string // "" when the SSM path found it and DescribeImages could not name it
	Source  string // "ssm:/aws/service/…" or "DescribeImages"
	SSHUser string // the distro's default login: ec2-user, ubuntu
}

// amiSource is where LatestAMI looks for a distro.
type amiSource struct {
	Param   string // SSM public parameter
	Owner   string // DescribeImages owner
	Pattern string // DescribeImages name filter
	SSHUser string
}

var amiSources = map[string]amiSource{
	DistroAL2023: {
		Param: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
		Owner: "amazon", Pattern: "al2023-ami-2023.*-x86_64", SSHUser: "ec2-user",
	},
	DistroUbuntu2404: {
		Param: "/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id",
		Owner: "099720109477", Pattern: "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*", SSHUser: "ubuntu",
	},
}

// AMISource tells where LatestAMI looks for distro: the SSM parameter, the
// DescribeImages owner and name pattern, and the default SSH user; ok is
// false for an unknown distro.
func AMISource(distro string) (param, owner, pattern, sshUser string, ok bool) {
	s, ok := amiSources[distro]
	return s.Param, s.Owner, s.Pattern, s.SSHUser, ok
}

// TaggedResource is one resource of a stack.
type TaggedResource struct {
	Type string // one of StackDeleteOrder, e.g. "ecr:repository"
	// ID is what the Delete call takes: the repository, role, instance
	// profile, log group, key pair, cluster or service name; the security group or instance id;
	// the task definition's family:revision; the load balancer's or target
	// group's ARN.
	ID     string
	ARN    string
	Parent string // the cluster name, for "ecs:service"
}

// StackDeleteOrder are the resource types Stacks finds, in the order that
// destroy deletes them: what uses something comes before it.
var StackDeleteOrder = []string{
	"ecs:service",
	"ec2:instance",
	// The load balancer goes before its target group (AWS refuses to delete
	// a group a listener forwards to: ResourceInUse; deleting the load
	// balancer deletes its listeners) and before the security group it
	// uses (DependencyViolation while it exists).
	"elb:load-balancer",
	"elb:target-group",
	"ecs:task-definition",
	"ecs:cluster",
	"ec2:security-group",
	"ec2:key-pair",
	"logs:log-group",
	// An instance profile goes once the instances that use it are
	// terminated, and before its role (DeleteInstanceProfile deletes the
	// role of the same name too).
	"iam:instance-profile",
	"iam:role",
	"ecr:repository",
}

func deleteRank(typ string) int {
	for i, t := range StackDeleteOrder {
		if t == typ {
			return i
		}
	}
	return len(StackDeleteOrder)
}

// SortStack sorts resources into StackDeleteOrder, then by Parent and ID.
func SortStack(rs []TaggedResource) {
	slices.SortFunc(rs, func(a, b TaggedResource) int {
		if d := deleteRank(a.Type) - deleteRank(b.Type); d != 0 {
			return d
		}
		if c := strings.Compare(a.Parent, b.Parent); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// notFoundCodes are the codes AWS answers for something that does not
// exist (or no longer does).
var notFoundCodes = map[string]bool{
	"RepositoryNotFoundException": true, // ECR
	"NoSuchEntity":                true, // IAM
	"ResourceNotFoundException":   true, // CloudWatch Logs
	"InvalidGroup.NotFound":       true, // EC2
	"InvalidKeyPair.NotFound":     true,
	"InvalidInstanceID.NotFound":  true,
	"InvalidVpcID.NotFound":       true,
	"ClusterNotFoundException":    true, // ECS
	"ServiceNotFoundException":    true,
	"ServiceNotActiveException":   true,
	"ParameterNotFound":           true, // SSM
	"LoadBalancerNotFound":        true, // Elastic Load Balancing v2
	"TargetGroupNotFound":         true,
	"ListenerNotFound":            true,
}

// IsNotFound reports whether err is AWS saying the resource does not exist,
// which a destroy treats as "already gone".
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && notFoundCodes[e.Code]
}

// SecurityGroup is a VPC security group as the security groups page shows
// it.
type SecurityGroup struct {
	ID, Name, VpcID, Description string
	Ingress                      []IngressRule
	Tags                         map[string]string
}

// SecurityGroupReader lists security groups.
type SecurityGroupReader interface {
	// SecurityGroups lists the region's security groups, sorted by name.
	SecurityGroups(ctx context.Context) ([]SecurityGroup, error)
}
