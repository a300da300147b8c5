package cloud

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Interactive sessions: a shell in an ECS task's container (ECS Exec), a
// shell on an instance (SSM Session Manager) and a port forward to a task's
// port. On AWS each is a process of the aws CLI with the Session Manager
// plugin (the SDK has no client for the session's data channel, which is
// why e1s and taws run the CLI too); on the sandbox a `docker exec` into
// the container that runs the task or stands in for the instance. The
// backend plans the session — the command line and what is missing for it
// to work — and the TUI runs it.

// SessionTarget is what a session is opened on.
type SessionTarget struct {
	ClusterARN, TaskARN string // ECS Exec and port forwards
	Container           string // the task's container ("" = its first)
	InstanceID          string // SSM sessions
	// Port is the container port to forward; LocalPort the port on
	// 127.0.0.1 it is forwarded to (0 = the same as Port).
	Port, LocalPort int32
}

// SessionPlan is a session ready to run, or why it cannot.
type SessionPlan struct {
	// Argv is the command to run, argv[0] a name looked up on PATH; nil
	// when there is nothing to run (Missing says why, or Address is set).
	Argv []string
	// Missing are the prerequisites that are not met, each saying what is
	// missing and how to fix it. A plan with any is not run.
	Missing []string
	// Unchecked are prerequisites that could not be checked (the API is
	// denied or not implemented by the endpoint): the session may still fail
	// on them.
	Unchecked []string
	// Address is, for a forward on the sandbox, where the port already
	// answers (127.0.0.1:PORT): nothing needs to run.
	Address string
}

// Sessions plans interactive sessions. Planning only reads (ECS, IAM, SSM
// describe calls); running the plan is the caller's.
type Sessions interface {
	ExecPlan(ctx context.Context, t SessionTarget) (SessionPlan, error)
	SSMPlan(ctx context.Context, t SessionTarget) (SessionPlan, error)
	ForwardPlan(ctx context.Context, t SessionTarget) (SessionPlan, error)
}

// CLIContext is what every aws command line deckhand shows carries, so it
// reaches the same account as deckhand: --region, --profile,
// --endpoint-url when set.
type CLIContext struct{ Region, Profile, Endpoint string }

func (c CLIContext) with(args ...string) []string {
	out := append([]string{"aws"}, args...)
	if c.Region != "" {
		out = append(out, "--region", c.Region)
	}
	if c.Profile != "" {
		out = append(out, "--profile", c.Profile)
	}
	if c.Endpoint != "" {
		out = append(out, "--endpoint-url", c.Endpoint)
	}
	return out
}

// ExecShell is the command ECS Exec runs in the container: /bin/sh is in
// nearly every image (bash is not).
const ExecShell = "/bin/sh"

// ECSExecArgv is `aws ecs execute-command … --interactive`.
func ECSExecArgv(c CLIContext, cluster, task, container string) []string {
	return c.with("ecs", "execute-command", "--cluster", cluster, "--task", task,
		"--container", container, "--interactive", "--command", ExecShell)
}

// SSMSessionArgv is `aws ssm start-session --target i-…`.
func SSMSessionArgv(c CLIContext, instanceID string) []string {
	return c.with("ssm", "start-session", "--target", instanceID)
}

// PortForwardTarget is SSM's name of a task's container:
// ecs:CLUSTER_TASKID_RUNTIMEID (the cluster's name, not its ARN).
func PortForwardTarget(cluster, taskID, runtimeID string) string {
	return "ecs:" + lastPart(cluster) + "_" + lastPart(taskID) + "_" + runtimeID
}

// PortForwardArgv is `aws ssm start-session … AWS-StartPortForwardingSession`
// from port on the task's container to local on 127.0.0.1.
func PortForwardArgv(c CLIContext, cluster, taskID, runtimeID string, port, local int32) []string {
	params := `{"portNumber":["` + strconv.Itoa(int(port)) + `"],"localPortNumber":["` + strconv.Itoa(int(local)) + `"]}`
	return c.with("ssm", "start-session", "--target", PortForwardTarget(cluster, taskID, runtimeID),
		"--document-name", "AWS-StartPortForwardingSession", "--parameters", params)
}

// lastPart is what follows the last / of an ARN (its name or id).
func lastPart(s string) string {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// The messages of the missing command-line tools, with how to install each.
const (
	MissingAWSCLI = "the aws CLI is not installed (no `aws` on PATH): install AWS CLI v2 " +
		"(https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html; macOS: brew install awscli)"
	MissingPlugin = "the Session Manager plugin is not installed (no `session-manager-plugin` on PATH): install it " +
		"(https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html; macOS: brew install --cask session-manager-plugin)"
	MissingDockerCLI = "the docker CLI is not installed (no `docker` on PATH): the sandbox opens the shell with `docker exec -it`; install the docker CLI"
)

// MissingSessionTools says which of the aws CLI and the Session Manager
// plugin are not on path (a PATH value; "" = this process's PATH).
func MissingSessionTools(path string) []string {
	var out []string
	if !OnPath(path, "aws") {
		out = append(out, MissingAWSCLI)
	}
	if !OnPath(path, "session-manager-plugin") {
		out = append(out, MissingPlugin)
	}
	return out
}

// OnPath reports whether an executable file name is in a directory of
// path ("" = this process's PATH). It is exec.LookPath over a given PATH,
// so the check can be tested without changing the process's environment.
func OnPath(path, name string) bool {
	if path == "" {
		path = os.Getenv("PATH")
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		fi, err := os.Stat(filepath.Join(dir, name))
		if err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
			return true
		}
	}
	return false
}

// ExecPermissions are the IAM actions the task role needs for ECS Exec and
// port forwarding (the agent in the task opens the SSM channels).
var ExecPermissions = []string{
	"ssmmessages:CreateControlChannel",
	"ssmmessages:CreateDataChannel",
	"ssmmessages:OpenControlChannel",
	"ssmmessages:OpenDataChannel",
}
