package testbed

import "time"

// traceFunc is told of each call the proxy forwarded: its operation, when
// it arrived and how long the endpoint took to answer it.
type traceFunc func(op string, at time.Time, took time.Duration)

// SetTrace calls f after each forwarded call (nil stops it), from the
// call's goroutine: where a first screen's time goes is a chain of calls,
// and their start and end times show which waited on which.
func (p *Proxy) SetTrace(f func(op string, at time.Time, took time.Duration)) {
	if f == nil {
		p.trace.Store(nil)
		return
	}
	tf := traceFunc(f)
	p.trace.Store(&tf)
}

func (p *Proxy) traced(op string, at time.Time) {
	if f := p.trace.Load(); f != nil {
		(*f)(op, at, time.Since(at))
	}
}

// Count is how many calls of op ("ECS.DescribeServices") arrived since the
// last Reset.
func (p *Proxy) Count(op string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ops[op]
}
