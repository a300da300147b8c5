package aws

import (
	"context"
	"errors"
	"strings"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"deckhand/internal/cloud"
)

// Interactive sessions on AWS (cloud.Sessions): the aws CLI with the
// Session Manager plugin runs them; here they are planned, and what ECS
// Exec and Session Manager need is checked first, so the user reads "the
// task role lacks ssmmessages:OpenDataChannel" instead of the plugin's
// "TargetNotConnectedException" after a wait. Every call goes through the
// clients built in load, so through the API budget.

var _ cloud.Sessions = (*Client)(nil)

// sessionPath is the PATH the tools are looked up on; "" = the process's
// (tests point it at temporary directories).
var sessionPath = ""

func (c *Client) cliContext() cloud.CLIContext {
	return cloud.CLIContext{Region: c.cfg.Region, Profile: c.profile, Endpoint: c.endpoint}
}

// ExecPlan is `aws ecs execute-command --interactive` into the task's
// container and what ECS Exec lacks for it. A shell can change anything,
// so --readonly refuses it.
func (c *Client) ExecPlan(ctx context.Context, t cloud.SessionTarget) (cloud.SessionPlan, error) {
	if c.readonly {
		return cloud.SessionPlan{}, cloud.ErrReadonly
	}
	task, ct, err := c.execTask(ctx, t)
	if err != nil {
		return cloud.SessionPlan{}, err
	}
	p := cloud.SessionPlan{Argv: cloud.ECSExecArgv(c.cliContext(), lastSegment(t.ClusterARN), lastSegment(t.TaskARN), sdkaws.ToString(ct.Name))}
	p.Missing = cloud.MissingSessionTools(sessionPath)
	c.checkExec(ctx, task, ct, &p)
	return p, nil
}

// ForwardPlan is the SSM port-forwarding session to the task's container
// port; it needs what ECS Exec needs (the same agent opens it).
func (c *Client) ForwardPlan(ctx context.Context, t cloud.SessionTarget) (cloud.SessionPlan, error) {
	task, ct, err := c.execTask(ctx, t)
	if err != nil {
		return cloud.SessionPlan{}, err
	}
	local := t.LocalPort
	if local == 0 {
		local = t.Port
	}
	p := cloud.SessionPlan{Argv: cloud.PortForwardArgv(c.cliContext(), t.ClusterARN, lastSegment(t.TaskARN),
		sdkaws.ToString(ct.RuntimeId), t.Port, local)}
	p.Missing = cloud.MissingSessionTools(sessionPath)
	if sdkaws.ToString(ct.RuntimeId) == "" {
		p.Missing = append(p.Missing, "container "+sdkaws.ToString(ct.Name)+" has no runtime id yet (ECS reports it once the container runs): wait until the task is RUNNING")
	}
	c.checkExec(ctx, task, ct, &p)
	return p, nil
}

// execTask describes the task and picks its container.
func (c *Client) execTask(ctx context.Context, t cloud.SessionTarget) (ecstypes.Task, ecstypes.Container, error) {
	out, err := c.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: &t.ClusterARN, Tasks: []string{t.TaskARN}})
	if err != nil {
		return ecstypes.Task{}, ecstypes.Container{}, wrap("ecs", "DescribeTasks", err)
	}
	if len(out.Tasks) == 0 {
		return ecstypes.Task{}, ecstypes.Container{}, &cloud.Error{Service: "ecs", Operation: "DescribeTasks", Code: "MISSING",
			Message: "task " + lastSegment(t.TaskARN) + " was not found (it may have stopped an hour ago or more)"}
	}
	task := out.Tasks[0]
	for _, ct := range task.Containers {
		if t.Container == "" || sdkaws.ToString(ct.Name) == t.Container {
			return task, ct, nil
		}
	}
	return task, ecstypes.Container{}, &cloud.Error{Service: "ecs", Operation: "DescribeTasks", Code: "MISSING",
		Message: "task " + lastSegment(t.TaskARN) + " has no container " + t.Container}
}

// checkExec adds what ECS Exec needs and the task lacks: the flag, the
// agent, the task role's ssmmessages permissions.
func (c *Client) checkExec(ctx context.Context, task ecstypes.Task, ct ecstypes.Container, p *cloud.SessionPlan) {
	id := lastSegment(sdkaws.ToString(task.TaskArn))
	if st := sdkaws.ToString(task.LastStatus); st != "RUNNING" {
		p.Missing = append(p.Missing, "task "+id+" is "+st+": ECS Exec needs a RUNNING task")
	}
	if !task.EnableExecuteCommand {
		fix := "run the task with --enable-execute-command"
		if svc, ok := strings.CutPrefix(sdkaws.ToString(task.Group), "service:"); ok {
			fix = "aws ecs update-service --cluster " + lastSegment(sdkaws.ToString(task.ClusterArn)) + " --service " + svc +
				" --enable-execute-command --force-new-deployment (the new tasks get it)"
		}
		p.Missing = append(p.Missing, "ECS Exec is off for task "+id+" (enableExecuteCommand is false): "+fix)
	} else {
		p.Missing = append(p.Missing, agentProblem(ct)...)
	}
	role := ""
	if task.Overrides != nil {
		role = sdkaws.ToString(task.Overrides.TaskRoleArn)
	}
	if role == "" {
		td, err := c.ecs.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: task.TaskDefinitionArn})
		if err != nil {
			p.Unchecked = append(p.Unchecked, "the task role's ssmmessages permissions: "+wrap("ecs", "DescribeTaskDefinition", err).Error())
			return
		}
		role = sdkaws.ToString(td.TaskDefinition.TaskRoleArn)
	}
	if role == "" {
		p.Missing = append(p.Missing, "task "+id+" has no task role: ECS Exec needs one that allows "+strings.Join(cloud.ExecPermissions, ", ")+
			" (set taskRoleArn in the task definition)")
		return
	}
	denied, err := c.simulate(ctx, role, cloud.ExecPermissions)
	if err != nil {
		p.Unchecked = append(p.Unchecked, "could not check the task role's ssmmessages permissions: "+err.Error())
		return
	}
	if len(denied) > 0 {
		p.Missing = append(p.Missing, "the task role "+lastSegment(role)+" lacks "+strings.Join(denied, ", ")+
			" (add them to a policy of the role)")
	}
}

// agentProblem says when the container's ExecuteCommandAgent is not RUNNING.
func agentProblem(ct ecstypes.Container) []string {
	name := sdkaws.ToString(ct.Name)
	for _, a := range ct.ManagedAgents {
		if a.Name != ecstypes.ManagedAgentNameExecuteCommandAgent {
			continue
		}
		st := sdkaws.ToString(a.LastStatus)
		if st == "RUNNING" {
			return nil
		}
		why := ""
		if r := sdkaws.ToString(a.Reason); r != "" {
			why = ": " + r
		}
		return []string{"the ExecuteCommandAgent of container " + name + " is " + cmpOr(st, "not reported") + why +
			" (it must be RUNNING; a task started before ECS Exec was turned on never gets it)"}
	}
	return []string{"container " + name + " reports no ExecuteCommandAgent (ECS starts it only in tasks started with ECS Exec on)"}
}

// simulate returns the actions IAM's policy simulator does not allow the
// role.
func (c *Client) simulate(ctx context.Context, role string, actions []string) ([]string, error) {
	out, err := c.deploy.iam.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: &role, ActionNames: actions})
	if err != nil {
		return nil, wrap("iam", "SimulatePrincipalPolicy", err)
	}
	var denied []string
	seen := map[string]bool{}
	for _, r := range out.EvaluationResults {
		a := sdkaws.ToString(r.EvalActionName)
		seen[a] = true
		if r.EvalDecision != iamtypes.PolicyEvaluationDecisionTypeAllowed {
			denied = append(denied, a)
		}
	}
	if len(seen) == 0 {
		return nil, errors.New("the policy simulator returned no results")
	}
	return denied, nil
}

// SSMPlan is `aws ssm start-session --target i-…` and what Session
// Manager lacks for it: the instance must be registered with SSM (its agent
// online), which DescribeInstanceInformation tells.
func (c *Client) SSMPlan(ctx context.Context, t cloud.SessionTarget) (cloud.SessionPlan, error) {
	if c.readonly {
		return cloud.SessionPlan{}, cloud.ErrReadonly
	}
	p := cloud.SessionPlan{Argv: cloud.SSMSessionArgv(c.cliContext(), t.InstanceID)}
	p.Missing = cloud.MissingSessionTools(sessionPath)
	out, err := c.deploy.ssm.DescribeInstanceInformation(ctx, &ssm.DescribeInstanceInformationInput{
		Filters: []ssmtypes.InstanceInformationStringFilter{{Key: sdkaws.String("InstanceIds"), Values: []string{t.InstanceID}}}})
	switch {
	case err != nil:
		p.Unchecked = append(p.Unchecked, "whether SSM manages "+t.InstanceID+": "+wrap("ssm", "DescribeInstanceInformation", err).Error())
	case len(out.InstanceInformationList) == 0:
		p.Missing = append(p.Missing, "instance "+t.InstanceID+" is not managed by SSM: it needs the SSM agent running (Amazon Linux and Ubuntu AMIs have it), "+
			"an instance profile whose role has AmazonSSMManagedInstanceCore, and a route to the SSM endpoints")
	case out.InstanceInformationList[0].PingStatus != ssmtypes.PingStatusOnline:
		p.Missing = append(p.Missing, "the SSM agent of "+t.InstanceID+" is "+string(out.InstanceInformationList[0].PingStatus)+
			" (Online is needed: is the instance running, with a route to the SSM endpoints?)")
	}
	return p, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
