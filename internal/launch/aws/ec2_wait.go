package aws

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"deckhand/internal/cloud"
	"deckhand/internal/explain"
	"deckhand/internal/launch"
	"deckhand/internal/resource"
)

// After the EC2 launch: the wait for the status checks, the HTTP check,
// retiring the replaced instance and the ssh command.

func (p *ec2Plan) waitStep() launch.Step {
	return launch.Step{
		Name:    "wait",
		Summary: fmt.Sprintf("Wait for pending → running → status checks ok (at most %v)", p.Timeout),
		Commands: []string{
			launch.Shell("aws", "ec2", "wait", "instance-running", "--instance-ids", "INSTANCE_ID"),
			launch.Shell("aws", "ec2", "wait", "instance-status-ok", "--instance-ids", "INSTANCE_ID"),
		},
		Run: func(ctx context.Context, out *launch.Output) error {
			if p.NoWait {
				return launch.Skip("--no-wait")
			}
			return p.wait(ctx, out)
		},
		Explain: func(err error) string { return explain.Reason(err.Error()) },
	}
}

func (p *ec2Plan) wait(ctx context.Context, out *launch.Output) error {
	deadline := time.Now().Add(p.Timeout)
	last := ""
	for {
		all, err := p.be.Instances(ctx)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(all, func(in resource.Instance) bool { return in.ID == p.res.InstanceID })
		if i < 0 {
			return fmt.Errorf("instance %s is gone", p.res.InstanceID)
		}
		in := all[i]
		state := in.State
		if in.State == "running" && in.StatusCheck != "" {
			state += ", status checks " + in.StatusCheck
		}
		if state != last {
			out.Linef("instance %s: %s", in.ID, state)
			last = state
		}
		p.res.PublicIP = in.PublicIP
		switch {
		case in.State == "running" && in.StatusCheck == "ok":
			out.Result(fmt.Sprintf("%s running, status checks ok, public IP %s", in.ID, orDefault(in.PublicIP, "none")))
			return nil
		case in.State == "running" && in.StatusCheck == "impaired":
			return fmt.Errorf("instance %s runs but its status checks failed (impaired): the instance or its host is unhealthy; terminate it (deckhand destroy) and launch again", in.ID)
		case in.State != "pending" && in.State != "running":
			return fmt.Errorf("instance %s is %s: %s", in.ID, in.State, orDefault(in.StateReason, "no reason given"))
		}
		if time.Now().Add(p.Poll).After(deadline) {
			return fmt.Errorf("instance %s is still %s after %v", in.ID, state, p.Timeout)
		}
		if err := sleep(ctx, p.Poll); err != nil {
			return err
		}
	}
}

func (p *ec2Plan) checkStep() launch.Step {
	return launch.Step{
		Name:     "check",
		Summary:  fmt.Sprintf("Check that http://PUBLIC_IP:%d/ answers 2xx%s, once cloud-init has installed Docker and started the app (at most %v)", p.Port, welcomeText(p.welcome), p.CheckTimeout),
		Commands: []string{launch.Shell("curl", "-fsS", fmt.Sprintf("http://PUBLIC_IP:%d/", p.Port))},
		Run: func(ctx context.Context, out *launch.Output) error {
			if p.NoWait {
				return launch.Skip("--no-wait")
			}
			url := ""
			if p.res.PublicIP != "" {
				url = fmt.Sprintf("http://%s:%d/", p.res.PublicIP, p.Port)
			}
			if p.Sandbox {
				local, err := untilPublished(ctx, true, p.Poll, out, fmt.Sprintf("port %d of the instance's container", p.Port), func() (string, bool, error) {
					return p.localURL(ctx)
				})
				if err != nil {
					return err
				}
				if local == "" {
					// No URL either: nothing answers there.
					return launch.Skip("the sandbox's instances run no software of their own, and the local Docker engine does not run " + p.imageRef() +
						" for this one (deckhand has no engine, or the engine does not have the image), so nothing can answer on " + orDefault(url, "the instance") +
						"; on AWS this step waits until cloud-init has installed Docker and the app answers")
				}
				// The container the user data runs, published on 127.0.0.1
				// by the sandbox.
				url = local
			}
			if url == "" {
				return fmt.Errorf("instance %s has no public IP, so the app cannot be reached from here", p.res.InstanceID)
			}
			if err := checkHTTP(ctx, out, url, p.welcome, p.CheckTimeout, 5*time.Second); err != nil {
				return err
			}
			p.res.URL = url
			return nil
		},
		Explain: func(error) string {
			pull := "the image may not be pullable without credentials (deckhand logs in only to this account's ECR)"
			if p.private {
				pull = "the instance may have failed to log in to ECR or pull the image (its role needs ecr:GetAuthorizationToken and the pull actions; an image in another account's ECR also needs that repository to allow this account)"
			}
			return "the instance runs but the app does not answer: cloud-init may still be installing Docker (ssh in and read /var/log/cloud-init-output.log), " +
				pull + ", or the app listens on another port"
		},
	}
}

// localURL is where the sandbox publishes the app port of the container
// the instance's user data runs (resource.Instance.LocalBindings), "" when
// it runs none (yet); failed says the engine could not start it.
func (p *ec2Plan) localURL(ctx context.Context) (url string, failed bool, err error) {
	all, err := p.be.Instances(ctx)
	if err != nil {
		return "", false, err
	}
	i := slices.IndexFunc(all, func(in resource.Instance) bool { return in.ID == p.res.InstanceID })
	if i < 0 {
		return "", false, fmt.Errorf("instance %s is gone", p.res.InstanceID)
	}
	for _, b := range all[i].LocalBindings {
		if int(b.ContainerPort) == p.Port && b.HostPort != 0 {
			return fmt.Sprintf("http://%s:%d/", orDefault(b.HostIP, "127.0.0.1"), b.HostPort), false, nil
		}
	}
	return "", len(all[i].UserDataFailures) > 0, nil
}

// welcomeText says what a check expects besides 2xx.
func welcomeText(welcome string) string {
	if welcome == "" {
		return ""
	}
	return fmt.Sprintf(" with %q", welcome)
}

func (p *ec2Plan) retireStep() launch.Step {
	return launch.Step{
		Name:      "retire",
		Summary:   "Terminate the stack's previous instance, if a re-run replaced it",
		Resources: []launch.Resource{{Action: "delete", Kind: "EC2 instance", Name: "the stack's previous instance, if replaced"}},
		Commands:  []string{launch.Shell("aws", "ec2", "terminate-instances", "--instance-ids", "OLD_INSTANCE_ID")},
		Run: func(ctx context.Context, out *launch.Output) error {
			if len(p.old) == 0 {
				return launch.Skip("no previous instance")
			}
			if p.NoWait {
				return launch.Skip("--no-wait did not check the new instance, so the previous one " + strings.Join(p.old, ", ") + " keeps running; the next launch or destroy removes it")
			}
			if err := p.be.TerminateInstances(ctx, p.old...); err != nil && !cloud.IsNotFound(err) {
				return err
			}
			for _, id := range p.old {
				if err := waitTerminated(ctx, out, p.be, id, p.Timeout, p.Poll); err != nil {
					return err
				}
			}
			p.res.Replaced = p.old
			out.Result("terminated " + strings.Join(p.old, ", "))
			return nil
		},
	}
}

func (p *ec2Plan) sshStep() launch.Step {
	return launch.Step{
		Name:    "ssh",
		Summary: "Show the ssh command and an ~/.ssh/config entry",
		Run: func(ctx context.Context, out *launch.Output) error {
			if p.res.PublicIP == "" {
				if all, err := p.be.Instances(ctx); err == nil {
					if i := slices.IndexFunc(all, func(in resource.Instance) bool { return in.ID == p.res.InstanceID }); i >= 0 {
						p.res.PublicIP = all[i].PublicIP
					}
				}
			}
			host := orDefault(p.res.PublicIP, "PUBLIC_IP")
			key := p.res.KeyFile
			if key == "" {
				key = "PRIVATE_KEY_OF_" + p.res.KeyName
			}
			user := orDefault(p.res.SSHUser, "ec2-user")
			p.res.SSHCommand = launch.Shell("ssh", "-i", key, user+"@"+host)
			p.res.SSHConfig = fmt.Sprintf("Host %s\n    HostName %s\n    User %s\n    IdentityFile %s\n    IdentitiesOnly yes\n",
				InstanceName(p.Stack), host, user, key)
			out.Note(p.res.SSHCommand)
			out.Note("~/.ssh/config entry (then: ssh " + InstanceName(p.Stack) + "):")
			for _, l := range strings.Split(strings.TrimRight(p.res.SSHConfig, "\n"), "\n") {
				out.Note("  " + l)
			}
			if p.res.PublicIP == "" {
				out.Note("the instance has no public IP yet: see it in deckhand, or aws ec2 describe-instances --instance-ids " + p.res.InstanceID)
			}
			out.Result(p.res.SSHCommand)
			return nil
		},
	}
}
