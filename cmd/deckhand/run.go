package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"deckhand/aws"
	"deckhand/aws/sandbox"
	"deckhand/dockerops"
	"deckhand/internal/budget"
	"deckhand/internal/elbproxy"
	"deckhand/internal/portfwd"
	"deckhand/internal/watch"
	"deckhand/internal/xdg"
	"deckhand/tui"
)

// run wires adapters, watchers and the TUI, and blocks until the user quits.
func run(ctx context.Context, o options) error {
	logger, closeLog, err := openLog(o.logFile)
	if err != nil {
		return err
	}
	defer closeLog()
	slog.SetDefault(logger)
	startPprof()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var program *tea.Program
	var ready sync.WaitGroup // watchers emit only once the program exists
	ready.Add(1)
	emit := func(u watch.Update) {
		ready.Wait()
		if u.Err != nil {
			slog.Warn("fetch failed", "source", u.Source, "err", u.Err)
		} else {
			slog.Debug("fetched", "source", u.Source, "took", u.Took, "transitions", len(u.Transitions))
		}
		program.Send(u)
	}
	s := &session{ctx: ctx, o: o, emit: emit, aw: watch.Config{Fast: 2 * time.Second, Slow: o.refresh}}
	s.base = tui.Config{Readonly: o.readonly, Mouse: o.mouse, Theme: o.theme, Version: versionString()}
	// Port forwards run in the background, across account switches; none
	// outlives deckhand.
	s.base.Forwards = portfwd.New()
	defer s.base.Forwards.Close()

	engine, dockErr := dockerops.New(dockerops.Options{Host: o.dockerHost, ReadOnly: o.readonly})
	// The wizard plans through the same planner as deckhand launch; without
	// an engine the local target says why it cannot run, without an account
	// the fargate and ec2 targets do.
	s.eng, s.engErr = engine, dockErr
	if dockErr != nil {
		s.eng = nil
		s.base.DockerProblem = dockErr.Error()
	} else {
		defer engine.Close()
		s.base.DockerHost = engine.Host()
		s.base.Actions.Docker = engine
		s.base.Actions.Restart, s.base.Actions.Images, s.base.Actions.VolumesNetworks = engine, engine, engine
		s.base.Docker = tui.DockerTools{Inspect: engine, Stats: engine, Exec: engine}
		s.base.Logs.Docker = engine
		src := engine.Source()
		src.Start(ctx)
		// DECKHAND_KEEP_PROXY_IMAGES=1 turns the clean-up off: tests on a
		// shared engine must not remove other people's images.
		if !o.readonly && os.Getenv("DECKHAND_KEEP_PROXY_IMAGES") == "" {
			go pruneProxyImages(ctx, engine)
		}
		// Docker is event-driven; the slow interval is only a resync.
		s.docker = watch.New(src, watch.Config{Fast: 2 * time.Second, Slow: 4 * o.refresh}, emit)
	}
	s.wire()

	s.cur = s.open(ctx, o)
	// On quit the sandbox gets a few seconds to carry out what the last
	// actions decided (a stop's docker stop); the rest waits for the next
	// start. A switch closes the accounts it leaves.
	defer func() { s.current().close(10 * time.Second) }()
	if s.cur.err != nil {
		slog.Info("AWS unavailable", "err", s.cur.err)
	} else if s.cur.backend.why != "" {
		slog.Info(s.cur.backend.why)
	}
	cfg := s.config(s.cur)

	// The heap of an idle deckhand is mostly the account's snapshot, which
	// changes little between collections: collecting at 50% growth instead
	// of Go's 100% keeps its RSS 5 MB lower with 2,000 services (54 against
	// 59 MB, scripts/bench-idle) at no CPU cost measurable in an idle
	// minute (a collection every 15 s or so, a few ms each). GOGC, when
	// set, still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	// Bubble Tea's renderer wakes at its frame rate even when nothing
	// changed. Measured over 60 s idle (cmd in tmux): 0.48 s CPU at the default
	// 60 fps, 0.28 s at 20 fps; 50 ms to show a key press still feels instant.
	program = tea.NewProgram(tui.New(cfg), tea.WithContext(ctx), tea.WithFPS(20))
	ready.Done()
	s.cur.start(ctx)
	if s.docker != nil {
		go s.docker.Run(ctx)
	}
	_, err = program.Run()
	if err == tea.ErrProgramKilled && ctx.Err() != nil {
		err = nil
	}
	return err
}

// apiStats sums the budget's families for the header.
func apiStats(b *budget.Budget, srcs ...interface{ Behind() (int, bool) }) tui.APIStats {
	var s tui.APIStats
	for _, f := range b.Snapshot() {
		s.PerMinute += f.PerMinute
		s.Held = s.Held || f.SweepHeld
		s.Cut = s.Cut || f.Cut
		if f.PerMinute > s.BusiestCalls {
			s.Busiest, s.BusiestCalls = string(f.Family), f.PerMinute
		}
		s.Families = append(s.Families, apiFamily(f))
	}
	for _, src := range srcs {
		n, _ := src.Behind()
		s.Behind += n
		s.Sweep = append(s.Sweep, sweepLines(src, time.Now())...)
	}
	return s
}

// apiFamily is one family's figures for :stats.
func apiFamily(f budget.Stats) tui.APIFamily {
	out := tui.APIFamily{Name: string(f.Family), PerMinute: f.PerMinute, Throttled: f.Throttled,
		Rate: f.Rate, Configured: f.Configured, Cut: f.Cut, SweepHeld: f.SweepHeld, WaitingSweep: f.Waiting[budget.Sweep] + f.Waiting[budget.Reread]}
	for _, n := range f.Waiting {
		out.Waiting += n
	}
	return out
}

// pruneProxyImages removes the elb-proxy images of older deckhand builds
// (the sandbox builds one per binary), keeping this build's. It runs once
// at start-up, in the background: hashing the binary takes a moment, and
// a failure only means the old images stay until the next start.
func pruneProxyImages(ctx context.Context, engine *dockerops.Engine) {
	bin, err := os.Executable()
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	removed, err := elbproxy.PruneOld(ctx, engine, bin)
	if err != nil {
		slog.Info("old elb-proxy images not pruned", "err", err)
	}
	if len(removed) > 0 {
		slog.Info("pruned old elb-proxy images", "images", removed)
	}
}

// openLog opens the log file (never the screen: the TUI owns the terminal).
func openLog(path string) (*slog.Logger, func(), error) {
	if path == "" {
		path = filepath.Join(xdg.StateDir(), "deckhand.log")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, nil, fmt.Errorf("log directory: %w (set --log-file to a writable path)", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("log file: %w (set --log-file to a writable path)", err)
	}
	level := slog.LevelInfo
	if os.Getenv("DECKHAND_DEBUG") != "" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: level})), func() { f.Close() }, nil
}

// The creation wizards' capabilities come from both backends.
var (
	_ tui.Creator = (*aws.Client)(nil)
	_ tui.Creator = (*sandbox.Account)(nil)
)
