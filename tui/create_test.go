package tui

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"deckhand/internal/cloud"
)

func TestCreateInstanceOnSandbox(t *testing.T) {
	s := createModel(t, 160, 50, false)
	m := s.Model
	ctx := context.Background()
	if _, _, err := s.acct.CreateKeyPair(ctx, "ops", nil); err != nil {
		t.Fatal(err)
	}
	al, err := s.acct.LatestAMI(ctx, cloud.DistroAL2023)
	if err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\necho hello > /tmp/hello\n"
	ud := filepath.Join(t.TempDir(), "user-data.sh")
	if err := os.WriteFile(ud, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}

	press(m, "1", "c") // c on the instances pane
	mustContain(t, screen(m), "instances › create instance", "Launch an EC2 instance", "Latest AMI of", "[Amazon Linux 2023]", "t3.micro")
	typeText(m, "web-9")
	setText(m, iKey, "ops")
	setText(m, iRules, "tcp 22 from 203.0.113.7/32, tcp 80 from 0.0.0.0/0")
	setText(m, iUser, ud)
	before := s.counts(t)
	submit(m)
	sc := screen(m)
	mustContain(t, sc, "Plan: create instance web-9", "Find or create security group web-9-sg with 2 inbound rules",
		"allow   inbound", "tcp 22 from 203.0.113.7/32", "aws ec2 create-security-group --group-name web-9-sg",
		"aws ec2 authorize-security-group-ingress --group-id SG_ID --protocol tcp --port 80 --cidr 0.0.0.0/0",
		"aws ec2 run-instances --image-id "+al.ID+" --instance-type t3.micro --key-name ops",
		"User data: "+ud+", 34 bytes", "│ echo hello > /tmp/hello", "Create instance web-9?", "[ No ]")
	if s.counts(t) != before {
		t.Fatal("the review created something")
	}
	confirmCreate(t, m)
	sc = screen(m)
	mustContain(t, sc, "created instance web-9 (i-", "with security group web-9-sg (sg-")
	mustNotContain(t, sc, "Launch an EC2 instance") // back on the pane
	if got := s.refreshed(); !slices.Equal(got, []string{"ec2"}) {
		t.Fatalf("refreshed %v, want ec2", got)
	}
	st := s.state(t)
	r := st.Regions["us-east-1"]
	i := slices.IndexFunc(r.Instances, func(x struct {
		ID, ImageID, KeyName, UserData, Type string
		SecurityGroups                       []string
		Tags                                 map[string]string
	}) bool {
		return x.Tags["Name"] == "web-9"
	})
	if i < 0 {
		t.Fatal("no instance web-9 in the account")
	}
	in := r.Instances[i]
	if in.ImageID != al.ID || in.KeyName != "ops" || in.Type != "t3.micro" || in.UserData != base64.StdEncoding.EncodeToString([]byte(script)) || len(in.SecurityGroups) != 1 {
		t.Fatalf("instance = %+v", in)
	}
	g := slices.IndexFunc(r.SecurityGroups, func(x struct {
		ID, Name string
		Ingress  []map[string]any
	}) bool {
		return x.ID == in.SecurityGroups[0]
	})
	if g < 0 || r.SecurityGroups[g].Name != "web-9-sg" || len(r.SecurityGroups[g].Ingress) != 2 {
		t.Fatalf("instance's group %v not web-sg with 2 rules: %+v", in.SecurityGroups, r.SecurityGroups)
	}
	// The next visit starts afresh.
	press(m, "c")
	mustNotContain(t, screen(m), "web-9")
}

func TestCreateClusterTaskDefServiceOnSandbox(t *testing.T) {
	s := createModel(t, 160, 50, false)
	m := s.Model

	press(m, "2", "c")
	mustContain(t, screen(m), "clusters › create cluster", "Create an ECS cluster")
	typeText(m, "blue")
	submit(m)
	mustContain(t, screen(m), "Plan: create cluster blue", "aws ecs create-cluster --cluster-name blue")
	confirmCreate(t, m)
	mustContain(t, screen(m), "created cluster blue (arn:aws:ecs:us-east-1:", "ACTIVE")

	openCmd(m, "create taskdef")
	mustContain(t, screen(m), "create taskdef", "Register an ECS task definition", "[FARGATE]",
		"with 256 cpu units Fargate allows 512, 1024, 2048")
	setText(m, tFamily, "blue-web")
	setText(m, tCPU, "512")
	setText(m, tMemory, "2048")
	setText(m, tContainer, "web")
	setText(m, tImage, "nginx:1.27")
	setText(m, tPort, "80")
	submit(m)
	mustContain(t, screen(m), "Plan: create task definition blue-web", "aws ecs register-task-definition --family blue-web --network-mode awsvpc --requires-compatibilities FARGATE --cpu 512 --memory 2048",
		"aws logs create-log-group --log-group-name /ecs/blue-web", "aws iam create-role --role-name deckhand-blue-web-exec")
	confirmCreate(t, m)
	mustContain(t, screen(m), "registered task definition blue-web:1 (arn:aws:ecs:us-east-1:")

	s.loadClusters(t) // as the ECS watcher's refresh would
	press(m, "3", "c")
	mustContain(t, screen(m), "create service", "Create an ECS service", "[x] yes")
	choose(t, m, sCluster, "blue")
	setText(m, sName, "web")
	setText(m, sTaskDef, "blue-web:1")
	setText(m, sDesired, "2")
	submit(m)
	mustContain(t, screen(m), "Plan: create service web", "Create service web in cluster blue: FARGATE", "(the default VPC vpc-",
		"aws ecs create-service --cluster blue --service-name web --task-definition blue-web:1 --desired-count 2 --launch-type FARGATE",
		"assignPublicIp=ENABLED", "deploymentCircuitBreaker={enable=true,rollback=true}")
	confirmCreate(t, m)
	mustContain(t, screen(m), "created service web in cluster blue (arn:aws:ecs:us-east-1:")

	r := s.state(t).Regions["us-east-1"]
	td := r.TaskDefs[slices.IndexFunc(r.TaskDefs, func(x struct {
		Family, CPU, Memory, NetworkMode string
		Revision                         int
		Fargate                          bool
		Containers                       []map[string]any
		ExecutionRoleARN                 string `json:"executionRoleArn"`
	}) bool {
		return x.Family == "blue-web"
	})]
	if td.CPU != "512" || td.Memory != "2048" || !td.Fargate || td.NetworkMode != "awsvpc" || td.Containers[0]["image"] != "nginx:1.27" {
		t.Fatalf("task definition = %+v", td)
	}
	// awslogs is on by default, and Fargate needs an execution role for it:
	// the wizard made one, so the tasks have logs to read.
	if td.Containers[0]["logGroup"] != "/ecs/blue-web" || !strings.HasSuffix(td.ExecutionRoleARN, ":role/deckhand/deckhand-blue-web-exec") {
		t.Errorf("task definition logs to %v with role %q; want /ecs/blue-web and the role the wizard made", td.Containers[0]["logGroup"], td.ExecutionRoleARN)
	}
	for _, c := range r.Clusters {
		if c.Name != "blue" {
			continue
		}
		if len(c.Services) != 1 {
			t.Fatalf("cluster blue has %d services", len(c.Services))
		}
		sv := c.Services[0]
		if sv.Name != "web" || sv.Desired != 2 || sv.LaunchType != "FARGATE" || len(sv.Subnets) == 0 || !sv.PublicIP || !sv.CircuitBreaker {
			t.Fatalf("service = %+v", sv)
		}
		// Each carries the stack tag of its own name, so :destroy finds it.
		for stack, kind := range map[string]string{"blue": "ecs:cluster", "web": "ecs:service", "blue-web": "ecs:task-definition"} {
			rs, err := s.acct.StackResources(context.Background(), stack)
			if err != nil || !slices.ContainsFunc(rs, func(r cloud.TaggedResource) bool { return r.Type == kind }) {
				t.Errorf("stack %s: %+v, %v; want its %s", stack, rs, err, kind)
			}
		}
		return
	}
	t.Fatal("no cluster blue in the account")
}

// TestCreateRefusesBadInput: each bad value is refused with the field
// named, the form keeps every value and nothing is created.
func TestCreateRefusesBadInput(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big.sh")
	if err := os.WriteFile(big, []byte(strings.Repeat("#", cloud.MaxUserData+1)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, kind string
		fill       func(t *testing.T, m *Model)
		field      string
		want       string
	}{
		{"empty instance name", "instance", func(*testing.T, *Model) {}, iName, "Name: is empty; give the instance a name"},
		{"bad CIDR", "instance", func(_ *testing.T, m *Model) {
			setText(m, iName, "web")
			setText(m, iRules, "tcp 22 from 10.0.0.300/32")
		}, iRules, `Inbound rules: "10.0.0.300/32" is not a CIDR block; write it like 203.0.113.7/32`},
		{"rule without from", "instance", func(_ *testing.T, m *Model) {
			setText(m, iName, "web")
			setText(m, iRules, "tcp 22 203.0.113.7/32")
		}, iRules, `Inbound rules: rule 1 "tcp 22 203.0.113.7/32" is not understood`},
		{"unknown key pair", "instance", func(_ *testing.T, m *Model) {
			setText(m, iName, "web")
			setText(m, iKey, "nope")
		}, iKey, `Key pair: no key pair named "nope" in this account and region`},
		{"instance type not offered", "instance", func(_ *testing.T, m *Model) {
			setText(m, iName, "web")
			setText(m, iType, "t9.gigantic")
		}, iType, "Instance type: t9.gigantic is not offered in this region"},
		{"AMI that does not exist", "instance", func(_ *testing.T, m *Model) {
			setText(m, iName, "web")
			setText(m, iAMI, "ami-0123456789abcdef0")
		}, iAMI, "AMI id: no image ami-0123456789abcdef0 in this region"},
		{"task definition revision 0", "service", func(t *testing.T, m *Model) {
			setText(m, sName, "web")
			setText(m, sTaskDef, "nope:0")
		}, sTaskDef, `Task definition: "nope:0" is not a task definition`},
		{"user data too large", "instance", func(_ *testing.T, m *Model) {
			setText(m, iName, "web")
			setText(m, iUser, big)
		}, iUser, "User data file: is 16385 bytes; EC2 allows 16384"},
		{"empty cluster name", "cluster", func(*testing.T, *Model) {}, cName, "Cluster name: is empty"},
		{"bad cluster name", "cluster", func(_ *testing.T, m *Model) { setText(m, cName, "my cluster") }, cName, `Cluster name: "my cluster" is not a valid name`},
		{"cpu/memory mismatch", "taskdef", func(_ *testing.T, m *Model) {
			setText(m, tFamily, "web")
			setText(m, tMemory, "4096")
			setText(m, tContainer, "web")
			setText(m, tImage, "nginx")
		}, tMemory, `Memory (MiB): no Fargate configuration exists for 256 cpu units with 4096 MiB; with CPU "256" use Memory 512, 1024, 2048`},
		{"bad desired count", "service", func(t *testing.T, m *Model) {
			setText(m, sName, "web")
			setText(m, sTaskDef, "web")
			setText(m, sDesired, "two")
		}, sDesired, `Desired count: "two" is not a whole number`},
		{"public IP on EC2", "service", func(t *testing.T, m *Model) {
			setText(m, sName, "web")
			setText(m, sTaskDef, "web")
			choose(t, m, sLaunch, "EC2")
		}, sPublic, "Public IP: is only supported for the FARGATE launch type"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := createModel(t, 120, 40, false)
			m := s.Model
			openCmd(m, "create "+c.kind)
			c.fill(t, m)
			typed := formOn(m).values()
			before := s.counts(t)
			submit(m)
			sc := screen(m)
			mustContain(t, sc, "✗ "+c.want[:min(len(c.want), 60)]) // the rest may wrap
			if f := formOn(m).field(c.field); !strings.Contains(f.err, c.want) || formOn(m).focus != c.field {
				t.Fatalf("error %q at %s (focus %s), want it at %s", f.err, f.id, formOn(m).focus, c.field)
			}
			if !isPage[*createWizard](m.current()) {
				t.Fatalf("left the form:\n%s", sc)
			}
			if got := formOn(m).values(); !maps(got, typed) {
				t.Fatalf("values changed: %v → %v", typed, got)
			}
			if s.counts(t) != before {
				t.Fatal("something was created")
			}
		})
	}
}

func maps(a, b vals) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestCreateChecksFieldOnLeave: tab checks the field being left.
func TestCreateChecksFieldOnLeave(t *testing.T) {
	s := createModel(t, 120, 40, false)
	m := s.Model
	openCmd(m, "create instance")
	press(m, "tab")
	mustContain(t, screen(m), "✗ Name: is empty; give the instance a name", "> AMI id")
	typeText(m, "ami-xyz")
	press(m, "tab")
	mustContain(t, screen(m), `✗ AMI id: "ami-xyz" is not an AMI id`)
	mustNotContain(t, screen(m), "Latest AMI of") // only when the AMI is left empty
}

func TestCreateNoAtReviewCreatesNothing(t *testing.T) {
	s := createModel(t, 120, 40, false)
	m := s.Model
	openCmd(m, "create cluster")
	typeText(m, "green")
	before := s.counts(t)
	for _, key := range []string{"enter", "n", "esc"} {
		submit(m)
		mustContain(t, screen(m), "Plan: create cluster green", "[ No ]")
		if cmd := press(m, key); cmd != nil {
			t.Fatalf("%s at the review returned a Cmd", key)
		}
		mustContain(t, screen(m), "create cluster cancelled: nothing was created or changed", "Create an ECS cluster", "green")
	}
	if s.counts(t) != before {
		t.Fatal("No created something")
	}
}

func TestCreateReadonlyRefuses(t *testing.T) {
	s := createModel(t, 120, 40, true)
	m := s.Model
	for _, open := range []func(){
		func() { press(m, "1", "c") },
		func() { press(m, "2", "c") },
		func() { openCmd(m, "create taskdef") },
	} {
		open()
		sc := screen(m)
		mustContain(t, sc, "read-only mode (--readonly): create is disabled")
		if isPage[*createWizard](m.current()) {
			t.Fatal("a wizard opened in read-only mode")
		}
	}
}

func TestCreateCommandListsKinds(t *testing.T) {
	s := createModel(t, 160, 40, false)
	openCmd(s.Model, "create")
	mustContain(t, screen(s.Model), "create what? :create instance, :create cluster, :create taskdef, :create service")
}

// TestCreateFailureKeepsValues: a task definition that does not exist is
// refused under its field before the review (nothing to confirm); AWS's
// refusal at create time names the operation and its code, and the form
// keeps every value.
func TestCreateFailureKeepsValues(t *testing.T) {
	s := createModel(t, 160, 40, false)
	m := s.Model
	press(m, "3", "c")
	setText(m, sName, "api")
	setText(m, sTaskDef, "missing:7")
	before := s.counts(t)
	submit(m)
	if isPage[*review](m.current()) {
		t.Fatalf("a missing task definition reached the review:\n%s", screen(m))
	}
	if f := formOn(m).field(sTaskDef); !strings.Contains(f.err, "missing:7 was not found") || !strings.Contains(f.err, "ClientException") {
		t.Fatalf("task definition error = %q", f.err)
	}

	// The service web exists in the seeded cluster: ECS refuses at create.
	setText(m, sName, "web")
	setText(m, sTaskDef, "web")
	submit(m)
	mustContain(t, screen(m), "web:1") // the review names the revision
	confirmCreate(t, m)
	mustContain(t, screen(m), "create service web failed: ecs:CreateService: InvalidParameterException: Creation of service was not idempotent.")
	if formOn(m).field(sName).value() != "web" || formOn(m).field(sTaskDef).value() != "web" || s.counts(t) != before {
		t.Fatal("the form lost a value or something was created")
	}
}
