package aws

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"deckhand/internal/cloud"
	"deckhand/internal/doctor"
)

// TestDoctorOnMoto runs the doctor's reads through the SDK adapter against
// moto: the adapter reports a service's awsvpc security groups and
// subnets and an instance's security groups (what the doctor's checks
// need), and the instance doctor, from an address no rule lets in and
// without the key pair's private key here, names exactly those two causes.
func TestDoctorOnMoto(t *testing.T) {
	f := newFixture(t)
	c, _ := f.client(t)
	ctx := context.Background()
	vpc, err := c.DefaultVPC(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sns, err := c.Subnets(ctx, vpc.ID)
	if err != nil || len(sns) == 0 {
		t.Fatalf("Subnets = %v, %v", sns, err)
	}
	sg, _, err := c.EnsureSecurityGroup(ctx, cloud.SecurityGroupSpec{Name: "doc-web", VpcID: vpc.ID,
		Ingress: []cloud.IngressRule{{Port: 80, CIDR: "0.0.0.0/0"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.CreateKeyPair(ctx, "doc-key", nil); err != nil {
		t.Fatal(err)
	}
	in, err := c.RunInstance(ctx, cloud.InstanceSpec{Name: "doc", ImageID: f.ami(t), InstanceType: "t3.micro",
		KeyName: "doc-key", SecurityGroupIDs: []string{sg}, SubnetID: sns[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateCluster(ctx, "doc", nil); err != nil {
		t.Fatal(err)
	}
	td, err := c.RegisterTaskDefinition(ctx, cloud.TaskDefSpec{Family: "doc", CPU: "256", Memory: "512", NetworkMode: "awsvpc", Fargate: true,
		Containers: []cloud.ContainerSpec{{Name: "web", Image: "public.ecr.aws/nginx/nginx:1.27", Port: 80, Essential: true}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateService(ctx, cloud.ServiceSpec{Cluster: "doc", Name: "web", TaskDefinition: td, Desired: 1, LaunchType: "FARGATE",
		Subnets: []string{sns[0].ID}, SecurityGroups: []string{sg}}); err != nil {
		t.Fatal(err)
	}

	sin, unread, err := doctor.GatherService(ctx, c, "doc", "web", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sin.Service.SecurityGroups, []string{sg}) || !slices.Equal(sin.Service.Subnets, []string{sns[0].ID}) {
		t.Errorf("service network = %v %v, want [%s] [%s]", sin.Service.SecurityGroups, sin.Service.Subnets, sg, sns[0].ID)
	}
	if _, ok := sin.TaskDefs[td]; !ok || len(sin.Groups) == 0 {
		t.Errorf("the doctor read no task definition or no security groups: %v (unread %v)", sin.TaskDefs, unread)
	}
	if r := doctor.Service(sin, unread); len(r.Causes()) != 0 {
		t.Errorf("a service moto runs has causes: %v", r.Text(time.UTC))
	}

	for _, x := range []struct {
		name  string
		from  string
		ports []int32
		want  []string
		text  []string
	}{
		{"from an address no rule lets in", "203.0.113.7/32", []int32{22}, []string{"sg-no-rule", "key-missing"},
			[]string{"no security group lets 203.0.113.7/32 in on port 22", "tcp 80 from 0.0.0.0/0", "--cidr 203.0.113.7/32", "doc-key.pem"}},
		{"no port asked about: notes only", "203.0.113.7/32", nil, nil, []string{"Healthy", "note; sg-no-rule", "note; key-missing"}},
		{"address unknown", "", []int32{22}, []string{"key-missing"}, []string{"your address: not given"}},
	} {
		t.Run(x.name, func(t *testing.T) {
			iin, unread, err := doctor.GatherInstance(ctx, c, in.ID, x.from, x.ports, t.TempDir(), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(iin.Instance.SecurityGroupIDs, []string{sg}) {
				t.Errorf("instance groups = %v, want [%s]", iin.Instance.SecurityGroupIDs, sg)
			}
			r := doctor.Instance(iin, unread)
			text := strings.Join(r.Text(time.UTC), "\n")
			if got := r.Causes(); !slices.Equal(got, x.want) {
				t.Fatalf("causes = %v, want %v\n%s", got, x.want, text)
			}
			for _, w := range x.text {
				if !strings.Contains(text, w) {
					t.Errorf("report lacks %q:\n%s", w, text)
				}
			}
		})
	}
}
