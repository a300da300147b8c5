package cloud

import (
	"context"

	"deckhand/internal/resource"
)

// Reader is the read path every AWS backend offers: the SDK Client against
// AWS or an AWS-compatible endpoint, and the sandbox account. The watch
// sources and the TUI depend on it, never on a concrete backend, so they
// cannot tell the backends apart.
type Reader interface {
	Identity(ctx context.Context) (Identity, error)
	Instances(ctx context.Context) ([]resource.Instance, error)
	Clusters(ctx context.Context) ([]resource.Cluster, error)
	Services(ctx context.Context, clusterARN string) ([]resource.Service, error)
	Tasks(ctx context.Context, clusterARN string) ([]resource.Task, error)
}

// InstanceActions changes the state of existing EC2 instances.
type InstanceActions interface {
	StartInstances(ctx context.Context, ids ...string) error
	StopInstances(ctx context.Context, ids ...string) error
	TerminateInstances(ctx context.Context, ids ...string) error
}

// InstanceLauncher launches EC2 instances.
type InstanceLauncher interface {
	RunInstance(ctx context.Context, spec InstanceSpec) (resource.Instance, error)
}

// ECSWriter creates and changes ECS resources.
type ECSWriter interface {
	CreateCluster(ctx context.Context, name string, tags map[string]string) (resource.Cluster, error)
	DeleteCluster(ctx context.Context, cluster string) error
	RegisterTaskDefinition(ctx context.Context, spec TaskDefSpec) (arn string, err error)
	CreateService(ctx context.Context, spec ServiceSpec) (resource.Service, error)
	// UpdateService sets the desired count (and, when taskDef is not "",
	// starts a new deployment of that task definition).
	UpdateService(ctx context.Context, cluster, service string, desired int32, taskDef string) (resource.Service, error)
	DeleteService(ctx context.Context, cluster, service string) error
	RunTask(ctx context.Context, spec RunTaskSpec) ([]resource.Task, error)
	StopTask(ctx context.Context, cluster, task, reason string) error
}

// Backend is everything a full AWS backend offers.
type Backend interface {
	Reader
	InstanceActions
	InstanceLauncher
	ECSWriter
}

// Account is everything deckhand asks of an AWS account, whole: both
// backends (the SDK adapter and the sandbox) implement it, so the wiring
// holds one value and asserts nothing at run time.
type Account interface {
	Backend
	Deployer
	TaskLogReader
	TaskDefinitionReader
	SecurityGroupReader
	ServiceDeployer // ecs_ops.go
	MetricsReader   // ecs_ops.go
	EC2Admin
}

// The deploy capabilities (types in deploy.go): the AWS side of the Fargate
// and EC2 launch targets. Every backend that is a Backend also offers them
// (Deployer). The rules all of them follow:
//
//   - Every mutation answers ErrReadonly before it validates or sends
//     anything, then validates its input (validate_deploy.go: an *Error with
//     Field and ErrInvalidInput), then calls AWS; AWS's errors come back as
//     *Error with AWS's code (IsNotFound tells "already gone").
//   - Ensure* is find-or-create, safe to re-run: it reports created=false for
//     what already exists. Tags are applied only at creation: a resource that
//     is found keeps its tags, so a launch never adopts (and destroy never
//     deletes) a resource someone else made.
//   - Everything a launch creates carries StackTag (StackTags(name)), which is
//     how Stacks finds it again.

// Registry is ECR: a repository per app and the login to push to it.
type Registry interface {
	// EnsureRepository finds the repository or creates it (image tags
	// mutable, scan on push) with tags.
	EnsureRepository(ctx context.Context, name string, tags Tags) (repo Repository, created bool, err error)
	// DeleteRepository deletes it; force deletes its images too (without
	// force ECR refuses a repository with images: RepositoryNotEmptyException).
	DeleteRepository(ctx context.Context, name string, force bool) error
	// RegistryLogin returns the credential for the account's registry
	// (GetAuthorizationToken). Its Password is a secret: never log it.
	RegistryLogin(ctx context.Context) (RegistryAuth, error)
}

// Roles is IAM: the task execution role ECS pulls images and writes logs
// with.
type Roles interface {
	// EnsureTaskExecutionRole finds the role or creates it (path /deckhand/,
	// trusting ecs-tasks.amazonaws.com) with tags; either way it makes sure
	// TaskExecutionPolicyARN is attached. A found role that ECS tasks cannot
	// assume is an *Error with CodeRoleNotAssumable. IAM is eventually
	// consistent: a role created seconds ago may be refused by ECS for a
	// few seconds.
	EnsureTaskExecutionRole(ctx context.Context, name string, tags Tags) (arn string, created bool, err error)
	// DeleteRole detaches the managed policies and deletes the inline ones,
	// then deletes the role.
	DeleteRole(ctx context.Context, name string) error
}

// InstanceProfiles is IAM for EC2: the role an instance logs in to ECR
// with, in an instance profile of the same name (EC2 takes a profile, not a
// role).
type InstanceProfiles interface {
	// EnsureInstanceProfile finds or creates the role name (path
	// /deckhand/, trusting ec2.amazonaws.com) and makes sure
	// InstanceRolePolicyARN is attached, then finds or creates the instance
	// profile name (path /deckhand/) and makes sure it holds that role. Both
	// are tagged with tags when created; created reports whether the
	// profile was. A found role that EC2 cannot assume is an *Error with
	// CodeRoleNotAssumableByEC2, a found profile holding another role one
	// with IAM's LimitExceeded (a profile holds one role); neither is
	// changed. IAM is eventually consistent: EC2 may refuse a profile
	// created seconds ago (InvalidParameterValue … Invalid IAM Instance
	// Profile name) for a few seconds.
	EnsureInstanceProfile(ctx context.Context, name string, tags Tags) (profileARN string, created bool, err error)
	// DeleteInstanceProfile removes the roles from the profile, deletes it,
	// then deletes the role of the same name (DeleteRole: its policies are
	// detached first) if it was made with the profile: it carries the
	// profile's StackTag value (any, when the profile is already gone). A
	// role someone else made, which EnsureInstanceProfile found, is left.
	// What is already gone is skipped; NoSuchEntity when neither exists. IAM does not stop this while an instance uses the
	// profile (the instance just loses its credentials): terminate the
	// instances first.
	DeleteInstanceProfile(ctx context.Context, name string) error
}

// Logs is CloudWatch Logs: the awslogs group of a task definition.
type Logs interface {
	EnsureLogGroup(ctx context.Context, name string, tags Tags) (created bool, err error)
	DeleteLogGroup(ctx context.Context, name string) error
	// RecentLogEvents returns up to limit (1–10000) of the newest events of
	// the group's streams whose name starts with streamPrefix ("" = all),
	// oldest first. awslogs names a task's stream PREFIX/CONTAINER/TASK-ID.
	RecentLogEvents(ctx context.Context, group, streamPrefix string, limit int) ([]LogEvent, error)
}

// Network is the VPC side: where tasks and instances run, and who may reach
// them.
type Network interface {
	// DefaultVPC is the region's default VPC; an *Error with CodeNoDefaultVPC
	// when the region has none.
	DefaultVPC(ctx context.Context) (VPC, error)
	// Subnets lists the VPC's subnets, sorted by availability zone.
	Subnets(ctx context.Context, vpcID string) ([]Subnet, error)
	// EnsureSecurityGroup finds the group by name in spec.VpcID or creates
	// it (with tags), then authorizes the ingress rules it lacks. It never
	// revokes a rule: a new group has exactly spec.Ingress (and EC2's
	// default allow-all egress).
	EnsureSecurityGroup(ctx context.Context, spec SecurityGroupSpec) (id string, created bool, err error)
	// DeleteSecurityGroup deletes a group by id; EC2 answers
	// DependencyViolation while an instance or task still uses it.
	DeleteSecurityGroup(ctx context.Context, id string) error
	// TaskPublicIP is the public IPv4 address of an awsvpc task's network
	// interface; an *Error with CodeNoPublicIP when it has none (yet).
	TaskPublicIP(ctx context.Context, cluster, taskARN string) (string, error)
}

// KeyPairs is EC2 key pairs, for SSH to a launched instance.
type KeyPairs interface {
	// FindKeyPair reports whether a key pair of that name exists.
	FindKeyPair(ctx context.Context, name string) (KeyPair, bool, error)
	// ImportKeyPair registers an OpenSSH public key (one authorized_keys
	// line, ssh-ed25519 or ssh-rsa), e.g. ~/.ssh/id_ed25519.pub.
	ImportKeyPair(ctx context.Context, name string, publicKey []byte, tags Tags) (KeyPair, error)
	// CreateKeyPair makes an ED25519 key pair and returns its private key
	// (OpenSSH PEM), which AWS does not keep: save it with mode 0600 at once.
	CreateKeyPair(ctx context.Context, name string, tags Tags) (kp KeyPair, privateKeyPEM []byte, err error)
	// DeleteKeyPair deletes it; like EC2, deleting a key pair that does not
	// exist succeeds.
	DeleteKeyPair(ctx context.Context, name string) error
}

// Images finds the AMI to launch.
type Images interface {
	// LatestAMI is the current x86_64 AMI of distro (DistroAL2023 or
	// DistroUbuntu2404): from the SSM public parameter, or when that cannot
	// be read, the newest DescribeImages match from the distro's owner.
	LatestAMI(ctx context.Context, distro string) (AMI, error)
	// InstanceTypeOffered reports whether the region offers the instance
	// type (DescribeInstanceTypes), so a launch can refuse t9.gigantic
	// before it creates a key pair or a security group.
	InstanceTypeOffered(ctx context.Context, typ string) (bool, error)
	// FindAMI looks an AMI up by id (DescribeImages), so a wizard can
	// refuse a well-formed id that names nothing before it creates a
	// security group for the instance.
	FindAMI(ctx context.Context, id string) (AMI, bool, error)
}

// Stacks finds what a launch created.
type Stacks interface {
	// StackResources lists every live resource of the types in
	// StackDeleteOrder tagged StackTag=stack, in that order (the order to
	// delete them in), and nothing untagged.
	StackResources(ctx context.Context, stack string) ([]TaggedResource, error)
}

// TaskDefinitions retires task definition revisions, for destroy.
type TaskDefinitions interface {
	// DeregisterTaskDefinition makes a revision ("family:revision" or its
	// ARN) INACTIVE: no new task or service can use it, running ones go
	// on, and Stacks no longer lists it.
	DeregisterTaskDefinition(ctx context.Context, taskDef string) error
}

// Deployer is every deploy capability.
type Deployer interface {
	Registry
	Roles
	InstanceProfiles
	Logs
	Network
	KeyPairs
	Images
	Stacks
	TaskDefinitions
	LoadBalancers
}

// The specs below are checked by the Validate* functions of validate.go,
// which every backend calls before it acts, so that all of them refuse bad
// input with the same *Error.

// InstanceSpec is what RunInstance launches.
type InstanceSpec struct {
	Name             string // the Name tag
	ImageID          string
	InstanceType     string
	KeyName          string // "" = no key pair
	SubnetID         string // "" = a default subnet
	SecurityGroupIDs []string
	// IAMInstanceProfile is the instance profile's name or ARN ("" = none):
	// the instance gets its role's credentials.
	IAMInstanceProfile string
	UserData           string // plain text; the backend encodes it
	Tags               map[string]string
}

// TaskDefSpec is a task definition to register.
type TaskDefSpec struct {
	Family           string
	CPU, Memory      string // task-level, e.g. "256" and "512" (required for Fargate)
	NetworkMode      string // "awsvpc" (Fargate; "" with Fargate means awsvpc), "bridge", "host"
	Fargate          bool   // requiresCompatibilities FARGATE
	ExecutionRoleARN string
	Containers       []ContainerSpec
	Tags             map[string]string
}

// ContainerSpec is one container of a task definition.
type ContainerSpec struct {
	Name  string
	Image string
	Port  int32 // container port, 0 = none
	// MemoryReservation is the container's soft memory limit in MiB (0 =
	// none); the containers' sum must fit in the task memory.
	MemoryReservation int32
	Essential         bool // at least one container must be essential (ValidateTaskDef)
	Env               map[string]string
	HealthCommand     []string // e.g. CMD-SHELL, "curl -f http://localhost:5000/health"
	LogGroup          string   // awslogs group, "" = no logging
	LogRegion         string   // "" = the backend's region
	LogPrefix         string   // awslogs-stream-prefix (required on Fargate)
}

// ServiceSpec is an ECS service to create.
type ServiceSpec struct {
	Cluster        string
	Name           string
	TaskDefinition string
	Desired        int32
	LaunchType     string // FARGATE or EC2
	Subnets        []string
	SecurityGroups []string
	PublicIP       bool
	CircuitBreaker bool // deployment circuit breaker with rollback
	// LoadBalancer, when set, registers the tasks in its target group.
	LoadBalancer *ServiceLoadBalancer
	// HealthCheckGrace is how long ECS ignores the load balancer's health
	// checks of a new task (HealthCheckGracePeriodSeconds); only with
	// LoadBalancer.
	HealthCheckGrace int32
	Tags             map[string]string
}

// RunTaskSpec is a standalone task to run.
type RunTaskSpec struct {
	Cluster        string
	TaskDefinition string
	Count          int32 // 1–10
	LaunchType     string
	Group          string
	Subnets        []string
	SecurityGroups []string
	PublicIP       bool
}

// TaskDefinitionReader reads task definitions: what the service wizard
// checks before its review, and what the task definition pages show.
type TaskDefinitionReader interface {
	// DescribeTaskDefinition describes one revision: "family" (its latest
	// ACTIVE revision), "family:revision" or an ARN. An unknown one is a
	// *Error with Code ClientException, as ECS answers.
	DescribeTaskDefinition(ctx context.Context, ref string) (resource.TaskDefinition, error)
	// TaskDefinitionFamilies lists the families that have an ACTIVE revision, sorted.
	TaskDefinitionFamilies(ctx context.Context) ([]string, error)
	// TaskDefinitionRevisions lists a family's revisions (ACTIVE and
	// INACTIVE), newest first, as "family:revision".
	TaskDefinitionRevisions(ctx context.Context, family string) ([]string, error)
}
