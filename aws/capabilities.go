package aws

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
	UserData         string // plain text; the backend encodes it
	Tags             map[string]string
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
	Tags           map[string]string
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

// The SDK adapter is a full backend.
var _ Backend = (*Client)(nil)
