package aws

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"deckhand/aws/sandbox"
	"deckhand/dockerops"
	"deckhand/internal/cloud"
	"deckhand/internal/elbproxy"
	"deckhand/internal/testbed"
)

// TestFargateLoadBalancerSimulatedOnSandbox: with a load balancer the
// launch waits for the sandbox's ALB to leave provisioning and for the
// task's target to turn healthy, reporting both as it goes; the URL is the
// DNS name, which nothing resolves, so the check says why it is skipped.
// Destroy deletes the load balancer, its target group and both security
// groups although the tasks' group names the load balancer's as a source.
func TestFargateLoadBalancerSimulatedOnSandbox(t *testing.T) {
	stack := uniqStack("lbsim")
	a := simSandbox(t)
	ctx := context.Background()
	steps, res, err := Fargate(a, nil, FargateOptions{Stack: stack, Image: "nginx:1.27", Port: 80, Sandbox: true, LoadBalancer: true,
		Poll: pollFast, Timeout: 2 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, steps)
	want := []string{"image:done", "log-group:done", "exec-role:done", "task-definition:done", "cluster:done", "network:done",
		"lb-security-group:done", "security-group:done", "load-balancer:done", "service:done", "wait:done", "url:done", "check:skipped"}
	if got := r.states(); !slices.Equal(got, want) {
		t.Fatalf("states = %v, want %v", got, want)
	}
	lines := strings.Join(r.lines("wait"), "\n")
	for _, w := range []string{"load balancer " + LoadBalancerName(stack) + ": provisioning", "load balancer " + LoadBalancerName(stack) + ": active",
		": initial", ": healthy"} {
		if !strings.Contains(lines, w) {
			t.Errorf("the wait did not report %q:\n%s", w, lines)
		}
	}
	if d := r.detail("wait"); !strings.Contains(d, "the load balancer is active and its target healthy") {
		t.Errorf("wait = %q", d)
	}
	lb, err := a.LoadBalancer(ctx, LoadBalancerName(stack))
	if err != nil {
		t.Fatal(err)
	}
	if d := r.detail("url"); d != "http://"+lb.DNSName+"/" {
		t.Errorf("url = %q, want the DNS name %s", d, lb.DNSName)
	}
	if d := r.detail("check"); !strings.Contains(d, "load balancer answers only through a proxy") || res.URL != "" {
		t.Errorf("check = %q, URL %q", d, res.URL)
	}

	dsteps, err := Destroy(ctx, a, stack, DestroyOptions{Poll: pollFast, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	dr := run(t, dsteps)
	t.Logf("destroy: %v", dr.states())
	for _, s := range dr.states() {
		if !strings.HasSuffix(s, ":done") && !strings.HasSuffix(s, ":skipped") {
			t.Errorf("destroy step %s", s)
		}
	}
	if left := stackOf(t, a, stack); len(left) != 0 {
		t.Errorf("left after destroy: %v", left)
	}
}

// TestDestroyGroupReferencedByAnother: the group another group's rule
// names as its source is deleted first in id order; EC2 refuses that
// (DependencyViolation) until the other group is gone, so destroy deletes
// the later group first instead of retrying until its timeout.
func TestDestroyGroupReferencedByAnother(t *testing.T) {
	stack := uniqStack("sg")
	a := simSandbox(t)
	ctx := context.Background()
	vpc, err := a.DefaultVPC(ctx)
	if err != nil {
		t.Fatal(err)
	}
	group := func(name string, rule cloud.IngressRule) string {
		id, _, err := a.EnsureSecurityGroup(ctx, cloud.SecurityGroupSpec{Name: name, VpcID: vpc.ID, Ingress: []cloud.IngressRule{rule}, Tags: tags(stack)})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	x := group("x", cloud.IngressRule{Port: 80, CIDR: "0.0.0.0/0"})
	y := group("y", cloud.IngressRule{Port: 80, CIDR: "0.0.0.0/0"})
	first, later := min(x, y), max(x, y)
	name := map[string]string{x: "x", y: "y"}
	// The later group (in id order) allows traffic from the first.
	group(name[later], cloud.IngressRule{Port: 5000, SourceGroupID: first})
	if err := a.DeleteSecurityGroup(ctx, first); !hasCode(err, "DependencyViolation") {
		t.Fatalf("deleting the referenced group: %v, want DependencyViolation", err)
	}

	steps, err := Destroy(ctx, a, stack, DestroyOptions{Poll: pollFast, Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r := run(t, steps)
	want := []string{"delete security-group " + first + ":done", "delete security-group " + later + ":skipped"}
	if got := r.states(); !slices.Equal(got, want) {
		t.Errorf("destroy = %v, want %v", got, want)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("destroy took %v: it waited instead of deleting the referring group first", d)
	}
	if left := stackOf(t, a, stack); len(left) != 0 {
		t.Errorf("left: %v", left)
	}
}

// TestFargateLoadBalancerOnSandbox: build → push → a service behind the
// sandbox's load balancer, whose proxy on the local engine answers with
// the app's page at the URL the launch shows and checks; a re-run keeps
// that URL; destroy removes the proxy with the rest.
func TestFargateLoadBalancerOnSandbox(t *testing.T) {
	eng := testEngine(t)
	stack := uniqStack("lb")
	bin := testbed.DeckhandBinary(t)
	t.Cleanup(func() { removeProxyImage(t, eng, bin) })
	a := openSandboxWith(t, eng, stack, bin)
	ctx := context.Background()

	opts := FargateOptions{Stack: stack, Dir: appProject(t), LoadBalancer: true, Sandbox: true, Poll: pollFast,
		Timeout: 2 * time.Minute, CheckTimeout: 30 * time.Second}
	steps, res, err := Fargate(a, eng, opts)
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, steps)
	if got := r.states(); got[len(got)-1] != "check:done" {
		t.Fatalf("states = %v", got)
	}
	lb, err := a.LoadBalancer(ctx, LoadBalancerName(stack))
	if err != nil {
		t.Fatal(err)
	}
	if lb.LocalURL == "" || res.URL != lb.LocalURL || !strings.Contains(r.detail("check"), `"hello from the sandbox"`) {
		t.Errorf("URL %q, LocalURL %q, check %q", res.URL, lb.LocalURL, r.detail("check"))
	}
	if !strings.Contains(strings.Join(r.lines("url"), "\n"), lb.DNSName) {
		t.Errorf("the url step did not name the DNS name %s: %v", lb.DNSName, r.lines("url"))
	}

	// A re-run: a new deployment behind the same load balancer and URL.
	steps, res2, err := Fargate(a, eng, opts)
	if err != nil {
		t.Fatal(err)
	}
	r = run(t, steps)
	if res2.URL != res.URL || !strings.Contains(r.detail("check"), `"hello from the sandbox"`) {
		t.Errorf("re-run: URL %q (was %q), check %q", res2.URL, res.URL, r.detail("check"))
	}

	dsteps, err := Destroy(ctx, a, stack, DestroyOptions{Poll: pollFast, Timeout: time.Minute, Engine: eng})
	if err != nil {
		t.Fatal(err)
	}
	run(t, dsteps)
	if left := stackOf(t, a, stack); len(left) != 0 {
		t.Errorf("left after destroy: %v", left)
	}
	mustFlush(t, a) // the deleted load balancer's proxy goes
	if cs, _ := eng.ContainersByLabel(ctx, "deckhand.sandbox.account", a.Path()); len(cs) != 0 {
		t.Errorf("containers left after destroy: %+v", cs)
	}
}

// openSandboxWith is openSandbox with load balancer proxies made of bin.
func openSandboxWith(t *testing.T, eng *dockerops.Engine, stack, bin string) *sandbox.Account {
	t.Helper()
	a := openSandbox(t, eng, stack)
	b, err := sandbox.Open(sandbox.Options{Path: a.Path(), Speed: sandboxSpeed, Docker: eng, ProxyBinary: bin})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// removeProxyImage removes the proxy image made of bin, the test's own
// (testbed.DeckhandBinary stamps a unique version).
func removeProxyImage(t *testing.T, eng *dockerops.Engine, bin string) {
	data, err := os.ReadFile(bin)
	if err != nil {
		return
	}
	sum := sha256.Sum256(data)
	ref := elbproxy.Repository + ":" + hex.EncodeToString(sum[:])[:12]
	if err := eng.RemoveImage(context.Background(), ref); err != nil && !strings.Contains(err.Error(), "No such image") {
		t.Logf("removing %s: %v", ref, err)
	}
}
