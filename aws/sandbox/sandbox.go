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
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"deckhand/aws"
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
}

var _ aws.Backend = (*Account)(nil)

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// Open opens the account in o.Path, creating and seeding it when the file
// does not exist or o.Reset is set.
func Open(o Options) (*Account, error) {
	a := &Account{path: o.Path, speed: o.Speed, readonly: o.Readonly, clock: o.Clock, region: o.Region}
	if a.path == "" {
		a.path = filepath.Join(xdg.DataDir(), "sandbox.json")
	}
	if a.speed == 0 {
		a.speed = 1
	}
	if a.speed < 0 {
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
	ctx := context.Background()
	unlock, err := lock(ctx, a.path)
	if err != nil {
		return nil, err
	}
	defer unlock()
	st, err := load(a.path)
	if o.Reset || errors.Is(err, errNoState) {
		st, err = a.seed(), nil
	}
	if err != nil {
		return nil, err
	}
	w := a.world(st)
	w.region(a.region) // a region is created on first use, as AWS has them all
	return a, save(a.path, st)
}

// Region is the region the account was opened on.
func (a *Account) Region() string { return a.region }

// Path is the state file.
func (a *Account) Path() string { return a.path }

// Readonly reports whether mutations are refused.
func (a *Account) Readonly() bool { return a.readonly }

func (a *Account) world(st *state) *world {
	w := &world{state: st, now: st.Now, speed: a.speed}
	w.advance(a.clock.Now().UTC().Truncate(time.Millisecond))
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
		return aws.ErrReadonly
	}
	return a.run(ctx, true, fn)
}

func (a *Account) run(ctx context.Context, mutate bool, fn func(w *world, r *region) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	unlock, err := lock(ctx, a.path)
	if err != nil {
		return err
	}
	defer unlock()
	st, err := load(a.path)
	if errors.Is(err, errNoState) {
		// Deleted under us (e.g. by hand): start afresh rather than fail
		// every call until restart.
		st, err = a.seed(), nil
	}
	if err != nil {
		return err
	}
	w := a.world(st)
	r := w.region(a.region)
	err = fn(w, r)
	if (mutate && err == nil) || w.dirty {
		w.Now = w.now
		if serr := save(a.path, st); serr != nil && err == nil {
			err = serr
		}
	}
	return err
}

// Identity is the sandbox user.
func (a *Account) Identity(ctx context.Context) (aws.Identity, error) {
	if err := ctx.Err(); err != nil {
		return aws.Identity{}, err
	}
	return aws.Identity{
		Account: AccountID,
		ARN:     "arn:aws:iam::" + AccountID + ":user/sandbox",
		UserID:  "AIDASANDBOXUSER000000",
	}, nil
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// Errors as AWS gives them.

func ec2Error(op, code, format string, args ...any) error {
	return &aws.Error{Service: "ec2", Operation: op, Code: code, Message: fmt.Sprintf(format, args...)}
}

func ecsError(op, code, format string, args ...any) error {
	return &aws.Error{Service: "ecs", Operation: op, Code: code, Message: fmt.Sprintf(format, args...)}
}
