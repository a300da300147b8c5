package sandbox

import (
	"context"
	"errors"
	"maps"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"deckhand/internal/cloud"
)

// Tests of the deploy capabilities in the sandbox (the contract's deploy
// group covers what it shares with moto and AWS).

// TestDeployPersists: what the deploy capabilities create survives closing
// the account, and a second Open finds it (created=false).
func TestDeployPersists(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	path := filepath.Join(t.TempDir(), "sandbox.json")
	a, err := Open(Options{Path: path, Clock: clk})
	mustNil(t, err)
	tags := cloud.StackTags("keep", nil)
	repo, _, err := a.EnsureRepository(ctx, "keep/web", tags)
	mustNil(t, err)
	roleARN, _, err := a.EnsureTaskExecutionRole(ctx, "keep-exec", tags)
	mustNil(t, err)
	_, err = a.EnsureLogGroup(ctx, "/deckhand/keep", tags)
	mustNil(t, err)
	mustNil(t, a.update(ctx, func(w *world, r *region) error {
		if !w.putLogEvents(r, "/deckhand/keep", "web/web/1", w.now, "hello", "world\n") {
			t.Error("putLogEvents found no group")
		}
		return nil
	}))
	vpc, err := a.DefaultVPC(ctx)
	mustNil(t, err)
	sg, _, err := a.EnsureSecurityGroup(ctx, cloud.SecurityGroupSpec{Name: "keep", VpcID: vpc.ID, Tags: tags,
		Ingress: []cloud.IngressRule{{Port: 5000, CIDR: "0.0.0.0/0"}}})
	mustNil(t, err)
	kp, _, err := a.CreateKeyPair(ctx, "keep-key", tags)
	mustNil(t, err)
	before, err := a.StackResources(ctx, "keep")
	mustNil(t, err)
	if len(before) != 5 {
		t.Fatalf("StackResources = %v, want 5 resources", before)
	}

	clk.Advance(time.Hour)
	b, err := Open(Options{Path: path, Clock: clk})
	mustNil(t, err)
	if again, created, err := b.EnsureRepository(ctx, "keep/web", nil); err != nil || created || again.URI != repo.URI {
		t.Errorf("repository after reopen = %+v, %v, %v", again, created, err)
	}
	if again, created, err := b.EnsureTaskExecutionRole(ctx, "keep-exec", nil); err != nil || created || again != roleARN {
		t.Errorf("role after reopen = %q, %v, %v", again, created, err)
	}
	if created, err := b.EnsureLogGroup(ctx, "/deckhand/keep", nil); err != nil || created {
		t.Errorf("log group after reopen = %v, %v", created, err)
	}
	evs, err := b.RecentLogEvents(ctx, "/deckhand/keep", "web/", 10)
	if err != nil || len(evs) != 2 || evs[1].Message != "world" || evs[0].Stream != "web/web/1" {
		t.Errorf("log events after reopen = %+v, %v", evs, err)
	}
	spec := cloud.SecurityGroupSpec{Name: "keep", VpcID: vpc.ID, Ingress: []cloud.IngressRule{{Port: 5000, CIDR: "0.0.0.0/0"}, {Port: 22, CIDR: "198.51.100.9/32"}}}
	if again, created, err := b.EnsureSecurityGroup(ctx, spec); err != nil || created || again != sg {
		t.Errorf("security group after reopen = %q, %v, %v", again, created, err)
	}
	if found, ok, err := b.FindKeyPair(ctx, "keep-key"); err != nil || !ok || found.ID != kp.ID || found.Fingerprint != kp.Fingerprint ||
		found.Type != "ed25519" || !maps.Equal(found.Tags, tags) {
		t.Errorf("key pair after reopen = %+v, %v, %v; want %+v", found, ok, err, kp)
	}
	after, err := b.StackResources(ctx, "keep")
	if err != nil || !slices.Equal(after, before) {
		t.Errorf("StackResources after reopen = %v, %v; want %v", after, err, before)
	}
	mustNil(t, b.view(ctx, func(w *world, r *region) error {
		if g := r.securityGroup(sg); len(g.Ingress) != 2 || g.Description != "deckhand: keep" {
			t.Errorf("security group = %+v", g)
		}
		return nil
	}))
}

// TestDeployErrorCodes: the sandbox answers AWS's codes, including those
// the find-or-create calls never meet (checked on the internal creates).
func TestDeployErrorCodes(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	a := open(t, clk)
	ids := lookup(t, a)
	vpc, err := a.DefaultVPC(ctx)
	mustNil(t, err)
	_, _, err = a.CreateKeyPair(ctx, "dup", nil)
	mustNil(t, err)
	spec := cloud.SecurityGroupSpec{Name: "web", VpcID: vpc.ID, Ingress: []cloud.IngressRule{{Port: 80, CIDR: "0.0.0.0/0"}}}
	sg, _, err := a.EnsureSecurityGroup(ctx, spec)
	mustNil(t, err)
	internal := func(f func(w *world, r *region) error) error {
		return a.update(ctx, f)
	}
	cases := []struct {
		name, service, op, code string
		err                     error
	}{
		{"repository twice", "ecr", "CreateRepository", "RepositoryAlreadyExistsException", internal(func(w *world, r *region) error {
			if _, err := w.createRepository(r, "twice", nil); err != nil {
				return err
			}
			_, err := w.createRepository(r, "twice", nil)
			return err
		})},
		{"role twice (names are case-insensitive)", "iam", "CreateRole", "EntityAlreadyExists", internal(func(w *world, r *region) error {
			if _, err := w.createRole("Twice", "/", "{}", nil); err != nil {
				return err
			}
			_, err := w.createRole("twice", "/", "{}", nil)
			return err
		})},
		{"log group twice", "logs", "CreateLogGroup", "ResourceAlreadyExistsException", internal(func(w *world, r *region) error {
			if _, err := w.createLogGroup(r, "twice", nil); err != nil {
				return err
			}
			_, err := w.createLogGroup(r, "twice", nil)
			return err
		})},
		{"security group twice", "ec2", "CreateSecurityGroup", "InvalidGroup.Duplicate", internal(func(w *world, r *region) error {
			_, err := w.createSecurityGroup(r, spec)
			return err
		})},
		{"security group in an unknown VPC", "ec2", "CreateSecurityGroup", "InvalidVpcID.NotFound", func() error {
			_, _, err := a.EnsureSecurityGroup(ctx, cloud.SecurityGroupSpec{Name: "x", VpcID: "vpc-0123456789abcdef0"})
			return err
		}()},
		{"rule twice", "ec2", "AuthorizeSecurityGroupIngress", "InvalidPermission.Duplicate", internal(func(w *world, r *region) error {
			return authorize(r.securityGroup(sg), []cloud.IngressRule{{Port: 22, CIDR: "10.0.0.0/8"}, {Protocol: "TCP", Port: 80, CIDR: "0.0.0.0/0"}})
		})},
		{"the default group", "ec2", "DeleteSecurityGroup", "CannotDelete", a.DeleteSecurityGroup(ctx, ids.group)},
		{"unknown group", "ec2", "DeleteSecurityGroup", "InvalidGroup.NotFound", a.DeleteSecurityGroup(ctx, "sg-0123456789abcdef0")},
		{"key pair twice", "ec2", "CreateKeyPair", "InvalidKeyPair.Duplicate", func() error { _, _, err := a.CreateKeyPair(ctx, "dup", nil); return err }()},
		{"unknown repository", "ecr", "DeleteRepository", "RepositoryNotFoundException", a.DeleteRepository(ctx, "nope", false)},
		{"unknown role", "iam", "DeleteRole", "NoSuchEntity", a.DeleteRole(ctx, "nope")},
		{"unknown log group", "logs", "DeleteLogGroup", "ResourceNotFoundException", a.DeleteLogGroup(ctx, "nope")},
		{"events of an unknown log group", "logs", "DescribeLogStreams", "ResourceNotFoundException", func() error {
			_, err := a.RecentLogEvents(ctx, "nope", "", 10)
			return err
		}()},
		{"public IP of an unknown task", "ecs", "DescribeTasks", "InvalidParameterException", func() error {
			_, err := a.TaskPublicIP(ctx, "demo", "0123456789abcdef0123456789abcdef")
			return err
		}()},
		{"role ECS tasks cannot assume", "iam", "GetRole", cloud.CodeRoleNotAssumable, func() error {
			mustNil(t, internal(func(w *world, r *region) error {
				_, err := w.createRole("ec2-role", "/", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, nil)
				return err
			}))
			_, _, err := a.EnsureTaskExecutionRole(ctx, "ec2-role", nil)
			return err
		}()},
		{"unknown revision", "ecs", "DeregisterTaskDefinition", "ClientException", a.DeregisterTaskDefinition(ctx, "web:99")},
		{"task of an inactive revision", "ecs", "RunTask", "ClientException", func() error {
			td, err := a.RegisterTaskDefinition(ctx, cloud.TaskDefSpec{Family: "old", CPU: "256", Memory: "512", Fargate: true,
				Containers: []cloud.ContainerSpec{{Name: "web", Image: "nginx", Essential: true}}})
			mustNil(t, err)
			mustNil(t, a.DeregisterTaskDefinition(ctx, td))
			_, err = a.RunTask(ctx, cloud.RunTaskSpec{Cluster: "demo", TaskDefinition: "old", Count: 1, LaunchType: "FARGATE", Subnets: []string{ids.subnet}})
			if awsCode(err) != "ClientException" { // the family has no active revision left
				t.Errorf("RunTask of a family without active revisions: %v", err)
			}
			_, err = a.RunTask(ctx, cloud.RunTaskSpec{Cluster: "demo", TaskDefinition: td, Count: 1, LaunchType: "FARGATE", Subnets: []string{ids.subnet}})
			return err
		}()},
		{"invalid input", "ecr", "CreateRepository", "InvalidParameterException", func() error {
			_, _, err := a.EnsureRepository(ctx, "Upper", nil)
			return err
		}()},
	}
	for _, c := range cases {
		var e *cloud.Error
		if !errors.As(c.err, &e) || e.Service != c.service || e.Operation != c.op || e.Code != c.code {
			t.Errorf("%s: %v, want %s:%s %s", c.name, c.err, c.service, c.op, c.code)
		}
	}
	// The refused calls changed nothing.
	mustNil(t, a.view(ctx, func(w *world, r *region) error {
		if n := len(r.securityGroup(sg).Ingress); n != 1 {
			t.Errorf("the refused authorization added rules: %d", n)
		}
		return nil
	}))
}

// TestDeployReadonly: every deploy mutation answers ErrReadonly; the
// reads work.
func TestDeployReadonly(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	path := filepath.Join(t.TempDir(), "sandbox.json")
	_, err := Open(Options{Path: path, Clock: clk})
	mustNil(t, err)
	a, err := Open(Options{Path: path, Clock: clk, Readonly: true})
	mustNil(t, err)
	for name, call := range map[string]func() error{
		"EnsureRepository": func() error { _, _, err := a.EnsureRepository(ctx, "web", nil); return err },
		"DeleteRepository": func() error { return a.DeleteRepository(ctx, "", false) },
		"EnsureTaskExecutionRole": func() error {
			_, _, err := a.EnsureTaskExecutionRole(ctx, "web", nil)
			return err
		},
		"DeleteRole": func() error { return a.DeleteRole(ctx, "") },
		"EnsureInstanceProfile": func() error {
			_, _, err := a.EnsureInstanceProfile(ctx, "web", nil)
			return err
		},
		"DeleteInstanceProfile": func() error { return a.DeleteInstanceProfile(ctx, "") },
		"RunInstance with a profile": func() error {
			_, err := a.RunInstance(ctx, cloud.InstanceSpec{Name: "w", ImageID: "ami-0123456789abcdef0", InstanceType: "t3.micro", IAMInstanceProfile: "web"})
			return err
		},
		"EnsureLogGroup": func() error { _, err := a.EnsureLogGroup(ctx, "web", nil); return err },
		"DeleteLogGroup": func() error { return a.DeleteLogGroup(ctx, "") },
		"EnsureSecurityGroup": func() error {
			_, _, err := a.EnsureSecurityGroup(ctx, cloud.SecurityGroupSpec{})
			return err
		},
		"DeleteSecurityGroup": func() error { return a.DeleteSecurityGroup(ctx, "") },
		"ImportKeyPair":       func() error { _, err := a.ImportKeyPair(ctx, "", nil, nil); return err },
		"CreateKeyPair":       func() error { _, _, err := a.CreateKeyPair(ctx, "k", nil); return err },
		"DeleteKeyPair":       func() error { return a.DeleteKeyPair(ctx, "sandbox-key") },
	} {
		if err := call(); !errors.Is(err, cloud.ErrReadonly) {
			t.Errorf("%s = %v, want ErrReadonly", name, err)
		}
	}
	if _, ok, err := a.FindKeyPair(ctx, "sandbox-key"); !ok || err != nil {
		t.Errorf("FindKeyPair of the seeded key = %v, %v", ok, err)
	}
	if auth, err := a.RegistryLogin(ctx); err != nil || !auth.Local || auth.ServerAddress != "https://000000000000.dkr.ecr.us-east-1.amazonaws.com" {
		t.Errorf("RegistryLogin = %v, %v", auth, err)
	}
	if ami, err := a.LatestAMI(ctx, cloud.DistroUbuntu2404); err != nil || !strings.HasPrefix(ami.Name, "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-") {
		t.Errorf("LatestAMI = %+v, %v", ami, err)
	}
}

// TestTaskPublicIPLifecycle: a service's task has its public IP while its
// interface is attached, the same IP each time; a service without public
// IPs has none; a security group stays in use until its tasks are gone.
func TestTaskPublicIPLifecycle(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	a := open(t, clk)
	ids := lookup(t, a)
	vpc, err := a.DefaultVPC(ctx)
	mustNil(t, err)
	sg, _, err := a.EnsureSecurityGroup(ctx, cloud.SecurityGroupSpec{Name: "app", VpcID: vpc.ID, Ingress: []cloud.IngressRule{{Port: 80, CIDR: "0.0.0.0/0"}}})
	mustNil(t, err)
	td, err := a.RegisterTaskDefinition(ctx, cloud.TaskDefSpec{Family: "app", CPU: "256", Memory: "512", Fargate: true,
		Containers: []cloud.ContainerSpec{{Name: "web", Image: "nginx:1.27", Port: 80, Essential: true}}})
	mustNil(t, err)
	for _, s := range []cloud.ServiceSpec{
		{Cluster: "demo", Name: "public", TaskDefinition: td, Desired: 1, LaunchType: "FARGATE", Subnets: []string{ids.subnet}, SecurityGroups: []string{sg}, PublicIP: true},
		{Cluster: "demo", Name: "private", TaskDefinition: td, Desired: 1, LaunchType: "FARGATE", Subnets: []string{ids.subnet}, SecurityGroups: []string{sg}},
	} {
		_, err := a.CreateService(ctx, s)
		mustNil(t, err)
	}
	taskOf := func(svc string) string {
		ts, err := a.Tasks(ctx, "demo")
		mustNil(t, err)
		for _, x := range ts {
			if x.Service() == svc {
				return x.ARN
			}
		}
		t.Fatalf("no task of %s", svc)
		return ""
	}
	pub, priv := taskOf("public"), taskOf("private")
	if _, err := a.TaskPublicIP(ctx, "demo", pub); awsCode(err) != cloud.CodeNoPublicIP || !strings.Contains(err.Error(), "PROVISIONING") {
		t.Errorf("while PROVISIONING: %v", err)
	}
	clk.Advance(time.Minute)
	ip, err := a.TaskPublicIP(ctx, "demo", pub)
	addr, perr := netip.ParseAddr(ip)
	doc := []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("198.51.100.0/24"), netip.MustParsePrefix("203.0.113.0/24")}
	if err != nil || perr != nil || !slices.ContainsFunc(doc, func(p netip.Prefix) bool { return p.Contains(addr) }) {
		t.Errorf("TaskPublicIP = %q, %v; want an RFC 5737 address", ip, err)
	}
	if again, _ := a.TaskPublicIP(ctx, "demo", lastSegmentOf(pub)); again != ip {
		t.Errorf("TaskPublicIP by task id = %q, want %q", again, ip)
	}
	if _, err := a.TaskPublicIP(ctx, "demo", priv); awsCode(err) != cloud.CodeNoPublicIP || !strings.Contains(err.Error(), "eni-0") {
		t.Errorf("task without a public IP: %v", err)
	}
	if err := a.DeleteSecurityGroup(ctx, sg); awsCode(err) != "DependencyViolation" {
		t.Errorf("deleting the tasks' group = %v, want DependencyViolation", err)
	}
	mustNil(t, a.DeleteService(ctx, "demo", "public"))
	mustNil(t, a.DeleteService(ctx, "demo", "private"))
	clk.Advance(2 * time.Minute)
	if _, err := a.TaskPublicIP(ctx, "demo", pub); awsCode(err) != cloud.CodeNoPublicIP || !strings.Contains(err.Error(), "STOPPED") {
		t.Errorf("after the stop: %v", err)
	}
	if err := a.DeleteSecurityGroup(ctx, sg); err != nil {
		t.Errorf("deleting the group once its tasks stopped: %v", err)
	}
}

func lastSegmentOf(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }
