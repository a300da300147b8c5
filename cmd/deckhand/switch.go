package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"deckhand/dockerops"
	"deckhand/internal/awsconf"
	"deckhand/internal/budget"
	"deckhand/internal/cloud"
	"deckhand/internal/resource"
	"deckhand/internal/watch"
	"deckhand/tui"
)

// session is the AWS side of a running deckhand: the account on screen
// (backend and watchers), which an in-app switch (:profile, :region,
// :sandbox) replaces whole, built exactly as start-up builds it
// (chooseBackend: the same credential check, endpoint and budget).
type session struct {
	ctx    context.Context // the program's: the watchers run until it ends
	o      options         // the flags deckhand started with
	aw     watch.Config
	emit   func(watch.Update)
	eng    *dockerops.Engine // for the launch planner; nil without an engine
	engErr error
	// base is the Config's part no switch changes: Docker, --readonly,
	// --mouse, the version, and the switch itself.
	base tui.Config

	mu      sync.Mutex
	cur     *account
	docker  *watch.Watcher
	budgets map[string]*budget.Budget
}

// account is one identity's backend and the watchers that read it.
type account struct {
	o        options // what built it (a switch starts from these)
	backend  *awsBackend
	err      error // why AWS is unusable (start-up only: a switch refuses instead)
	ec2      *cloud.EC2Source
	ecs      *cloud.ECSSource
	watchers []*watch.Watcher
	running  sync.WaitGroup

	// mu orders start and close, which run in different goroutines (the
	// TUI's Cmds): a close that comes first keeps start from running.
	mu     sync.Mutex
	stop   context.CancelFunc
	closed bool
}

// budgetFor is the API budget of an account and region. AWS's request
// quotas (EC2's token buckets, ECS's throttles) are per account and per
// region, so one budget per account+region copies their shape: a throttle
// met in eu-west-1 says nothing about us-east-1, and a switch back finds
// the budget that remembers it (flipping regions does not reset a halved
// rate). The account is known only once STS answers, so the profile (and
// endpoint) stand for it: two profiles of one account get two budgets.
func (s *session) budgetFor(endpoint, profile, region string) *budget.Budget {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.budgets == nil {
		s.budgets = map[string]*budget.Budget{}
	}
	key := endpoint + "|" + profile + "|" + region
	if b := s.budgets[key]; b != nil {
		return b
	}
	b := budget.New(s.o.apiRate, nil)
	s.budgets[key] = b
	return b
}

// open builds the backend for o and its watchers (not started).
func (s *session) open(ctx context.Context, o options) *account {
	backend, err := chooseBackendWith(ctx, o, s.budgetFor)
	a := &account{o: o, backend: backend, err: err}
	if err != nil {
		return a
	}
	a.ecs, a.ec2 = watchSources(backend) // the account itself: see watchSources
	a.ecs.SetSweep(o.refresh)
	a.ec2.SetSweep(o.refresh)
	a.watchers = []*watch.Watcher{watch.New(a.ec2, s.aw, s.emit), watch.New(a.ecs, s.aw, s.emit)}
	return a
}

// config is the TUI's Config for account a.
func (s *session) config(a *account) tui.Config {
	cfg := s.base
	cfg.Profile, cfg.Region, cfg.Endpoint = a.o.profile, a.o.region, a.o.endpointURL
	cfg.Launcher = planner{eng: s.eng, engErr: s.engErr, aws: a.backend, awsErr: a.err}
	if a.err != nil {
		cfg.AWSProblem = a.err.Error()
		return cfg
	}
	b := a.backend
	cfg.Region, cfg.Endpoint, cfg.Sandbox, cfg.Notice = b.region, b.endpoint, b.sandbox, b.why
	if b.sandbox {
		cfg.Profile = ""
	}
	cfg.Identity = func(ctx context.Context) (string, string, error) {
		id, err := b.Identity(ctx)
		return id.Account, id.ARN, err
	}
	cfg.Actions.Instances, cfg.Actions.ECS = b, b
	cfg.Create, cfg.Logs.ECS, cfg.TaskDefs, cfg.SecurityGroups = b, b, b, b
	cfg.Doctor = b
	cfg.EC2 = tui.EC2Tools{Admin: b, KeyPairs: b, Network: b, Images: b}
	cfg.Metrics = b // ecs_metrics.go
	if ss, ok := b.Account.(cloud.Sessions); ok {
		cfg.Sessions = ss
	}
	ec2, ecs, ecsW := a.ec2, a.ecs, a.watchers[1]
	cfg.OnScreen = func(kind resource.Kind, keys []string) {
		switch kind {
		case resource.KindInstance:
			ec2.OnScreen(keys)
		case resource.KindService, resource.KindTask:
			ecs.OnScreen(keys)
		}
	}
	if b.budget != nil {
		cfg.APIStats = func() tui.APIStats { return apiStats(b.budget, ec2, ecs) }
	}
	cfg.FocusCluster = func(arn string) {
		if ecs.Focus(arn) {
			ecsW.Reset()
		}
	}
	return cfg
}

// start runs a's watchers until close (or the program) stops them.
func (a *account) start(ctx context.Context) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed || a.stop != nil {
		return
	}
	ctx, a.stop = context.WithCancel(ctx)
	for _, w := range a.watchers {
		a.running.Add(1)
		go func() {
			defer a.running.Done()
			w.Run(ctx)
		}()
	}
}

// close stops a's watchers, waiting for them (an update they already sent
// reaches the program before anything sent after close returns), then
// closes its backend (the sandbox finishes the engine work it decided,
// up to wait).
func (a *account) close(wait time.Duration) error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return nil
	}
	a.closed = true
	if a.stop != nil {
		a.stop()
	}
	a.mu.Unlock()
	done := make(chan struct{})
	go func() { a.running.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-time.After(wait):
		err = fmt.Errorf("the previous account's watchers did not stop within %v", wait)
	}
	a.backend.close(wait)
	return err
}

// watchers are the running watchers: the account's and Docker's.
func (s *session) watchers() []*watch.Watcher {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]*watch.Watcher(nil), s.cur.watchers...)
	if s.docker != nil {
		out = append(out, s.docker)
	}
	return out
}

// refresh is Config.Refresh: it always reaches the current account's
// watchers.
func (s *session) refresh(source string) {
	for _, w := range s.watchers() {
		if source == "" || w.Name() == source {
			w.Refresh()
		}
	}
}

// target turns a switch into the options start-up would have been given
// for it.
func (s *session) target(cur *account, to tui.AccountTarget) (options, error) {
	o := cur.o
	o.sandboxReset = false // a reset is for start-up only, never a switch
	switch {
	case to.Sandbox:
		o.sandbox, o.profile, o.endpointURL, o.region = true, "", "", to.Region
	case to.Profile != "":
		// A real account, in the profile's own region unless --region
		// named one, at the endpoint deckhand started with.
		o.sandbox, o.profile, o.region, o.endpointURL = false, to.Profile, s.o.region, s.o.endpointURL
	case to.Region != "":
		if err := checkAccountFlags("", to.Region); err != nil {
			return o, err
		}
		// The same account in another region: a sandbox stays a sandbox
		// (it has every region, as AWS has), so a learner never lands on
		// a real account by changing region.
		o.region = to.Region
		o.sandbox = cur.backend != nil && cur.backend.sandbox
	default:
		return o, errors.New("nothing to switch to")
	}
	return o, nil
}

// switchTo is Config.Switch: it builds the new account, and only once that
// worked stops the old one; an error leaves the current account running.
func (s *session) switchTo(ctx context.Context, to tui.AccountTarget) (tui.Switched, error) {
	s.mu.Lock()
	cur := s.cur
	s.mu.Unlock()
	o, err := s.target(cur, to)
	if err != nil {
		return tui.Switched{}, err
	}
	next := s.open(ctx, o)
	if next.err != nil {
		return tui.Switched{}, next.err
	}
	if err := cur.close(5 * time.Second); err != nil {
		slog.Warn("switch", "err", err)
	}
	s.mu.Lock()
	s.cur = next
	s.mu.Unlock()
	slog.Info("switched account", "profile", o.profile, "region", next.backend.region, "sandbox", next.backend.sandbox)
	return tui.Switched{Config: s.config(next), Start: func() { next.start(s.ctx) }}, nil
}

// wire fills the switch's part of the base Config.
func (s *session) wire() {
	s.base.Switch = s.switchTo
	s.base.Profiles = awsconf.Profiles
	s.base.Regions = awsconf.Regions
	s.base.Refresh = s.refresh
}

// current is the account on screen.
func (s *session) current() *account {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur
}
