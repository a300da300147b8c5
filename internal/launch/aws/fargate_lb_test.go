package aws

import (
	"slices"
	"strings"
	"testing"

	"deckhand/internal/cloud"
	"deckhand/internal/launch"
)

func TestELBNames(t *testing.T) {
	tests := []struct{ stack, want string }{
		{"web", "deckhand-web"},
		{strings.Repeat("a", 23), "deckhand-" + strings.Repeat("a", 23)}, // exactly 32
		{strings.Repeat("a", 24), "dh-" + strings.Repeat("a", 20) + "-"}, // shortened, hash follows
		{"abcdefghijklmnopqrs-uvwxyz", "dh-abcdefghijklmnopqrs-"},        // a hyphen at the cut
		{strings.Repeat("b", 32), "dh-" + strings.Repeat("b", 20) + "-"}, // the longest stack
	}
	seen := map[string]string{}
	for _, tc := range tests {
		got := LoadBalancerName(tc.stack)
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("LoadBalancerName(%q) = %q, want prefix %q", tc.stack, got, tc.want)
		}
		if err := cloud.ValidateELBName("CreateLoadBalancer", got); err != nil {
			t.Errorf("LoadBalancerName(%q) = %q is refused: %v", tc.stack, got, err)
		}
		if err := cloud.ValidateELBName("CreateTargetGroup", TargetGroupName(tc.stack)); err != nil {
			t.Errorf("TargetGroupName(%q) is refused: %v", tc.stack, err)
		}
		if other, dup := seen[got]; dup {
			t.Errorf("%q and %q share the name %q", other, tc.stack, got)
		}
		seen[got] = tc.stack
	}
}

func TestFargateLoadBalancerPlan(t *testing.T) {
	names := func(steps []launch.Step) []string {
		var out []string
		for _, s := range steps {
			out = append(out, s.Name)
		}
		return out
	}
	plain, _, err := Fargate(nil, nil, FargateOptions{Stack: "web", Image: "nginx:1.27", Port: 80})
	if err != nil {
		t.Fatal(err)
	}
	withLB, _, err := Fargate(nil, nil, FargateOptions{Stack: "web", Image: "nginx:1.27", Port: 80, LoadBalancer: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"image", "log-group", "exec-role", "task-definition", "cluster", "network",
		"lb-security-group", "security-group", "load-balancer", "service", "wait", "url", "check"}
	if got := names(withLB); !slices.Equal(got, want) {
		t.Errorf("steps = %v, want %v", got, want)
	}
	if got := names(plain); slices.Contains(got, "load-balancer") || slices.Contains(got, "lb-security-group") {
		t.Errorf("steps without a load balancer = %v", got)
	}
	plan := func(steps []launch.Step) string {
		var b strings.Builder
		for _, s := range steps {
			b.WriteString(s.Summary + "\n")
			for _, r := range s.Resources {
				b.WriteString(r.Action + " " + r.Kind + " " + r.Name + "\n")
			}
			b.WriteString(strings.Join(s.Commands, "\n") + "\n")
		}
		return b.String()
	}
	p := plan(withLB)
	for _, w := range []string{
		"allow ingress tcp 80 from deckhand-web-lb", // the tasks' port: from the load balancer only
		"--source-group LB_SG_ID",                   // …in the CLI equivalent too
		"create load balancer deckhand-web", "create target group deckhand-web",
		"aws elbv2 create-load-balancer --name deckhand-web --type application --scheme internet-facing",
		"--load-balancers targetGroupArn=TG_ARN,containerName=web,containerPort=80",
		"curl -fsS http://LB_DNS_NAME/",
	} {
		if !strings.Contains(p, w) {
			t.Errorf("plan lacks %q:\n%s", w, p)
		}
	}
	if n := strings.Count(p, "--cidr 0.0.0.0/0"); n != 1 {
		t.Errorf("with a load balancer only its own group is open to the world, the plan opens %d:\n%s", n, p)
	}
}
