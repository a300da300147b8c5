package contract

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"slices"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"deckhand/internal/cloud"
)

// RunEC2Admin checks the EC2 administration capabilities (cloud.EC2Admin)
// of target's backend: reboot, console output, key pairs and security
// group rules; ro is the same account opened read-only, whose every
// mutation must answer cloud.ErrReadonly before it sends anything.
func RunEC2Admin(t *testing.T, target Target, ro cloud.EC2Admin) {
	t.Helper()
	t.Run("reboot and console", func(t *testing.T) {
		t.Parallel()
		newRun(t, target).rebootAndConsole()
	})
	t.Run("key pairs", func(t *testing.T) {
		t.Parallel()
		newRun(t, target).keyPairs()
	})
	t.Run("security group rules", func(t *testing.T) {
		t.Parallel()
		newRun(t, target).groupRules()
	})
	t.Run("readonly", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		rule := cloud.IngressRule{Port: 22, CIDR: "203.0.113.7/32"}
		for _, tc := range []struct {
			name string
			call func() error
		}{
			{"reboot", func() error { return ro.RebootInstances(ctx, unknownInstance) }},
			{"create group", func() error {
				_, err := ro.CreateSecurityGroup(ctx, cloud.SecurityGroupSpec{Name: "ro", VpcID: "vpc-0123456789abcdef0"})
				return err
			}},
			{"authorize", func() error { return ro.AuthorizeIngress(ctx, unknownGroup, rule) }},
			{"revoke", func() error { return ro.RevokeIngress(ctx, unknownGroup, rule) }},
		} {
			if err := tc.call(); !errors.Is(err, cloud.ErrReadonly) {
				t.Errorf("%s read-only: %v, want ErrReadonly", tc.name, err)
			}
		}
	})
}

func (r *run) admin() cloud.EC2Admin {
	a, ok := r.b.(cloud.EC2Admin)
	if !ok {
		r.t.Fatalf("%T does not implement cloud.EC2Admin", r.b)
	}
	return a
}

// rebootAndConsole launches an instance, reads its console, reboots it
// (it stays running, as on AWS) and checks the errors of bad ids.
func (r *run) rebootAndConsole() {
	t, ctx, a := r.t, context.Background(), r.admin()
	launched, err := r.b.RunInstance(ctx, cloud.InstanceSpec{
		Name: "contract-reboot-" + r.tag, ImageID: r.fx.ImageID, InstanceType: r.fx.InstanceType,
		KeyName: r.fx.KeyName, SubnetID: r.fx.Subnets[0], SecurityGroupIDs: []string{r.fx.SecurityGroup},
	})
	if err != nil {
		t.Fatalf("RunInstance: %v", err)
	}
	id := launched.ID
	running := r.waitState(id, "running")
	if !slices.Contains(running.SecurityGroupIDs, r.fx.SecurityGroup) {
		t.Errorf("SecurityGroupIDs = %v, want %s among them", running.SecurityGroupIDs, r.fx.SecurityGroup)
	}
	out, err := a.ConsoleOutput(ctx, id)
	if err != nil {
		t.Fatalf("ConsoleOutput: %v", err)
	}
	// Both moto's sample and the sandbox's boot start with the kernel's
	// banner, decoded from base64.
	if !strings.Contains(out, "Linux version") {
		t.Errorf("ConsoleOutput = %q, want the decoded boot log", out)
	}
	if err := a.RebootInstances(ctx, id); err != nil {
		t.Fatalf("RebootInstances: %v", err)
	}
	// AWS: a reboot is no state change.
	if got := r.instance(id); got.State != "running" {
		t.Errorf("after RebootInstances: state %s, want running", got.State)
	}
	for _, tc := range []struct {
		name, op, code string
		call           func() error
	}{
		{"reboot unknown", "RebootInstances", "InvalidInstanceID.NotFound", func() error { return a.RebootInstances(ctx, unknownInstance) }},
		{"reboot malformed", "RebootInstances", "InvalidInstanceID.Malformed", func() error { return a.RebootInstances(ctx, "i-xyz") }},
		{"console unknown", "GetConsoleOutput", "InvalidInstanceID.NotFound", func() error {
			_, err := a.ConsoleOutput(ctx, unknownInstance)
			return err
		}},
		{"console empty id", "GetConsoleOutput", "MissingParameter", func() error {
			_, err := a.ConsoleOutput(ctx, "")
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := *r
			r.t = t
			r.wantCode(tc.call(), "ec2", tc.op, tc.code)
		})
	}
	if err := r.b.TerminateInstances(ctx, id); err != nil {
		t.Errorf("TerminateInstances: %v", err)
	}
}

// keyPairs creates, imports, lists and deletes key pairs.
func (r *run) keyPairs() {
	t, ctx, a := r.t, context.Background(), r.admin()
	kp, ok := r.b.(cloud.KeyPairs)
	if !ok {
		t.Fatalf("%T does not implement cloud.KeyPairs", r.b)
	}
	created, imported := "contract-kp-"+r.tag, "contract-imp-"+r.tag
	c, pem, err := kp.CreateKeyPair(ctx, created, nil)
	if err != nil {
		t.Fatalf("CreateKeyPair: %v", err)
	}
	if !strings.Contains(string(pem), "PRIVATE KEY") {
		t.Errorf("CreateKeyPair: the private key is not PEM: %.40q", pem)
	}
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kp.ImportKeyPair(ctx, imported, ssh.MarshalAuthorizedKey(sp), nil); err != nil {
		t.Fatalf("ImportKeyPair: %v", err)
	}
	list, err := a.KeyPairList(ctx)
	if err != nil {
		t.Fatalf("KeyPairList: %v", err)
	}
	names := map[string]cloud.KeyPair{}
	for _, k := range list {
		names[k.Name] = k
	}
	for _, n := range []string{created, imported} {
		k, ok := names[n]
		switch {
		case !ok:
			t.Errorf("KeyPairList lacks %s: %v", n, list)
		case k.ID == "" || k.Fingerprint == "":
			t.Errorf("KeyPairList: %s has no id or fingerprint: %+v", n, k)
		case k.Created.IsZero():
			t.Errorf("KeyPairList: %s has no creation time", n)
		}
	}
	if names[created].ID != c.ID {
		t.Errorf("KeyPairList: %s has id %s, CreateKeyPair said %s", created, names[created].ID, c.ID)
	}
	if !slices.IsSortedFunc(list, func(x, y cloud.KeyPair) int { return strings.Compare(x.Name, y.Name) }) {
		t.Errorf("KeyPairList is not sorted by name")
	}
	for _, n := range []string{created, imported} {
		if err := kp.DeleteKeyPair(ctx, n); err != nil {
			t.Errorf("DeleteKeyPair %s: %v", n, err)
		}
	}
	list, err = a.KeyPairList(ctx)
	if err != nil {
		t.Fatalf("KeyPairList: %v", err)
	}
	for _, k := range list {
		if k.Name == created || k.Name == imported {
			t.Errorf("KeyPairList still has %s after DeleteKeyPair", k.Name)
		}
	}
}

// groupRules creates a group, adds, finds and revokes a rule, and checks
// the codes of duplicates and of what does not exist.
func (r *run) groupRules() {
	t, ctx, a := r.t, context.Background(), r.admin()
	net, ok := r.b.(interface {
		cloud.Network
		cloud.SecurityGroupReader
	})
	if !ok {
		t.Fatalf("%T does not implement cloud.Network and SecurityGroupReader", r.b)
	}
	vpc, err := net.DefaultVPC(ctx)
	if err != nil {
		t.Fatalf("DefaultVPC: %v", err)
	}
	spec := cloud.SecurityGroupSpec{Name: "contract-sg-" + r.tag, Description: "contract group", VpcID: vpc.ID}
	id, err := a.CreateSecurityGroup(ctx, spec)
	if err != nil {
		t.Fatalf("CreateSecurityGroup: %v", err)
	}
	ssh := cloud.IngressRule{Protocol: "tcp", Port: 22, CIDR: "203.0.113.7/32", Description: "SSH from my address"}
	web := cloud.IngressRule{Protocol: "tcp", Port: 80, CIDR: "0.0.0.0/0"}
	rules := func() []cloud.IngressRule {
		gs, err := net.SecurityGroups(ctx)
		if err != nil {
			t.Fatalf("SecurityGroups: %v", err)
		}
		for _, g := range gs {
			if g.ID == id {
				var keys []cloud.IngressRule
				for _, x := range g.Ingress {
					keys = append(keys, x.Key())
				}
				return keys
			}
		}
		t.Fatalf("SecurityGroups lacks the new group %s", id)
		return nil
	}
	if got := rules(); len(got) != 0 {
		t.Errorf("a new group has inbound rules %v, want none", got)
	}
	steps := []struct {
		name       string
		call       func() error
		code, op   string // "" = success
		want       []cloud.IngressRule
		wantFields string
	}{
		{"authorize ssh", func() error { return a.AuthorizeIngress(ctx, id, ssh) }, "", "", []cloud.IngressRule{ssh.Key()}, ""},
		{"authorize web", func() error { return a.AuthorizeIngress(ctx, id, web) }, "", "", []cloud.IngressRule{ssh.Key(), web.Key()}, ""},
		{"authorize ssh again", func() error { return a.AuthorizeIngress(ctx, id, ssh) },
			"InvalidPermission.Duplicate", "AuthorizeSecurityGroupIngress", []cloud.IngressRule{ssh.Key(), web.Key()}, ""},
		{"revoke ssh", func() error { return a.RevokeIngress(ctx, id, ssh) }, "", "", []cloud.IngressRule{web.Key()}, ""},
		{"revoke ssh again", func() error { return a.RevokeIngress(ctx, id, ssh) },
			"InvalidPermission.NotFound", "RevokeSecurityGroupIngress", []cloud.IngressRule{web.Key()}, ""},
		{"create the same name", func() error { _, err := a.CreateSecurityGroup(ctx, spec); return err },
			"InvalidGroup.Duplicate", "CreateSecurityGroup", []cloud.IngressRule{web.Key()}, ""},
		{"authorize on unknown group", func() error { return a.AuthorizeIngress(ctx, unknownGroup, ssh) },
			"InvalidGroup.NotFound", "AuthorizeSecurityGroupIngress", []cloud.IngressRule{web.Key()}, ""},
		{"authorize a bad CIDR", func() error {
			return a.AuthorizeIngress(ctx, id, cloud.IngressRule{Port: 22, CIDR: "203.0.113.7/24"})
		}, "InvalidParameterValue", "AuthorizeSecurityGroupIngress", []cloud.IngressRule{web.Key()}, "Rule.CIDR"},
	}
	for _, s := range steps {
		err := s.call()
		if s.code == "" {
			if err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
		} else if e := r.wantCode(err, "ec2", s.op, s.code); e != nil && e.Field != s.wantFields {
			t.Errorf("%s: field %q, want %q", s.name, e.Field, s.wantFields)
		}
		got := rules()
		slices.SortFunc(got, func(x, y cloud.IngressRule) int { return int(x.Port - y.Port) })
		if !slices.Equal(got, s.want) {
			t.Errorf("%s: rules %v, want %v", s.name, got, s.want)
		}
	}
	if err := net.DeleteSecurityGroup(ctx, id); err != nil {
		t.Errorf("DeleteSecurityGroup: %v", err)
	}
}
