// Package sandbox is deckhand's built-in simulated AWS account: the default
// when no AWS credentials are found, for newcomers and learners. It
// implements the same capability interfaces as the SDK adapter (aws.Backend)
// and behaves like AWS: EC2 instances and ECS tasks move through their
// documented states with realistic delays, services keep their desired count,
// roll deployments and trip the circuit breaker, and bad input fails with
// AWS's error codes.
//
// The account is a discrete-event simulation kept in a JSON file under the
// XDG data directory. Each call locks the file, advances the world to the
// clock's now by processing every due event in time order, applies the call
// and saves. Time therefore passes while deckhand is closed, and separate
// deckhand processes share one account.
package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"deckhand/dockerops"
	"deckhand/internal/budget"
	"deckhand/internal/cloud"
	"deckhand/internal/xdg"
)

// AccountID is the sandbox account's ID: obviously not a real one.
const AccountID = "000000000000"

// Clock tells the time. Tests pass one they drive; nil means real time.
type Clock interface{ Now() time.Time }

// Options open a sandbox account.
type Options struct {
	Path     string  // state file; "" = filepath.Join(xdg.DataDir(), "sandbox.json")
	Speed    float64 // time factor: 1 = realistic (default when 0), 10 = ten times faster
	Reset    bool    // start the account afresh (re-seed)
	Readonly bool
	Clock    Clock  // nil = real time
	Region   string // "" = "us-east-1"
	// Docker is the local Docker engine on which tasks whose image it has
	// run for real (runner.go); nil = none, every task is simulated.
	Docker *dockerops.Engine
	// ProxyBinary is the deckhand executable that the load balancers'
	// proxy image is made of (elb_proxy.go); "" = none, and no proxies.
	// deckhand passes its own executable (a test binary is not deckhand).
	// It must be statically linked: else the sandbox runs no proxies.
	ProxyBinary string
	// Throttle turns on the sandbox's own request throttling (throttle.go):
	// AWS's documented token buckets per account and region, which answer
	// ThrottlingException or RequestLimitExceeded when a caller exceeds
	// them. deckhand turns it on; tests that drive the account hard leave
	// it off.
	Throttle bool
	// APIRate, when > 0, lowers every bucket to this many calls per second
	// (its burst scaled alike) so that deckhand's budget is exercised in
	// tests and demos (--sandbox-api-rate); 0 = AWS's rates.
	APIRate float64
	// Budget is deckhand's client-side API budget: every call waits for it
	// and reports a throttling answer to it, as the SDK adapter's calls do
	// (aws/budget.go); nil = none.
	Budget *budget.Budget
	// StandInImages are the images a stand-in container for an instance
	// may run (standin.go), in order; nil = the AMI family's, then the
	// local base image, busybox and alpine.
	StandInImages []string
}

// Account is a sandbox account, opened on one region. It is safe for
// concurrent use, and several Accounts (in one process or many) may share a
// state file.
type Account struct {
	path     string
	speed    float64
	readonly bool
	clock    Clock
	region   string
	runner   runner // nil: no Docker engine

	// mu serialises this Account's calls (the file lock serialises
	// Accounts) and guards the cache: the state as last read or written,
	// reused while the file holds exactly those bytes, which saves decoding
	// it on every call (most calls find the file unchanged).
	mu    sync.Mutex
	raw   []byte
	cache *state
	// synced is set once a sync has listed the engine's containers of
	// this account (and removed leftovers).
	synced bool
	// backup is where Open kept the old state file on a reset ("" = none).
	backup string
	// proxy is what it knows of the load balancers' proxies (elb_proxy.go).
	proxy proxyState
	// images is what the engine worker found out about images
	// (imagecache.go).
	images imageCache
	// eng is the engine worker (worker.go).
	eng engineWork
	// metrics are the services' samples (metrics.go).
	metrics metricsState
	// throttling: the buckets' limits, and deckhand's client budget
	// (throttle.go).
	api apiLimits
	// standInImagesOpt is Options.StandInImages.
	standInImagesOpt []string
}

var _ cloud.Account = (*Account)(nil)

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// Open opens the account in o.Path, creating and seeding it when the file
// does not exist or o.Reset is set.
func Open(o Options) (*Account, error) {
	a := &Account{path: o.Path, speed: o.Speed, readonly: o.Readonly, clock: o.Clock, region: o.Region}
	a.proxy.binary = o.ProxyBinary
	a.standInImagesOpt = o.StandInImages
	a.api = apiLimits{on: o.Throttle, rate: o.APIRate, budget: o.Budget}
	if err := a.api.check(); err != nil {
		return nil, err
	}
	if a.path == "" {
		a.path = filepath.Join(xdg.DataDir(), "sandbox.json")
	}
	if abs, err := filepath.Abs(a.path); err == nil {
		a.path = abs // it names the account's containers (runner.go)
	}
	if o.Docker != nil {
		a.runner = newEngineRunner(o.Docker)
	}
	a.eng.ctx, a.eng.stop = context.WithCancel(context.Background())
	if a.speed == 0 {
		a.speed = 1
	}
	if !(a.speed > 0) || math.IsInf(a.speed, 0) {
		return nil, fmt.Errorf("sandbox speed must be positive, not %v", o.Speed)
	}
	if a.clock == nil {
		a.clock = realClock{}
	}
	if a.region == "" {
		a.region = "us-east-1"
	}
	if err := os.MkdirAll(filepath.Dir(a.path), 0o700); err != nil {
		return nil, fmt.Errorf("sandbox state directory: %w", err)
	}
	if o.Reset {
		// Whatever the file holds, even one this deckhand cannot read.
		unlock, err := lock(context.Background(), a.path)
		if err != nil {
			return nil, err
		}
		a.backup, err = backup(a.path, time.Now())
		if err == nil {
			_, err = save(a.path, a.seed())
		}
		unlock()
		if err != nil {
			return nil, err
		}
	}
	// Asked now, so that the replay of the time deckhand was closed below
	// decides each pull when it happened (imagecache.go).
	a.prefetch(a.eng.ctx)
	// The first call creates (seeds) the account, or checks the file, and
	// creates the region on first use, as AWS has them all.
	if err := a.view(context.Background(), func(*world, *region) error { return nil }); err != nil {
		return nil, err
	}
	return a, nil
}

// Backup is where a reset kept the state file it replaced: "" when Open
// did not reset, or there was no file.
func (a *Account) Backup() string { return a.backup }

// Region is the region the account was opened on.
func (a *Account) Region() string { return a.region }

// Path is the state file.
func (a *Account) Path() string { return a.path }

// Readonly reports whether mutations are refused.
func (a *Account) Readonly() bool { return a.readonly }

// world advances the state to now and takes in what the engine worker
// reported (worker.go); it never waits on the engine.
func (a *Account) world(ctx context.Context, st *state) *world {
	w := &world{state: st, now: st.Now, speed: a.speed, images: &images{r: a.runner, cache: &a.images}}
	w.advance(a.clock.Now().UTC().Truncate(time.Millisecond))
	a.engineEvents(w)
	return w
}

// view runs a read: lock, load, advance, read, and save only when the world
// moved (an event happened).
func (a *Account) view(ctx context.Context, fn func(w *world, r *region) error) error {
	return a.run(ctx, false, fn)
}

// update runs a mutation. fn must check everything before it changes
// anything, so that a refused call changes nothing, as in AWS.
func (a *Account) update(ctx context.Context, fn func(w *world, r *region) error) error {
	if a.readonly {
		return cloud.ErrReadonly
	}
	return a.run(ctx, true, fn)
}

func (a *Account) run(ctx context.Context, mutate bool, fn func(w *world, r *region) error) error {
	return a.runCall(ctx, mutate, nil, fn)
}

// runCall is run for an API call c (nil = none): under the lock, c spends
// a token of its bucket or is refused as AWS refuses it (throttle.go).
func (a *Account) runCall(ctx context.Context, mutate bool, c *apiCall, fn func(w *world, r *region) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	unlock, err := lock(ctx, a.path)
	if err != nil {
		return err
	}
	defer unlock()
	if c != nil {
		if err := a.throttle(*c); err != nil {
			return err
		}
	}
	st, raw, fresh, err := a.load()
	if err != nil {
		return err
	}
	w := a.world(ctx, st)
	w.dirty = w.dirty || fresh
	r := w.region(a.region)
	err = fn(w, r)
	if mutate {
		// A request may create, reschedule and delete anything: the queue
		// is rebuilt from the state when next needed (queue.go).
		st.q = nil
	}
	a.raw, a.cache = nil, nil // until the file and st agree again
	switch {
	case (mutate && err == nil) || w.dirty:
		w.Now = w.now
		b, serr := save(a.path, st)
		if serr != nil {
			return errors.Join(err, serr)
		}
		a.raw, a.cache = b, st
	case err == nil:
		a.raw, a.cache = raw, st
	}
	return err
}

// load returns the state in the file: the cached one when the file holds
// the bytes it was read from or written as, else decoded afresh. A missing
// file is a new account, seeded.
func (a *Account) load() (st *state, raw []byte, fresh bool, err error) {
	raw, err = read(a.path)
	switch {
	case errors.Is(err, errNoState):
		return a.seed(), nil, true, nil
	case err != nil:
		return nil, nil, false, err
	case a.cache != nil && bytes.Equal(raw, a.raw):
		return a.cache, raw, false, nil
	}
	st, err = decode(a.path, raw)
	return st, raw, false, err
}

// Identity is the sandbox user.
func (a *Account) Identity(ctx context.Context) (cloud.Identity, error) {
	if err := ctx.Err(); err != nil {
		return cloud.Identity{}, err
	}
	return cloud.Identity{
		Account: AccountID,
		ARN:     "arn:aws:iam::" + AccountID + ":user/sandbox",
		UserID:  "AIDASANDBOXUSER000000",
	}, nil
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// Errors as AWS gives them.

func ec2Error(op, code, format string, args ...any) error {
	return &cloud.Error{Service: "ec2", Operation: op, Code: code, Message: fmt.Sprintf(format, args...)}
}

func ecsError(op, code, format string, args ...any) error {
	return &cloud.Error{Service: "ecs", Operation: op, Code: code, Message: fmt.Sprintf(format, args...)}
}
