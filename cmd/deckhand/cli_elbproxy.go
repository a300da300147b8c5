package main

// deckhand elb-proxy is internal plumbing, not a user command: it is the
// ENTRYPOINT of the sandbox's load balancer image (internal/elbproxy), so
// it is left out of every usage text.

import (
	"context"
	"fmt"
	"io"
	"strings"

	"deckhand/internal/elbproxy"
)

const elbProxyUsage = `elb-proxy --listen ADDR [--target HOST:PORT]...

Internal: the sandbox's Application Load Balancer stand-in, run inside its
container. Proxies HTTP on ADDR to the targets in turn until SIGTERM.`

// targetList collects repeated --target flags.
type targetList []string

func (l *targetList) String() string { return strings.Join(*l, ",") }

func (l *targetList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

func cmdElbProxy(ctx context.Context, args []string, _, stderr io.Writer) int {
	var (
		listen  string
		targets targetList
	)
	fs := newFlagSet("elb-proxy", elbProxyUsage, stderr)
	fs.StringVar(&listen, "listen", "", "`address` to serve HTTP on, e.g. :80")
	fs.Var(&targets, "target", "`HOST:PORT` to forward to; repeat for more (none: every request gets 503)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return fail(stderr, "elb-proxy", err)
	}
	switch {
	case len(pos) > 0:
		return fail(stderr, "elb-proxy", usagef("unexpected argument %q: targets go after --target", pos[0]))
	case listen == "":
		return fail(stderr, "elb-proxy", usagef("--listen is required, e.g. --listen :80"))
	}
	if err := elbproxy.CheckTargets(targets); err != nil {
		return fail(stderr, "elb-proxy", usagef("--%v", err))
	}
	// Serve returns nil once SIGTERM (docker stop) has cancelled ctx and
	// requests in flight are done.
	if err := elbproxy.Serve(ctx, listen, targets, stderr); err != nil {
		// "deckhand elb-proxy: elb-proxy: …" would say it twice.
		return fail(stderr, "elb-proxy", fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "elb-proxy: ")))
	}
	return exitOK
}
