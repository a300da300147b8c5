package sandbox

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"deckhand/dockerops"
	"deckhand/internal/elbproxy"
	"deckhand/internal/testbed"
)

// Tests of the load balancers' proxies on the local engine (elb_proxy.go).

// TestProxyTargets: a proxy forwards to the healthy targets of its
// listener's group that run for real, at their bridge address.
func TestProxyTargets(t *testing.T) {
	const tg = "arn:tg/web"
	real := func(state, ip string) *task {
		return &task{
			Target:     &elbTarget{TargetGroup: tg, Port: 8080, Container: "web", State: state},
			Containers: []*container{{Name: "web", Local: true, DockerID: "d", IP: ip, LastStatus: "RUNNING"}},
		}
	}
	cases := []struct {
		name string
		task *task
		want []string
	}{
		{"healthy", real("healthy", "172.17.0.5"), []string{"172.17.0.5:8080"}},
		{"initial", real("initial", "172.17.0.5"), nil},
		{"unhealthy", real("unhealthy", "172.17.0.5"), nil},
		{"draining", real("draining", "172.17.0.5"), nil},
		{"address not known yet", real("healthy", ""), nil},
		{"simulated", &task{
			Target:     &elbTarget{TargetGroup: tg, Port: 8080, Container: "web", State: "healthy"},
			Containers: []*container{{Name: "web", LastStatus: "RUNNING"}},
		}, nil},
		{"another group", func() *task { x := real("healthy", "172.17.0.5"); x.Target.TargetGroup = "arn:tg/other"; return x }(), nil},
		{"container exited", func() *task { x := real("healthy", "172.17.0.5"); x.Containers[0].LastStatus = "STOPPED"; return x }(), nil},
		{"not registered", &task{Containers: []*container{{Name: "web", Local: true, DockerID: "d", IP: "172.17.0.5"}}}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &region{Clusters: []*cluster{{Tasks: []*task{c.task}}}}
			if got := r.proxyTargets(&listener{Port: 80, TargetGroup: tg}); !slices.Equal(got, c.want) {
				t.Errorf("targets %q, want %q", got, c.want)
			}
		})
	}
	r := &region{Clusters: []*cluster{{Tasks: []*task{real("healthy", "172.17.0.9"), real("healthy", "172.17.0.10")}}}}
	if got := r.proxyTargets(&listener{TargetGroup: tg}); !slices.Equal(got, []string{"172.17.0.10:8080", "172.17.0.9:8080"}) {
		t.Errorf("two targets: %q, want both, sorted (the hash must not depend on the order of tasks)", got)
	}
}

// TestLocalURL: the port-80 listener's proxy, else the first that runs.
func TestLocalURL(t *testing.T) {
	up := func(port int32) *lbProxy { return &lbProxy{DockerID: "d", HostPort: port} }
	cases := []struct {
		name      string
		listeners []*listener
		want      string
	}{
		{"none", nil, ""},
		{"port 80", []*listener{{Port: 8080, Proxy: up(49001)}, {Port: 80, Proxy: up(49002)}}, "http://127.0.0.1:49002/"},
		{"first", []*listener{{Port: 8081}, {Port: 8080, Proxy: up(49001)}, {Port: 8082, Proxy: up(49003)}}, "http://127.0.0.1:49001/"},
		{"being replaced", []*listener{{Port: 80, Proxy: &lbProxy{HostPort: 49002}}}, ""},
		{"port not known yet", []*listener{{Port: 80, Proxy: &lbProxy{DockerID: "d"}}}, ""},
	}
	for _, c := range cases {
		if got := (&loadBalancer{Listeners: c.listeners}).localURL(); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// proxies are the account's proxy containers on the engine.
func proxies(t *testing.T, e *dockerops.Engine, a *Account) []dockerops.ContainerInfo {
	t.Helper()
	var out []dockerops.ContainerInfo
	for _, c := range containers(t, e, a) {
		if c.Labels[labelListener] != "" {
			out = append(out, c)
		}
	}
	return out
}

// oneProxy is the account's only proxy container, running.
func oneProxy(t *testing.T, e *dockerops.Engine, a *Account) dockerops.ContainerInfo {
	t.Helper()
	ps := proxies(t, e, a)
	if len(ps) != 1 || ps[0].State != "running" {
		t.Fatalf("proxy containers %+v, want one running", ps)
	}
	return ps[0]
}

func localURL(t *testing.T, a *Account, name string) string {
	t.Helper()
	caughtUp(a)
	lb, err := a.LoadBalancer(context.Background(), name)
	mustNil(t, err)
	return lb.LocalURL
}

// getStatus GETs url until it answers with the status want, for at most
// 10 s of real time: a new proxy takes a moment to listen, and until
// then the engine's port forwarder resets connections. It returns the
// body.
func getStatus(t *testing.T, url string, want int) string {
	t.Helper()
	var last string
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		res, err := http.Get(url)
		if err != nil {
			last = err.Error()
			continue
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode == want {
			return string(b)
		}
		last = fmt.Sprintf("%s %q", res.Status, b)
	}
	t.Fatalf("GET %s never answered %d; last: %s", url, want, last)
	return ""
}

// TestRealLoadBalancerProxy: an active load balancer answers at its
// LocalURL through a proxy on the engine: 503 without healthy targets,
// the app's answer once the service's target is healthy, 503 again when
// the service scales to 0 (its target drains), at the same URL each time
// although each change replaces the proxy, as does its removal by hand;
// deleting the load balancer removes it. A read-only account starts none.
func TestRealLoadBalancerProxy(t *testing.T) {
	ctx := context.Background()
	e := engine(t)
	ref := ecrRef("proxy")
	fixtureImage(t, e, ref)
	bin := testbed.DeckhandBinary(t)
	var a *Account
	// Registered before openDocker, so it runs after the containers are
	// removed. The image is this test's own (see DeckhandBinary).
	t.Cleanup(func() {
		if img := a.proxy.ref; img != "" {
			if err := e.RemoveImage(context.Background(), img); err != nil {
				t.Errorf("removing the proxy image: %v", err)
			}
		}
	})
	clk := newClock()
	a = openDocker(t, clk, e, func(o *Options) { o.ProxyBinary = bin })
	fx := alb(t, a, "proxied", 8080, nil)
	if u := localURL(t, a, "proxied"); u != "" || len(proxies(t, e, a)) != 0 {
		t.Fatalf("while provisioning: LocalURL %q, proxies %+v; want none", u, proxies(t, e, a))
	}

	ro, err := Open(Options{Path: a.Path(), Clock: clk, Docker: e, Readonly: true, ProxyBinary: bin})
	mustNil(t, err)
	untilActive(t, clk, ro, "proxied")
	if u, ps := localURL(t, ro, "proxied"), proxies(t, e, a); u != "" || len(ps) != 0 || ro.proxy.ref != "" || ro.ProxyError() != nil {
		t.Fatalf("a read-only account: LocalURL %q, proxies %+v, image %q (%v); want none", u, ps, ro.proxy.ref, ro.ProxyError())
	}

	// No target yet: the URL exists and says so, as an ALB does.
	url := localURL(t, a, "proxied")
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("LocalURL %q once active, want http://127.0.0.1:PORT/ (ProxyError: %v)", url, a.ProxyError())
	}
	if body := getStatus(t, url, http.StatusServiceUnavailable); !strings.Contains(body, "503 Service Temporarily Unavailable") {
		t.Errorf("no targets: %q, want the ALB's 503 page", body)
	}
	empty := oneProxy(t, e, a)
	if empty.Labels[labelLoadBalancer] != fx.lb.ARN || empty.Image != a.proxy.ref || !strings.HasPrefix(a.proxy.ref, elbproxy.Repository+":") {
		t.Errorf("proxy %+v, want labelled with %s, image %s", empty, fx.lb.ARN, a.proxy.ref)
	}

	// Removed by hand (docker rm -f), it comes back at the same URL.
	mustNil(t, e.Remove(ctx, empty.ID, true))
	if u := localURL(t, a, "proxied"); u != url {
		t.Errorf("LocalURL %q after the proxy was removed, want %q again", u, url)
	}
	getStatus(t, url, http.StatusServiceUnavailable)
	if again := oneProxy(t, e, a); again.ID == empty.ID {
		t.Errorf("the removed proxy %s is back", again.ID)
	} else {
		empty = again
	}

	_, err = a.CreateService(ctx, lbService("shop", webDef(t, a, "shop", ref, 8080), fx, 0))
	mustNil(t, err)
	for end := clk.Now().Add(3 * time.Minute); ; clk.Advance(time.Second) {
		if hs := targets(t, a, fx.tg.ARN); len(hs) == 1 && hs[0].State == "healthy" {
			break
		}
		if clk.Now().After(end) {
			live, _ := serviceTasks(t, a, "shop")
			t.Fatalf("target %+v\n%s", targets(t, a, fx.tg.ARN), diagnose(a, live[0].ARN))
		}
	}
	if u := localURL(t, a, "proxied"); u != url {
		t.Errorf("LocalURL %q with a target, want %q still", u, url)
	}
	if body := getStatus(t, url, http.StatusOK); !strings.HasPrefix(body, "ok ") {
		t.Errorf("through the proxy: %q, want the app's answer", body)
	}
	served := oneProxy(t, e, a)
	if served.ID == empty.ID || served.Labels[labelProxyHash] == empty.Labels[labelProxyHash] {
		t.Errorf("the proxy was not replaced for its target: %+v", served)
	}

	// Scaled to 0, the task drains: the load balancer sends it nothing
	// more, although its container still runs for the deregistration
	// delay.
	live, _ := serviceTasks(t, a, "shop")
	_, err = a.UpdateService(ctx, "demo", "shop", 0, "")
	mustNil(t, err)
	for end := clk.Now().Add(time.Minute); ; clk.Advance(time.Second) {
		if hs := targets(t, a, fx.tg.ARN); len(hs) == 1 && hs[0].State == "draining" {
			break
		}
		if clk.Now().After(end) {
			t.Fatalf("target %+v, want draining", targets(t, a, fx.tg.ARN))
		}
	}
	if u := localURL(t, a, "proxied"); u != url {
		t.Errorf("LocalURL %q after scaling to 0, want %q still", u, url)
	}
	getStatus(t, url, http.StatusServiceUnavailable)
	if drained := oneProxy(t, e, a); drained.ID == served.ID || drained.Labels[labelProxyHash] != empty.Labels[labelProxyHash] {
		t.Errorf("after scaling to 0: proxy %+v, want a new one without targets", drained)
	}
	until(t, clk, live[0].ARN, 3*time.Minute, status("STOPPED"), a)

	mustNil(t, a.DeleteLoadBalancer(ctx, fx.lb.ARN))
	targets(t, a, fx.tg.ARN) // any call syncs
	if cs := containers(t, e, a); len(cs) != 0 {
		t.Errorf("containers left once the load balancer is deleted: %+v", cs)
	}
}

// TestProxyNeedsStaticDeckhand: without a statically linked deckhand to
// put in the image, an active load balancer has no proxy and no LocalURL,
// and ProxyError says why.
func TestProxyNeedsStaticDeckhand(t *testing.T) {
	e := engine(t)
	script := filepath.Join(t.TempDir(), "deckhand")
	mustNil(t, os.WriteFile(script, []byte("#!/bin/sh\n"), 0o755))
	cases := []struct{ name, binary, want string }{
		{"dynamically linked", "/bin/sh", "/bin/sh is dynamically linked"},
		{"not an executable", script, "is not an ELF executable"},
		{"missing", filepath.Join(t.TempDir(), "nope"), "no such file"},
		{"none given", "", "no deckhand executable was given"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clk := newClock()
			a := openDocker(t, clk, e, func(o *Options) { o.ProxyBinary = c.binary })
			alb(t, a, "plain", 8080, nil)
			untilActive(t, clk, a, "plain")
			clk.Advance(time.Second)
			if u := localURL(t, a, "plain"); u != "" {
				t.Errorf("LocalURL %q, want none", u)
			}
			if err := a.ProxyError(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("ProxyError %v, want it to say %q", err, c.want)
			}
			if cs := containers(t, e, a); len(cs) != 0 {
				t.Errorf("containers %+v, want none", cs)
			}
		})
	}
}
