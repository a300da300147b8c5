package watch

import (
	"context"
	"sync"
)

// genContext is the context of one generation's fetches, cancelled by
// Reset: a fetch of a scope the user has left stops at once instead of
// finishing to be dropped. Opening one ECS cluster after another, the
// first cluster's read (hundreds of calls, paced by the API budget at
// 5 a second) held the next one's for seconds, its calls queued ahead
// of the new ones in the budget. A source's background work started
// with the fetch's context (the ECS sweep) ends with its generation too.
type genContext struct {
	mu   sync.Mutex
	gen  uint64
	ctx  context.Context
	stop context.CancelFunc
}

// of is the context of generation gen under parent, made on its first use.
func (g *genContext) of(parent context.Context, gen uint64) context.Context {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ctx == nil || g.gen != gen {
		if g.stop != nil {
			g.stop()
		}
		g.ctx, g.stop = context.WithCancel(parent)
		g.gen = gen
	}
	return g.ctx
}

// cancel ends the current generation's context.
func (g *genContext) cancel() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.stop != nil {
		g.stop()
	}
}
