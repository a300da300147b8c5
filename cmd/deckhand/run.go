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
// awsFast is the AWS watchers' fast interval, frameRate the TUI's
// frames per second; why each is what it is: where they are used in run.
const (
	awsFast   = 3 * time.Second
	frameRate = 10
)

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
	// What is in transition or on screen is re-read every awsFast: the
	// issue's "on screen, fresh within 3 s". At 2 s the on-screen rows of a
	// 200×50 services page alone were 150 DescribeServices a minute when
	// every rollout is in progress; at 3 s they are 100 (measured idle
	// minute, 2,000 services: 175 calls and 0.66 s CPU at 2 s, 126 and
	// 0.59 s at 3 s).
	s := &session{ctx: ctx, o: o, emit: emit, aw: watch.Config{Fast: awsFast, Slow: o.refresh}}
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
	// changed, and on this machine each wake costs about 0.2 ms: an empty
	// Bubble Tea program used 0.60 s of CPU a minute at the default 60 fps,
	// 0.22 s at 20 and 0.14 s at 10. An idle deckhand is all wakes, so it
	// draws at most 10 frames a second: a key's effect is on screen within
	// 100 ms (the idle minute of 2,000 services: 0.50 s at 10 fps, 0.58 s
	// at 15, run side by side).
	program = tea.NewProgram(tui.New(cfg), tea.WithContext(ctx), tea.WithFPS(frameRate))
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
		lines, slower := sweepLines(src, time.Now())
		s.Sweep = append(s.Sweep, lines...)
		if slower != "" {
			s.Slower = append(s.Slower, slower)
		}
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
