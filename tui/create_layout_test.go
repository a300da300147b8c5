package tui

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"deckhand/internal/cloud"
)

// fixedCreator answers the look-ups of the review with fixed values, so
// the layout goldens do not depend on the sandbox's random ids. It creates
// nothing: these tests stop at the review.
type fixedCreator struct{ Creator }

func (fixedCreator) LatestAMI(context.Context, string) (cloud.AMI, error) {
	return cloud.AMI{ID: "ami-0123456789abcdef0", Name: "al2023-ami-2023.6.20250115.0-kernel-6.1-x86_64",
		Source: "ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64", SSHUser: "ec2-user"}, nil
}
func (fixedCreator) FindKeyPair(_ context.Context, name string) (cloud.KeyPair, bool, error) {
	return cloud.KeyPair{Name: name}, true, nil
}
func (fixedCreator) InstanceTypeOffered(_ context.Context, typ string) (bool, error) {
	return typ == "t3.micro", nil
}
func (fixedCreator) FindAMI(_ context.Context, id string) (cloud.AMI, bool, error) {
	return cloud.AMI{ID: id}, true, nil
}
func (fixedCreator) DefaultVPC(context.Context) (cloud.VPC, error) {
	return cloud.VPC{ID: "vpc-0a1b2c3d4e5f60718", CIDR: "172.31.0.0/16"}, nil
}
func (fixedCreator) Subnets(context.Context, string) ([]cloud.Subnet, error) {
	return []cloud.Subnet{{ID: "subnet-0aaa1111bbbb2222c", AZ: "us-east-1a"}, {ID: "subnet-0ddd3333eeee4444f", AZ: "us-east-1b"}}, nil
}

// TestCreateLayout: the creation wizards and the instance review at 80×24
// and 200×50 (goldens: go test ./tui -run TestCreateLayout -update).
func TestCreateLayout(t *testing.T) {
	for _, size := range []struct {
		name string
		w, h int
	}{{"80x24", 80, 24}, {"200x50", 200, 50}} {
		t.Run(size.name, func(t *testing.T) {
			for _, c := range []struct {
				name string
				do   func(m *Model)
				want []string
			}{
				{"instance", func(m *Model) {
					press(m, "c", "tab")
					typeText(m, "ami-1")
					press(m, "tab")
				}, []string{"create instance", "✗ Name: is empty", `✗ AMI id: "ami-1" is not an AMI id`, "> Instance type"}},
				{"instance-review", func(m *Model) {
					press(m, "c")
					typeText(m, "web")
					setText(m, iKey, "ops")
					setText(m, iRules, "tcp 22 from 203.0.113.7/32, tcp 80 from 0.0.0.0/0")
					setText(m, iUser, "testdata/user-data.sh")
					submit(m)
				}, []string{"Plan: create instance web", "[ No ]"}},
				{"taskdef", func(m *Model) {
					openCmd(m, "create taskdef")
					typeText(m, "web")
					setText(m, tCPU, "1024")
					setText(m, tMemory, "1024")
					press(m, "tab")
				}, []string{"Register an ECS task definition", "with 1024 cpu units Fargate allows 2048", "✗ Memory (MiB): no Fargate configuration"}},
				{"service", func(m *Model) {
					press(m, "3", "c")
				}, []string{"Create an ECS service", "[prod]", "Circuit breaker"}},
			} {
				t.Run(c.name, func(t *testing.T) {
					m, _ := newLoaded(t, size.w, size.h)
					m.cfg.Create = fixedCreator{}
					c.do(m)
					mustContain(t, strings.Join(strings.Fields(screen(m)), " "), c.want...)
					checkFits(t, m, size.w, size.h)
					if n := strings.Count(m.View().Content, "\n") + 1; n != size.h {
						t.Fatalf("%d lines on a %d-line terminal", n, size.h)
					}
					goldenScreen(t, m)
				})
			}
		})
	}
}

// TestCreateNoColor: without colour the focus, the choices and the
// errors still read (cursor, brackets, ✗).
func TestCreateNoColor(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	m, _ := newLoaded(t, 120, 40)
	m.cfg.Create = fixedCreator{}
	press(m, "c", "tab")
	if regexp.MustCompile(`\x1b\[[0-9;]*[34]8;`).MatchString(m.View().Content) {
		t.Fatal("NO_COLOR set but the form has colour sequences")
	}
	mustContain(t, screen(m), "> AMI id", "[Amazon Linux 2023]", "[new, from rules]", "✗ Name: is empty")
}
