package aws

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"deckhand/internal/cloud"
	"deckhand/internal/launch"
)

// Tests of both targets against moto: every create step's settings and
// tags are read back with the SDK.

func TestFargateAgainstMoto(t *testing.T) {
	f := newMoto(t)
	ctx := context.Background()
	const stack = "web"

	// A look-alike made by someone else: the log group the launch would
	// create, untagged. The launch finds and uses it; destroy leaves it.
	if _, err := f.logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: sdkaws.String(LogGroupName(stack))}); err != nil {
		t.Fatal(err)
	}
	// And an untagged cluster of a similar name.
	if _, err := f.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: sdkaws.String("deckhand-web-old")}); err != nil {
		t.Fatal(err)
	}

	opts := FargateOptions{Stack: stack, Image: "public.ecr.aws/nginx/nginx:1.27", Port: 8080, HealthCheck: "python", NoWait: true}
	rec := &recordingBackend{Backend: f.be}
	steps, res, err := Fargate(rec, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, steps)
	want := []string{"image:done", "log-group:done", "exec-role:done", "task-definition:done", "cluster:done", "network:done",
		"security-group:done", "service:done", "wait:skipped", "url:skipped", "check:skipped"}
	if got := r.states(); !slices.Equal(got, want) {
		t.Fatalf("steps = %v, want %v", got, want)
	}
	if d := r.detail("log-group"); !strings.HasPrefix(d, "found") {
		t.Errorf("log-group = %q, want found (the look-alike)", d)
	}
	if !strings.HasSuffix(res.TaskDefinition, ":web:1") && !strings.HasSuffix(res.TaskDefinition, "/web:1") {
		t.Errorf("task definition = %q, want web:1", res.TaskDefinition)
	}

	// The task definition.
	td, err := f.ecs.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: sdkaws.String("web"), Include: []ecstypes.TaskDefinitionField{"TAGS"}})
	if err != nil {
		t.Fatal(err)
	}
	d := td.TaskDefinition
	if sdkaws.ToString(d.Cpu) != "256" || sdkaws.ToString(d.Memory) != "512" || d.NetworkMode != ecstypes.NetworkModeAwsvpc ||
		!slices.Contains(d.RequiresCompatibilities, ecstypes.CompatibilityFargate) || !strings.HasSuffix(sdkaws.ToString(d.ExecutionRoleArn), "/deckhand-web-exec") {
		t.Errorf("task definition: cpu %v memory %v mode %v compat %v role %v", sdkaws.ToString(d.Cpu), sdkaws.ToString(d.Memory), d.NetworkMode,
			d.RequiresCompatibilities, sdkaws.ToString(d.ExecutionRoleArn))
	}
	if len(d.ContainerDefinitions) != 1 {
		t.Fatalf("containers = %d", len(d.ContainerDefinitions))
	}
	c := d.ContainerDefinitions[0]
	if sdkaws.ToString(c.Image) != opts.Image || len(c.PortMappings) != 1 || sdkaws.ToInt32(c.PortMappings[0].ContainerPort) != 8080 || !sdkaws.ToBool(c.Essential) {
		t.Errorf("container: image %v ports %+v", sdkaws.ToString(c.Image), c.PortMappings)
	}
	if c.LogConfiguration == nil || c.LogConfiguration.LogDriver != "awslogs" || c.LogConfiguration.Options["awslogs-group"] != "/deckhand/web" ||
		c.LogConfiguration.Options["awslogs-stream-prefix"] != "deckhand" {
		t.Errorf("log configuration = %+v", c.LogConfiguration)
	}
	if c.HealthCheck == nil || len(c.HealthCheck.Command) != 2 || !strings.Contains(c.HealthCheck.Command[1], "urllib.request.urlopen('http://127.0.0.1:8080/health'") {
		t.Errorf("health check = %+v", c.HealthCheck)
	}
	if !hasECSTag(td.Tags, stack) {
		t.Errorf("task definition tags = %v", td.Tags)
	}

	// The cluster and the service.
	cl, err := f.ecs.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{"deckhand-web"}, Include: []ecstypes.ClusterField{"TAGS"}})
	if err != nil || len(cl.Clusters) != 1 || !hasECSTag(cl.Clusters[0].Tags, stack) {
		t.Fatalf("cluster: %v %+v", err, cl)
	}
	svc := describeService(t, f, "deckhand-web", "web")
	if svc.LaunchType != ecstypes.LaunchTypeFargate || svc.DesiredCount != 1 || !hasECSTag(svc.Tags, stack) {
		t.Errorf("service: launch type %v desired %d tags %v", svc.LaunchType, svc.DesiredCount, svc.Tags)
	}
	vpcCfg := svc.NetworkConfiguration.AwsvpcConfiguration
	if vpcCfg.AssignPublicIp != ecstypes.AssignPublicIpEnabled || len(vpcCfg.Subnets) == 0 || len(vpcCfg.SecurityGroups) != 1 {
		t.Errorf("service network = %+v", vpcCfg)
	}
	// moto (5.x) drops deploymentConfiguration: the request is checked
	// (the adapter's tests check that it sends it).
	if len(rec.services) != 1 || !rec.services[0].CircuitBreaker || !rec.services[0].PublicIP || rec.services[0].Desired != 1 {
		t.Errorf("CreateService specs = %+v, want one with the circuit breaker and a public IP", rec.services)
	}

	// The security group opens the app port and nothing else.
	sg := describeGroup(t, f, vpcCfg.SecurityGroups[0])
	if sdkaws.ToString(sg.GroupName) != "deckhand-web-fargate" || !hasEC2Tag(sg.Tags, stack) {
		t.Errorf("security group %s tags %v", sdkaws.ToString(sg.GroupName), sg.Tags)
	}
	if got := rules(sg); !slices.Equal(got, []string{"tcp 8080 0.0.0.0/0"}) {
		t.Errorf("ingress = %v, want only tcp 8080 from anywhere", got)
	}

	// The role: under /deckhand/, tagged, with the execution policy.
	role, err := f.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: sdkaws.String("deckhand-web-exec")})
	if err != nil {
		t.Fatal(err)
	}
	if sdkaws.ToString(role.Role.Path) != "/deckhand/" || !hasIAMTag(role.Role.Tags, stack) {
		t.Errorf("role path %q tags %v", sdkaws.ToString(role.Role.Path), role.Role.Tags)
	}
	pols, err := f.iam.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: sdkaws.String("deckhand-web-exec")})
	if err != nil || len(pols.AttachedPolicies) != 1 || sdkaws.ToString(pols.AttachedPolicies[0].PolicyArn) != cloud.TaskExecutionPolicyARN {
		t.Errorf("attached policies: %v %+v", err, pols)
	}

	// A re-run with a new image: a new revision and a new deployment of
	// the same service, nothing duplicated.
	opts.Image = "public.ecr.aws/nginx/nginx:1.28"
	steps, res, err = Fargate(f.be, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	r = run(t, steps)
	for _, s := range []string{"log-group", "exec-role", "cluster", "security-group"} {
		if d := r.detail(s); !strings.HasPrefix(d, "found") {
			t.Errorf("re-run %s = %q, want found", s, d)
		}
	}
	if d := r.detail("service"); !strings.Contains(d, "updated web to web:2: a new deployment") {
		t.Errorf("re-run service = %q", d)
	}
	svc = describeService(t, f, "deckhand-web", "web")
	if !strings.HasSuffix(sdkaws.ToString(svc.TaskDefinition), "web:2") || res.Created {
		t.Errorf("service task definition = %s after the re-run, want web:2", sdkaws.ToString(svc.TaskDefinition))
	}
	ls, err := f.ecs.ListServices(ctx, &ecs.ListServicesInput{Cluster: sdkaws.String("deckhand-web")})
	if err != nil || len(ls.ServiceArns) != 1 {
		t.Errorf("services after the re-run: %v %v", err, ls.ServiceArns)
	}
	groups, err := f.ec2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{
		{Name: sdkaws.String("group-name"), Values: []string{"deckhand-web-fargate"}}}})
	if err != nil || len(groups.SecurityGroups) != 1 {
		t.Errorf("security groups named deckhand-web-fargate: %v %d", err, len(groups.SecurityGroups))
	}

	// Destroy: everything tagged goes, in order; the look-alikes stay.
	before := stackOf(t, f.be, stack)
	dsteps, err := Destroy(ctx, f.be, stack, DestroyOptions{Poll: pollFast})
	if err != nil {
		t.Fatal(err)
	}
	if len(dsteps) != len(before) {
		t.Errorf("destroy has %d steps for %d resources: %v", len(dsteps), len(before), names(dsteps))
	}
	t.Logf("destroy steps: %v", names(dsteps))
	dr := run(t, dsteps)
	wantSteps := []string{"delete service web:done", "delete task-definition web:1:done", "delete task-definition web:2:done",
		"delete cluster deckhand-web:done", "delete security-group " + sdkaws.ToString(sg.GroupId) + ":done", "delete role deckhand-web-exec:done"}
	if got := dr.states(); !slices.Equal(got, wantSteps) {
		t.Errorf("destroy = %v, want %v", got, wantSteps)
	}
	if left := stackOf(t, f.be, stack); len(left) != 0 {
		t.Errorf("left after destroy: %v", left)
	}
	lg, err := f.logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: sdkaws.String("/deckhand/web")})
	if err != nil || len(lg.LogGroups) != 1 {
		t.Errorf("the untagged log group is gone: %v %+v", err, lg)
	}
	cl, err = f.ecs.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{"deckhand-web-old", "deckhand-web"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cl.Clusters {
		want := "ACTIVE"
		if sdkaws.ToString(c.ClusterName) == "deckhand-web" {
			want = "INACTIVE"
		}
		if sdkaws.ToString(c.Status) != want {
			t.Errorf("cluster %s is %s, want %s", sdkaws.ToString(c.ClusterName), sdkaws.ToString(c.Status), want)
		}
	}

	// A second destroy finds nothing left to delete.
	dsteps, err = Destroy(ctx, f.be, stack, DestroyOptions{Poll: pollFast})
	if err != nil {
		t.Fatal(err)
	}
	if len(dsteps) != 0 {
		t.Errorf("second destroy still has %v", names(dsteps))
	}
}

func TestEC2AgainstMoto(t *testing.T) {
	f := newMoto(t)
	ctx := context.Background()
	const stack = "box"
	sshDir := t.TempDir()
	opts := EC2Options{Stack: stack, Image: "nginx:1.27", Port: 80, SSHCIDR: "203.0.113.7/32", SSHDir: sshDir, Poll: pollFast}
	steps, res, err := EC2(f.be, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"address", "key-pair", "ami", "network", "security-group", "instance", "wait", "check", "retire", "ssh"}
	if got := names(steps); !slices.Equal(got, want) {
		t.Fatalf("steps = %v, want %v", got, want)
	}
	// moto's instances answer nothing: run up to the status checks, then
	// the ssh step.
	r := run(t, only(steps, "address", "key-pair", "ami", "network", "security-group", "instance", "wait", "retire", "ssh"))
	if got := r.states(); !slices.Equal(got, []string{"address:skipped", "key-pair:done", "ami:done", "network:done", "security-group:done",
		"instance:done", "wait:done", "retire:skipped", "ssh:done"}) {
		t.Errorf("states = %v", got)
	}
	t.Logf("wait: %v", r.lines("wait"))
	if !contains(r.lines("wait"), "running, status checks ok") {
		t.Errorf("wait lines %v lack the status checks", r.lines("wait"))
	}

	// The key pair was created and its private key saved, mode 0600.
	pem := filepath.Join(sshDir, "deckhand-box.pem")
	st, err := os.Stat(pem)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("private key: %v %v", err, st)
	}
	if res.KeyFile != pem || res.KeyName != "deckhand-box" || !strings.Contains(res.SSHCommand, "ssh -i "+pem+" ec2-user@") ||
		!strings.Contains(res.SSHConfig, "Host deckhand-box\n") || !strings.Contains(res.SSHConfig, "IdentityFile "+pem) {
		t.Errorf("result = %+v", res)
	}

	// The instance: tagged, with the cloud-config user data.
	out, err := f.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{res.InstanceID}})
	if err != nil {
		t.Fatal(err)
	}
	in := out.Reservations[0].Instances[0]
	if !hasEC2Tag(in.Tags, stack) || sdkaws.ToString(in.KeyName) != "deckhand-box" || in.InstanceType != "t3.micro" || in.State.Name != "running" {
		t.Errorf("instance: tags %v key %v type %v state %v", in.Tags, sdkaws.ToString(in.KeyName), in.InstanceType, in.State.Name)
	}
	ud, err := f.ec2.DescribeInstanceAttribute(ctx, &ec2.DescribeInstanceAttributeInput{InstanceId: in.InstanceId, Attribute: ec2types.InstanceAttributeNameUserData})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(sdkaws.ToString(ud.UserData.Value))
	if string(raw) != UserData(stack, "nginx:1.27", 80, cloud.DistroAL2023) {
		t.Errorf("user data = %q", raw)
	}
	for _, w := range []string{"#cloud-config", "packages:\n  - docker\n", `"docker", "run", "-d"`, `"-p", "80:80", "nginx:1.27"]`} {
		if !strings.Contains(string(raw), w) {
			t.Errorf("user data lacks %q:\n%s", w, raw)
		}
	}

	// The security group: SSH from the given address only, the app from anywhere.
	sg := describeGroup(t, f, sdkaws.ToString(in.SecurityGroups[0].GroupId))
	if got := rules(sg); !slices.Equal(got, []string{"tcp 22 203.0.113.7/32", "tcp 80 0.0.0.0/0"}) {
		t.Errorf("ingress = %v", got)
	}
	if !hasEC2Tag(sg.Tags, stack) {
		t.Errorf("security group tags %v", sg.Tags)
	}

	// Same settings again: the instance stays.
	steps, res2, err := EC2(f.be, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	r = run(t, only(steps, "address", "key-pair", "ami", "network", "security-group", "instance", "wait", "retire", "ssh"))
	if res2.InstanceID != res.InstanceID || !strings.HasPrefix(r.detail("instance"), "kept") || !strings.HasPrefix(r.detail("key-pair"), "found") {
		t.Errorf("re-run: instance %s (was %s), %q, key pair %q", res2.InstanceID, res.InstanceID, r.detail("instance"), r.detail("key-pair"))
	}
	// Another image: a new instance replaces the old one.
	opts.Image = "nginx:1.28"
	steps, res3, err := EC2(f.be, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	r = run(t, only(steps, "address", "key-pair", "ami", "network", "security-group", "instance", "wait", "retire", "ssh"))
	if res3.InstanceID == res.InstanceID || !slices.Equal(res3.Replaced, []string{res.InstanceID}) {
		t.Errorf("new image: instance %s replaced %v, want a new one replacing %s", res3.InstanceID, res3.Replaced, res.InstanceID)
	}
	if got := stackOf(t, f.be, stack); !slices.Equal(got, []string{"ec2:instance " + res3.InstanceID, "ec2:security-group " + sdkaws.ToString(sg.GroupId), "ec2:key-pair deckhand-box"}) {
		t.Errorf("stack = %v", got)
	}

	// Destroy: instance, group, key pair; the private key file stays.
	dsteps, err := Destroy(ctx, f.be, stack, DestroyOptions{Poll: pollFast, SSHDir: sshDir})
	if err != nil {
		t.Fatal(err)
	}
	dr := run(t, dsteps)
	if got := dr.states(); len(got) != 3 || !strings.HasPrefix(got[0], "delete instance") {
		t.Errorf("destroy = %v", got)
	}
	if left := stackOf(t, f.be, stack); len(left) != 0 {
		t.Errorf("left after destroy: %v", left)
	}
	if _, err := os.Stat(pem); err != nil || !contains(dr.lines("delete key-pair deckhand-box"), "stays on this machine") {
		t.Errorf("the private key file: %v; lines %v", err, dr.lines("delete key-pair deckhand-box"))
	}
}

// TestEC2ImportsPublicKey: with ~/.ssh/id_ed25519.pub present, the key
// pair is imported from it and no private key is written.
func TestEC2ImportsPublicKey(t *testing.T) {
	f := newMoto(t)
	sshDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(sshDir, "id_ed25519.pub"), publicKey(t), 0o644); err != nil {
		t.Fatal(err)
	}
	steps, res, err := EC2(f.be, nil, EC2Options{Stack: "imp", Image: "nginx:1.27", Port: 80, SSHDir: sshDir, Poll: pollFast,
		LookupIP: func(context.Context) (string, error) { return "198.51.100.4", nil }})
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, only(steps, "address", "key-pair"))
	if d := r.detail("key-pair"); !strings.HasPrefix(d, "imported "+filepath.Join(sshDir, "id_ed25519.pub")) {
		t.Errorf("key-pair = %q", d)
	}
	if d := r.detail("address"); d != "SSH from 198.51.100.4/32" {
		t.Errorf("address = %q", d)
	}
	if res.KeyFile != filepath.Join(sshDir, "id_ed25519") {
		t.Errorf("key file = %q", res.KeyFile)
	}
	if _, err := os.Stat(filepath.Join(sshDir, "deckhand-imp.pem")); !os.IsNotExist(err) {
		t.Errorf("a private key was written: %v", err)
	}
	kp, ok, err := f.be.FindKeyPair(context.Background(), "deckhand-imp")
	if err != nil || !ok || kp.Tags[launch.TagStack] != "imp" {
		t.Errorf("key pair = %+v %v %v", kp, ok, err)
	}
}

// TestEC2RefusesToOverwriteKeyFile: a pem file of the key pair's name that
// deckhand did not write is never overwritten, and no key pair is made.
// TestEC2RefusesDanglingKeySymlink: a symlink to nowhere where the .pem
// would go is refused before the key pair is created, so the summary never
// lists a key pair that was deleted again.
func TestEC2RefusesDanglingKeySymlink(t *testing.T) {
	f := newMoto(t)
	sshDir := t.TempDir()
	if err := os.Symlink(filepath.Join(sshDir, "nowhere"), filepath.Join(sshDir, "deckhand-dangle.pem")); err != nil {
		t.Fatal(err)
	}
	steps, _, err := EC2(f.be, nil, EC2Options{Stack: "dangle", Image: "nginx:1.27", SSHCIDR: "203.0.113.0/24", SSHDir: sshDir})
	if err != nil {
		t.Fatal(err)
	}
	err = launch.Execute(context.Background(), only(steps, "address", "key-pair"), nil)
	if err == nil || !strings.Contains(err.Error(), "will not overwrite") || strings.Contains(err.Error(), "EC2 key pair") {
		t.Fatalf("err = %v, want a refusal before any key pair is created", err)
	}
	if _, ok, _ := f.be.FindKeyPair(context.Background(), "deckhand-dangle"); ok {
		t.Error("a key pair was created")
	}
}

func TestEC2RefusesToOverwriteKeyFile(t *testing.T) {
	f := newMoto(t)
	sshDir := t.TempDir()
	pem := filepath.Join(sshDir, "deckhand-own.pem")
	if err := os.WriteFile(pem, []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	steps, _, err := EC2(f.be, nil, EC2Options{Stack: "own", Image: "nginx:1.27", SSHCIDR: "203.0.113.0/24", SSHDir: sshDir})
	if err != nil {
		t.Fatal(err)
	}
	err = launch.Execute(context.Background(), only(steps, "address", "key-pair"), nil)
	if err == nil || !strings.Contains(err.Error(), "will not overwrite") {
		t.Fatalf("err = %v, want a refusal to overwrite", err)
	}
	if b, _ := os.ReadFile(pem); string(b) != "mine" {
		t.Errorf("the file was changed: %q", b)
	}
	if _, ok, _ := f.be.FindKeyPair(context.Background(), "deckhand-own"); ok {
		t.Error("a key pair was created")
	}
}

// TestDryRunCreatesNothing: planning and printing both targets' plans and a
// destroy plan leaves the account as it was.
func TestDryRunCreatesNothing(t *testing.T) {
	f := newMoto(t)
	ctx := context.Background()
	var b strings.Builder
	fs, _, err := Fargate(f.be, nil, FargateOptions{Stack: "dry", Image: "nginx:1.27", Port: 80})
	if err != nil {
		t.Fatal(err)
	}
	es, _, err := EC2(f.be, nil, EC2Options{Stack: "dry", Image: "nginx:1.27", Port: 80})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := Destroy(ctx, f.be, "dry", DestroyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range [][]launch.Step{fs, es, ds} {
		if err := launch.WritePlan(&b, "plan", s); err != nil {
			t.Fatal(err)
		}
	}
	plan := b.String()
	for _, w := range []string{"aws ecs register-task-definition", "aws ecs create-service", "aws ec2 run-instances", "aws iam create-role",
		"create  CloudWatch Logs group /deckhand/dry", "tcp 22 from YOUR_IP/32", "nothing to do"} {
		if !strings.Contains(plan, w) {
			t.Errorf("plan lacks %q", w)
		}
	}
	if left := stackOf(t, f.be, "dry"); len(left) != 0 {
		t.Errorf("the dry run created %v", left)
	}
	cl, _ := f.be.Clusters(ctx)
	in, _ := f.be.Instances(ctx)
	if len(cl) != 0 || len(in) != 0 {
		t.Errorf("the dry run created clusters %v instances %v", cl, in)
	}
}

func describeService(t *testing.T, f *motoFixture, cluster, name string) ecstypes.Service {
	t.Helper()
	out, err := f.ecs.DescribeServices(context.Background(), &ecs.DescribeServicesInput{Cluster: sdkaws.String(cluster), Services: []string{name},
		Include: []ecstypes.ServiceField{"TAGS"}})
	if err != nil || len(out.Services) != 1 {
		t.Fatalf("DescribeServices: %v %+v", err, out)
	}
	return out.Services[0]
}

func describeGroup(t *testing.T, f *motoFixture, id string) ec2types.SecurityGroup {
	t.Helper()
	out, err := f.ec2.DescribeSecurityGroups(context.Background(), &ec2.DescribeSecurityGroupsInput{GroupIds: []string{id}})
	if err != nil || len(out.SecurityGroups) != 1 {
		t.Fatalf("DescribeSecurityGroups %s: %v", id, err)
	}
	return out.SecurityGroups[0]
}

// rules lists a group's ingress as "proto port cidr", sorted.
func rules(sg ec2types.SecurityGroup) []string {
	var out []string
	for _, p := range sg.IpPermissions {
		for _, r := range p.IpRanges {
			out = append(out, sdkaws.ToString(p.IpProtocol)+" "+itoa(sdkaws.ToInt32(p.FromPort))+" "+sdkaws.ToString(r.CidrIp))
		}
		for _, r := range p.Ipv6Ranges {
			out = append(out, sdkaws.ToString(p.IpProtocol)+" "+itoa(sdkaws.ToInt32(p.FromPort))+" "+sdkaws.ToString(r.CidrIpv6))
		}
		for _, g := range p.UserIdGroupPairs {
			out = append(out, sdkaws.ToString(p.IpProtocol)+" "+itoa(sdkaws.ToInt32(p.FromPort))+" "+sdkaws.ToString(g.GroupId))
		}
	}
	slices.Sort(out)
	return out
}

func hasECSTag(tags []ecstypes.Tag, stack string) bool {
	return slices.ContainsFunc(tags, func(t ecstypes.Tag) bool {
		return sdkaws.ToString(t.Key) == launch.TagStack && sdkaws.ToString(t.Value) == stack
	})
}

func hasEC2Tag(tags []ec2types.Tag, stack string) bool {
	return slices.ContainsFunc(tags, func(t ec2types.Tag) bool {
		return sdkaws.ToString(t.Key) == launch.TagStack && sdkaws.ToString(t.Value) == stack
	})
}

func hasIAMTag(tags []iamTag, stack string) bool {
	return slices.ContainsFunc(tags, func(t iamTag) bool {
		return sdkaws.ToString(t.Key) == launch.TagStack && sdkaws.ToString(t.Value) == stack
	})
}
