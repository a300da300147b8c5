package sandbox

// Load balancers answering HTTP on the local Docker engine. Nothing
// resolves a sandbox load balancer's DNS name, so when the account has an
// engine, each listener of an active load balancer gets a proxy container
// there (internal/elbproxy: deckhand itself in a FROM-scratch image, run
// as `deckhand elb-proxy`), listening on the listener's port, published
// on 127.0.0.1 at a port the engine picks: aws.LoadBalancer.LocalURL, the
// stand-in for http://DNSName/.
//
// A proxy forwards, in turn, to the healthy targets of the target group
// its listener forwards to, at their containers' bridge addresses and
// container ports (container.IP, elbTarget.Port): containers reach each
// other there, not at published ports. A simulated target has no address,
// so a listener with no healthy target that runs for real answers 503, as
// an ALB with no healthy targets does; it still runs, so the URL exists
// and says so.
//
// As for tasks (runner.go), this is reconciliation by sync after each
// advance (syncProxies). A proxy's targets are fixed for its life: its
// container carries a hash of its port and targets (labelProxyHash), and
// when the state asks for another hash sync removes it and starts the
// next (jobProxy), asking for the same host port, so LocalURL survives a
// deployment. Proxies of deleted load balancers (or of another account's
// past, after a reset) are removed. A read-only account starts and
// removes none.
//
// The image is built from a statically linked deckhand executable
// (Options.ProxyBinary), at most once per Account, by the first sync that
// needs a proxy, never inside the simulation step. Without one the account
// runs no proxies: ProxyError says why, once and for all, and LocalURL
// stays "".

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"deckhand/dockerops"
	"deckhand/internal/elbproxy"
)

const (
	labelLoadBalancer = "deckhand.sandbox.loadbalancer"
	labelListener     = "deckhand.sandbox.listener"
	labelProxyHash    = "deckhand.sandbox.proxy-hash"

	// proxyBuildTimeout bounds the image build: it copies deckhand (tens
	// of MB) into the engine, which takes seconds, once.
	proxyBuildTimeout = 60 * time.Second
)

// lbProxy is a listener's proxy container as the state records it.
// HostPort outlives the container (DockerID ""), so that the next one asks
// for the same port.
type lbProxy struct {
	DockerID string `json:"dockerId,omitempty"`
	HostPort int32  `json:"hostPort,omitempty"`
}

// proxyState is what an Account knows of its proxies beyond the state
// file. mu guards ref and err for ProxyError; syncs are serialised by
// Account.mu already.
type proxyState struct {
	binary string // Options.ProxyBinary

	mu  sync.Mutex
	ref string // the image, once built or found
	err error  // why there is none, for good
	// seen is set while the last sync found proxy containers: the next
	// sync must list them again, since one whose load balancer was
	// deleted is known only to the engine.
	seen bool
	// wanted is set by a plan that needed the image before it was known:
	// the worker builds it (proxyRef) and plans again.
	wanted bool
}

// ProxyError says why this Account runs no load balancer proxies (see
// Options.ProxyBinary); nil while it can, or has not needed one yet.
func (a *Account) ProxyError() error {
	a.proxy.mu.Lock()
	defer a.proxy.mu.Unlock()
	return a.proxy.err
}

// localURL is where the proxy of the load balancer's port-80 listener, or
// else of its first listener with one, answers; "" when none runs.
func (lb *loadBalancer) localURL() string {
	url := ""
	for _, l := range lb.Listeners {
		if p := l.Proxy; p != nil && p.DockerID != "" && p.HostPort != 0 {
			u := fmt.Sprintf("http://127.0.0.1:%d/", p.HostPort)
			if l.Port == 80 {
				return u
			}
			if url == "" {
				url = u
			}
		}
	}
	return url
}

// proxiesNeeded reports whether sync has proxies to start, observe or
// remove.
func (a *Account) proxiesNeeded(w *world) bool {
	if a.proxy.seen {
		return true
	}
	startable := !a.readonly && a.ProxyError() == nil
	for _, r := range w.Regions {
		for _, lb := range r.LoadBalancers {
			for _, l := range lb.Listeners {
				if l.Proxy != nil && l.Proxy.DockerID != "" || lb.State == "active" && startable {
					return true
				}
			}
		}
	}
	return false
}

// syncProxies decides the engine jobs that make the proxies found (the
// account's containers with labelListener) match the state.
func (a *Account) syncProxies(w *world, found []engineContainer) []*engineJob {
	mutate := !a.readonly
	byListener := map[string][]engineContainer{}
	for _, ec := range found {
		byListener[ec.Listener] = append(byListener[ec.Listener], ec)
	}
	a.proxy.seen = len(found) > 0
	var jobs []*engineJob
	for _, rn := range sortedKeys(w.Regions) {
		r := w.Regions[rn]
		for _, lb := range r.LoadBalancers {
			if lb.State != "active" {
				continue
			}
			for _, l := range lb.Listeners {
				ecs := byListener[l.ARN]
				delete(byListener, l.ARN)
				targets := r.proxyTargets(l)
				hash := proxyHash(l.Port, targets)
				// The container of record, else a current one (adopted:
				// its starter died before saving).
				var cur *engineContainer
				for i, ec := range ecs {
					if l.Proxy != nil && ec.ID == l.Proxy.DockerID || cur == nil && ec.running() && ec.ProxyHash == hash {
						cur = &ecs[i]
					}
				}
				if cur != nil && cur.running() && cur.ProxyHash == hash {
					for _, ec := range ecs {
						if ec.ID != cur.ID && mutate {
							jobs = append(jobs, &engineJob{kind: jobRemove, l: l, id: ec.ID})
						}
					}
					if l.Proxy == nil || l.Proxy.DockerID != cur.ID || l.Proxy.HostPort == 0 {
						jobs = append(jobs, &engineJob{kind: jobObserve, l: l, id: cur.ID})
					}
					continue
				}
				if cur == nil && l.Proxy != nil && l.Proxy.DockerID != "" {
					l.Proxy.DockerID, w.dirty = "", true // gone from the engine
				}
				if !mutate {
					continue
				}
				// Without an image a stale proxy stays: it still answers,
				// and a deckhand that has the image replaces it. The
				// worker builds it outside the lock, then plans again.
				ref, err, known := a.proxyCached()
				if !known {
					a.proxy.wanted = true
				}
				if ref == "" || err != nil {
					continue
				}
				j := &engineJob{kind: jobProxy, l: l, spec: a.proxySpec(lb, l, ref, targets, hash)}
				for _, ec := range ecs {
					j.old = append(j.old, ec.ID)
				}
				jobs = append(jobs, j)
			}
		}
	}
	if mutate {
		// Proxies of load balancers that are gone.
		for _, ecs := range byListener {
			for _, ec := range ecs {
				jobs = append(jobs, &engineJob{kind: jobRemove, id: ec.ID})
			}
		}
	}
	return jobs
}

// proxyTargets are the addresses a listener's proxy forwards to: the
// healthy targets of its target group whose container runs for real,
// sorted.
func (r *region) proxyTargets(l *listener) []string {
	var out []string
	for _, c := range r.Clusters {
		for _, t := range c.Tasks {
			x := t.Target
			if x == nil || x.TargetGroup != l.TargetGroup || x.State != "healthy" {
				continue
			}
			if ct := t.container(x.Container); ct != nil && ct.Local && ct.DockerID != "" && ct.IP != "" && ct.LastStatus != "STOPPED" {
				out = append(out, net.JoinHostPort(ct.IP, strconv.Itoa(int(x.Port))))
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// proxyHash is the value of labelProxyHash: what a proxy is fixed to.
func proxyHash(port int32, targets []string) string {
	h := sha256.Sum256([]byte(strconv.Itoa(int(port)) + " " + strings.Join(targets, " ")))
	return hex.EncodeToString(h[:8])
}

// proxySpec is how a listener's proxy runs on the engine.
func (a *Account) proxySpec(lb *loadBalancer, l *listener, image string, targets []string, hash string) runSpec {
	h := sha256.Sum256([]byte(a.path + " " + l.ARN))
	port := strconv.Itoa(int(l.Port))
	spec := runSpec{
		Image: image, Name: "sandbox-elb-" + lb.Name + "-" + port + "-" + hex.EncodeToString(h[:3]),
		Ports: []int32{l.Port}, Cmd: elbproxy.Args(":"+port, targets),
		Labels: map[string]string{labelAccount: a.accountLabel(), labelLoadBalancer: lb.ARN, labelListener: l.ARN, labelProxyHash: hash},
	}
	if l.Proxy != nil && l.Proxy.HostPort != 0 {
		spec.HostPorts = map[int32]int32{l.Port: l.Proxy.HostPort}
	}
	return spec
}

// runProxy removes the proxies a new one replaces, then starts it: in
// one job, so that the old one's name and host port are free.
func (a *Account) runProxy(ctx context.Context, j *engineJob) {
	for _, id := range j.old {
		if j.err = a.runner.Remove(ctx, id); j.err != nil {
			return
		}
	}
	j.id, j.err = a.runner.Run(ctx, j.spec)
	if j.err != nil && j.spec.HostPorts != nil {
		// The old host port was taken meanwhile: a new URL beats none.
		j.spec.HostPorts = nil
		j.id, j.err = a.runner.Run(ctx, j.spec)
	}
	if j.err != nil {
		if dockerops.IsNotFound(j.err) { // the image was removed: build it again
			a.proxy.mu.Lock()
			if a.proxy.ref == j.spec.Image {
				a.proxy.ref = ""
			}
			a.proxy.mu.Unlock()
		}
		return
	}
	// Without its port the next sync looks again (jobObserve).
	j.found, _ = a.runner.Inspect(ctx, j.id)
}

// applyProxy records what an engine call on a listener's proxy found.
func (w *world) applyProxy(j *engineJob) {
	l := j.l
	switch j.kind {
	case jobRemove:
		if j.err == nil && l.Proxy != nil && l.Proxy.DockerID == j.id {
			l.Proxy.DockerID, w.dirty = "", true
		}
	case jobObserve:
		if j.err == nil && j.found.running() {
			l.Proxy, w.dirty = &lbProxy{DockerID: j.id, HostPort: int32(j.found.Ports[int(l.Port)])}, true
		}
	case jobProxy:
		if j.id == "" { // not started: the next sync tries again, for the same port
			if l.Proxy != nil && l.Proxy.DockerID != "" {
				l.Proxy.DockerID, w.dirty = "", true
			}
			return
		}
		l.Proxy, w.dirty = &lbProxy{DockerID: j.id, HostPort: int32(j.found.Ports[int(l.Port)])}, true
	}
}

// proxyCached is the proxy image or why there is none, once known.
func (a *Account) proxyCached() (ref string, err error, known bool) {
	a.proxy.mu.Lock()
	defer a.proxy.mu.Unlock()
	return a.proxy.ref, a.proxy.err, a.proxy.ref != "" || a.proxy.err != nil
}

// proxyRef is the proxy image, built at the first call that needs it. An
// engine that does not answer is asked again once it does (the runner's
// backoff); any other failure is for good.
func (a *Account) proxyRef(ctx context.Context) (string, error) {
	p := &a.proxy
	p.mu.Lock()
	ref, err := p.ref, p.err
	p.mu.Unlock()
	if ref != "" || err != nil {
		return ref, err
	}
	bin, err := p.executable()
	if err == nil {
		ref, err = a.runner.ProxyImage(ctx, bin)
		var down *dockerops.UnreachableError
		if errors.As(err, &down) && !errors.Is(err, context.DeadlineExceeded) {
			return "", err
		}
	}
	p.mu.Lock()
	p.ref, p.err = ref, err
	p.mu.Unlock()
	return ref, err
}

// executable is the deckhand binary the image is made of, once it is
// known to be statically linked: one linked against libc cannot start in
// a FROM-scratch image.
func (p *proxyState) executable() (string, error) {
	bin := p.binary
	if bin == "" {
		return "", errors.New("no load balancer proxies: no deckhand executable was given (Options.ProxyBinary)")
	}
	static, err := elbproxy.Static(bin)
	switch {
	case err != nil:
		return "", fmt.Errorf("no load balancer proxies: they need a statically linked deckhand: %w", err)
	case !static:
		return "", fmt.Errorf("no load balancer proxies: they need a statically linked deckhand (scripts/run builds one), and %s is dynamically linked", bin)
	}
	return bin, nil
}

func (r *engineRunner) ProxyImage(ctx context.Context, binary string) (string, error) {
	var ref string
	err := r.call(ctx, proxyBuildTimeout, true, func(ctx context.Context) error {
		var err error
		ref, err = elbproxy.EnsureImage(ctx, r.e, binary)
		return err
	})
	return ref, err
}
