package resource

import (
	"fmt"
	"time"
)

// Instance is an EC2 instance.
type Instance struct {
	ID          string
	Name        string // the Name tag, if any
	State       string // pending, running, stopping, stopped, shutting-down, terminated
	StateCode   int32
	StateReason string // StateReason.Message, e.g. "Client.UserInitiatedShutdown: ..."
	Type        string
	AZ          string
	PublicIP    string
	PrivateIP   string
	LaunchTime  time.Time
	// StateChanged is when AWS says the state last changed, parsed from
	// StateTransitionReason ("User initiated (2024-01-02 15:04:05 GMT)"); zero
	// when AWS does not say.
	StateChanged time.Time
	// StatusCheck sums up EC2's instance and system status checks while
	// the instance runs: "initializing", "ok", "impaired",
	// "insufficient-data"; "" when not running or not reported.
	StatusCheck string
	KeyName     string
	ImageID     string
	VpcID       string
	SubnetID    string
	// IAMInstanceProfile is the ARN of the instance's instance profile, ""
	// when it has none.
	IAMInstanceProfile string
	Tags               map[string]string
	// LocalBindings are ports the sandbox publishes on 127.0.0.1 for
	// containers the instance's user data runs; always empty on AWS.
	LocalBindings []Binding
	// UserDataFailures say which commands of the instance's user data failed
	// and why, when it is known: the sandbox knows its cloud-config
	// `docker run`s; on AWS it is read from the console output, if at all.
	// The status checks pass either way, which is why it is its own field.
	UserDataFailures []string
	// SecurityGroupIDs are the groups of its primary network interface.
	SecurityGroupIDs []string
	// SystemCheck, InstanceCheck and EBSCheck are EC2's three status
	// checks (DescribeInstanceStatus) while it runs; StatusCheck sums them.
	SystemCheck, InstanceCheck, EBSCheck string
}

func (i Instance) Key() string   { return i.ID }
func (i Instance) Phase() string { return i.State }
func (i Instance) Label() string {
	if i.Name != "" {
		return i.Name + " (" + i.ID + ")"
	}
	return i.ID
}

// Transitional is true for the states EC2 leaves by itself, and while the
// status checks of a running instance are still initializing.
func (i Instance) Transitional() bool {
	switch i.State {
	case "pending", "stopping", "shutting-down":
		return true
	}
	return i.StatusCheck == "initializing"
}

// Cluster is an ECS cluster.
type Cluster struct {
	ARN                string
	Name               string
	Status             string // ACTIVE, PROVISIONING, DEPROVISIONING, FAILED, INACTIVE
	ActiveServices     int32
	RunningTasks       int32
	PendingTasks       int32
	ContainerInstances int32
}

func (c Cluster) Key() string   { return c.ARN }
func (c Cluster) Label() string { return c.Name }
func (c Cluster) Phase() string { return c.Status }
func (c Cluster) Transitional() bool {
	return c.Status == "PROVISIONING" || c.Status == "DEPROVISIONING"
}

// Service is an ECS service with the state of its primary deployment.
type Service struct {
	ARN            string
	Name           string
	ClusterARN     string
	Status         string // ACTIVE, DRAINING, INACTIVE
	Desired        int32
	Running        int32
	Pending        int32
	LaunchType     string
	TaskDefinition string
	// Rollout is the primary deployment's rolloutState: IN_PROGRESS,
	// COMPLETED or FAILED ("" when ECS does not report one).
	Rollout       string
	RolloutReason string
	Deployments   int // how many deployments are listed (more than 1 while rolling)
	// Rollouts are the deployments, the PRIMARY first, as ECS lists them.
	Rollouts []Deployment
	// Events are the service's event log, newest first (ECS keeps 100).
	Events    []ServiceEvent
	LastEvent ServiceEvent
	CreatedAt time.Time
	// TargetGroups are the ARNs of the target groups ECS registers the
	// service's tasks in (its loadBalancers), nil without one.
	TargetGroups []string
	// The service's awsvpc network configuration and the container and
	// port its load balancer sends to: what the doctor checks the security
	// groups and the ports against. Empty when ECS does not report them.
	Subnets, SecurityGroups []string
	PublicIP                bool
	LBContainer             string
	LBPort                  int32
	// Config is the service's deploymentConfiguration: how a rollout may
	// go and whether a failing one is stopped (and rolled back).
	Config DeploymentConfig
}

// DeploymentConfig is how ECS rolls a service's deployments: the circuit
// breaker that fails (and with Rollback, undoes) a deployment whose tasks
// keep failing, and the share of the desired count that must stay
// healthy (MinHealthy) and may run at once (MaxPercent) during a rollout.
// A zero percent means ECS did not report it.
type DeploymentConfig struct {
	CircuitBreaker, Rollback bool
	MinHealthy, MaxPercent   int32
}

// Deployment is one deployment of a service: PRIMARY (the one rolling
// out, or done), ACTIVE (an older one being replaced) or INACTIVE.
type Deployment struct {
	ID                        string
	Status                    string
	TaskDefinition            string
	Desired, Running, Pending int32
	Failed                    int32 // tasks that failed to start (what the circuit breaker counts)
	Rollout, RolloutReason    string
	CreatedAt, UpdatedAt      time.Time
}

// ServiceEvent is one entry of a service's event log.
type ServiceEvent struct {
	At      time.Time
	Message string
}

func (s Service) Key() string   { return s.ARN }
func (s Service) Label() string { return s.Name }

// Phase combines status, rollout and counts: a service's health is in its
// counts, so "1/2 running" → "2/2 running" is a transition worth showing.
func (s Service) Phase() string {
	p := s.Status
	if s.Rollout != "" {
		p += " " + s.Rollout
	}
	return p + fmt.Sprintf(" %d/%d", s.Running, s.Desired)
}

func (s Service) Transitional() bool {
	return s.Status == "DRAINING" || s.Rollout == "IN_PROGRESS" || s.Pending > 0 || s.Deployments > 1
}

// Task is an ECS task.
type Task struct {
	ARN            string
	ID             string // the last segment of the ARN
	ClusterARN     string
	Group          string // "service:NAME" for tasks a service started
	TaskDefinition string
	LastStatus     string
	DesiredStatus  string
	Health         string // HEALTHY, UNHEALTHY, UNKNOWN
	LaunchType     string
	CreatedAt      time.Time
	StartedAt      time.Time
	StoppingAt     time.Time
	StoppedAt      time.Time
	StopCode       string
	StoppedReason  string
	Containers     []Container
}

func (t Task) Key() string   { return t.ARN }
func (t Task) Label() string { return t.ID }
func (t Task) Phase() string { return t.LastStatus }

// Service returns the service name from the task's group, or "".
func (t Task) Service() string {
	const p = "service:"
	if len(t.Group) > len(p) && t.Group[:len(p)] == p {
		return t.Group[len(p):]
	}
	return ""
}

// Transitional is true for every lastStatus between PROVISIONING and STOPPED
// except RUNNING, and for a RUNNING task that is asked to stop.
func (t Task) Transitional() bool {
	switch t.LastStatus {
	case "RUNNING":
		return t.DesiredStatus == "STOPPED"
	case "STOPPED", "DELETED", "":
		return false
	}
	return true
}

// Container is one container of an ECS task.
type Container struct {
	TaskARN    string
	Name       string
	Image      string
	LastStatus string
	ExitCode   *int32
	Health     string
	Reason     string
	// NetworkBindings are where the container's ports are published on its
	// host, as ECS reports them (containers[].networkBindings) for tasks in
	// bridge or host mode; the sandbox fills them for a task it runs on the
	// local Docker engine (HostIP 127.0.0.1). Empty for awsvpc tasks on AWS.
	NetworkBindings []Binding
	// RuntimeID is the container's ID on its host's engine (ECS's
	// runtimeId); the sandbox sets it when the task runs on the local
	// Docker engine for real, "" when it only simulates it.
	RuntimeID string
}

// Binding is one published port of a container.
type Binding struct {
	HostIP        string
	HostPort      int32
	ContainerPort int32
	Protocol      string // "tcp" or "udp"
}

func (c Container) Key() string   { return c.TaskARN + "/" + c.Name }
func (c Container) Label() string { return c.Name }
func (c Container) Phase() string { return c.LastStatus }
func (c Container) Transitional() bool {
	return c.LastStatus == "PENDING" || c.LastStatus == "PROVISIONING"
}
