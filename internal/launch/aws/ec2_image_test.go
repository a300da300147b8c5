package aws

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"deckhand/aws/sandbox"
	"deckhand/internal/cloud"
	"deckhand/internal/launch"
	"deckhand/internal/resource"
)

// Tests of the EC2 target with a private image: built from a directory
// and pushed to ECR (the sandbox, with the real engine), or already in ECR
// (moto); the instance gets the instance profile and logs in to ECR with
// it.

func offline(context.Context) (string, error) { return "", errors.New("offline") }

// TestEC2FromDirOnSandbox: build → push (a tag in the local engine, the
// sandbox's registry) → instance role → … → an instance with the profile
// up to its status checks, whose user data logs in to ECR and runs the
// pushed image, which the sandbox runs on the local engine: the check GETs
// it on 127.0.0.1. The same build again keeps the instance; a changed one
// replaces it. Destroy leaves nothing.
func TestEC2FromDirOnSandbox(t *testing.T) {
	eng := testEngine(t)
	stack := uniqStack("vmd")
	a := openSandbox(t, eng, stack)
	dir := appProject(t)
	ctx := context.Background()
	rec := &recordingBackend{Backend: a}
	opts := EC2Options{Stack: stack, Dir: dir, SSHDir: t.TempDir(), Sandbox: true, Poll: pollFast, Timeout: 2 * time.Minute, LookupIP: offline}
	steps, res, err := EC2(rec, eng, opts)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r := run(t, steps)
	t.Logf("launch took %v", time.Since(start).Round(time.Millisecond))
	want := []string{"build:done", "repository:done", "login:done", "push:done", "instance-role:done", "address:skipped", "key-pair:done",
		"ami:done", "network:done", "security-group:done", "instance:done", "wait:done", "check:done", "retire:skipped", "ssh:done"}
	if got := r.states(); !slices.Equal(got, want) {
		t.Fatalf("states = %v, want %v", got, want)
	}

	// The push is a tag in the local engine.
	registry := sandbox.AccountID + ".dkr.ecr.us-east-1.amazonaws.com"
	if !strings.Contains(r.detail("push"), "nothing to upload") || !strings.HasPrefix(res.Image, registry+"/deckhand/"+stack+":") || res.ImageID == "" {
		t.Errorf("push = %q, image %q (build %q)", r.detail("push"), res.Image, res.ImageID)
	}
	if info, err := eng.InspectImage(ctx, res.Image); err != nil || info.ID != res.ImageID {
		t.Errorf("the local engine's %s: %+v, %v", res.Image, info, err)
	}

	// The instance role, said before it was made.
	profileARN := "arn:aws:iam::" + sandbox.AccountID + ":instance-profile/deckhand/" + InstanceProfileName(stack)
	if res.InstanceProfile != profileARN || r.detail("instance-role") != "created "+profileARN || !contains(r.lines("instance-role"), "IAM: finding") {
		t.Errorf("instance-role = %q, lines %v, result %q", r.detail("instance-role"), r.lines("instance-role"), res.InstanceProfile)
	}

	// The instance: running, checks ok, with the profile; its user data
	// logs in to the registry with the role and runs the pushed image.
	ins, err := a.Instances(ctx)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(ins, func(in resource.Instance) bool { return in.ID == res.InstanceID })
	if i < 0 || ins[i].State != "running" || ins[i].StatusCheck != "ok" || ins[i].IAMInstanceProfile != profileARN {
		t.Fatalf("instance %s: %+v", res.InstanceID, ins)
	}
	if len(rec.instances) != 1 {
		t.Fatalf("%d launches, want 1", len(rec.instances))
	}
	spec := rec.instances[0]
	for _, w := range []string{
		"aws ecr get-login-password --region us-east-1 | docker login --username AWS --password-stdin " + registry,
		`"-p", "8080:8080", "` + res.Image + `"]`, `"--restart", "unless-stopped"`,
	} {
		if !strings.Contains(spec.UserData, w) {
			t.Errorf("user data lacks %q:\n%s", w, spec.UserData)
		}
	}
	if spec.IAMInstanceProfile != InstanceProfileName(stack) {
		t.Errorf("launched with the profile %q", spec.IAMInstanceProfile)
	}
	// The sandbox runs the user data's container on the local engine,
	// published on 127.0.0.1: the check GETs it there.
	if !strings.HasPrefix(res.URL, "http://127.0.0.1:") || !strings.Contains(r.detail("check"), `"hello from the sandbox"`) {
		t.Errorf("URL %q, check %q", res.URL, r.detail("check"))
	}
	if j := slices.IndexFunc(ins[i].LocalBindings, func(b resource.Binding) bool { return b.ContainerPort == 8080 }); j < 0 {
		t.Errorf("instance bindings %+v, want 8080", ins[i].LocalBindings)
	}
	if _, body, err := launch.Get(ctx, res.URL); err != nil || !strings.Contains(body, "hello from the sandbox") {
		t.Errorf("GET %s = %q, %v", res.URL, body, err)
	}

	// The same build: the instance stays.
	steps, res2, err := EC2(rec, eng, opts)
	if err != nil {
		t.Fatal(err)
	}
	r = run(t, steps)
	if res2.InstanceID != res.InstanceID || !strings.HasPrefix(r.detail("instance"), "kept") || r.detail("instance-role") != "found "+profileARN {
		t.Errorf("re-run: instance %s (was %s) %q, instance-role %q", res2.InstanceID, res.InstanceID, r.detail("instance"), r.detail("instance-role"))
	}
	if res2.URL != res.URL {
		t.Errorf("re-run: URL %q, want the kept instance's %q", res2.URL, res.URL)
	}
	// A changed build: a new image, a new instance, the old one retired.
	df := fmt.Sprintf("FROM scratch\nLABEL deckhand.test=%d\nCOPY app /app\nEXPOSE 8080\nENTRYPOINT [\"/app\"]\n", time.Now().UnixNano())
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644); err != nil {
		t.Fatal(err)
	}
	steps, res3, err := EC2(rec, eng, opts)
	if err != nil {
		t.Fatal(err)
	}
	r = run(t, steps)
	if res3.Image == res.Image || res3.InstanceID == res.InstanceID || !slices.Equal(res3.Replaced, []string{res.InstanceID}) {
		t.Errorf("changed build: image %s (was %s), instance %s replaced %v", res3.Image, res.Image, res3.InstanceID, res3.Replaced)
	}
	if !strings.Contains(rec.instances[len(rec.instances)-1].UserData, res3.Image) {
		t.Errorf("the new instance does not run %s", res3.Image)
	}

	stack0 := stackOf(t, a, stack)
	for _, w := range []string{"ec2:instance " + res3.InstanceID, "iam:instance-profile " + InstanceProfileName(stack),
		"iam:role " + InstanceProfileName(stack), "ecr:repository " + launch.ImageRepository(stack), "ec2:key-pair " + KeyPairName(stack)} {
		if !slices.Contains(stack0, w) {
			t.Errorf("stack %v lacks %s", stack0, w)
		}
	}

	// Destroy: the instance first, then the profile with its role (one
	// step), the repository and its local tags; nothing is left.
	ds, err := Destroy(ctx, a, stack, DestroyOptions{Poll: pollFast, Timeout: time.Minute, SSHDir: opts.SSHDir, Engine: eng})
	if err != nil {
		t.Fatal(err)
	}
	dn := names(ds)
	t.Logf("destroy: %v", dn)
	prof := slices.Index(dn, "delete instance-profile "+InstanceProfileName(stack))
	if inst := slices.Index(dn, "delete instance "+res3.InstanceID); inst < 0 || prof < inst || slices.Contains(dn, "delete role "+InstanceProfileName(stack)) {
		t.Errorf("destroy steps %v: want the instance, then the profile (with its role, no step of its own)", dn)
	}
	dr := run(t, ds)
	for _, s := range dr.states() {
		if !strings.HasSuffix(s, ":done") {
			t.Errorf("destroy step %s", s)
		}
	}
	if left := stackOf(t, a, stack); len(left) != 0 {
		t.Errorf("left after destroy: %v", left)
	}
	if _, err := eng.InspectImage(ctx, res3.Image); err == nil {
		t.Errorf("the sandbox ECR tag %s is left", res3.Image)
	}
}

// TestEC2FromECRAgainstMoto: an image in this account's ECR, without
// waiting first: the role and the instance profile as IAM holds them, the
// instance carries the profile, its user data logs in to ECR; a new image
// replaces the instance; destroy leaves nothing.
func TestEC2FromECRAgainstMoto(t *testing.T) {
	f := newMoto(t)
	ctx := context.Background()
	const stack = "reg"
	registry := "123456789012.dkr.ecr.us-east-1.amazonaws.com"
	img := registry + "/deckhand/reg:v1"
	opts := EC2Options{Stack: stack, Image: img, Port: 8080, SSHCIDR: "203.0.113.7/32", SSHDir: t.TempDir(), Poll: pollFast, NoWait: true}
	steps, res, err := EC2(f.be, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, steps)
	want := []string{"instance-role:done", "address:skipped", "key-pair:done", "ami:done", "network:done", "security-group:done",
		"instance:done", "wait:skipped", "check:skipped", "retire:skipped", "ssh:done"}
	if got := r.states(); !slices.Equal(got, want) {
		t.Fatalf("states = %v, want %v", got, want)
	}
	name := InstanceProfileName(stack)
	profileARN := "arn:aws:iam::123456789012:instance-profile/deckhand/" + name
	if res.InstanceProfile != profileARN {
		t.Errorf("instance profile %q", res.InstanceProfile)
	}

	// IAM: the role trusts EC2 and may read ECR; the profile holds it;
	// both are tagged.
	role, err := f.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: sdkaws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	trust, _ := url.QueryUnescape(sdkaws.ToString(role.Role.AssumeRolePolicyDocument))
	if !strings.Contains(trust, `"ec2.amazonaws.com"`) || sdkaws.ToString(role.Role.Path) != "/deckhand/" || !hasIAMTag(role.Role.Tags, stack) {
		t.Errorf("role: path %q trust %s tags %v", sdkaws.ToString(role.Role.Path), trust, role.Role.Tags)
	}
	ap, err := f.iam.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: sdkaws.String(name)})
	if err != nil || len(ap.AttachedPolicies) != 1 || sdkaws.ToString(ap.AttachedPolicies[0].PolicyArn) != cloud.InstanceRolePolicyARN {
		t.Errorf("attached policies %+v, %v", ap, err)
	}
	ip, err := f.iam.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: sdkaws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if p := ip.InstanceProfile; len(p.Roles) != 1 || sdkaws.ToString(p.Roles[0].RoleName) != name || !hasIAMTag(p.Tags, stack) {
		t.Errorf("instance profile: roles %d tags %v", len(p.Roles), p.Tags)
	}

	// The instance carries the profile; its user data logs in and runs
	// the image.
	in := describeInstance(t, f, res.InstanceID)
	if in.IamInstanceProfile == nil || sdkaws.ToString(in.IamInstanceProfile.Arn) != profileARN || !hasEC2Tag(in.Tags, stack) {
		t.Errorf("instance profile %+v, tags %v", in.IamInstanceProfile, in.Tags)
	}
	ud := userDataOf(t, f, res.InstanceID)
	if ud != UserData(stack, img, 8080, cloud.DistroAL2023) ||
		!strings.Contains(ud, "aws ecr get-login-password --region us-east-1 | docker login --username AWS --password-stdin "+registry) ||
		!strings.Contains(ud, `"-p", "8080:8080", "`+img+`"]`) {
		t.Errorf("user data:\n%s", ud)
	}

	// A new image: a new instance (with the same profile, found), the
	// old one terminated once the new one runs.
	opts.Image, opts.NoWait = registry+"/deckhand/reg:v2", false
	steps, res2, err := EC2(f.be, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	r = run(t, only(steps, "instance-role", "address", "key-pair", "ami", "network", "security-group", "instance", "wait", "retire", "ssh"))
	if res2.InstanceID == res.InstanceID || !slices.Equal(res2.Replaced, []string{res.InstanceID}) || r.detail("instance-role") != "found "+profileARN {
		t.Errorf("new image: instance %s replaced %v (was %s); instance-role %q", res2.InstanceID, res2.Replaced, res.InstanceID, r.detail("instance-role"))
	}
	if old := describeInstance(t, f, res.InstanceID); old.State.Name != ec2types.InstanceStateNameTerminated {
		t.Errorf("the old instance is %s", old.State.Name)
	}
	if ud := userDataOf(t, f, res2.InstanceID); !strings.Contains(ud, opts.Image) {
		t.Errorf("the new instance's user data:\n%s", ud)
	}
	got := stackOf(t, f.be, stack)
	if len(got) != 5 || got[0] != "ec2:instance "+res2.InstanceID || !slices.Contains(got, "iam:instance-profile "+name) || got[len(got)-1] != "iam:role "+name {
		t.Errorf("stack = %v", got)
	}

	// Destroy: nothing tagged is left, the profile and the role included.
	ds, err := Destroy(ctx, f.be, stack, DestroyOptions{Poll: pollFast, SSHDir: opts.SSHDir})
	if err != nil {
		t.Fatal(err)
	}
	dr := run(t, ds)
	if got := dr.states(); len(got) != 4 || got[3] != "delete instance-profile "+name+":done" {
		t.Errorf("destroy = %v", got)
	}
	if left := stackOf(t, f.be, stack); len(left) != 0 {
		t.Errorf("left after destroy: %v", left)
	}
	if _, err := f.iam.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: sdkaws.String(name)}); err == nil {
		t.Error("the instance profile is left")
	}
	if _, err := f.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: sdkaws.String(name)}); err == nil {
		t.Error("the role is left")
	}
}

func describeInstance(t *testing.T, f *motoFixture, id string) ec2types.Instance {
	t.Helper()
	out, err := f.ec2.DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	if err != nil || len(out.Reservations) != 1 || len(out.Reservations[0].Instances) != 1 {
		t.Fatalf("DescribeInstances %s: %v", id, err)
	}
	return out.Reservations[0].Instances[0]
}

func userDataOf(t *testing.T, f *motoFixture, id string) string {
	t.Helper()
	ud, err := f.ec2.DescribeInstanceAttribute(context.Background(), &ec2.DescribeInstanceAttributeInput{
		InstanceId: sdkaws.String(id), Attribute: ec2types.InstanceAttributeNameUserData})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(sdkaws.ToString(ud.UserData.Value))
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// lateProfiles is IAM's eventual consistency: an instance profile it is
// asked for reaches EC2 (the sandbox) only after EC2 has refused refusals
// launches for not knowing it; never when refusals < 0.
type lateProfiles struct {
	Backend
	refusals, refused int
	pending           map[string]cloud.Tags
}

func (b *lateProfiles) EnsureInstanceProfile(ctx context.Context, name string, tags cloud.Tags) (string, bool, error) {
	b.pending[name] = tags
	return "arn:aws:iam::" + sandbox.AccountID + ":instance-profile/deckhand/" + name, true, nil
}

func (b *lateProfiles) RunInstance(ctx context.Context, spec cloud.InstanceSpec) (resource.Instance, error) {
	if tags, ok := b.pending[spec.IAMInstanceProfile]; ok && b.refusals >= 0 && b.refused >= b.refusals {
		if _, _, err := b.Backend.EnsureInstanceProfile(ctx, spec.IAMInstanceProfile, tags); err != nil {
			return resource.Instance{}, err
		}
		delete(b.pending, spec.IAMInstanceProfile)
	}
	in, err := b.Backend.RunInstance(ctx, spec)
	if err != nil {
		b.refused++
	}
	return in, err
}

// TestEC2WaitsForNewProfile: EC2 refusing a new instance profile (the
// sandbox's InvalidParameterValue, as EC2 words it) is retried, saying why;
// a profile that never arrives fails the step after the wait, explained.
func TestEC2WaitsForNewProfile(t *testing.T) {
	defer func(w, e time.Duration) { profileWait, profileRetryEvery = w, e }(profileWait, profileRetryEvery)
	profileWait, profileRetryEvery = 2*time.Second, 20*time.Millisecond
	for _, refusals := range []int{2, -1} {
		t.Run(fmt.Sprint("refusals ", refusals), func(t *testing.T) {
			a := simSandbox(t)
			be := &lateProfiles{Backend: a, refusals: refusals, pending: map[string]cloud.Tags{}}
			steps, res, err := EC2(be, nil, EC2Options{Stack: "late", Image: sandbox.AccountID + ".dkr.ecr.us-east-1.amazonaws.com/deckhand/late:1",
				SSHDir: t.TempDir(), Sandbox: true, LookupIP: offline, Poll: pollFast})
			if err != nil {
				t.Fatal(err)
			}
			r := &recorder{t: t}
			err = launch.Execute(context.Background(), only(steps, "instance-role", "address", "key-pair", "ami", "network", "security-group", "instance"), r.report)
			lines := r.lines("instance")
			if !contains(lines, "IAM takes a few seconds to spread a new profile") || !contains(lines, "Invalid IAM Instance Profile name") {
				t.Errorf("instance lines %v", lines)
			}
			if refusals > 0 {
				if err != nil || be.refused != refusals || res.InstanceID == "" {
					t.Errorf("err %v, refused %d, instance %q", err, be.refused, res.InstanceID)
				}
				return
			}
			var se *launch.StepError
			if !errors.As(err, &se) || se.Step != "instance" || !strings.Contains(se.Hint, "launch again in a minute") || be.refused < 2 {
				t.Errorf("err = %v (refused %d)", err, be.refused)
			}
		})
	}
}
