package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"
)

// The load balancer's health checks of containers that run for real
// (elb_targets.go has the model). They are part of sync: after the world
// has advanced, sync probes each such target whose last probe is an
// interval old (probes), with the engine calls, and records what it found
// (applyProbe), so the simulation step never does I/O. A probe is GET
// HealthPath on the container's port as published on the engine's host,
// without following redirects, 200–399 passing: the target group's
// matcher.

// probeTimeout is a probe's limit in real time. ELB waits 5 s by default;
// a sandbox call waits for its probes, so it waits less.
const probeTimeout = 2 * time.Second

// probeClient never follows a redirect (ELB's health checks do not) and
// never goes through a proxy.
var probeClient = &http.Client{
	Transport:     &http.Transport{DisableKeepAlives: true},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func (r *engineRunner) Probe(ctx context.Context, url string) (int, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), probeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("User-Agent", "ELB-HealthChecker/2.0")
	resp, err := probeClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// probes are the health checks due now: of each registered target of an
// ACTIVATING or RUNNING task whose container runs for real, at most one an
// interval. A container that is not running fails without a probe; one
// not started, or whose port is not yet known, is not checked yet.
func (w *world) probes() []*engineJob {
	var jobs []*engineJob
	for _, rn := range sortedKeys(w.Regions) {
		r := w.Regions[rn]
		for _, c := range r.Clusters {
			for _, t := range c.Tasks {
				x := t.Target
				if x == nil || x.State == "draining" || (t.LastStatus != "ACTIVATING" && t.LastStatus != "RUNNING") {
					continue
				}
				ct := t.container(x.Container)
				if ct == nil || !ct.Local || (!x.Probed.IsZero() && w.now.Sub(x.Probed) < w.scaled(healthInterval)) {
					continue
				}
				if ct.LastStatus == "STOPPED" {
					w.observeTarget(r, t, "Target.FailedHealthChecks", "Health checks failed")
					continue
				}
				g := r.targetGroup(x.TargetGroup)
				for _, b := range ct.Bindings {
					if b.ContainerPort == x.Port && ct.DockerID != "" && g != nil {
						url := "http://" + net.JoinHostPort(b.HostIP, strconv.Itoa(int(b.HostPort))) + g.HealthPath
						jobs = append(jobs, &engineJob{kind: jobProbe, r: r, c: c, t: t, url: url})
					}
				}
			}
		}
	}
	return jobs
}

// applyProbe records a probe's outcome with the reason ELB gives.
func (w *world) applyProbe(j *engineJob) {
	var reason, desc string
	var timeout interface{ Timeout() bool }
	switch {
	case errors.Is(j.err, context.DeadlineExceeded) || errors.As(j.err, &timeout) && timeout.Timeout():
		reason, desc = "Target.Timeout", "Request timed out"
	case j.err != nil:
		reason, desc = "Target.FailedHealthChecks", "Health checks failed"
	case j.code < 200 || j.code > 399:
		reason, desc = "Target.ResponseCodeMismatch", fmt.Sprintf("Health checks failed with these codes: [%d]", j.code)
	}
	w.observeTarget(j.r, j.t, reason, desc)
}
