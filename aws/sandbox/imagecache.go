package sandbox

// Which images the local engine has, as the engine worker last found out.
// A task's pull (tasks.go) and an instance's user data (sync.go) need to
// know whether the engine has an image, and asking the engine would make
// the call wait on it. So a call only reads imageCache, and the worker
// asks the engine outside the lock (checkWanted) about the images calls
// want:
//   - Open asks about every image the state may pull soon (prefetch), so
//     replaying the time deckhand was closed decides each pull when it
//     happened;
//   - a task being provisioned wants its images, ahead of its pull;
//   - an answer older than imageFresh is used, and asked again;
//   - a pull of an image never asked about waits: the task stays PENDING
//     and looks again pullRetry later (simulated), after the round.

import (
	"context"
	"errors"
	"sync"
	"time"
)

const (
	// imageFresh is how long an answer is used: a pull after that asks
	// again, so an image pushed (tagged) or removed since is seen.
	imageFresh = 5 * time.Second
	// pullRetry is how soon, in simulated time, a pull that is waiting for
	// the worker's answer looks again.
	pullRetry = time.Second
)

// errNoEngine is why an image cannot be local when the account has no
// engine.
var errNoEngine = errors.New("deckhand was started without one")

type imageCheck struct {
	local bool
	err   error     // the engine did not answer
	at    time.Time // when the engine was asked
}

// imageCache is the Account's: shared by its calls and its worker.
type imageCache struct {
	mu    sync.Mutex
	known map[string]imageCheck
	want  map[string]bool
}

// images is one call's view of the cache.
type images struct {
	r     runner // nil: the account has no engine
	cache *imageCache
}

// check is what the worker last found about ref; known is false when it
// has never asked the engine. ref is wanted unless the answer is fresh.
func (im *images) check(ref string) (imageCheck, bool) {
	if im == nil || im.r == nil {
		return imageCheck{err: errNoEngine}, true
	}
	c := im.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok := c.known[ref]
	if !ok || time.Since(k.at) >= imageFresh {
		if c.want == nil {
			c.want = map[string]bool{}
		}
		c.want[ref] = true
	}
	return k, ok
}

// prefetch wants ref unless the answer is fresh: a pull is coming.
func (im *images) prefetch(ref string) { im.check(ref) }

// wanted reports whether some call is waiting for an answer.
func (c *imageCache) wanted() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.want) > 0
}

// prefetch asks the engine, before the first advance, about the images
// the state may pull next: those of tasks not yet running and of the
// services' deployments, and those of instances' user data.
func (a *Account) prefetch(ctx context.Context) {
	if a.runner == nil {
		return
	}
	st, _, _, err := a.load()
	if err != nil {
		return // the first call says why
	}
	im := &images{r: a.runner, cache: &a.images}
	for _, r := range st.Regions {
		for _, c := range r.Clusters {
			for _, t := range c.Tasks {
				for _, ct := range t.Containers {
					im.prefetch(ct.Image)
				}
			}
			for _, s := range c.Services {
				for _, d := range s.Deployments {
					if td := r.taskDef(d.TaskDef); td != nil {
						for _, cd := range td.Containers {
							im.prefetch(cd.Image)
						}
					}
				}
			}
		}
		for _, in := range r.Instances {
			for _, dr := range in.userDataRuns() {
				im.prefetch(dr.Image)
			}
		}
	}
	a.images.checkWanted(ctx, a.runner)
}

// checkWanted asks the engine about every wanted image (the worker does,
// outside the account's lock) and records the answers.
func (c *imageCache) checkWanted(ctx context.Context, r runner) {
	c.mu.Lock()
	refs := make([]string, 0, len(c.want))
	for ref := range c.want {
		refs = append(refs, ref)
	}
	c.want = nil
	c.mu.Unlock()
	for _, ref := range refs {
		ok, err := r.ImageExists(ctx, ref)
		if ctx.Err() != nil {
			return // closed: the next Account asks again
		}
		c.mu.Lock()
		if c.known == nil {
			c.known = map[string]imageCheck{}
		}
		c.known[ref] = imageCheck{local: ok, err: err, at: time.Now()}
		c.mu.Unlock()
	}
}
