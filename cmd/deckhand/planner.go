package main

import (
	"context"
	"errors"
	"fmt"

	"deckhand/dockerops"
	"deckhand/internal/launch"
	launchaws "deckhand/internal/launch/aws"
	"deckhand/internal/launch/local"
)

// planner is the launch.Planner both the CLI and the TUI use, so a launch
// is built the same way from either. Each target maps a launch.Request to
// its own options; targets this build lacks say so.
type planner struct {
	// eng is the Docker engine of the local target. nil with engErr nil
	// plans without an engine (--dry-run: planning a local launch only
	// reads the project directory); nil with engErr set refuses, naming
	// why Docker is not usable.
	eng    *dockerops.Engine
	engErr error
	// aws is the account of the fargate and ec2 targets (chooseBackend:
	// AWS, an endpoint, or the sandbox). nil with awsErr nil plans without
	// one (--dry-run: planning only checks the input); nil with awsErr set
	// refuses, naming why.
	aws    *awsBackend
	awsErr error
	// cloud are the AWS targets' settings beyond launch.Request (the CLI's
	// --cpu, --vpc, --key-name…); zero means each target's defaults.
	cloud cloudOptions
}

// cloudOptions are the fargate and ec2 targets' own settings.
type cloudOptions struct {
	cpu, memory, vpc, cluster, healthCheck    string // fargate (vpc: both)
	loadBalancer                              bool   // the --load-balancer flag; plans read launch.Request.LoadBalancer
	keyName, sshCIDR, amiDistro, instanceType string // ec2
}

var _ launch.Planner = planner{}

func (p planner) PlanLaunch(req launch.Request) ([]launch.Step, func() string, error) {
	if err := launch.ValidateTarget(req.Target); err != nil {
		return nil, nil, err
	}
	if req.LoadBalancer && req.Target != launch.TargetFargate {
		return nil, nil, fmt.Errorf("a load balancer is an option of the fargate target only, not %s", req.Target)
	}
	switch req.Target {
	case launch.TargetLocal:
		if err := p.needEngine(); err != nil {
			return nil, nil, err
		}
		steps, res, err := local.Launch(p.eng, local.Options{
			Stack: req.Stack, Dir: req.Dir, Image: req.Image, BaseImage: req.BaseImage,
			Scaffold: req.Scaffold, HostPort: req.Port, NoWait: req.NoWait, Timeout: req.Timeout,
		})
		if err != nil {
			return nil, nil, err
		}
		return steps, func() string { return res.URL }, nil
	case launch.TargetFargate:
		be, err := p.deployer()
		if err != nil {
			return nil, nil, err
		}
		if req.Image == "" {
			// Building needs the engine; deploying an existing image
			// uses it only to read the image's port.
			if err := p.needEngine(); err != nil {
				return nil, nil, err
			}
		}
		steps, res, err := launchaws.Fargate(be, p.eng, launchaws.FargateOptions{
			Stack: req.Stack, Dir: req.Dir, Image: req.Image, BaseImage: req.BaseImage, Scaffold: req.Scaffold,
			Port: req.Port, CPU: p.cloud.cpu, Memory: p.cloud.memory, VpcID: p.cloud.vpc, Cluster: p.cloud.cluster,
			HealthCheck: p.cloud.healthCheck, NoWait: req.NoWait, Timeout: req.Timeout, Sandbox: p.aws != nil && p.aws.sandbox,
			LoadBalancer: req.LoadBalancer,
		})
		if err != nil {
			return nil, nil, err
		}
		return steps, func() string { return res.URL }, nil
	case launch.TargetEC2:
		be, err := p.deployer()
		if err != nil {
			return nil, nil, err
		}
		if req.Image == "" {
			// Building DIR (pushed to ECR, pulled by the instance with
			// its role) needs the engine.
			if err := p.needEngine(); err != nil {
				return nil, nil, err
			}
		}
		sshCIDR := p.cloud.sshCIDR
		if req.SSHCIDR != "" { // the TUI wizard's field
			sshCIDR = req.SSHCIDR
		}
		steps, res, err := launchaws.EC2(be, p.eng, launchaws.EC2Options{
			Stack: req.Stack, Image: req.Image, Dir: req.Dir, BaseImage: req.BaseImage, Scaffold: req.Scaffold, Port: req.Port,
			KeyName: p.cloud.keyName, SSHCIDR: sshCIDR, AMIDistro: p.cloud.amiDistro, InstanceType: p.cloud.instanceType,
			VpcID: p.cloud.vpc, Sandbox: p.aws != nil && p.aws.sandbox, NoWait: req.NoWait, Timeout: req.Timeout,
		})
		if err != nil {
			return nil, nil, err
		}
		// In the sandbox nothing answers on the instance's address, so
		// there is no URL to give (the check step says why).
		return steps, func() string { return res.URL }, nil
	}
	return nil, nil, launch.TargetUnavailable(req.Target)
}

// deployer is the AWS account as the AWS targets use it: nil (a dry run,
// planned without an account), or an error saying why there is none.
func (p planner) deployer() (launchaws.Backend, error) {
	switch {
	case p.aws == nil && p.awsErr != nil:
		return nil, fmt.Errorf("the fargate and ec2 targets need an AWS account, which is not usable: %w", p.awsErr)
	case p.aws == nil:
		return nil, nil
	}
	return p.aws.Account, nil
}

func (p planner) PlanDestroy(ctx context.Context, stack, target string) ([]launch.Step, error) {
	if err := launch.ValidateTarget(target); err != nil {
		return nil, err
	}
	switch target {
	case launch.TargetLocal:
		if p.eng == nil {
			// Destroy asks the engine what exists, even for a dry run.
			return nil, p.engineProblem()
		}
		return local.Destroy(ctx, p.eng, stack)
	case launch.TargetFargate, launch.TargetEC2:
		// Both AWS targets tag what they create with the stack, so one
		// destroy removes the stack's resources of either.
		be, err := p.deployer()
		if err != nil {
			return nil, err
		}
		if be == nil {
			return nil, p.awsProblem()
		}
		return launchaws.Destroy(ctx, be, stack, launchaws.DestroyOptions{Engine: p.eng})
	}
	return nil, launch.TargetUnavailable(target)
}

func (p planner) awsProblem() error {
	err := p.awsErr
	if err == nil {
		err = errors.New("no account was opened")
	}
	return fmt.Errorf("the fargate and ec2 targets need an AWS account, which is not usable: %w", err)
}

func (p planner) needEngine() error {
	if p.eng == nil && p.engErr != nil {
		return p.engineProblem()
	}
	return nil
}

func (p planner) engineProblem() error {
	err := p.engErr
	if err == nil {
		err = errors.New("no engine")
	}
	return fmt.Errorf("the local target needs Docker, which is not usable: %w", err)
}
