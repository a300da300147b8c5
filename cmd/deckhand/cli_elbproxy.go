package main

// deckhand elb-proxy is internal plumbing, not a user command: it is the
// ENTRYPOINT of the sandbox's load balancer image (internal/elbproxy), so
// it is hidden from help and completion.

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"deckhand/internal/elbproxy"
)

func newElbProxyCommand() *cobra.Command {
	var (
		listen  string
		targets []string
	)
	cmd := &cobra.Command{
		Use:               "elb-proxy --listen ADDR [--target HOST:PORT]...",
		Short:             "Internal: the sandbox's load balancer stand-in",
		Long:              "Internal: the sandbox's Application Load Balancer stand-in, run inside its\ncontainer. Proxies HTTP on ADDR to the targets in turn until SIGTERM.",
		Hidden:            true,
		PersistentPreRunE: noGlobals,
		RunE: withSignals(func(ctx context.Context, cmd *cobra.Command, pos []string) error {
			switch {
			case len(pos) > 0:
				return usagef("unexpected argument %q: targets go after --target", pos[0])
			case listen == "":
				return usagef("--listen is required, e.g. --listen :80")
			}
			if err := elbproxy.CheckTargets(targets); err != nil {
				return usagef("--%v", err)
			}
			// Serve returns nil once SIGTERM (docker stop) has cancelled ctx
			// and requests in flight are done.
			if err := elbproxy.Serve(ctx, listen, targets, cmd.ErrOrStderr()); err != nil {
				// "deckhand elb-proxy: elb-proxy: …" would say it twice.
				return fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "elb-proxy: "))
			}
			return nil
		}),
	}
	fs := cmd.Flags()
	fs.StringVar(&listen, "listen", "", "`ADDR` to serve HTTP on, e.g. :80")
	fs.StringArrayVar(&targets, "target", nil, "`HOST:PORT` to forward to; repeat for more (none: every request gets 503)")
	return cmd
}
