package aws

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"deckhand/internal/cloud"
	"deckhand/internal/launch"
	"deckhand/internal/resource"
)

// Planning only checks input and builds steps: these tests pass no backend
// at all, so anything that would call AWS would panic.

func TestFargateRejectsBadInput(t *testing.T) {
	withDockerfile := t.TempDir()
	os.WriteFile(filepath.Join(withDockerfile, "Dockerfile"), []byte("FROM scratch\nEXPOSE 8000\n"), 0o644)
	notEmpty := t.TempDir()
	os.WriteFile(filepath.Join(notEmpty, "notes.txt"), []byte("x"), 0o644)
	img := "nginx:1.27"
	tests := []struct {
		name  string
		o     FargateOptions
		field string // "" = a *launch.NameError
		want  string
	}{
		{"bad stack", FargateOptions{Stack: "My_App", Image: img}, "", "lowercase"},
		{"cpu", FargateOptions{Stack: "web", Image: img, CPU: "300"}, "cpu", "not a Fargate cpu size"},
		{"memory", FargateOptions{Stack: "web", Image: img, CPU: "256", Memory: "4096"}, "memory", "no Fargate configuration exists for 256 cpu units with 4096 MiB"},
		{"memory default cpu", FargateOptions{Stack: "web", Image: img, Memory: "3000"}, "memory", "with CPU \"256\""},
		{"port", FargateOptions{Stack: "web", Image: img, Port: 70000}, "port", "not a TCP port"},
		{"vpc", FargateOptions{Stack: "web", Image: img, VpcID: "default"}, "vpc", "not a VPC id"},
		{"cluster", FargateOptions{Stack: "web", Image: img, Cluster: "my cluster"}, "cluster", ""},
		{"health check", FargateOptions{Stack: "web", Image: img, HealthCheck: "curl"}, "health-check", "use python"},
		{"image", FargateOptions{Stack: "web", Image: "Nginx Latest"}, "image", "not an image reference"},
		{"image with base", FargateOptions{Stack: "web", Image: img, BaseImage: "python:3"}, "image", "--base-image"},
		{"no dir", FargateOptions{Stack: "web"}, "dir", "no project directory"},
		{"empty dir", FargateOptions{Stack: "web", Dir: t.TempDir()}, "dir", "--scaffold"},
		{"dir without Dockerfile", FargateOptions{Stack: "web", Dir: notEmpty}, "dir", "has no Dockerfile"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Fargate(nil, nil, tc.o)
			if tc.field == "" {
				var ne *launch.NameError
				if !errors.As(err, &ne) {
					t.Fatalf("err = %v, want *launch.NameError", err)
				}
			} else {
				wantField(t, err, tc.field)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to say %q", err, tc.want)
			}
		})
	}
	// Valid input plans.
	for _, o := range []FargateOptions{
		{Stack: "web", Image: img, CPU: "1024", Memory: "2 GB"},
		{Stack: "web", Image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/deckhand/web:1a2b3c4d5e6f"},
		{Stack: "web", Dir: withDockerfile},
		{Stack: "web", Dir: filepath.Join(t.TempDir(), "new"), Scaffold: true},
	} {
		if _, _, err := Fargate(nil, nil, o); err != nil {
			t.Errorf("%+v: %v", o, err)
		}
	}
}

func TestEC2RejectsBadInput(t *testing.T) {
	img := "nginx:1.27"
	empty := filepath.Join(t.TempDir(), "new")
	tests := []struct {
		name  string
		o     EC2Options
		field string
		want  string
	}{
		{"bad stack", EC2Options{Stack: "-web", Image: img}, "", "lowercase"},
		{"nothing to run", EC2Options{Stack: "web"}, "dir", "no project directory given"},
		{"dir without Dockerfile", EC2Options{Stack: "web", Dir: "."}, "dir", "has no Dockerfile"},
		{"empty dir without scaffold", EC2Options{Stack: "web", Dir: empty}, "dir", "deckhand scaffold"},
		{"scaffold on another port", EC2Options{Stack: "web", Dir: empty, Scaffold: true, Port: 8080}, "port", "listens on 5000"},
		{"base image with image", EC2Options{Stack: "web", Image: img, BaseImage: "deckhand/python-base:bookworm"}, "image", "only when building"},
		{"ECR without account", EC2Options{Stack: "web", Image: "me.dkr.ecr.eu-west-1.amazonaws.com/web:1"}, "image", "12-digit account"},
		{"port", EC2Options{Stack: "web", Image: img, Port: -1}, "port", "not a TCP port"},
		{"port 22", EC2Options{Stack: "web", Image: img, Port: 22}, "port", "SSH's port"},
		{"cidr garbage", EC2Options{Stack: "web", Image: img, SSHCIDR: "my laptop"}, "ssh-cidr", "not a CIDR"},
		{"cidr host bits", EC2Options{Stack: "web", Image: img, SSHCIDR: "203.0.113.7/24"}, "ssh-cidr", "203.0.113.0/24"},
		{"cidr anywhere", EC2Options{Stack: "web", Image: img, SSHCIDR: "0.0.0.0/0"}, "ssh-cidr", "whole internet"},
		{"cidr anywhere v6", EC2Options{Stack: "web", Image: img, SSHCIDR: "::/0"}, "ssh-cidr", "whole internet"},
		{"distro", EC2Options{Stack: "web", Image: img, AMIDistro: "debian"}, "ami-distro", "ubuntu-24.04"},
		{"instance type", EC2Options{Stack: "web", Image: img, InstanceType: "big"}, "instance-type", "t3.micro"},
		{"vpc", EC2Options{Stack: "web", Image: img, VpcID: "vpc-XYZ"}, "vpc", "not a VPC id"},
		{"key name", EC2Options{Stack: "web", Image: img, KeyName: "caf\u00e9"}, "key-name", "printable ASCII"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := EC2(nil, nil, tc.o)
			if tc.field == "" {
				var ne *launch.NameError
				if !errors.As(err, &ne) {
					t.Fatalf("err = %v, want *launch.NameError", err)
				}
			} else {
				wantField(t, err, tc.field)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to say %q", err, tc.want)
			}
		})
	}
	// A bare address is one host.
	steps, _, err := EC2(nil, nil, EC2Options{Stack: "web", Image: img, SSHCIDR: "198.51.100.9", AMIDistro: "ubuntu-24.04"})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	launch.WritePlan(&b, "", steps)
	for _, w := range []string{"SSH (22) from 198.51.100.9/32 only", "packages:\n          - docker.io", "ubuntu-noble-24.04"} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("plan lacks %q:\n%s", w, b.String())
		}
	}
}

// TestEC2Plans: from a directory and with an image in ECR the launch
// builds and pushes (or not) and has the instance role; a public image has
// neither. The dry run shows the IAM and run-instances commands.
func TestEC2Plans(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\nEXPOSE 8080\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ecr := "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1"
	for _, tc := range []struct {
		name  string
		o     EC2Options
		steps string
		plan  []string
	}{
		{"dir", EC2Options{Stack: "web", Dir: dir, SSHCIDR: "203.0.113.7/32"},
			"build repository login push instance-role address key-pair ami network security-group instance wait check retire ssh",
			[]string{"docker build --label deckhand.stack=web -t deckhand/web:latest " + dir, "docker push REPOSITORY_URI:IMAGE_ID",
				"aws iam create-role --role-name deckhand-web-ec2 --path /deckhand/ --assume-role-policy-document '" + cloud.InstanceRoleTrustPolicy + "'",
				"aws iam attach-role-policy --role-name deckhand-web-ec2 --policy-arn arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
				"aws iam create-instance-profile --instance-profile-name deckhand-web-ec2 --path /deckhand/ --tags Key=deckhand:stack,Value=web",
				"aws iam add-role-to-instance-profile --instance-profile-name deckhand-web-ec2 --role-name deckhand-web-ec2",
				"--iam-instance-profile Name=deckhand-web-ec2", "tcp 8080 from 0.0.0.0/0",
				"aws ecr get-login-password --region REGION | docker login --username AWS --password-stdin ACCOUNT.dkr.ecr.REGION.amazonaws.com",
				`"-p", "8080:8080", "ACCOUNT.dkr.ecr.REGION.amazonaws.com/deckhand/web:IMAGE_ID"`, "Value=CONFIG_HASH"}},
		{"scaffold", EC2Options{Stack: "web", Dir: filepath.Join(t.TempDir(), "new"), Scaffold: true},
			"scaffold build repository login push instance-role address key-pair ami network security-group instance wait check retire ssh",
			[]string{"deckhand scaffold", `answers 2xx with "`, "tcp 5000 from 0.0.0.0/0"}},
		{"--scaffold with a Dockerfile", EC2Options{Stack: "web", Dir: dir, Scaffold: true, SSHCIDR: "203.0.113.7/32"},
			"scaffold build repository login push instance-role address key-pair ami network security-group instance wait check retire ssh",
			[]string{"Keep " + dir + "'s Dockerfile and build it as it is"}},
		{"ECR image", EC2Options{Stack: "web", Image: ecr},
			"instance-role address key-pair ami network security-group instance wait check retire ssh",
			[]string{"--iam-instance-profile Name=deckhand-web-ec2",
				"aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com"}},
		{"public image", EC2Options{Stack: "web", Image: "nginx:1.27", Port: 80},
			"address key-pair ami network security-group instance wait check retire ssh", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			steps, _, err := EC2(nil, nil, tc.o)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(names(steps), " "); got != tc.steps {
				t.Errorf("steps = %s\nwant    %s", got, tc.steps)
			}
			var b strings.Builder
			launch.WritePlan(&b, "", steps)
			plan := b.String()
			for _, w := range tc.plan {
				if !strings.Contains(plan, w) {
					t.Errorf("plan lacks %q:\n%s", w, plan)
				}
			}
			if tc.o.Image == "nginx:1.27" && (strings.Contains(plan, "iam") || strings.Contains(plan, "ecr")) {
				t.Errorf("a public image's plan mentions IAM or ECR:\n%s", plan)
			}
		})
	}
}

// TestEC2InstanceExplains: the instance step explains a profile EC2 never
// saw and a missing iam:PassRole.
func TestEC2InstanceExplains(t *testing.T) {
	steps, _, err := EC2(nil, nil, EC2Options{Stack: "web", Image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1"})
	if err != nil {
		t.Fatal(err)
	}
	inst := only(steps, "instance")[0]
	for msg, want := range map[string]string{
		"Value (deckhand-web-ec2) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name":          "launch again in a minute",
		"You are not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/deckhand/deckhand-web-ec2": "needs the IAM permission iam:PassRole",
	} {
		code := "InvalidParameterValue"
		if strings.Contains(msg, "PassRole") {
			code = "UnauthorizedOperation"
		}
		err := &cloud.Error{Service: "ec2", Operation: "RunInstances", Code: code, Message: msg}
		if got := inst.Explain(err); !strings.Contains(got, want) {
			t.Errorf("Explain(%v) = %q, want %q", err, got, want)
		}
	}
}

func TestUserData(t *testing.T) {
	got := UserData("web", `ghcr.io/o/app:v1`, 8080, "al2023")
	want := `#cloud-config
# deckhand: stack web runs ghcr.io/o/app:v1 on port 8080
package_update: true
packages:
  - docker
runcmd:
  - ["systemctl", "enable", "--now", "docker"]
  - ["docker", "run", "-d", "--name", "deckhand-web", "--restart", "unless-stopped", "--label", "deckhand.stack=web", "-p", "8080:8080", "ghcr.io/o/app:v1"]
`
	if got != want {
		t.Errorf("user data:\n%s\nwant:\n%s", got, want)
	}

	// An image in ECR: the instance logs in with its role first.
	ecr := "123456789012.dkr.ecr.eu-west-1.amazonaws.com/deckhand/web:1a2b3c4d5e6f"
	got = UserData("web", ecr, 5000, "al2023")
	want = `#cloud-config
# deckhand: stack web runs ` + ecr + ` on port 5000, pulled from ECR with the instance role
package_update: true
packages:
  - docker
runcmd:
  - ["systemctl", "enable", "--now", "docker"]
  - "for i in 1 2 3 4 5 6 7 8 9 10; do aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com && break; sleep 6; done"
  - ["docker", "run", "-d", "--name", "deckhand-web", "--restart", "unless-stopped", "--label", "deckhand.stack=web", "-p", "5000:5000", "` + ecr + `"]
`
	if got != want {
		t.Errorf("ECR user data:\n%s\nwant:\n%s", got, want)
	}
	// Ubuntu has no AWS CLI: it comes from the snap, before the login.
	got = UserData("web", ecr, 5000, cloud.DistroUbuntu2404)
	snap, login := strings.Index(got, `["snap", "install", "aws-cli", "--classic"]`), strings.Index(got, "aws ecr get-login-password")
	if !strings.Contains(got, "  - docker.io\n") || snap < 0 || login < snap {
		t.Errorf("ubuntu ECR user data:\n%s", got)
	}
}

// TestEC2AddressLookup: without --ssh-cidr the address step asks for this
// machine's address; when that fails it asks for --ssh-cidr (and never
// opens SSH wider), except in the sandbox, where it says what it uses.
func TestEC2AddressLookup(t *testing.T) {
	fail := func(context.Context) (string, error) { return "", errors.New("no route to host") }
	steps, _, err := EC2(nil, nil, EC2Options{Stack: "web", Image: "nginx:1.27", LookupIP: fail})
	if err != nil {
		t.Fatal(err)
	}
	err = launch.Execute(context.Background(), steps[:1], nil)
	if err == nil || !strings.Contains(err.Error(), "pass --ssh-cidr") {
		t.Errorf("err = %v, want a request for --ssh-cidr", err)
	}
	// The sandbox never looks the address up: no call leaves this machine.
	asked := false
	spy := func(context.Context) (string, error) { asked = true; return "198.51.100.4", nil }
	steps, _, _ = EC2(nil, nil, EC2Options{Stack: "web", Image: "nginx:1.27", LookupIP: spy, Sandbox: true})
	var r recorder
	if err := launch.Execute(context.Background(), steps[:1], r.report); err != nil {
		t.Fatal(err)
	}
	if d := r.detail("address"); asked || !strings.Contains(d, "127.0.0.1/32") || !strings.Contains(d, "simulated") {
		t.Errorf("sandbox address = %q, looked up: %v", d, asked)
	}
	v6 := func(context.Context) (string, error) { return "2001:db8::7", nil }
	steps, _, _ = EC2(nil, nil, EC2Options{Stack: "web", Image: "nginx:1.27", LookupIP: v6})
	r = recorder{}
	if err := launch.Execute(context.Background(), steps[:1], r.report); err != nil {
		t.Fatal(err)
	}
	if d := r.detail("address"); d != "SSH from 2001:db8::7/128" {
		t.Errorf("address = %q", d)
	}
}

func TestDeployErrorExplains(t *testing.T) {
	exit := int32(3)
	e := &DeployError{Service: "web", Revision: "web:4", Stopped: []resource.Task{
		{ID: "aaa", StopCode: "TaskFailedToStart", StoppedReason: "CannotPullContainerError: pull image manifest has been retried 5 time(s): not found"},
		{ID: "bbb", StopCode: "EssentialContainerExited", StoppedReason: "Essential container in task exited",
			Containers: []resource.Container{{Name: "web", ExitCode: &exit}}},
	}}
	msg := e.Error()
	first, _, _ := strings.Cut(msg, "\n")
	if first != "2 tasks of web:4 stopped without serving; task bbb: EssentialContainerExited: Essential container in task exited: container web exited with code 3" {
		t.Errorf("first line = %q", first)
	}
	if !strings.Contains(msg, "task aaa stopped: TaskFailedToStart: CannotPullContainerError") {
		t.Errorf("message = %q", msg)
	}
	p := &fargate{FargateOptions: FargateOptions{Stack: "web", Timeout: 1, MaxFailedTasks: 2}}
	if got := p.waitStep().Explain(e); !strings.Contains(got, "exited") {
		t.Errorf("explanation = %q, want the last task's (essential container exited)", got)
	}
	if got := launch.Explain(e); got == "" {
		t.Error("launch.Explain has nothing for a deploy error")
	}
}
