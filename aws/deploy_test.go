package aws

import (
	"deckhand/internal/cloud"

	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
	"golang.org/x/crypto/ssh"

	"deckhand/internal/resource"
	"deckhand/internal/testbed"
)

// Tests of the deploy capabilities against moto: what the adapter creates
// is read back with the SDK directly.

// deployFixture is a moto with SDK clients of the deploy services.
type deployFixture struct {
	*fixture
	ecr  *ecr.Client
	iam  *iam.Client
	logs *cloudwatchlogs.Client
}

// newDeployFixture starts a moto that knows AWS's managed policies (moto
// loads them only when asked: MOTO_IAM_LOAD_MANAGED_POLICIES; AWS always
// has them). It sets environment variables: call it before t.Parallel.
func newDeployFixture(t *testing.T) *deployFixture {
	t.Helper()
	t.Setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
	f := newFixture(t)
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("us-east-1"))
	if err != nil {
		t.Fatal(err)
	}
	base := sdkaws.String(f.m.URL)
	return &deployFixture{
		fixture: f,
		ecr:     ecr.NewFromConfig(cfg, func(o *ecr.Options) { o.BaseEndpoint = base }),
		iam:     iam.NewFromConfig(cfg, func(o *iam.Options) { o.BaseEndpoint = base }),
		logs:    cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) { o.BaseEndpoint = base }),
	}
}

func codeOf(err error) string {
	var e *cloud.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func TestDeployAgainstMoto(t *testing.T) {
	f := newDeployFixture(t)
	for name, test := range map[string]func(*testing.T, *deployFixture){
		"registry": testRegistry, "roles": testRoles, "logs": testLogs, "network": testNetwork,
		"task public IP": testTaskPublicIP, "key pairs": testKeyPairs, "instance profiles": testInstanceProfiles,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			test(t, f)
		})
	}
}

func testRegistry(t *testing.T, f *deployFixture) {
	ctx := context.Background()
	c, _ := f.client(t)
	tags := cloud.StackTags("reg", cloud.Tags{"team": "deck"})
	repo, created, err := c.EnsureRepository(ctx, "reg/web", tags)
	if err != nil || !created {
		t.Fatalf("EnsureRepository = %+v, %v, %v; want created", repo, created, err)
	}
	wantURI := "123456789012.dkr.ecr.us-east-1.amazonaws.com/reg/web"
	if repo.Name != "reg/web" || repo.URI != wantURI || repo.ARN != "arn:aws:ecr:us-east-1:123456789012:repository/reg/web" {
		t.Errorf("repository = %+v", repo)
	}
	again, created, err := c.EnsureRepository(ctx, "reg/web", cloud.Tags{"other": "tags"})
	if err != nil || created || again.URI != wantURI || !maps.Equal(again.Tags, tags) {
		t.Errorf("second EnsureRepository = %+v, %v, %v; want found with the first call's tags", again, created, err)
	}
	lt, err := f.ecr.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: sdkaws.String(repo.ARN)})
	if err != nil {
		t.Fatal(err)
	}
	got := cloud.Tags{}
	for _, tg := range lt.Tags {
		got[*tg.Key] = *tg.Value
	}
	if !maps.Equal(got, tags) {
		t.Errorf("repository tags = %v, want %v", got, tags)
	}
	d, err := f.ecr.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"reg/web"}})
	if err != nil || d.Repositories[0].ImageScanningConfiguration == nil || !d.Repositories[0].ImageScanningConfiguration.ScanOnPush {
		t.Errorf("scan on push not set: %v", err)
	}

	auth, err := c.RegistryLogin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if auth.Username != "AWS" || auth.Password != "123456789012-auth-token" || // moto's password
		auth.ServerAddress != "https://123456789012.dkr.ecr.us-east-1.amazonaws.com" || auth.Local ||
		auth.Host() != "123456789012.dkr.ecr.us-east-1.amazonaws.com" {
		t.Errorf("RegistryLogin = user %q server %q local %v host %q", auth.Username, auth.ServerAddress, auth.Local, auth.Host())
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(verb, auth); strings.Contains(s, auth.Password) {
			t.Errorf("%s of RegistryAuth shows the password: %s", verb, s)
		}
	}

	if err := c.DeleteRepository(ctx, "reg/web", false); err != nil {
		t.Fatal(err)
	}
	err = c.DeleteRepository(ctx, "reg/web", true)
	if codeOf(err) != "RepositoryNotFoundException" || !cloud.IsNotFound(err) {
		t.Errorf("deleting a deleted repository: %v, want RepositoryNotFoundException", err)
	}
}

func testRoles(t *testing.T, f *deployFixture) {
	ctx := context.Background()
	c, _ := f.client(t)
	tags := cloud.StackTags("roles", nil)
	arn, created, err := c.EnsureTaskExecutionRole(ctx, "roles-exec", tags)
	if err != nil || !created || arn != "arn:aws:iam::123456789012:role/deckhand/roles-exec" {
		t.Fatalf("EnsureTaskExecutionRole = %q, %v, %v", arn, created, err)
	}
	checkRole := func(name string, wantTags cloud.Tags) {
		t.Helper()
		r, err := f.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: sdkaws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		if !trustsECSTasks(sdkaws.ToString(r.Role.AssumeRolePolicyDocument)) {
			t.Errorf("%s: trust policy %s does not trust ecs-tasks", name, sdkaws.ToString(r.Role.AssumeRolePolicyDocument))
		}
		ap, err := f.iam.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: sdkaws.String(name)})
		if err != nil || len(ap.AttachedPolicies) != 1 || sdkaws.ToString(ap.AttachedPolicies[0].PolicyArn) != cloud.TaskExecutionPolicyARN {
			t.Errorf("%s: attached policies %+v, %v; want only %s", name, ap, err, cloud.TaskExecutionPolicyARN)
		}
		rt, err := f.iam.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: sdkaws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		got := cloud.Tags{}
		for _, tg := range rt.Tags {
			got[*tg.Key] = *tg.Value
		}
		if !maps.Equal(got, wantTags) {
			t.Errorf("%s: tags %v, want %v", name, got, wantTags)
		}
	}
	checkRole("roles-exec", tags)
	again, created, err := c.EnsureTaskExecutionRole(ctx, "roles-exec", tags)
	if err != nil || created || again != arn {
		t.Errorf("second EnsureTaskExecutionRole = %q, %v, %v; want found", again, created, err)
	}

	// Someone's role that trusts ECS tasks but lacks the policy: found, the
	// policy attached, its tags (none) left alone.
	if _, err := f.iam.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: sdkaws.String("roles-theirs"), AssumeRolePolicyDocument: sdkaws.String(cloud.TaskExecutionTrustPolicy),
	}); err != nil {
		t.Fatal(err)
	}
	if _, created, err := c.EnsureTaskExecutionRole(ctx, "roles-theirs", tags); err != nil || created {
		t.Errorf("EnsureTaskExecutionRole of an existing role = %v, %v", created, err)
	}
	checkRole("roles-theirs", cloud.Tags{})

	// A role ECS tasks cannot assume is refused, not changed.
	if _, err := f.iam.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 sdkaws.String("roles-ec2"),
		AssumeRolePolicyDocument: sdkaws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
	}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.EnsureTaskExecutionRole(ctx, "roles-ec2", tags); codeOf(err) != cloud.CodeRoleNotAssumable {
		t.Errorf("role trusting EC2: %v, want %s", err, cloud.CodeRoleNotAssumable)
	}

	if err := c.DeleteRole(ctx, "roles-exec"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: sdkaws.String("roles-exec")}); err == nil {
		t.Error("role still exists after DeleteRole")
	}
	if err := c.DeleteRole(ctx, "roles-exec"); codeOf(err) != "NoSuchEntity" || !cloud.IsNotFound(err) {
		t.Errorf("deleting a deleted role: %v, want NoSuchEntity", err)
	}
}

// testInstanceProfiles: the role and the profile are created once and
// found on a re-run; what IAM holds is read back with the SDK; an instance
// launched with the profile carries it; the delete leaves nothing.
func testInstanceProfiles(t *testing.T, f *deployFixture) {
	ctx := context.Background()
	c, _ := f.client(t)
	tags := cloud.StackTags("prof", cloud.Tags{"team": "deck"})
	arn, created, err := c.EnsureInstanceProfile(ctx, "prof-ec2", tags)
	if err != nil || !created || arn != "arn:aws:iam::123456789012:instance-profile/deckhand/prof-ec2" {
		t.Fatalf("EnsureInstanceProfile = %q, %v, %v", arn, created, err)
	}
	again, created, err := c.EnsureInstanceProfile(ctx, "prof-ec2", cloud.Tags{"other": "tags"})
	if err != nil || created || again != arn {
		t.Errorf("second EnsureInstanceProfile = %q, %v, %v; want found", again, created, err)
	}

	// The role: under /deckhand/, trusted by EC2 (not by ECS tasks), the
	// ECR read-only policy and nothing else, the first call's tags.
	r, err := f.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: sdkaws.String("prof-ec2")})
	if err != nil {
		t.Fatal(err)
	}
	doc := sdkaws.ToString(r.Role.AssumeRolePolicyDocument)
	if sdkaws.ToString(r.Role.Path) != "/deckhand/" || !trustsService(doc, "ec2.amazonaws.com") || trustsECSTasks(doc) {
		t.Errorf("role path %q, trust policy %s", sdkaws.ToString(r.Role.Path), doc)
	}
	ap, err := f.iam.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: sdkaws.String("prof-ec2")})
	if err != nil || len(ap.AttachedPolicies) != 1 || sdkaws.ToString(ap.AttachedPolicies[0].PolicyArn) != cloud.InstanceRolePolicyARN {
		t.Errorf("attached policies %+v, %v; want only %s", ap, err, cloud.InstanceRolePolicyARN)
	}
	rt, err := f.iam.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: sdkaws.String("prof-ec2")})
	if err != nil || !maps.Equal(iamTagMap(rt.Tags), tags) {
		t.Errorf("role tags %v, %v; want %v", rt, err, tags)
	}
	// The profile: under /deckhand/, holding exactly that role, tagged.
	ip, err := f.iam.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: sdkaws.String("prof-ec2")})
	if err != nil {
		t.Fatal(err)
	}
	p := ip.InstanceProfile
	if sdkaws.ToString(p.Path) != "/deckhand/" || len(p.Roles) != 1 || sdkaws.ToString(p.Roles[0].RoleName) != "prof-ec2" ||
		!maps.Equal(iamTagMap(p.Tags), tags) {
		t.Errorf("instance profile: path %q, roles %d, tags %v", sdkaws.ToString(p.Path), len(p.Roles), iamTagMap(p.Tags))
	}

	// An instance launched with it (by name, and by ARN) carries it.
	ami := f.ami(t)
	for _, ref := range []string{"prof-ec2", arn} {
		in, err := c.RunInstance(ctx, cloud.InstanceSpec{Name: "prof", ImageID: ami, InstanceType: "t3.micro", IAMInstanceProfile: ref})
		if err != nil {
			t.Fatalf("RunInstance with %s: %v", ref, err)
		}
		out, err := f.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{in.ID}})
		if err != nil {
			t.Fatal(err)
		}
		got := out.Reservations[0].Instances[0].IamInstanceProfile
		if got == nil || sdkaws.ToString(got.Arn) != arn {
			t.Errorf("instance launched with %s: IamInstanceProfile %+v, want %s", ref, got, arn)
		}
		is, err := c.Instances(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if i := slices.IndexFunc(is, func(x resource.Instance) bool { return x.ID == in.ID }); i < 0 || is[i].IAMInstanceProfile != arn {
			t.Errorf("Instances() lacks the profile of %s", in.ID)
		}
		if err := c.TerminateInstances(ctx, in.ID); err != nil {
			t.Fatal(err)
		}
	}

	// A role of that name that EC2 cannot assume is refused, not changed.
	if _, err := f.iam.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: sdkaws.String("prof-ecs"), AssumeRolePolicyDocument: sdkaws.String(cloud.TaskExecutionTrustPolicy),
	}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.EnsureInstanceProfile(ctx, "prof-ecs", tags); codeOf(err) != cloud.CodeRoleNotAssumableByEC2 {
		t.Errorf("role trusting ECS tasks: %v, want %s", err, cloud.CodeRoleNotAssumableByEC2)
	}
	if _, err := f.iam.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: sdkaws.String("prof-ecs")}); err == nil {
		t.Error("a profile was created for a role EC2 cannot assume")
	}

	// Someone's role that EC2 may assume: found and put in a new profile;
	// deleting the profile leaves their role.
	if _, err := f.iam.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: sdkaws.String("prof-theirs"), AssumeRolePolicyDocument: sdkaws.String(cloud.InstanceRoleTrustPolicy),
	}); err != nil {
		t.Fatal(err)
	}
	if _, created, err := c.EnsureInstanceProfile(ctx, "prof-theirs", tags); err != nil || !created {
		t.Fatalf("EnsureInstanceProfile with their role = %v, %v", created, err)
	}
	if err := c.DeleteInstanceProfile(ctx, "prof-theirs"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: sdkaws.String("prof-theirs")}); err != nil {
		t.Errorf("their role was deleted with the profile: %v", err)
	}
	if _, err := f.iam.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: sdkaws.String("prof-theirs")}); err == nil {
		t.Error("the profile holding their role is left")
	}

	// Delete: the profile and its role go; again is NoSuchEntity.
	if err := c.DeleteInstanceProfile(ctx, "prof-ec2"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.iam.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: sdkaws.String("prof-ec2")}); err == nil {
		t.Error("the instance profile still exists")
	}
	if _, err := f.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: sdkaws.String("prof-ec2")}); err == nil {
		t.Error("the role still exists")
	}
	if err := c.DeleteInstanceProfile(ctx, "prof-ec2"); codeOf(err) != "NoSuchEntity" || !cloud.IsNotFound(err) {
		t.Errorf("deleting a deleted profile: %v, want NoSuchEntity", err)
	}
	// A profile whose role is already gone (a destroy cut short) is deleted.
	if _, _, err := c.EnsureInstanceProfile(ctx, "prof-half", tags); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteRole(ctx, "prof-half"); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteInstanceProfile(ctx, "prof-half"); err != nil {
		t.Errorf("deleting a profile without its role: %v", err)
	}
	if _, err := f.iam.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: sdkaws.String("prof-half")}); err == nil {
		t.Error("the profile without role still exists")
	}
}

func iamTagMap(tags []iamtypes.Tag) cloud.Tags {
	m := cloud.Tags{}
	for _, t := range tags {
		m[sdkaws.ToString(t.Key)] = sdkaws.ToString(t.Value)
	}
	return m
}

func testLogs(t *testing.T, f *deployFixture) {
	ctx := context.Background()
	c, _ := f.client(t)
	tags := cloud.StackTags("logs", nil)
	if created, err := c.EnsureLogGroup(ctx, "/deckhand/logs", tags); err != nil || !created {
		t.Fatalf("EnsureLogGroup = %v, %v", created, err)
	}
	if created, err := c.EnsureLogGroup(ctx, "/deckhand/logs", cloud.Tags{"x": "y"}); err != nil || created {
		t.Errorf("second EnsureLogGroup = %v, %v; want found", created, err)
	}
	lt, err := f.logs.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{
		ResourceArn: sdkaws.String("arn:aws:logs:us-east-1:123456789012:log-group:/deckhand/logs"),
	})
	if err != nil || !maps.Equal(lt.Tags, tags) {
		t.Errorf("log group tags = %v (%v), want %v", lt, err, tags)
	}

	// Three task streams and one of another prefix; each event a second
	// apart, the newest in task-b.
	base := time.Now().Add(-time.Hour).Truncate(time.Second)
	put := func(stream string, secs ...int) {
		if _, err := f.logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{
			LogGroupName: sdkaws.String("/deckhand/logs"), LogStreamName: sdkaws.String(stream),
		}); err != nil {
			t.Fatal(err)
		}
		var evs []logstypes.InputLogEvent
		for _, s := range secs {
			evs = append(evs, logstypes.InputLogEvent{
				Timestamp: sdkaws.Int64(base.Add(time.Duration(s) * time.Second).UnixMilli()),
				Message:   sdkaws.String(fmt.Sprintf("%s line %d\n", stream, s)),
			})
		}
		if _, err := f.logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{
			LogGroupName: sdkaws.String("/deckhand/logs"), LogStreamName: sdkaws.String(stream), LogEvents: evs,
		}); err != nil {
			t.Fatal(err)
		}
	}
	put("web/web/task-a", 1, 3, 5)
	put("web/web/task-b", 2, 4, 6)
	put("other/x/task-c", 7, 8)
	got, err := c.RecentLogEvents(ctx, "/deckhand/logs", "web/", 4)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, e := range got {
		lines = append(lines, e.Message)
	}
	want := []string{"web/web/task-b line 2", "web/web/task-a line 3", "web/web/task-b line 4", "web/web/task-a line 5"}
	want = append(want[1:], "web/web/task-b line 6")
	if !slices.Equal(lines, want) {
		t.Errorf("RecentLogEvents = %q, want %q", lines, want)
	}
	if len(got) > 0 && (got[0].Stream != "web/web/task-a" || !got[0].At.Equal(base.Add(3*time.Second))) {
		t.Errorf("first event = %+v", got[0])
	}
	all, err := c.RecentLogEvents(ctx, "/deckhand/logs", "", 2)
	if err != nil || len(all) != 2 || all[1].Message != "other/x/task-c line 8" {
		t.Errorf("RecentLogEvents without prefix = %+v, %v", all, err)
	}

	if err := c.DeleteLogGroup(ctx, "/deckhand/logs"); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteLogGroup(ctx, "/deckhand/logs"); codeOf(err) != "ResourceNotFoundException" || !cloud.IsNotFound(err) {
		t.Errorf("deleting a deleted log group: %v, want ResourceNotFoundException", err)
	}
}

func testNetwork(t *testing.T, f *deployFixture) {
	ctx := context.Background()
	c, rec := recordingClient(t, Options{EndpointURL: f.m.URL, Region: "us-east-1"})
	vpc, err := c.DefaultVPC(ctx)
	if err != nil || vpc.CIDR != "172.31.0.0/16" {
		t.Fatalf("DefaultVPC = %+v, %v", vpc, err)
	}
	subnets, err := c.Subnets(ctx, vpc.ID)
	if err != nil || len(subnets) == 0 {
		t.Fatalf("Subnets = %v, %v", subnets, err)
	}
	for i, s := range subnets {
		if s.VpcID != vpc.ID || !s.Default || !s.PublicIPOnLaunch || !strings.HasPrefix(s.CIDR, "172.31.") {
			t.Errorf("subnet %+v", s)
		}
		if i > 0 && subnets[i-1].AZ > s.AZ {
			t.Errorf("subnets not sorted by AZ: %v", subnets)
		}
	}

	spec := cloud.SecurityGroupSpec{
		Name: "net-web", VpcID: vpc.ID, Tags: cloud.StackTags("net", nil),
		Ingress: []cloud.IngressRule{
			{Port: 5000, CIDR: "0.0.0.0/0", Description: "app"},
			{Protocol: "tcp", Port: 22, CIDR: "203.0.113.7/32", Description: "ssh from you"},
		},
	}
	id, created, err := c.EnsureSecurityGroup(ctx, spec)
	if err != nil || !created {
		t.Fatalf("EnsureSecurityGroup = %q, %v, %v", id, created, err)
	}
	ingress := func() ([]cloud.IngressRule, ec2types.SecurityGroup) {
		t.Helper()
		d, err := f.ec2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{id}})
		if err != nil {
			t.Fatal(err)
		}
		rules := ingressOf(d.SecurityGroups[0].IpPermissions)
		slices.SortFunc(rules, func(a, b cloud.IngressRule) int { return int(a.Port - b.Port) })
		return rules, d.SecurityGroups[0]
	}
	rules, g := ingress()
	want := []cloud.IngressRule{
		{Protocol: "tcp", Port: 22, CIDR: "203.0.113.7/32", Description: "ssh from you"},
		{Protocol: "tcp", Port: 5000, CIDR: "0.0.0.0/0", Description: "app"},
	}
	if !slices.Equal(rules, want) {
		t.Errorf("ingress = %+v, want exactly %+v", rules, want)
	}
	if sdkaws.ToString(g.Description) != "deckhand: net-web" || !maps.Equal(tagMap(g.Tags), spec.Tags) || sdkaws.ToString(g.VpcId) != vpc.ID {
		t.Errorf("group = %s %v in %s", sdkaws.ToString(g.Description), tagMap(g.Tags), sdkaws.ToString(g.VpcId))
	}

	// Re-run with one more rule: found, only the missing rule authorized.
	spec.Ingress = append(spec.Ingress, cloud.IngressRule{Port: 443, CIDR: "::/0"})
	again, created, err := c.EnsureSecurityGroup(ctx, spec)
	if err != nil || created || again != id {
		t.Fatalf("second EnsureSecurityGroup = %q, %v, %v", again, created, err)
	}
	auth := last[*ec2.AuthorizeSecurityGroupIngressInput](t, rec, "AuthorizeSecurityGroupIngress")
	if len(auth.IpPermissions) != 1 || sdkaws.ToInt32(auth.IpPermissions[0].FromPort) != 443 || len(auth.IpPermissions[0].Ipv6Ranges) != 1 {
		t.Errorf("re-run authorized %+v, want only 443 from ::/0", auth.IpPermissions)
	}
	if rules, _ := ingress(); len(rules) != 3 {
		t.Errorf("after the re-run: %+v", rules)
	}
	// Unchanged: no Authorize call at all.
	n := len(rec.ops())
	if _, created, err := c.EnsureSecurityGroup(ctx, spec); err != nil || created {
		t.Fatal(err)
	}
	if ops := rec.ops()[n:]; slices.Contains(ops, "AuthorizeSecurityGroupIngress") || slices.Contains(ops, "CreateSecurityGroup") {
		t.Errorf("unchanged re-run sent %v", ops)
	}

	if err := c.DeleteSecurityGroup(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteSecurityGroup(ctx, id); codeOf(err) != "InvalidGroup.NotFound" || !cloud.IsNotFound(err) {
		t.Errorf("deleting a deleted group: %v, want InvalidGroup.NotFound", err)
	}
}

// testTaskPublicIP runs an awsvpc task. moto gives the task's interface no
// public IP (AWS does with assignPublicIp ENABLED), so the test first sees
// CodeNoPublicIP, then associates an Elastic IP with the interface and
// finds that.
func testTaskPublicIP(t *testing.T, f *deployFixture) {
	ctx := context.Background()
	c, _ := f.client(t)
	subnet, group := f.defaultNetwork(t)
	f.pinTasks(t)
	cluster := f.cluster(t, "ip")
	td, err := f.ecs.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family: sdkaws.String("ip"), NetworkMode: ecstypes.NetworkModeAwsvpc,
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: sdkaws.String("web"), Image: sdkaws.String("nginx"), MemoryReservation: sdkaws.Int32(64)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	run, err := f.ecs.RunTask(ctx, &ecs.RunTaskInput{
		Cluster: sdkaws.String(cluster), TaskDefinition: td.TaskDefinition.TaskDefinitionArn, LaunchType: ecstypes.LaunchTypeFargate,
		NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{
			Subnets: []string{subnet}, SecurityGroups: []string{group}, AssignPublicIp: ecstypes.AssignPublicIpEnabled,
		}},
	})
	if err != nil || len(run.Tasks) != 1 {
		t.Fatalf("RunTask: %v", err)
	}
	task := sdkaws.ToString(run.Tasks[0].TaskArn)
	_, err = c.TaskPublicIP(ctx, cluster, task)
	if codeOf(err) != cloud.CodeNoPublicIP || !strings.Contains(err.Error(), "eni-") {
		t.Fatalf("TaskPublicIP before an address = %v, want %s naming the interface", err, cloud.CodeNoPublicIP)
	}
	var eni string
	for _, d := range run.Tasks[0].Attachments[0].Details {
		if sdkaws.ToString(d.Name) == "networkInterfaceId" {
			eni = sdkaws.ToString(d.Value)
		}
	}
	addr, err := f.ec2.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.ec2.AssociateAddress(ctx, &ec2.AssociateAddressInput{AllocationId: addr.AllocationId, NetworkInterfaceId: sdkaws.String(eni)}); err != nil {
		t.Fatal(err)
	}
	ip, err := c.TaskPublicIP(ctx, cluster, task)
	if err != nil || ip != sdkaws.ToString(addr.PublicIp) {
		t.Errorf("TaskPublicIP = %q, %v; want %s", ip, err, sdkaws.ToString(addr.PublicIp))
	}
	if _, err := c.TaskPublicIP(ctx, cluster, "0123456789abcdef0123456789abcdef"); codeOf(err) == "" || codeOf(err) == cloud.CodeNoPublicIP {
		t.Errorf("TaskPublicIP of an unknown task = %v", err)
	}
}

func testKeyPairs(t *testing.T, f *deployFixture) {
	ctx := context.Background()
	c, _ := f.client(t)
	tags := cloud.StackTags("keys", nil)
	kp, pem, err := c.CreateKeyPair(ctx, "keys-made", tags)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := ssh.ParseRawPrivateKey(pem)
	if err != nil {
		t.Fatalf("private key does not parse: %v\n%s", err, pem[:min(len(pem), 40)])
	}
	if _, ok := priv.(*ed25519.PrivateKey); !ok || !strings.HasPrefix(string(pem), "-----BEGIN OPENSSH PRIVATE KEY-----") {
		t.Errorf("private key is %T, want an ed25519 OpenSSH PEM", priv)
	}
	if kp.Name != "keys-made" || !strings.HasPrefix(kp.ID, "key-") || kp.Type != "ed25519" || kp.Fingerprint == "" {
		t.Errorf("CreateKeyPair = %+v", kp)
	}
	found, ok, err := c.FindKeyPair(ctx, "keys-made")
	if err != nil || !ok || found.ID != kp.ID || !maps.Equal(found.Tags, tags) {
		t.Errorf("FindKeyPair = %+v, %v, %v", found, ok, err)
	}
	if _, _, err := c.CreateKeyPair(ctx, "keys-made", tags); codeOf(err) != "InvalidKeyPair.Duplicate" {
		t.Errorf("creating a duplicate: %v, want InvalidKeyPair.Duplicate", err)
	}

	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for name, pub := range map[string]any{"keys-ed25519": edPub, "keys-rsa": &rsaKey.PublicKey} {
		sp, err := ssh.NewPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		line := ssh.MarshalAuthorizedKey(sp)
		line = append(line[:len(line)-1], " me@laptop\n"...)
		kp, err := c.ImportKeyPair(ctx, name, line, tags)
		if err != nil {
			t.Fatalf("ImportKeyPair %s: %v", name, err)
		}
		wantType := strings.TrimPrefix(name, "keys-")
		if kp.Type != wantType || kp.Fingerprint == "" || !maps.Equal(kp.Tags, tags) {
			t.Errorf("ImportKeyPair %s = %+v", name, kp)
		}
		d, err := f.ec2.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{KeyNames: []string{name}})
		if err != nil || !maps.Equal(tagMap(d.KeyPairs[0].Tags), tags) {
			t.Errorf("%s: tags read back %v, %v", name, d, err)
		}
		if _, err := c.ImportKeyPair(ctx, name, line, tags); codeOf(err) != "InvalidKeyPair.Duplicate" {
			t.Errorf("importing %s twice: %v, want InvalidKeyPair.Duplicate", name, err)
		}
	}

	if err := c.DeleteKeyPair(ctx, "keys-made"); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := c.FindKeyPair(ctx, "keys-made"); ok || err != nil {
		t.Errorf("FindKeyPair after delete = %v, %v", ok, err)
	}
	if err := c.DeleteKeyPair(ctx, "keys-made"); err != nil {
		t.Errorf("deleting a deleted key pair: %v (EC2 answers success)", err)
	}
}

// TestLatestAMIAgainstMoto: Amazon Linux 2023 through moto's copy of the
// SSM public parameter; Ubuntu 24.04, whose parameter moto lacks (and
// PutParameter refuses names under /aws/, as AWS does), through the
// DescribeImages fallback over images loaded from MOTO_AMIS_PATH.
func TestLatestAMIAgainstMoto(t *testing.T) {
	amis := []map[string]any{
		ami("ami-0ed094fb1304fd857", "137112412989", "al2023-ami-2023.11.20260427.1-kernel-6.1-x86_64", "x86_64", "2026-04-27T10:00:00.000Z"),
		ami("ami-0aaaaaaaaaaaaaaa1", "099720109477", "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20250101", "x86_64", "2025-01-01T00:00:00.000Z"),
		ami("ami-0aaaaaaaaaaaaaaa2", "099720109477", "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20250610", "x86_64", "2025-06-10T00:00:00.000Z"),
		ami("ami-0aaaaaaaaaaaaaaa3", "099720109477", "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20250301", "x86_64", "2025-03-01T00:00:00.000Z"),
		// Newer, but not the right owner, architecture or series.
		ami("ami-0bbbbbbbbbbbbbbb1", "123456789012", "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20260101", "x86_64", "2026-01-01T00:00:00.000Z"),
		ami("ami-0bbbbbbbbbbbbbbb2", "099720109477", "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-20260101", "arm64", "2026-01-01T00:00:00.000Z"),
		ami("ami-0bbbbbbbbbbbbbbb3", "099720109477", "ubuntu/images/hvm-ssd-gp3/ubuntu-jammy-22.04-amd64-server-20260101", "x86_64", "2026-01-01T00:00:00.000Z"),
	}
	path := filepath.Join(t.TempDir(), "amis.json")
	b, _ := json.Marshal(amis)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MOTO_AMIS_PATH", path)
	m := testbed.StartMoto(t)
	ctx := context.Background()
	c, err := Load(ctx, Options{EndpointURL: m.URL, Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	al, err := c.LatestAMI(ctx, cloud.DistroAL2023)
	want := cloud.AMI{ID: "ami-0ed094fb1304fd857", Name: "al2023-ami-2023.11.20260427.1-kernel-6.1-x86_64",
		Source: "ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64", SSHUser: "ec2-user"}
	if err != nil || al != want {
		t.Errorf("LatestAMI(al2023) = %+v, %v; want %+v", al, err, want)
	}
	ub, err := c.LatestAMI(ctx, cloud.DistroUbuntu2404)
	want = cloud.AMI{ID: "ami-0aaaaaaaaaaaaaaa2", Name: "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20250610", Source: "DescribeImages", SSHUser: "ubuntu"}
	if err != nil || ub != want {
		t.Errorf("LatestAMI(ubuntu-24.04) = %+v, %v; want %+v", ub, err, want)
	}

	// Without SSM (refused), Amazon Linux falls back too; with no match
	// the error says what was tried.
	deny, err := load(ctx, Options{EndpointURL: m.URL, Region: "us-east-1"}, refuse("GetParameter", "AccessDeniedException"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := deny.LatestAMI(ctx, cloud.DistroUbuntu2404); err != nil || got.ID != "ami-0aaaaaaaaaaaaaaa2" {
		t.Errorf("fallback without SSM = %+v, %v", got, err)
	}
	// The owner alias "amazon" covers Amazon Linux's owner 137112412989.
	if got, err := deny.LatestAMI(ctx, cloud.DistroAL2023); err != nil || got.ID != "ami-0ed094fb1304fd857" || got.Source != "DescribeImages" {
		t.Errorf("fallback without SSM = %+v, %v", got, err)
	}
	none, err := load(ctx, Options{EndpointURL: m.URL, Region: "us-east-1"}, answer(func(op string) (any, error) {
		switch op {
		case "GetParameter":
			return nil, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "refused by the test"}
		case "DescribeImages":
			return &ec2.DescribeImagesOutput{}, nil
		}
		return nil, nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = none.LatestAMI(ctx, cloud.DistroAL2023)
	if codeOf(err) != cloud.CodeNoImage || !strings.Contains(err.Error(), "AccessDeniedException") || !strings.Contains(err.Error(), "al2023-ami-2023.*-x86_64") {
		t.Errorf("no image anywhere: %v", err)
	}
}

func ami(id, owner, name, arch, created string) map[string]any {
	return map[string]any{
		"ami_id": id, "state": "available", "public": true, "owner_id": owner, "name": name,
		"image_location": owner + "/" + name, "sriov": "simple", "root_device_type": "ebs", "root_device_name": "/dev/sda1",
		"description": name, "image_type": "machine", "platform": nil, "architecture": arch,
		"virtualization_type": "hvm", "hypervisor": "xen", "creation_date": created,
	}
}

// refuse makes the client's op fail with code before it is sent.
func refuse(op, code string) func(*config.LoadOptions) error {
	return answer(func(o string) (any, error) {
		if o == op {
			return nil, &smithy.GenericAPIError{Code: code, Message: "refused by the test: " + op}
		}
		return nil, nil
	})
}

// TestStackResourcesAgainstMoto creates a stack's resources, untagged
// look-alikes and another stack's, and finds exactly the stack's: through
// the tagging API, and again per service with GetResources refused. It has
// a moto of its own: moto's GetResources fails (HTTP 500) while any ECS
// cluster has no tags at all, so the look-alike cluster has another tag,
// and no other test may create clusters here.
func TestStackResourcesAgainstMoto(t *testing.T) {
	f := newDeployFixture(t)
	ctx := context.Background()
	c, rec := recordingClient(t, Options{EndpointURL: f.m.URL, Region: "us-east-1"})
	demo, other := cloud.StackTags("demo", nil), cloud.StackTags("demo-other", nil)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	type key struct{ Type, ID, Parent string }
	var want []key
	for _, name := range []string{"demo-web", "demo-web-copy", "demo-other-web"} {
		tags := map[string]cloud.Tags{"demo-web": demo, "demo-other-web": other}[name]
		_, _, err := c.EnsureRepository(ctx, name, tags)
		must(err)
		_, _, err = c.EnsureTaskExecutionRole(ctx, name, tags)
		must(err)
		_, _, err = c.EnsureInstanceProfile(ctx, name+"-ec2", tags)
		must(err)
		_, err = c.EnsureLogGroup(ctx, "/deckhand/"+name, tags)
		must(err)
		vpc, err := c.DefaultVPC(ctx)
		must(err)
		sg, _, err := c.EnsureSecurityGroup(ctx, cloud.SecurityGroupSpec{Name: name, VpcID: vpc.ID, Tags: tags,
			Ingress: []cloud.IngressRule{{Port: 5000, CIDR: "0.0.0.0/0"}}})
		must(err)
		_, _, err = c.CreateKeyPair(ctx, name, tags)
		must(err)
		if name == "demo-web" {
			want = append(want, key{"ecr:repository", name, ""}, key{"iam:role", name, ""}, key{"logs:log-group", "/deckhand/" + name, ""},
				key{"iam:instance-profile", name + "-ec2", ""}, key{"iam:role", name + "-ec2", ""},
				key{"ec2:security-group", sg, ""}, key{"ec2:key-pair", name, ""})
		}
	}
	ami := f.ami(t)
	subnet, group := f.defaultNetwork(t)
	in, err := c.RunInstance(ctx, cloud.InstanceSpec{Name: "demo-web", ImageID: ami, InstanceType: "t3.micro", Tags: demo})
	must(err)
	gone, err := c.RunInstance(ctx, cloud.InstanceSpec{Name: "demo-old", ImageID: ami, InstanceType: "t3.micro", Tags: demo})
	must(err)
	must(c.TerminateInstances(ctx, gone.ID))
	_, err = c.RunInstance(ctx, cloud.InstanceSpec{Name: "demo-web-copy", ImageID: ami, InstanceType: "t3.micro"})
	must(err)
	want = append(want, key{"ec2:instance", in.ID, ""})

	_, err = c.CreateCluster(ctx, "demo", demo)
	must(err)
	_, err = c.CreateCluster(ctx, "demo-copy", cloud.Tags{"team": "deck"})
	must(err)
	td := cloud.TaskDefSpec{Family: "demo-web", Memory: "512", Containers: []cloud.ContainerSpec{{Name: "web", Image: "nginx", Essential: true, MemoryReservation: 64}}, Tags: demo}
	old, err := c.RegisterTaskDefinition(ctx, td)
	must(err)
	cur, err := c.RegisterTaskDefinition(ctx, td)
	must(err)
	_, err = f.ecs.DeregisterTaskDefinition(ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: sdkaws.String(old)})
	must(err)
	td.Family, td.Tags = "demo-web-copy", nil
	untaggedTD, err := c.RegisterTaskDefinition(ctx, td)
	must(err)
	for _, s := range []cloud.ServiceSpec{
		{Cluster: "demo", Name: "web", TaskDefinition: cur, Desired: 1, LaunchType: "FARGATE", Subnets: []string{subnet}, SecurityGroups: []string{group}, Tags: demo},
		{Cluster: "demo", Name: "web-copy", TaskDefinition: untaggedTD, Desired: 1, LaunchType: "FARGATE", Subnets: []string{subnet}, SecurityGroups: []string{group}},
	} {
		_, err := c.CreateService(ctx, s)
		must(err)
	}
	want = append(want, key{"ecs:cluster", "demo", ""}, key{"ecs:service", "web", "demo"}, key{"ecs:task-definition", lastSegment(cur), ""})

	check := func(name string, c *Client) {
		t.Helper()
		rs, err := c.StackResources(ctx, "demo")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var got []key
		for _, r := range rs {
			got = append(got, key{r.Type, r.ID, r.Parent})
			if r.ARN == "" || !strings.HasPrefix(r.ARN, "arn:aws:") || strings.Contains(r.ARN, "::"+strings.Split(r.Type, ":")[1]) {
				t.Errorf("%s: %s %s has ARN %q", name, r.Type, r.ID, r.ARN)
			}
		}
		w := slices.Clone(want)
		slices.SortFunc(w, func(a, b key) int {
			if d := slices.Index(cloud.StackDeleteOrder, a.Type) - slices.Index(cloud.StackDeleteOrder, b.Type); d != 0 {
				return d
			}
			return strings.Compare(a.ID, b.ID)
		})
		if !slices.Equal(got, w) {
			t.Errorf("%s: StackResources =\n%v\nwant (in delete order)\n%v", name, got, w)
		}
	}
	check("tagging API", c) // moto: about 2 s, for the first GetResources
	if ops := rec.ops(); !slices.Contains(ops, "GetResources") || slices.Contains(ops, "ListClusters") {
		t.Errorf("the tagging API path sent %v", ops)
	}
	perService, err := load(ctx, Options{EndpointURL: f.m.URL, Region: "us-east-1"}, refuse("GetResources", "AccessDeniedException"))
	must(err)
	check("per service", perService)
}
