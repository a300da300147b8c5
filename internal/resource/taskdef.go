package resource

import (
	"strconv"
	"time"
)

// TaskDefinition is one revision of an ECS task definition, as deckhand
// shows it: the containers' names, images, ports, sizes, health checks and
// log configuration, and the NAMES of their environment variables and
// secrets — never their values, which may hold credentials.
type TaskDefinition struct {
	ARN              string
	Family           string
	Revision         int32
	Status           string // ACTIVE, INACTIVE, DELETE_IN_PROGRESS
	CPU, Memory      string // task-level sizes, as ECS stores them ("256", "512"); "" when unset
	NetworkMode      string
	Compatibilities  []string // requiresCompatibilities: FARGATE, EC2
	ExecutionRoleARN string
	TaskRoleARN      string
	RegisteredAt     time.Time
	Containers       []ContainerDef
}

// ContainerDef is one container of a task definition.
type ContainerDef struct {
	Name        string
	Image       string
	CPU         int32
	Memory      int32 // hard limit (MiB); 0 = none
	MemoryRes   int32 // soft limit (MiB); 0 = none
	Essential   bool
	Ports       []PortMapping
	HealthCheck []string // the command, e.g. ["CMD-SHELL", "curl -f …"]; nil = none
	LogDriver   string   // "" = no log configuration
	LogOptions  map[string]string
	EnvNames    []string // environment variable names, sorted; values are never read into deckhand
	SecretNames []string // secrets' names, sorted
}

// PortMapping is one container port of a task definition.
type PortMapping struct {
	ContainerPort int32
	HostPort      int32
	Protocol      string
}

func (t TaskDefinition) Key() string        { return t.ARN }
func (t TaskDefinition) Label() string      { return t.Family + ":" + strconv.Itoa(int(t.Revision)) }
func (t TaskDefinition) Phase() string      { return t.Status }
func (t TaskDefinition) Transitional() bool { return t.Status == "DELETE_IN_PROGRESS" }
