package contract

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"maps"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/crypto/ssh"

	"deckhand/internal/cloud"
)

var (
	reAMI      = regexp.MustCompile(`^ami-[0-9a-f]{8,17}$`)
	reVPC      = regexp.MustCompile(`^vpc-[0-9a-f]{8,17}$`)
	reSG       = regexp.MustCompile(`^sg-[0-9a-f]{8,17}$`)
	reKeyPair  = regexp.MustCompile(`^key-[0-9a-f]{8,17}$`)
	reRegistry = regexp.MustCompile(`^https://(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com$`)
)

// deploy exercises the deploy capabilities (aws.Deployer) the way a launch
// and its destroy use them: find-or-create each resource twice (the
// instance profile an instance is launched with among them), the
// registry login, the network, key pairs, the AMI lookup and a task's
// public IP; then it finds the stack by its tag (and not an untagged
// look-alike), deletes it in aws.StackDeleteOrder and checks that nothing
// tagged is left and that deleting again answers AWS's not-found codes.
func (r *run) deploy() {
	t, ctx := r.t, context.Background()
	d, ok := r.b.(cloud.Deployer)
	if !ok {
		t.Skipf("%s: the backend is not an aws.Deployer", r.tg.Name)
	}
	who, err := r.b.Identity(ctx)
	if err != nil {
		t.Fatalf("Identity: %v", err)
	}
	region := "us-east-1"
	if rg, ok := r.b.(interface{ Region() string }); ok {
		region = rg.Region()
	}
	stack := "deploy-" + r.tag
	tags := cloud.StackTags(stack, map[string]string{"team": "contract"})
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	// ECR: find or create, the URI AWS gives, the login.
	repoName := stack + "/web"
	repo, created, err := d.EnsureRepository(ctx, repoName, tags)
	must("EnsureRepository", err)
	host := who.Account + ".dkr.ecr." + region + ".amazonaws.com"
	if !created || repo.Name != repoName || repo.URI != host+"/"+repoName ||
		repo.ARN != "arn:aws:ecr:"+region+":"+who.Account+":repository/"+repoName || !maps.Equal(repo.Tags, tags) {
		t.Errorf("EnsureRepository = %+v, created %v", repo, created)
	}
	again, created, err := d.EnsureRepository(ctx, repoName, nil)
	must("EnsureRepository again", err)
	if created || again.URI != repo.URI || !maps.Equal(again.Tags, tags) {
		t.Errorf("EnsureRepository again = %+v, created %v; want found, with its tags", again, created)
	}
	_, _, err = d.EnsureRepository(ctx, stack+"/web-copy", nil) // an untagged look-alike
	must("EnsureRepository look-alike", err)
	auth, err := d.RegistryLogin(ctx)
	must("RegistryLogin", err)
	if m := reRegistry.FindStringSubmatch(auth.ServerAddress); m == nil || m[1] != who.Account || m[2] != region ||
		auth.Username != "AWS" || auth.Password == "" || auth.Host() != host {
		t.Errorf("RegistryLogin = %v (host %q)", auth, auth.Host())
	}
	if strings.Contains(fmt.Sprintf("%v %+v %#v", auth, auth, auth), auth.Password) {
		t.Error("printing RegistryAuth shows the password")
	}

	// IAM.
	roleName := stack + "-exec"
	roleARN, created, err := d.EnsureTaskExecutionRole(ctx, roleName, tags)
	must("EnsureTaskExecutionRole", err)
	if !created || roleARN != "arn:aws:iam::"+who.Account+":role/deckhand/"+roleName {
		t.Errorf("EnsureTaskExecutionRole = %q, created %v", roleARN, created)
	}
	if again, created, err := d.EnsureTaskExecutionRole(ctx, roleName, tags); err != nil || created || again != roleARN {
		t.Errorf("EnsureTaskExecutionRole again = %q, %v, %v; want found", again, created, err)
	}

	// The instance profile: a role EC2 assumes, in a profile of its name.
	profileName := stack + "-ec2"
	profileARN, created, err := d.EnsureInstanceProfile(ctx, profileName, tags)
	must("EnsureInstanceProfile", err)
	if !created || profileARN != "arn:aws:iam::"+who.Account+":instance-profile/deckhand/"+profileName {
		t.Errorf("EnsureInstanceProfile = %q, created %v", profileARN, created)
	}
	if again, created, err := d.EnsureInstanceProfile(ctx, profileName, nil); err != nil || created || again != profileARN {
		t.Errorf("EnsureInstanceProfile again = %q, %v, %v; want found", again, created, err)
	}
	_, _, err = d.EnsureInstanceProfile(ctx, profileName+"-copy", nil) // an untagged look-alike
	must("EnsureInstanceProfile look-alike", err)

	// CloudWatch Logs.
	group := "/deckhand/" + stack
	if created, err := d.EnsureLogGroup(ctx, group, tags); err != nil || !created {
		t.Errorf("EnsureLogGroup = %v, %v", created, err)
	}
	if created, err := d.EnsureLogGroup(ctx, group, tags); err != nil || created {
		t.Errorf("EnsureLogGroup again = %v, %v; want found", created, err)
	}
	_, err = d.EnsureLogGroup(ctx, group+"-copy", nil)
	must("EnsureLogGroup look-alike", err)
	if evs, err := d.RecentLogEvents(ctx, group, "web/", 10); err != nil || len(evs) != 0 {
		t.Errorf("RecentLogEvents of a new group = %v, %v", evs, err)
	}

	// The network.
	vpc, err := d.DefaultVPC(ctx)
	must("DefaultVPC", err)
	vnet, err := netip.ParsePrefix(vpc.CIDR)
	if !reVPC.MatchString(vpc.ID) || err != nil {
		t.Errorf("DefaultVPC = %+v", vpc)
	}
	subnets, err := d.Subnets(ctx, vpc.ID)
	must("Subnets", err)
	var ids []string
	for i, s := range subnets {
		ids = append(ids, s.ID)
		p, err := netip.ParsePrefix(s.CIDR)
		if s.VpcID != vpc.ID || err != nil || !vnet.Contains(p.Addr()) || (i > 0 && subnets[i-1].AZ > s.AZ) {
			t.Errorf("subnet %+v of %+v (sorted by AZ)", s, vpc)
		}
	}
	if !slices.Contains(ids, r.fx.Subnets[0]) {
		t.Errorf("Subnets(%s) = %v, lacks the fixture's %s", vpc.ID, ids, r.fx.Subnets[0])
	}
	sgSpec := cloud.SecurityGroupSpec{Name: stack + "-web", VpcID: vpc.ID, Tags: tags, Ingress: []cloud.IngressRule{
		{Port: 5000, CIDR: "0.0.0.0/0", Description: "app"}, {Port: 22, CIDR: "203.0.113.7/32", Description: "ssh"},
	}}
	sg, created, err := d.EnsureSecurityGroup(ctx, sgSpec)
	must("EnsureSecurityGroup", err)
	if !created || !reSG.MatchString(sg) {
		t.Errorf("EnsureSecurityGroup = %q, created %v", sg, created)
	}
	sgSpec.Ingress = append(sgSpec.Ingress, cloud.IngressRule{Port: 443, CIDR: "0.0.0.0/0"})
	if again, created, err := d.EnsureSecurityGroup(ctx, sgSpec); err != nil || created || again != sg {
		t.Errorf("EnsureSecurityGroup again = %q, %v, %v; want the same group", again, created, err)
	}
	// Listed, with its three rules (the page of security groups reads it).
	if sr, ok := r.b.(cloud.SecurityGroupReader); !ok {
		t.Errorf("%T lists no security groups (cloud.SecurityGroupReader)", r.b)
	} else if gs, err := sr.SecurityGroups(ctx); err != nil {
		t.Errorf("SecurityGroups: %v", err)
	} else if i := slices.IndexFunc(gs, func(g cloud.SecurityGroup) bool { return g.ID == sg }); i < 0 {
		t.Errorf("SecurityGroups lacks %s", sg)
	} else if g := gs[i]; g.Name != stack+"-web" || g.VpcID != vpc.ID || len(g.Ingress) != 3 ||
		!slices.ContainsFunc(g.Ingress, func(in cloud.IngressRule) bool { return in.Port == 22 && in.CIDR == "203.0.113.7/32" }) {
		t.Errorf("SecurityGroups lists %+v, want %s-web in %s with tcp 5000, 22 (203.0.113.7/32) and 443", g, stack, vpc.ID)
	}

	// Key pairs.
	kp, pem, err := d.CreateKeyPair(ctx, stack+"-key", tags)
	must("CreateKeyPair", err)
	if priv, err := ssh.ParseRawPrivateKey(pem); err != nil {
		t.Errorf("CreateKeyPair's private key does not parse: %v", err)
	} else if _, ok := priv.(*ed25519.PrivateKey); !ok {
		t.Errorf("CreateKeyPair's private key is a %T, want ed25519", priv)
	}
	if kp.Name != stack+"-key" || !reKeyPair.MatchString(kp.ID) || kp.Type != "ed25519" || kp.Fingerprint == "" {
		t.Errorf("CreateKeyPair = %+v", kp)
	}
	if found, ok, err := d.FindKeyPair(ctx, kp.Name); err != nil || !ok || found.ID != kp.ID || !maps.Equal(found.Tags, tags) {
		t.Errorf("FindKeyPair = %+v, %v, %v", found, ok, err)
	}
	if _, ok, err := d.FindKeyPair(ctx, stack+"-no-such-key"); err != nil || ok {
		t.Errorf("FindKeyPair of an unknown name = %v, %v", ok, err)
	}
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	sp, _ := ssh.NewPublicKey(pub)
	imported, err := d.ImportKeyPair(ctx, stack+"-mine", ssh.MarshalAuthorizedKey(sp), tags)
	must("ImportKeyPair", err)
	if imported.Type != "ed25519" || !reKeyPair.MatchString(imported.ID) || !maps.Equal(imported.Tags, tags) {
		t.Errorf("ImportKeyPair = %+v", imported)
	}
	_, err = d.ImportKeyPair(ctx, stack+"-mine", ssh.MarshalAuthorizedKey(sp), tags)
	r.wantCode(err, "ec2", "ImportKeyPair", "InvalidKeyPair.Duplicate")

	// The AMI, from SSM's public parameter.
	for _, distro := range []string{cloud.DistroAL2023, cloud.DistroUbuntu2404} {
		ami, err := d.LatestAMI(ctx, distro)
		if distro == cloud.DistroUbuntu2404 && r.quirk(r.tg.Quirks.NoUbuntuAMI, "NoUbuntuAMI", "the SSM parameter names the current Ubuntu 24.04 AMI") {
			continue
		}
		param, _, _, user, _ := cloud.AMISource(distro)
		if err != nil || !reAMI.MatchString(ami.ID) || ami.Source != "ssm:"+param || ami.SSHUser != user {
			t.Errorf("LatestAMI(%s) = %+v, %v", distro, ami, err)
		}
	}

	// The wizards' look-ups before a review: an AMI by id, an instance type.
	if ami, err := d.LatestAMI(ctx, cloud.DistroAL2023); err == nil {
		if got, found, err := d.FindAMI(ctx, ami.ID); err != nil || !found || got.ID != ami.ID {
			t.Errorf("FindAMI(%s) = %+v, %v, %v", ami.ID, got, found, err)
		}
	}
	if _, found, err := d.FindAMI(ctx, "ami-0fedcba9876543210"); err != nil || found {
		t.Errorf("FindAMI of a missing AMI = %v, %v; want not found", found, err)
	}
	for typ, want := range map[string]bool{r.fx.InstanceType: true, "t9.gigantic": false} {
		if ok, err := d.InstanceTypeOffered(ctx, typ); err != nil || ok != want {
			t.Errorf("InstanceTypeOffered(%s) = %v, %v; want %v", typ, ok, err, want)
		}
	}

	r.taskPublicIP(d)

	// Task definitions: two revisions, the first deregistered.
	var revs []string
	for range 2 {
		arn, err := r.b.RegisterTaskDefinition(ctx, r.fargateTaskDef(stack)) // tagged with the stack
		must("RegisterTaskDefinition", err)
		revs = append(revs, arn)
	}
	must("DeregisterTaskDefinition", d.DeregisterTaskDefinition(ctx, revs[0]))
	r.wantInvalid(d.DeregisterTaskDefinition(ctx, stack), "ecs", "DeregisterTaskDefinition", "ClientException", "TaskDefinition")

	// A launched instance uses the security group: EC2 will not delete it.
	// It has the instance profile; an unknown profile is refused.
	spec := cloud.InstanceSpec{
		Name: stack, ImageID: r.fx.ImageID, InstanceType: r.fx.InstanceType, SubnetID: r.fx.Subnets[0],
		SecurityGroupIDs: []string{sg}, KeyName: kp.Name, Tags: tags, IAMInstanceProfile: profileName + "-none",
	}
	_, err = r.b.RunInstance(ctx, spec)
	if !r.quirk(r.tg.Quirks.UnknownInstanceProfileNoSuchEntity, "UnknownInstanceProfileNoSuchEntity",
		"RunInstances with an unknown instance profile is InvalidParameterValue (Invalid IAM Instance Profile name)") {
		r.wantCode(err, "ec2", "RunInstances", "InvalidParameterValue")
	} else if err == nil {
		t.Error("RunInstance with an unknown instance profile succeeded")
	}
	spec.IAMInstanceProfile = profileName
	in, err := r.b.RunInstance(ctx, spec)
	must("RunInstance", err)
	if in.IAMInstanceProfile != "" && in.IAMInstanceProfile != profileARN {
		t.Errorf("RunInstance = %+v; want the instance profile %s", in, profileARN)
	}
	r.eventually("the instance listed with its profile", func() (bool, string) {
		x := r.instance(in.ID)
		return x.IAMInstanceProfile == profileARN, x.IAMInstanceProfile
	})
	if !r.quirk(r.tg.Quirks.NoSecurityGroupDependencyChecks, "NoSecurityGroupDependencyChecks", "DeleteSecurityGroup of a group in use is DependencyViolation") {
		r.wantCode(d.DeleteSecurityGroup(ctx, sg), "ec2", "DeleteSecurityGroup", "DependencyViolation")
	}

	// The stack: exactly what carries its tag, in delete order.
	want := []cloud.TaggedResource{
		{Type: "ec2:instance", ID: in.ID}, {Type: "ec2:security-group", ID: sg},
		{Type: "ec2:key-pair", ID: imported.Name}, {Type: "ec2:key-pair", ID: kp.Name},
		{Type: "logs:log-group", ID: group}, {Type: "iam:role", ID: roleName, ARN: roleARN},
		{Type: "iam:instance-profile", ID: profileName, ARN: profileARN}, {Type: "iam:role", ID: profileName},
		{Type: "ecr:repository", ID: repoName, ARN: repo.ARN},
		{Type: "ecs:task-definition", ID: revs[1][strings.LastIndex(revs[1], "/")+1:], ARN: revs[1]},
	}
	cloud.SortStack(want)
	rs, err := d.StackResources(ctx, stack)
	must("StackResources", err)
	if !sameStack(rs, want) {
		t.Errorf("StackResources =\n%v\nwant\n%v", rs, want)
	}

	// Destroy it in that order. An instance profile's delete takes its
	// role of the same name with it.
	dropped := map[string]bool{}
	for _, x := range rs {
		switch x.Type {
		case "iam:instance-profile":
			must("DeleteInstanceProfile", d.DeleteInstanceProfile(ctx, x.ID))
			dropped[x.ID] = true
		case "iam:role":
			if !dropped[x.ID] {
				must("DeleteRole", d.DeleteRole(ctx, x.ID))
			}
		case "ec2:instance":
			must("TerminateInstances", r.b.TerminateInstances(ctx, x.ID))
			r.waitState(x.ID, "terminated")
		case "ecs:task-definition":
			must("DeregisterTaskDefinition", d.DeregisterTaskDefinition(ctx, x.ARN))
		case "ec2:security-group":
			must("DeleteSecurityGroup", d.DeleteSecurityGroup(ctx, x.ID))
		case "ec2:key-pair":
			must("DeleteKeyPair", d.DeleteKeyPair(ctx, x.ID))
		case "logs:log-group":
			must("DeleteLogGroup", d.DeleteLogGroup(ctx, x.ID))
		case "ecr:repository":
			must("DeleteRepository", d.DeleteRepository(ctx, x.ID, true))
		default:
			t.Errorf("unexpected %s %s", x.Type, x.ID)
		}
	}
	if rs, err := d.StackResources(ctx, stack); err != nil || len(rs) != 0 {
		t.Errorf("after the destroy, StackResources = %v, %v; want nothing", rs, err)
	}

	// Deleting again: AWS's not-found codes (a key pair is the exception).
	for _, c := range []struct {
		err               error
		service, op, code string
	}{
		{d.DeleteRepository(ctx, repoName, true), "ecr", "DeleteRepository", "RepositoryNotFoundException"},
		{d.DeleteRole(ctx, roleName), "iam", "", "NoSuchEntity"},
		{d.DeleteInstanceProfile(ctx, profileName), "iam", "", "NoSuchEntity"},
		{d.DeleteLogGroup(ctx, group), "logs", "DeleteLogGroup", "ResourceNotFoundException"},
		{d.DeleteSecurityGroup(ctx, sg), "ec2", "DeleteSecurityGroup", "InvalidGroup.NotFound"},
	} {
		r.wantCode(c.err, c.service, c.op, c.code)
		if !cloud.IsNotFound(c.err) {
			t.Errorf("IsNotFound(%v) = false", c.err)
		}
	}
	if err := d.DeleteKeyPair(ctx, kp.Name); err != nil {
		t.Errorf("DeleteKeyPair of a deleted key pair = %v; EC2 answers success", err)
	}
	// Clean the look-alikes up (a shared moto outlives the run).
	_ = d.DeleteRepository(ctx, stack+"/web-copy", true)
	_ = d.DeleteLogGroup(ctx, group+"-copy")
	_ = d.DeleteInstanceProfile(ctx, profileName+"-copy")
}

// sameStack compares type, ID (and ARN where want has one).
func sameStack(got, want []cloud.TaggedResource) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Type != w.Type || g.ID != w.ID || (w.ARN != "" && g.ARN != w.ARN) || !strings.HasPrefix(g.ARN, "arn:aws:") {
			return false
		}
	}
	return true
}

// taskPublicIP runs a Fargate task with a public IP and asks for it.
func (r *run) taskPublicIP(d cloud.Deployer) {
	t, ctx := r.t, context.Background()
	name := "deploy-" + r.tag + "-ip"
	cl, err := r.b.CreateCluster(ctx, name, nil)
	if err != nil {
		t.Fatalf("CreateCluster: %v", err)
	}
	td := r.fargateTaskDef(name)
	td.Tags = nil
	tdARN, err := r.b.RegisterTaskDefinition(ctx, td)
	if err != nil {
		t.Fatalf("RegisterTaskDefinition: %v", err)
	}
	ts, err := r.b.RunTask(ctx, cloud.RunTaskSpec{
		Cluster: cl.ARN, TaskDefinition: tdARN, Count: 1, LaunchType: "FARGATE",
		Subnets: r.fx.Subnets[:1], SecurityGroups: []string{r.fx.SecurityGroup}, PublicIP: true,
	})
	if err != nil || len(ts) != 1 {
		t.Fatalf("RunTask: %v", err)
	}
	arn := ts[0].ARN
	if r.quirk(r.tg.Quirks.NoTaskPublicIP, "NoTaskPublicIP", "a task run with assignPublicIp ENABLED has a public IP") {
		_, err := d.TaskPublicIP(ctx, cl.ARN, arn)
		r.wantCode(err, "ecs", "DescribeTasks", cloud.CodeNoPublicIP)
	} else {
		r.eventually("task RUNNING", func() (bool, string) {
			x := r.findTaskOrFail(cl.ARN, arn)
			return x.LastStatus == "RUNNING", x.LastStatus
		})
		ip, err := d.TaskPublicIP(ctx, cl.ARN, arn)
		if a, perr := netip.ParseAddr(ip); err != nil || perr != nil || !a.Is4() {
			t.Errorf("TaskPublicIP = %q, %v", ip, err)
		}
	}
	if err := r.b.StopTask(ctx, cl.ARN, arn, ""); err != nil {
		t.Errorf("StopTask: %v", err)
	}
	_, err = d.TaskPublicIP(ctx, "deploy-no-such-cluster", arn)
	r.wantCode(err, "ecs", "DescribeTasks", "ClusterNotFoundException")
}
