package main

import (
	"context"
	"errors"
	"fmt"

	"deckhand/dockerops"
	"deckhand/internal/launch"
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
}

var _ launch.Planner = planner{}

func (p planner) PlanLaunch(req launch.Request) ([]launch.Step, func() string, error) {
	if err := launch.ValidateTarget(req.Target); err != nil {
		return nil, nil, err
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
	}
	return nil, nil, launch.TargetUnavailable(req.Target)
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
	}
	return nil, launch.TargetUnavailable(target)
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
