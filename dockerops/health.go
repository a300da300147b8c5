package dockerops

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"deckhand/internal/explain"
)

// WaitOptions says what "ready" means for WaitReady.
type WaitOptions struct {
	ContainerID string
	// URL is fetched with GET until it answers 2xx, e.g.
	// "http://127.0.0.1:49153/".
	URL string
	// Timeout bounds the whole wait; 0 means two minutes.
	Timeout time.Duration
	// Interval between probes; 0 means 250ms.
	Interval time.Duration
	// LogLines is how many of the container's log lines an error carries
	// (the tail, plus the first exception when it scrolled out of it);
	// 0 means 20.
	LogLines int
}

// NotReadyError says why a container did not become ready: it exited, its
// HEALTHCHECK reported unhealthy, or the wait timed out. Logs are the
// container's key log lines, which usually hold the real reason (a Python
// traceback, "address already in use", …).
type NotReadyError struct {
	Container string // name or short ID
	// Reason is one sentence: "exited with code 3", "is unhealthy: …",
	// "did not answer within 2m0s (last: connection refused)".
	Reason string
	Logs   []string
}

func (e *NotReadyError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "container %s %s", e.Container, e.Reason)
	if len(e.Logs) > 0 {
		b.WriteString("; its log:")
		for _, l := range e.Logs {
			b.WriteString("\n    " + l)
		}
	}
	return b.String()
}

// WaitReady waits until the container answers 2xx on URL and, if it has a
// HEALTHCHECK, the engine reports it healthy. It returns early with a
// *NotReadyError when the container exits or turns unhealthy, instead of
// waiting out the timeout for something that cannot succeed. progress, if
// not nil, gets a line each time the observed state changes (not on every
// probe), so a log stays short.
func (e *Engine) WaitReady(ctx context.Context, opts WaitOptions, progress func(line string)) error {
	if progress == nil {
		progress = func(string) {}
	}
	timeout := cmpOr(opts.Timeout, 2*time.Minute)
	interval := cmpOr(opts.Interval, 250*time.Millisecond)
	nlogs := opts.LogLines
	if nlogs <= 0 {
		nlogs = 20
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	hc := &http.Client{Timeout: 2 * time.Second}
	who := short(opts.ContainerID)
	fail := func(reason string) error {
		// The wait's context may be spent; the logs are worth a fresh one.
		lctx, lcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer lcancel()
		// Read well past the budget: the cause is often above the tail.
		logs, _ := e.Logs(lctx, opts.ContainerID, 10*nlogs)
		return &NotReadyError{Container: who, Reason: reason, Logs: explain.KeyLogLines(logs, nlogs)}
	}
	var last, seen string // last progress line; last probe status
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		info, err := e.InspectContainer(ctx, opts.ContainerID)
		if err != nil && ctx.Err() == nil {
			return err // gone (removed meanwhile) or the engine went away
		}
		if info.Name != "" {
			who = info.Name
		}
		switch info.State {
		case "exited", "dead":
			return fail(fmt.Sprintf("exited with code %d before it answered", info.ExitCode))
		}
		if info.Health == "unhealthy" {
			return fail("is unhealthy: its HEALTHCHECK failed: " + oneLine(info.HealthLog))
		}
		status, probeErr := probe(ctx, hc, opts.URL)
		if ctx.Err() != nil && probeErr != nil && seen != "" {
			status = seen // cut short by the deadline: the previous answer says more
		}
		seen = status
		now := "GET " + opts.URL + " → " + status
		if info.Health != "" {
			now += "; health: " + info.Health
		}
		if now != last {
			progress(now)
			last = now
		}
		if probeErr == nil && (info.Health == "" || info.Health == "healthy") {
			return nil
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				if probeErr == nil {
					return fail(fmt.Sprintf("answered HTTP but its HEALTHCHECK did not report healthy within %v (health: %s)", timeout, info.Health))
				}
				return fail(fmt.Sprintf("did not answer within %v (last: %s)", timeout, status))
			}
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// probe GETs url and returns a short status ("200 OK", "connection
// refused") and nil when the answer was 2xx.
func probe(ctx context.Context, hc *http.Client, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err.Error(), err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return shortNetErr(err), err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return resp.Status, fmt.Errorf("HTTP %s", resp.Status)
	}
	return resp.Status, nil
}

// shortNetErr keeps the end of a dial error ("connection refused"), which
// is the informative part; the full chain repeats the URL.
func shortNetErr(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		s = s[i+2:]
	}
	return s
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "(no output)"
	}
	return s
}

func cmpOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
