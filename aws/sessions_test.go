package aws

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"deckhand/internal/cloud"
)

// Session plans against moto: the command line is exact (with the
// client's region and endpoint), and what moto reports is turned into the
// missing prerequisites: ECS Exec off, no task role, the role's
// permissions (moto's policy simulator), an instance SSM does not manage.
// PATH points at a directory with fake aws and session-manager-plugin
// executables, or at an empty one: the check of the tools, not AWS.
func TestSessionPlansMoto(t *testing.T) {
	f := newFixture(t)
	f.pinTasks(t)
	ctx := context.Background()
	c, _ := f.client(t)
	tools := t.TempDir()
	for _, n := range []string{"aws", "session-manager-plugin"} {
		if err := os.WriteFile(filepath.Join(tools, n), []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	sessionPath = tools
	defer func() { sessionPath = "" }()

	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"))
	if err != nil {
		t.Fatal(err)
	}
	iamc := iam.NewFromConfig(cfg, func(o *iam.Options) { o.BaseEndpoint = sdkaws.String(f.m.URL) })
	role, err := iamc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: sdkaws.String("exec-task-role"),
		AssumeRolePolicyDocument: sdkaws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iamc.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: role.Role.RoleName, PolicyName: sdkaws.String("exec"),
		PolicyDocument: sdkaws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ssmmessages:CreateControlChannel","ssmmessages:CreateDataChannel","ssmmessages:OpenControlChannel","ssmmessages:OpenDataChannel"],"Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	cluster := f.cluster(t, "oncall")
	plain := f.taskDef(t, "plain")
	withRole, err := f.ecs.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: sdkaws.String("withrole"),
		TaskRoleArn:          role.Role.Arn,
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: sdkaws.String("web"), Image: sdkaws.String("nginx:1.27"), MemoryReservation: sdkaws.Int32(64)}}})
	if err != nil {
		t.Fatal(err)
	}
	run := func(td string, exec bool) string {
		out, err := f.ecs.RunTask(ctx, &ecs.RunTaskInput{Cluster: sdkaws.String(cluster), TaskDefinition: sdkaws.String(td),
			LaunchType: ecstypes.LaunchTypeFargate, EnableExecuteCommand: exec})
		if err != nil {
			t.Fatal(err)
		}
		return sdkaws.ToString(out.Tasks[0].TaskArn)
	}
	noRole := run(plain, false)
	roleTask := run(sdkaws.ToString(withRole.TaskDefinition.TaskDefinitionArn), true)
	id := func(arn string) string { return lastSegment(arn) }
	ctxArgs := "--region|us-east-1|--endpoint-url|" + f.m.URL
	has := func(list []string, part string) bool {
		return slices.ContainsFunc(list, func(s string) bool { return strings.Contains(s, part) })
	}
	off := "ECS Exec is off for task "
	for _, tc := range []struct {
		name      string
		plan      func() (cloud.SessionPlan, error)
		argv      string
		missing   []string // parts, each in some Missing line
		unchecked []string // parts, each in some Unchecked line
	}{
		{"exec, no task role", func() (cloud.SessionPlan, error) {
			return c.ExecPlan(ctx, cloud.SessionTarget{ClusterARN: cluster, TaskARN: noRole, Container: "web"})
		}, "aws|ecs|execute-command|--cluster|oncall|--task|" + id(noRole) + "|--container|web|--interactive|--command|/bin/sh|" + ctxArgs,
			[]string{off + id(noRole) + " (enableExecuteCommand is false): run the task with --enable-execute-command", "has no task role", "ssmmessages:OpenDataChannel"}, nil},
		// moto does not keep RunTask's enableExecuteCommand (it answers
		// false) and has no policy simulator (HTTP 500): the flag is
		// reported missing and the permissions unchecked.
		{"exec, a task role", func() (cloud.SessionPlan, error) {
			return c.ExecPlan(ctx, cloud.SessionTarget{ClusterARN: cluster, TaskARN: roleTask})
		}, "aws|ecs|execute-command|--cluster|oncall|--task|" + id(roleTask) + "|--container|web|--interactive|--command|/bin/sh|" + ctxArgs,
			[]string{off + id(roleTask)}, []string{"iam:SimulatePrincipalPolicy"}},
		// moto reports no runtimeId for a task's container.
		{"forward", func() (cloud.SessionPlan, error) {
			return c.ForwardPlan(ctx, cloud.SessionTarget{ClusterARN: cluster, TaskARN: noRole, Port: 80, LocalPort: 18080})
		}, "aws|ssm|start-session|--target|ecs:oncall_" + id(noRole) + "_|--document-name|AWS-StartPortForwardingSession|--parameters|" +
			`{"portNumber":["80"],"localPortNumber":["18080"]}|` + ctxArgs,
			[]string{"container web has no runtime id yet", off + id(noRole), "has no task role"}, nil},
		// moto has no DescribeInstanceInformation (HTTP 500): unchecked.
		{"ssm", func() (cloud.SessionPlan, error) {
			return c.SSMPlan(ctx, cloud.SessionTarget{InstanceID: "i-0123456789abcdef0"})
		}, "aws|ssm|start-session|--target|i-0123456789abcdef0|" + ctxArgs,
			nil, []string{"whether SSM manages i-0123456789abcdef0: ssm:DescribeInstanceInformation"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tc.plan()
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(p.Argv, "|"); got != tc.argv {
				t.Errorf("argv\n got %s\nwant %s", got, tc.argv)
			}
			for _, part := range tc.missing {
				if !has(p.Missing, part) {
					t.Errorf("missing %q lacks %q", p.Missing, part)
				}
			}
			if len(tc.missing) == 0 && len(p.Missing) > 0 {
				t.Errorf("missing %q, want none", p.Missing)
			}
			for _, part := range tc.unchecked {
				if !has(p.Unchecked, part) {
					t.Errorf("unchecked %q lacks %q", p.Unchecked, part)
				}
			}
			// With no tools on PATH, both are named first, with how to
			// install them.
			sessionPath = t.TempDir()
			defer func() { sessionPath = tools }()
			p, err = tc.plan()
			if err != nil || len(p.Missing) < 2 || p.Missing[0] != cloud.MissingAWSCLI || p.Missing[1] != cloud.MissingPlugin {
				t.Errorf("with an empty PATH: %q %v, want the aws CLI and the plugin missing", p.Missing, err)
			}
		})
	}

	t.Run("a task that is not there", func(t *testing.T) {
		_, err := c.ExecPlan(ctx, cloud.SessionTarget{ClusterARN: cluster, TaskARN: cluster + "/0000", Container: "web"})
		var ce *cloud.Error
		if !errors.As(err, &ce) || ce.Operation != "DescribeTasks" {
			t.Fatalf("err = %v, want a DescribeTasks error", err)
		}
	})
	t.Run("readonly", func(t *testing.T) {
		ro, err := Load(ctx, Options{EndpointURL: f.m.URL, Region: "us-east-1", Readonly: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ro.ExecPlan(ctx, cloud.SessionTarget{ClusterARN: cluster, TaskARN: noRole}); !errors.Is(err, cloud.ErrReadonly) {
			t.Errorf("exec under --readonly: %v", err)
		}
		if _, err := ro.SSMPlan(ctx, cloud.SessionTarget{InstanceID: "i-0"}); !errors.Is(err, cloud.ErrReadonly) {
			t.Errorf("ssm under --readonly: %v", err)
		}
	})
}

// The ExecuteCommandAgent as DescribeTasks reports it.
func TestAgentProblem(t *testing.T) {
	agent := func(st, reason string) ecstypes.ManagedAgent {
		return ecstypes.ManagedAgent{Name: ecstypes.ManagedAgentNameExecuteCommandAgent, LastStatus: sdkaws.String(st), Reason: sdkaws.String(reason)}
	}
	for _, tc := range []struct {
		name   string
		agents []ecstypes.ManagedAgent
		want   string // "" = no problem
	}{
		{"running", []ecstypes.ManagedAgent{agent("RUNNING", "")}, ""},
		{"pending", []ecstypes.ManagedAgent{agent("PENDING", "")}, "the ExecuteCommandAgent of container web is PENDING (it must be RUNNING"},
		{"stopped with a reason", []ecstypes.ManagedAgent{agent("STOPPED", "agent crashed")}, "is STOPPED: agent crashed (it must be RUNNING"},
		{"none", nil, "container web reports no ExecuteCommandAgent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := strings.Join(agentProblem(ecstypes.Container{Name: sdkaws.String("web"), ManagedAgents: tc.agents}), "\n")
			if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
				t.Errorf("agentProblem = %q, want %q", got, tc.want)
			}
		})
	}
}
