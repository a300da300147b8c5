package dockerops

import (
	"context"
	"errors"
	"sync"
	"time"

	"deckhand/internal/resource"
	"deckhand/internal/watch"

	"github.com/moby/moby/client"
)

// Reconnect schedule of the event stream: exponential from retryBase with
// equal jitter (watch.Backoff), never more than retryMax apart, so that a
// restarted dockerd is noticed within about 10 s.
const (
	retryBase    = 500 * time.Millisecond
	retryMax     = 10 * time.Second
	pingTimeout  = 5 * time.Second
	fetchTimeout = 15 * time.Second
	// A stream that lived this long counts as a success, which resets the
	// backoff; one that breaks at once keeps backing off.
	stableAfter = 2 * time.Second
)

// Source is the engine as a watch.Source and watch.Notifier. Fetch lists
// containers; the event stream only says when to fetch, so the list is
// always the engine's own view and a missed event costs at most a delay.
//
// The event stream is not followed until Start is called; without Start
// the Source still works as a plain polled source.
type Source struct {
	e      *Engine
	notify chan struct{}
	once   sync.Once

	mu     sync.Mutex
	health Health
}

// Health is the state of the event stream, for the UI to say "engine
// unreachable, retrying in 3s".
type Health struct {
	Started   bool      // Start was called
	Connected bool      // the event stream is open
	Since     time.Time // when Connected last changed
	Err       error     // why the stream is down; nil while connected
	RetryAt   time.Time // when the next reconnect attempt is due; zero while connected
}

// Source returns a new watch source over the engine.
func (e *Engine) Source() *Source {
	return &Source{e: e, notify: make(chan struct{}, 1)}
}

// Name is the watcher's name for this source.
func (s *Source) Name() string { return "docker" }

// Notify receives when something may have changed: a container event, the
// stream breaking (so the failure is shown at once) or reconnecting (so a
// resync covers what was missed).
func (s *Source) Notify() <-chan struct{} { return s.notify }

// Health reports the event stream's state.
func (s *Source) Health() Health {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.health
}

// Fetch lists all containers, and with them the images, volumes,
// networks and compose projects (one source for all: the pages of those
// kinds count their users from the container list, and one event stream
// already says when any of them changed). When the engine does not answer the error is
// an *UnreachableError carrying the stream's next retry time.
func (s *Source) Fetch(ctx context.Context) (resource.Set, error) {
	fctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	set, err := s.e.Objects(fctx)
	if err != nil {
		if ctx.Err() != nil {
			return resource.Set{}, ctx.Err()
		}
		var u *UnreachableError
		if errors.As(err, &u) {
			u.RetryAt = s.Health().RetryAt
		}
		return resource.Set{}, err
	}
	return set, nil
}

// Start follows the engine's container events in a goroutine until ctx
// ends, reconnecting with backoff when the stream breaks. Calls after the
// first do nothing.
func (s *Source) Start(ctx context.Context) {
	s.once.Do(func() {
		s.mu.Lock()
		s.health = Health{Started: true, Since: time.Now()}
		s.mu.Unlock()
		go s.run(ctx)
	})
}

func (s *Source) run(ctx context.Context) {
	failures := 0
	for {
		opened, err := s.follow(ctx)
		if ctx.Err() != nil {
			return
		}
		if !opened.IsZero() && time.Since(opened) >= stableAfter {
			failures = 0
		}
		failures++
		wait := watch.Backoff(retryBase, retryMax, failures, false)
		s.mu.Lock()
		was := s.health.Connected
		s.health.Connected = false
		if was {
			s.health.Since = time.Now()
		}
		s.health.Err = s.e.explain(err)
		s.health.RetryAt = time.Now().Add(wait)
		s.mu.Unlock()
		if was {
			s.poke() // let the watcher fetch and show the failure now
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// follow opens the event stream and pokes on every event until it breaks.
// opened is when the stream was open (zero if it never was).
func (s *Source) follow(ctx context.Context) (opened time.Time, err error) {
	// Ping first: it fails fast and clearly while the engine is away, and
	// it settles the API version before the long-lived request.
	pctx, cancel := context.WithTimeout(ctx, pingTimeout)
	err = s.e.Ping(pctx)
	cancel()
	if err != nil {
		return time.Time{}, err
	}
	sctx, stop := context.WithCancel(ctx)
	defer stop() // ends the client's reader goroutine
	res := s.e.cli.Events(sctx, client.EventsListOptions{
		// Images, volumes and networks too: a pull, rmi or volume rm by
		// the user's own docker CLI shows at once.
		Filters: make(client.Filters).Add("type", "container", "image", "volume", "network"),
	})
	// Events returns once the engine answered (or failed). Subscribing
	// happens before the engine answers, so a resync from here on misses
	// nothing.
	opened = time.Now()
	s.mu.Lock()
	s.health = Health{Started: true, Connected: true, Since: opened}
	s.mu.Unlock()
	s.poke()
	for {
		select {
		case <-res.Messages:
			s.poke()
		case err := <-res.Err:
			if err == nil {
				err = errors.New("event stream closed")
			}
			return opened, err
		}
	}
}

// poke sends a coalescing notification: with a buffer of one, a burst of
// events while the watcher is fetching becomes one more fetch, and the
// stream never blocks on a slow consumer.
func (s *Source) poke() {
	select {
	case s.notify <- struct{}{}:
	default:
	}
}
