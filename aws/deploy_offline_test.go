package aws

import (
	"deckhand/internal/cloud"

	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/config"
	"golang.org/x/crypto/ssh"
)

// Offline tests of the deploy capabilities: nothing may be sent.

// deployMutations are every deploy mutation, with good or empty input.
func deployMutations(c *Client, empty bool) map[string]func() error {
	ctx := context.Background()
	name, vpc, sg := "demo", "vpc-0123456789abcdef0", "sg-0123456789abcdef0"
	if empty {
		name, vpc, sg = "", "", ""
	}
	key := []byte("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHoDGPu7f7Qx4kI9ZQFJvXtq0H0Vf7jC9b0pwl2tZ5jv me@host")
	return map[string]func() error{
		"EnsureRepository": func() error { _, _, err := c.EnsureRepository(ctx, name, nil); return err },
		"DeleteRepository": func() error { return c.DeleteRepository(ctx, name, true) },
		"EnsureTaskExecutionRole": func() error {
			_, _, err := c.EnsureTaskExecutionRole(ctx, name, nil)
			return err
		},
		"DeleteRole": func() error { return c.DeleteRole(ctx, name) },
		"EnsureInstanceProfile": func() error {
			_, _, err := c.EnsureInstanceProfile(ctx, name, nil)
			return err
		},
		"DeleteInstanceProfile": func() error { return c.DeleteInstanceProfile(ctx, name) },
		"EnsureLogGroup":        func() error { _, err := c.EnsureLogGroup(ctx, name, nil); return err },
		"DeleteLogGroup":        func() error { return c.DeleteLogGroup(ctx, name) },
		"EnsureSecurityGroup": func() error {
			_, _, err := c.EnsureSecurityGroup(ctx, cloud.SecurityGroupSpec{Name: name, VpcID: vpc})
			return err
		},
		"DeleteSecurityGroup": func() error { return c.DeleteSecurityGroup(ctx, sg) },
		"ImportKeyPair":       func() error { _, err := c.ImportKeyPair(ctx, name, key, nil); return err },
		"CreateKeyPair":       func() error { _, _, err := c.CreateKeyPair(ctx, name, nil); return err },
		"DeleteKeyPair":       func() error { return c.DeleteKeyPair(ctx, name) },
		"DeregisterTaskDefinition": func() error {
			return c.DeregisterTaskDefinition(ctx, name+":1")
		},
		"EnsureLoadBalancer": func() error {
			_, _, err := c.EnsureLoadBalancer(ctx, cloud.LoadBalancerSpec{Name: name, Subnets: []string{vpc}, SecurityGroups: []string{sg}})
			return err
		},
		"DeleteLoadBalancer": func() error { return c.DeleteLoadBalancer(ctx, name) },
		"EnsureTargetGroup": func() error {
			_, _, err := c.EnsureTargetGroup(ctx, cloud.TargetGroupSpec{Name: name, VpcID: vpc, Port: 5000, HealthPath: "/"})
			return err
		},
		"DeleteTargetGroup": func() error { return c.DeleteTargetGroup(ctx, name) },
		"EnsureListener": func() error {
			_, _, err := c.EnsureListener(ctx, cloud.ListenerSpec{LoadBalancerARN: name, Port: 80, TargetGroupARN: name})
			return err
		},
	}
}

func TestDeployReadonlyRefusesBeforeAnyCall(t *testing.T) {
	clearCredentials(t)
	c, rec := recordingClient(t, Options{EndpointURL: "http://127.0.0.1:1", Region: "us-east-1", Readonly: true},
		config.WithRetryMaxAttempts(1))
	for _, empty := range []bool{false, true} {
		for op, call := range deployMutations(c, empty) {
			if err := call(); !errors.Is(err, cloud.ErrReadonly) {
				t.Errorf("%s (empty input %v) = %v, want ErrReadonly", op, empty, err)
			}
		}
	}
	if ops := rec.ops(); len(ops) != 0 {
		t.Errorf("read-only mutations sent %v", ops)
	}
}

// TestDeployValidation: bad input is refused before any call, with the
// service, the code AWS would give, and the field.
func TestDeployValidation(t *testing.T) {
	clearCredentials(t)
	ctx := context.Background()
	c, rec := recordingClient(t, Options{EndpointURL: "http://127.0.0.1:1", Region: "us-east-1"}, config.WithRetryMaxAttempts(1))
	vpc := "vpc-0123456789abcdef0"
	sg := func(f func(*cloud.SecurityGroupSpec)) func() error {
		return func() error {
			s := cloud.SecurityGroupSpec{Name: "web", VpcID: vpc, Ingress: []cloud.IngressRule{{Port: 5000, CIDR: "0.0.0.0/0"}}}
			f(&s)
			_, _, err := c.EnsureSecurityGroup(ctx, s)
			return err
		}
	}
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecPub, _ := ssh.NewPublicKey(&ecKey.PublicKey)
	importKey := func(name string, key []byte) func() error {
		return func() error { _, err := c.ImportKeyPair(ctx, name, key, nil); return err }
	}
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	good, _ := ssh.NewPublicKey(edPub)
	cases := []struct {
		name                     string
		call                     func() error
		service, op, code, field string
	}{
		{"repository upper case", func() error { _, _, err := c.EnsureRepository(ctx, "Web", nil); return err },
			"ecr", "CreateRepository", "InvalidParameterException", "Name"},
		{"repository double slash", func() error { _, _, err := c.EnsureRepository(ctx, "team//web", nil); return err },
			"ecr", "CreateRepository", "InvalidParameterException", "Name"},
		{"repository one letter", func() error { return c.DeleteRepository(ctx, "a", false) },
			"ecr", "DeleteRepository", "InvalidParameterException", "Name"},
		{"repository aws: tag", func() error { _, _, err := c.EnsureRepository(ctx, "web", cloud.Tags{"aws:x": "y"}); return err },
			"ecr", "CreateRepository", "InvalidParameterException", `Tags["aws:x"]`},
		{"role with space", func() error { _, _, err := c.EnsureTaskExecutionRole(ctx, "my role", nil); return err },
			"iam", "CreateRole", "ValidationError", "Name"},
		{"role too long", func() error { return c.DeleteRole(ctx, strings.Repeat("r", 65)) },
			"iam", "DeleteRole", "ValidationError", "Name"},
		{"profile with slash", func() error { _, _, err := c.EnsureInstanceProfile(ctx, "web/ec2", nil); return err },
			"iam", "CreateInstanceProfile", "ValidationError", "Name"},
		{"profile too long", func() error { _, _, err := c.EnsureInstanceProfile(ctx, strings.Repeat("p", 65), nil); return err },
			"iam", "CreateInstanceProfile", "ValidationError", "Name"},
		{"profile aws: tag", func() error {
			_, _, err := c.EnsureInstanceProfile(ctx, "web-ec2", cloud.Tags{"aws:x": "y"})
			return err
		},
			"iam", "CreateInstanceProfile", "ValidationError", `Tags["aws:x"]`},
		{"delete profile without name", func() error { return c.DeleteInstanceProfile(ctx, "") },
			"iam", "DeleteInstanceProfile", "ValidationError", "Name"},
		{"instance with bad profile name", func() error {
			_, err := c.RunInstance(ctx, cloud.InstanceSpec{Name: "w", ImageID: "ami-0123456789abcdef0", InstanceType: "t3.micro", IAMInstanceProfile: "my profile"})
			return err
		}, "ec2", "RunInstances", "InvalidParameterValue", "IAMInstanceProfile"},
		{"instance with bad profile ARN", func() error {
			_, err := c.RunInstance(ctx, cloud.InstanceSpec{Name: "w", ImageID: "ami-0123456789abcdef0", InstanceType: "t3.micro", IAMInstanceProfile: "arn:aws:iam::1:role/x"})
			return err
		}, "ec2", "RunInstances", "InvalidParameterValue", "IAMInstanceProfile"},
		{"log group with colon", func() error { _, err := c.EnsureLogGroup(ctx, "/deckhand:web", nil); return err },
			"logs", "CreateLogGroup", "InvalidParameterException", "Name"},
		{"log group aws/", func() error { _, err := c.EnsureLogGroup(ctx, "aws/web", nil); return err },
			"logs", "CreateLogGroup", "InvalidParameterException", "Name"},
		{"log limit 0", func() error { _, err := c.RecentLogEvents(ctx, "/deckhand/web", "web/", 0); return err },
			"logs", "GetLogEvents", "InvalidParameterException", "Limit"},
		{"log prefix *", func() error { _, err := c.RecentLogEvents(ctx, "/deckhand/web", "web/*", 10); return err },
			"logs", "GetLogEvents", "InvalidParameterException", "StreamPrefix"},
		{"sg without name", sg(func(s *cloud.SecurityGroupSpec) { s.Name = "" }), "ec2", "CreateSecurityGroup", "MissingParameter", "Name"},
		{"sg named sg-", sg(func(s *cloud.SecurityGroupSpec) { s.Name = "sg-web" }), "ec2", "CreateSecurityGroup", "InvalidParameterValue", "Name"},
		{"sg bad vpc", sg(func(s *cloud.SecurityGroupSpec) { s.VpcID = "default" }), "ec2", "CreateSecurityGroup", "InvalidVpcID.Malformed", "VpcID"},
		{"sg no vpc", sg(func(s *cloud.SecurityGroupSpec) { s.VpcID = "" }), "ec2", "CreateSecurityGroup", "MissingParameter", "VpcID"},
		{"port 0", sg(func(s *cloud.SecurityGroupSpec) { s.Ingress[0].Port = 0 }), "ec2", "AuthorizeSecurityGroupIngress", "InvalidParameterValue", "Ingress[0].Port"},
		{"port 65536", sg(func(s *cloud.SecurityGroupSpec) { s.Ingress[0].Port = 65536 }), "ec2", "AuthorizeSecurityGroupIngress", "InvalidParameterValue", "Ingress[0].Port"},
		{"bad CIDR", sg(func(s *cloud.SecurityGroupSpec) { s.Ingress[0].CIDR = "1.2.3.4" }), "ec2", "AuthorizeSecurityGroupIngress", "InvalidParameterValue", "Ingress[0].CIDR"},
		{"CIDR host bits", sg(func(s *cloud.SecurityGroupSpec) { s.Ingress[0].CIDR = "10.1.2.3/16" }), "ec2", "AuthorizeSecurityGroupIngress", "InvalidParameterValue", "Ingress[0].CIDR"},
		{"no CIDR", sg(func(s *cloud.SecurityGroupSpec) { s.Ingress[0].CIDR = "" }), "ec2", "AuthorizeSecurityGroupIngress", "MissingParameter", "Ingress[0].CIDR"},
		{"icmp", sg(func(s *cloud.SecurityGroupSpec) { s.Ingress[0].Protocol = "icmp" }), "ec2", "AuthorizeSecurityGroupIngress", "InvalidParameterValue", "Ingress[0].Protocol"},
		{"duplicate rule", sg(func(s *cloud.SecurityGroupSpec) {
			s.Ingress = append(s.Ingress, cloud.IngressRule{Protocol: "TCP", Port: 5000, CIDR: "0.0.0.0/0", Description: "again"})
		}),
			"ec2", "AuthorizeSecurityGroupIngress", "InvalidPermission.Duplicate", "Ingress[1]"},
		{"delete sg by name", func() error { return c.DeleteSecurityGroup(ctx, "web") }, "ec2", "DeleteSecurityGroup", "InvalidGroupId.Malformed", "GroupID"},
		{"subnets of bad vpc", func() error { _, err := c.Subnets(ctx, "vpc-x"); return err }, "ec2", "DescribeSubnets", "InvalidVpcID.Malformed", "VpcID"},
		{"key without name", func() error { _, _, err := c.CreateKeyPair(ctx, "", nil); return err }, "ec2", "CreateKeyPair", "MissingParameter", "Name"},
		{"key name non-ASCII", func() error { _, _, err := c.CreateKeyPair(ctx, "clé", nil); return err }, "ec2", "CreateKeyPair", "InvalidParameterValue", "Name"},
		{"import garbage", importKey("k", []byte("hello")), "ec2", "ImportKeyPair", "InvalidKey.Format", "PublicKey"},
		{"import private key", importKey("k", []byte("-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n")), "ec2", "ImportKeyPair", "InvalidKey.Format", "PublicKey"},
		{"import ecdsa", importKey("k", ssh.MarshalAuthorizedKey(ecPub)), "ec2", "ImportKeyPair", "InvalidKey.Format", "PublicKey"},
		{"import without name", importKey("", ssh.MarshalAuthorizedKey(good)), "ec2", "ImportKeyPair", "MissingParameter", "Name"},
		{"unknown distro", func() error { _, err := c.LatestAMI(ctx, "windows"); return err }, "ssm", "GetParameter", "ValidationException", "Distro"},
		{"deregister a family", func() error { return c.DeregisterTaskDefinition(ctx, "web") }, "ecs", "DeregisterTaskDefinition", "ClientException", "TaskDefinition"},
		{"deregister revision 0", func() error { return c.DeregisterTaskDefinition(ctx, "web:0") }, "ecs", "DeregisterTaskDefinition", "ClientException", "TaskDefinition"},
		{"empty stack", func() error { _, err := c.StackResources(ctx, ""); return err }, "tag", "GetResources", "InvalidParameterException", "Stack"},
		{"task public IP without task", func() error { _, err := c.TaskPublicIP(ctx, "demo", ""); return err }, "ecs", "DescribeTasks", "InvalidParameterException", "Task"},
	}
	for _, tc := range cases {
		err := tc.call()
		var e *cloud.Error
		if !errors.As(err, &e) || !errors.Is(err, cloud.ErrInvalidInput) {
			t.Errorf("%s: %v, want a validation *Error", tc.name, err)
			continue
		}
		if e.Service != tc.service || e.Operation != tc.op || e.Code != tc.code || e.Field != tc.field || !strings.HasPrefix(e.Message, tc.field+": ") {
			t.Errorf("%s: got %s:%s %s field %q (%v), want %s:%s %s field %q", tc.name, e.Service, e.Operation, e.Code, e.Field, e, tc.service, tc.op, tc.code, tc.field)
		}
	}
	if ops := rec.ops(); len(ops) != 0 {
		t.Errorf("refused input sent %v", ops)
	}
}

func TestIsNotFoundAndStackOrder(t *testing.T) {
	if !cloud.IsNotFound(&cloud.Error{Code: "NoSuchEntity"}) || cloud.IsNotFound(&cloud.Error{Code: "DependencyViolation"}) || cloud.IsNotFound(errors.New("x")) {
		t.Error("IsNotFound")
	}
	rs := []cloud.TaggedResource{
		{Type: "ecr:repository", ID: "web"}, {Type: "ec2:security-group", ID: "sg-2"}, {Type: "ecs:service", ID: "web", Parent: "demo"},
		{Type: "ecs:cluster", ID: "demo"}, {Type: "ec2:security-group", ID: "sg-1"}, {Type: "iam:role", ID: "exec"},
		{Type: "iam:instance-profile", ID: "exec"}, {Type: "ec2:instance", ID: "i-1"},
	}
	cloud.SortStack(rs)
	var got []string
	for _, r := range rs {
		got = append(got, r.Type+"/"+r.ID)
	}
	want := "ecs:service/web ec2:instance/i-1 ecs:cluster/demo ec2:security-group/sg-1 ec2:security-group/sg-2 iam:instance-profile/exec iam:role/exec ecr:repository/web"
	if strings.Join(got, " ") != want {
		t.Errorf("SortStack = %v, want %s", got, want)
	}
	if p, err := parseTaggedARNs(); err != nil {
		t.Error(p, err)
	}
}

// parseTaggedARNs checks the ARN shapes the tagging API returns.
func parseTaggedARNs() (string, error) {
	for arn, want := range map[string]cloud.TaggedResource{
		"arn:aws:ecs:us-east-1:1:cluster/demo":             {Type: "ecs:cluster", ID: "demo"},
		"arn:aws:ecs:us-east-1:1:service/demo/web":         {Type: "ecs:service", ID: "web", Parent: "demo"},
		"arn:aws:ecs:us-east-1:1:task-definition/web:3":    {Type: "ecs:task-definition", ID: "web:3"},
		"arn:aws:logs:us-east-1:1:log-group:/deckhand/web": {Type: "logs:log-group", ID: "/deckhand/web"},
		"arn:aws:logs:us-east-1:1:log-group:/deckhand/w:*": {Type: "logs:log-group", ID: "/deckhand/w"},
	} {
		got, ok := parseTaggedARN(arn)
		want.ARN = strings.TrimSuffix(arn, ":*")
		if !ok || got != want {
			return arn, errors.New("parsed wrong")
		}
	}
	if _, ok := parseTaggedARN("arn:aws:ecs:us-east-1:1:task/demo/abc"); ok {
		return "task", errors.New("tasks are not stack resources")
	}
	return "", nil
}
