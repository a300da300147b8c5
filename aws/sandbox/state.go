package sandbox

import "time"

// stateVersion is the version of the state file's format. A file of another
// version is refused with a message that names --sandbox-reset.
const stateVersion = 1

// The persisted account. Every type here is the file format: rename a JSON
// field and old files lose it, so bump stateVersion instead.

type state struct {
	Version int       `json:"version"`
	Account string    `json:"account"`
	Created time.Time `json:"created"`
	// Now is how far the world has been advanced: every event due at or
	// before it has happened. It only moves forward.
	Now     time.Time          `json:"now"`
	Rand    uint64             `json:"rand"` // splitmix64 state: IDs and durations
	Regions map[string]*region `json:"regions"`
	Roles   []*role            `json:"iamRoles,omitempty"` // IAM is global (iam.go)
	// Profiles are the IAM instance profiles (iam.go).
	Profiles []*instanceProfile `json:"iamInstanceProfiles,omitempty"`

	q *eventQueue // derived, never persisted (queue.go)
}

// region is one region's resources; regions share nothing, as in AWS.
type region struct {
	Name           string           `json:"name"`
	VPCs           []*vpc           `json:"vpcs"`
	Subnets        []*subnet        `json:"subnets"`
	SecurityGroups []*securityGroup `json:"securityGroups"`
	KeyPairs       []*keyPair       `json:"keyPairs"`
	Images         []*image         `json:"images"`
	Instances      []*instance      `json:"instances"`
	TaskDefs       []*taskDef       `json:"taskDefinitions"`
	Clusters       []*cluster       `json:"clusters"`
	Repositories   []*repository    `json:"ecrRepositories,omitempty"` // ecr.go
	LogGroups      []*logGroup      `json:"logGroups,omitempty"`       // logs.go
	LoadBalancers  []*loadBalancer  `json:"loadBalancers,omitempty"`   // elb.go
	TargetGroups   []*targetGroup   `json:"targetGroups,omitempty"`
}

type vpc struct {
	ID      string `json:"id"`
	CIDR    string `json:"cidr"`
	Default bool   `json:"default"`
}

type subnet struct {
	ID        string `json:"id"`
	VpcID     string `json:"vpcId"`
	AZ        string `json:"az"`
	CIDR      string `json:"cidr"` // a /20 of the default VPC's 172.31.0.0/16
	Default   bool   `json:"default"`
	PublicIPs bool   `json:"mapPublicIpOnLaunch"`
}

type securityGroup struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	VpcID string `json:"vpcId"`
	// network.go
	Description string            `json:"description,omitempty"`
	Ingress     []ingressRule     `json:"ingress,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`
}

type keyPair struct {
	Name string `json:"name"`
	ID   string `json:"id"`
	// keypairs.go
	Fingerprint string            `json:"fingerprint,omitempty"`
	Type        string            `json:"type,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`
	Created     time.Time         `json:"created,omitzero"` // ec2_admin.go; zero for the seeded key
}

type image struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// BrokenSnapshot marks an image whose root snapshot is gone: EC2
	// accepts the launch, then the instance goes from pending to
	// terminated with StateReason Client.InvalidSnapshot.NotFound.
	BrokenSnapshot bool `json:"brokenSnapshot,omitempty"`
}

type instance struct {
	ID             string   `json:"id"`
	Type           string   `json:"type"`
	ImageID        string   `json:"imageId"`
	KeyName        string   `json:"keyName,omitempty"`
	VpcID          string   `json:"vpcId"`
	SubnetID       string   `json:"subnetId"`
	AZ             string   `json:"az"`
	SecurityGroups []string `json:"securityGroups"`
	PrivateIP      string   `json:"privateIp"`
	PublicIP       string   `json:"publicIp,omitempty"`
	UserData       string   `json:"userData,omitempty"`
	// IAMProfile is the ARN of the instance profile it was launched with.
	IAMProfile string            `json:"iamInstanceProfile,omitempty"`
	Tags       map[string]string `json:"tags,omitempty"`
	State      string            `json:"state"`
	LaunchTime time.Time         `json:"launchTime"` // the last start, as EC2 reports it
	// StateReason is StateReason.Message; UserInitiated is the time in
	// StateTransitionReason ("User initiated (… GMT)"), zero when EC2 gives
	// none.
	StateReason   string    `json:"stateReason,omitempty"`
	UserInitiated time.Time `json:"userInitiated,omitzero"`
	Due           time.Time `json:"due,omitzero"` // when EC2 moves it on by itself
	// ChecksOK is when the status checks of the current run pass; they
	// are "initializing" from running until then.
	ChecksOK time.Time `json:"checksOk,omitzero"`
	// Runs are the containers of the user data's runcmd that run on the
	// local engine during the current run, decided (RunsDecided) at the
	// first sync that finds the instance running (ec2_run.go).
	Runs        []*instanceRun `json:"localRuns,omitempty"`
	RunsDecided bool           `json:"localRunsDecided,omitempty"`
	// StandIn is the container a session (SSMPlan) asked for when no run
	// has one (standin.go); nil = none wanted.
	StandIn *instanceRun `json:"standIn,omitempty"`
	// Booted is when the current boot began (a start, or a reboot:
	// ec2_admin.go); Reboot asks the next sync to restart Runs.
	Booted time.Time `json:"booted,omitzero"`
	Reboot bool      `json:"reboot,omitempty"`
}

type taskDef struct {
	Family           string            `json:"family"`
	Revision         int               `json:"revision"`
	ARN              string            `json:"arn"`
	CPU              string            `json:"cpu,omitempty"`    // CPU units, normalised ("1 vCPU" → "1024")
	Memory           string            `json:"memory,omitempty"` // MiB, normalised ("2 GB" → "2048")
	NetworkMode      string            `json:"networkMode"`
	Fargate          bool              `json:"fargate"`
	ExecutionRoleARN string            `json:"executionRoleArn,omitempty"`
	Containers       []containerDef    `json:"containers"`
	Tags             map[string]string `json:"tags,omitempty"`
	Registered       time.Time         `json:"registered"`
	Inactive         bool              `json:"inactive,omitempty"` // deregistered (taskdefs_deploy.go)
}

type containerDef struct {
	Name        string            `json:"name"`
	Image       string            `json:"image"`
	Port        int32             `json:"port,omitempty"`
	MemoryRes   int32             `json:"memoryReservation,omitempty"` // MiB
	Essential   bool              `json:"essential"`
	Env         map[string]string `json:"env,omitempty"`
	HealthCheck []string          `json:"healthCheck,omitempty"`
	LogGroup    string            `json:"logGroup,omitempty"`
	LogRegion   string            `json:"logRegion,omitempty"`
	LogPrefix   string            `json:"logPrefix,omitempty"`
}

type cluster struct {
	Name     string            `json:"name"`
	ARN      string            `json:"arn"`
	Tags     map[string]string `json:"tags,omitempty"`
	Created  time.Time         `json:"created"`
	Services []*service        `json:"services"`
	Tasks    []*task           `json:"tasks"` // not yet STOPPED, in creation order
	// Stopped are the STOPPED tasks ECS still lists, oldest first, which
	// is the order they are forgotten in: only the first is ever due.
	Stopped []*task `json:"stoppedTasks"`
}

type service struct {
	Name           string            `json:"name"`
	ARN            string            `json:"arn"`
	Status         string            `json:"status"` // ACTIVE, DRAINING
	Desired        int32             `json:"desired"`
	LaunchType     string            `json:"launchType"`
	Subnets        []string          `json:"subnets,omitempty"`
	SecurityGroups []string          `json:"securityGroups,omitempty"`
	PublicIP       bool              `json:"publicIp,omitempty"`
	CircuitBreaker bool              `json:"circuitBreaker,omitempty"` // with rollback
	Tags           map[string]string `json:"tags,omitempty"`
	Created        time.Time         `json:"created"`
	Deployments    []*deployment     `json:"deployments"` // [0] is PRIMARY
	Events         []serviceEvent    `json:"events"`      // newest first, at most maxEvents
	// Failures counts consecutive tasks that stopped before RUNNING; from
	// throttleAfter on, launches wait (the service throttle logic).
	Failures int       `json:"failures,omitempty"`
	Due      time.Time `json:"due,omitzero"` // the next launch attempt of a throttled service
	Steady   bool      `json:"steady,omitempty"`
	Unplaced bool      `json:"unplaced,omitempty"` // the "unable to place a task" event is written
	// LoadBalancer is where ECS registers the tasks (elb_targets.go), and
	// HealthGrace how long it ignores their failed health checks after a
	// task has started (healthCheckGracePeriodSeconds).
	LoadBalancer *serviceLB `json:"loadBalancer,omitempty"`
	HealthGrace  int32      `json:"healthCheckGracePeriodSeconds,omitempty"`
}

type deployment struct {
	ID            string    `json:"id"` // ecs-svc/…
	Status        string    `json:"status"`
	TaskDef       string    `json:"taskDefinition"`
	Rollout       string    `json:"rolloutState"`
	RolloutReason string    `json:"rolloutStateReason"`
	Failed        int       `json:"failedTasks,omitempty"`
	Ran           bool      `json:"ran,omitempty"` // a task reached RUNNING: stage 1 of the circuit breaker passed
	Created       time.Time `json:"created"`
	Updated       time.Time `json:"updated"`
}

type serviceEvent struct {
	At      time.Time `json:"at"`
	Message string    `json:"message"`
}

type task struct {
	ID            string       `json:"id"`
	ARN           string       `json:"arn"`
	Group         string       `json:"group"`
	Deployment    string       `json:"deployment,omitempty"` // the service deployment that started it
	TaskDef       string       `json:"taskDefinition"`
	LaunchType    string       `json:"launchType"`
	LastStatus    string       `json:"lastStatus"`
	DesiredStatus string       `json:"desiredStatus"`
	Health        string       `json:"health"`
	Created       time.Time    `json:"created"`
	Started       time.Time    `json:"started,omitzero"`
	Stopping      time.Time    `json:"stopping,omitzero"`
	Stopped       time.Time    `json:"stopped,omitzero"`
	StopCode      string       `json:"stopCode,omitempty"`
	StoppedReason string       `json:"stoppedReason,omitempty"`
	Containers    []*container `json:"containers"`
	Due           time.Time    `json:"due,omitzero"`
	Net           *taskNet     `json:"network,omitempty"` // RunTask's awsvpc configuration (network.go)
	// Target is the task registered in its service's target group, from
	// ACTIVATING until its draining ends (elb_targets.go).
	Target *elbTarget `json:"elbTarget,omitempty"`
}

type container struct {
	Name       string `json:"name"`
	Image      string `json:"image"`
	Essential  bool   `json:"essential"`
	Checked    bool   `json:"checked,omitempty"` // has a health check
	LastStatus string `json:"lastStatus"`
	ExitCode   *int32 `json:"exitCode,omitempty"`
	Health     string `json:"health"`
	Reason     string `json:"reason,omitempty"`
	// Running for real (runner.go): Port is the task definition's
	// containerPort; Local is set when the image was found on the local
	// Docker engine at the pull; DockerID is the engine's container once
	// started (until it is removed), and Bindings where its port is
	// published. IP is its address on the engine's bridge network, where
	// a load balancer's proxy reaches it (elb_proxy.go). LogsCopied is set
	// once its output is in its awslogs stream (logcopy.go). Observed is
	// set once a sync after its start found it running, which its task
	// waits for in ACTIVATING; its Health is then the engine's (health.go).
	Port       int32     `json:"port,omitempty"`
	Local      bool      `json:"local,omitempty"`
	DockerID   string    `json:"dockerId,omitempty"`
	Bindings   []binding `json:"networkBindings,omitempty"`
	IP         string    `json:"ip,omitempty"`
	LogsCopied bool      `json:"logsCopied,omitempty"`
	Observed   bool      `json:"observed,omitempty"`
}

type binding struct {
	HostIP        string `json:"bindIP"`
	HostPort      int32  `json:"hostPort"`
	ContainerPort int32  `json:"containerPort"`
	Protocol      string `json:"protocol"`
}
