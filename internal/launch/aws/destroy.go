package aws

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"deckhand/dockerops"
	"deckhand/internal/cloud"
	"deckhand/internal/launch"
	"deckhand/internal/resource"
)

// DestroyOptions tune a destroy.
type DestroyOptions struct {
	// Timeout bounds each wait: for a service's tasks to stop, an instance
	// to terminate, a security group to be released (0 = 10 minutes).
	Timeout time.Duration
	// Poll is the interval of the waits (0 = 3 s).
	Poll time.Duration
	// SSHDir is where a launch saved a created key pair's private key
	// ("" = ~/.ssh); destroy says where it is and leaves it.
	SSHDir string
	// Engine, when set, is the local Docker engine: the tags a launch gave
	// its builds under the stack's repository (the sandbox's registry is
	// the local engine) are removed with the repository.
	Engine *dockerops.Engine
}

// Destroy returns the steps that delete what launches of stack created on
// AWS (either target): every resource Stacks finds tagged
// deckhand:stack=<stack>, one step each (an instance profile's step takes
// its role of the same name with it), in dependency order. It only
// reads (it serves --dry-run too); nothing without the tag is touched.
func Destroy(ctx context.Context, be Backend, stack string, o DestroyOptions) ([]launch.Step, error) {
	if err := launch.ValidateStackName(stack); err != nil {
		return nil, err
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Minute
	}
	if o.Poll <= 0 {
		o.Poll = DefaultPoll
	}
	if o.SSHDir == "" {
		o.SSHDir = defaultSSHDir()
	}
	rs, err := be.StackResources(ctx, stack)
	if err != nil {
		return nil, err
	}
	cloud.SortStack(rs)
	d := &destroyer{DestroyOptions: o, be: be, stack: stack}
	profiles := map[string]bool{}
	for _, r := range rs {
		switch r.Type {
		case "ecs:service":
			d.services = append(d.services, r)
		case "iam:instance-profile":
			profiles[r.ID] = true
		case "ec2:security-group":
			d.groups = append(d.groups, r.ID)
		}
	}
	var steps []launch.Step
	for _, r := range rs {
		if r.Type == "iam:role" && profiles[r.ID] {
			continue // the instance profile's step deletes its role
		}
		steps = append(steps, d.step(r))
	}
	return steps, nil
}

type destroyer struct {
	DestroyOptions
	be       Backend
	stack    string
	services []cloud.TaggedResource // the stack's services (deleted first)
	groups   []string               // the stack's security groups, in step order
}

func (d *destroyer) step(r cloud.TaggedResource) launch.Step {
	del := func(kind string, cmds ...string) launch.Step {
		_, typ, _ := strings.Cut(r.Type, ":")
		return launch.Step{
			Name:      "delete " + typ + " " + shortName(r),
			Summary:   "Delete " + kind + " " + r.ID,
			Resources: []launch.Resource{{Action: "delete", Kind: kind, Name: r.ID}},
			Commands:  cmds,
		}
	}
	if s, ok := d.elbStep(r, del); ok {
		return s
	}
	switch r.Type {
	case "ecs:service":
		s := del("ECS service", launch.Shell("aws", "ecs", "delete-service", "--cluster", r.Parent, "--service", r.ID, "--force"),
			launch.Shell("aws", "ecs", "wait", "services-inactive", "--cluster", r.Parent, "--services", r.ID))
		s.Summary = fmt.Sprintf("Scale the ECS service %s (cluster %s) to 0, delete it and wait for its tasks to stop", r.ID, r.Parent)
		s.Resources[0].Name = r.ID + " in " + r.Parent
		s.Run = func(ctx context.Context, out *launch.Output) error { return d.deleteService(ctx, out, r) }
		return s
	case "ec2:instance":
		s := del("EC2 instance", launch.Shell("aws", "ec2", "terminate-instances", "--instance-ids", r.ID),
			launch.Shell("aws", "ec2", "wait", "instance-terminated", "--instance-ids", r.ID))
		s.Summary = "Terminate the EC2 instance " + r.ID + " and wait until it is terminated"
		s.Run = func(ctx context.Context, out *launch.Output) error { return d.terminate(ctx, out, r.ID) }
		return s
	case "ecs:task-definition":
		s := del("ECS task definition", launch.Shell("aws", "ecs", "deregister-task-definition", "--task-definition", r.ID))
		s.Summary = "Deregister the task definition " + r.ID
		s.Run = func(ctx context.Context, out *launch.Output) error {
			return gone(out, d.be.DeregisterTaskDefinition(ctx, r.ID), "deregistered "+r.ID)
		}
		return s
	case "ecs:cluster":
		s := del("ECS cluster", launch.Shell("aws", "ecs", "delete-cluster", "--cluster", r.ID))
		s.Run = func(ctx context.Context, out *launch.Output) error { return d.deleteCluster(ctx, out, r) }
		return s
	case "ec2:security-group":
		return d.groupStep(r, del)
	case "ec2:key-pair":
		s := del("EC2 key pair", launch.Shell("aws", "ec2", "delete-key-pair", "--key-name", r.ID))
		s.Run = func(ctx context.Context, out *launch.Output) error {
			if err := d.be.DeleteKeyPair(ctx, r.ID); err != nil && !cloud.IsNotFound(err) {
				return err
			}
			pem := filepath.Join(d.SSHDir, r.ID+".pem")
			if _, err := os.Stat(pem); err == nil {
				out.Note(fmt.Sprintf("the private key %s stays on this machine; it opens nothing any more: delete it when you like (rm %s)", pem, pem))
			}
			out.Result("deleted " + r.ID)
			return nil
		}
		return s
	case "logs:log-group":
		s := del("CloudWatch Logs group", launch.Shell("aws", "logs", "delete-log-group", "--log-group-name", r.ID))
		s.Run = func(ctx context.Context, out *launch.Output) error {
			return gone(out, d.be.DeleteLogGroup(ctx, r.ID), "deleted "+r.ID)
		}
		return s
	case "iam:role":
		s := del("IAM role", launch.Shell("aws", "iam", "detach-role-policy", "--role-name", r.ID, "--policy-arn", cloud.TaskExecutionPolicyARN),
			launch.Shell("aws", "iam", "delete-role", "--role-name", r.ID))
		s.Summary = "Detach the policies of the IAM role " + r.ID + " and delete it"
		s.Run = func(ctx context.Context, out *launch.Output) error {
			return gone(out, d.be.DeleteRole(ctx, r.ID), "deleted "+r.ID)
		}
		return s
	case "iam:instance-profile":
		s := del("IAM instance profile",
			launch.Shell("aws", "iam", "remove-role-from-instance-profile", "--instance-profile-name", r.ID, "--role-name", r.ID),
			launch.Shell("aws", "iam", "delete-instance-profile", "--instance-profile-name", r.ID),
			launch.Shell("aws", "iam", "detach-role-policy", "--role-name", r.ID, "--policy-arn", cloud.InstanceRolePolicyARN),
			launch.Shell("aws", "iam", "delete-role", "--role-name", r.ID))
		s.Summary = "Remove the role " + r.ID + " from the instance profile " + r.ID + ", delete the profile, then detach the role's policies and delete it (if the launch made it)"
		s.Resources = append(s.Resources, launch.Resource{Action: "delete", Kind: "IAM role", Name: r.ID})
		s.Run = func(ctx context.Context, out *launch.Output) error {
			return gone(out, d.be.DeleteInstanceProfile(ctx, r.ID), "deleted the instance profile and the role "+r.ID)
		}
		return s
	case "ecr:repository":
		s := del("ECR repository", launch.Shell("aws", "ecr", "delete-repository", "--repository-name", r.ID, "--force"))
		s.Summary = "Delete the ECR repository " + r.ID + " and its images"
		s.Run = func(ctx context.Context, out *launch.Output) error {
			if err := d.be.DeleteRepository(ctx, r.ID, true); err != nil && !cloud.IsNotFound(err) {
				return err
			}
			d.untagLocal(ctx, out, r)
			out.Result("deleted " + r.ID)
			return nil
		}
		return s
	}
	return launch.Step{
		Name:      "keep " + r.Type + " " + r.ID,
		Summary:   "Keep " + r.Type + " " + r.ID + ": deckhand does not know how to delete it",
		Resources: []launch.Resource{{Action: "keep", Kind: r.Type, Name: r.ID}},
		Run: func(context.Context, *launch.Output) error {
			return launch.Skip("unknown resource type " + r.Type + "; delete it yourself if it is not needed")
		},
	}
}

// shortName keeps step names readable: the last part of a path-like id.
func shortName(r cloud.TaggedResource) string {
	switch r.Type {
	case "logs:log-group":
		return r.ID
	case "elb:load-balancer", "elb:target-group":
		return elbShortName(r.ID)
	}
	if i := strings.LastIndex(r.ID, "/"); i >= 0 && r.Type != "ecr:repository" {
		return r.ID[i+1:]
	}
	return r.ID
}

// gone finishes a delete: already gone is fine (skipped), other errors fail.
func gone(out *launch.Output, err error, result string) error {
	if cloud.IsNotFound(err) {
		return launch.Skip("already gone")
	}
	if err != nil {
		return err
	}
	out.Result(result)
	return nil
}

// clusterARN finds a cluster's ARN by name (the read path takes ARNs).
func (d *destroyer) clusterARN(ctx context.Context, name string) (string, bool, error) {
	cs, err := d.be.Clusters(ctx)
	if err != nil {
		return "", false, err
	}
	for _, c := range cs {
		if (c.Name == name || c.ARN == name) && c.Status != "INACTIVE" {
			return c.ARN, true, nil
		}
	}
	return "", false, nil
}

func (d *destroyer) deleteService(ctx context.Context, out *launch.Output, r cloud.TaggedResource) error {
	arn, ok, err := d.clusterARN(ctx, r.Parent)
	if err != nil {
		return err
	}
	if !ok {
		return launch.Skip("its cluster " + r.Parent + " is gone")
	}
	if err := d.be.DeleteService(ctx, arn, r.ID); cloud.IsNotFound(err) {
		return launch.Skip("already gone")
	} else if err != nil {
		return err
	}
	out.Line("scaled to 0 and deleted; waiting for its tasks to stop")
	deadline := time.Now().Add(d.Timeout)
	seen := map[string]string{}
	for {
		ts, err := d.be.Tasks(ctx, arn)
		if err != nil {
			return err
		}
		left := 0
		for _, t := range ts {
			if t.Service() != r.ID {
				continue
			}
			if s := taskState(t); seen[t.ARN] != s {
				if seen[t.ARN] != "" || t.LastStatus != "STOPPED" {
					out.Linef("task %s: %s", t.ID, s)
				}
				seen[t.ARN] = s
			}
			if t.LastStatus != "STOPPED" {
				left++
			}
		}
		if left == 0 {
			out.Result("deleted " + r.ID + "; its tasks have stopped")
			return nil
		}
		if time.Now().Add(d.Poll).After(deadline) {
			return fmt.Errorf("the service %s is deleted but %d of its tasks still run after %v; run destroy again later", r.ID, left, d.Timeout)
		}
		if err := sleep(ctx, d.Poll); err != nil {
			return err
		}
	}
}

func (d *destroyer) terminate(ctx context.Context, out *launch.Output, id string) error {
	if err := d.be.TerminateInstances(ctx, id); err != nil {
		if cloud.IsNotFound(err) {
			return launch.Skip("already gone")
		}
		return err
	}
	return waitTerminated(ctx, out, d.be, id, d.Timeout, d.Poll)
}

// waitTerminated polls until instance id is terminated (or gone).
func waitTerminated(ctx context.Context, out *launch.Output, be Backend, id string, timeout, poll time.Duration) error {
	deadline := time.Now().Add(timeout)
	last := ""
	for {
		is, err := be.Instances(ctx)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(is, func(in resource.Instance) bool { return in.ID == id })
		state := "terminated"
		if i >= 0 {
			state = is[i].State
		}
		if state != last {
			out.Linef("instance %s: %s", id, state)
			last = state
		}
		if state == "terminated" {
			out.Result("terminated " + id)
			return nil
		}
		if time.Now().Add(poll).After(deadline) {
			return fmt.Errorf("instance %s is still %s after %v", id, state, timeout)
		}
		if err := sleep(ctx, poll); err != nil {
			return err
		}
	}
}

func (d *destroyer) deleteCluster(ctx context.Context, out *launch.Output, r cloud.TaggedResource) error {
	arn, ok, err := d.clusterARN(ctx, r.ID)
	if err != nil {
		return err
	}
	if !ok {
		return launch.Skip("already gone")
	}
	// A cluster another launch (or someone) also uses stays.
	svcs, err := d.be.Services(ctx, arn)
	if err != nil {
		return err
	}
	var others []string
	for _, s := range svcs {
		ours := slices.ContainsFunc(d.services, func(t cloud.TaggedResource) bool { return t.ID == s.Name })
		if !ours && s.Status == "ACTIVE" {
			others = append(others, s.Name)
		}
	}
	if len(others) > 0 {
		return launch.Skip(fmt.Sprintf("it still runs services this stack did not create (%s); it stays, tagged %s=%s",
			strings.Join(others, ", "), launch.TagStack, d.stack))
	}
	err = retryable(ctx, out, d.Timeout, d.Poll, func(err error) bool {
		return hasCode(err, "ClusterContainsTasksException", "ClusterContainsServicesException", "UpdateInProgressException")
	}, "DeleteCluster", func() error { return d.be.DeleteCluster(ctx, arn) })
	return gone(out, err, "deleted "+r.ID)
}

func defaultSSHDir() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ".ssh"
	}
	return filepath.Join(home, ".ssh")
}
