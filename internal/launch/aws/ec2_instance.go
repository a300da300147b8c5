package aws

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"deckhand/internal/cloud"
	"deckhand/internal/launch"
	"deckhand/internal/resource"
)

// The EC2 target's instance: its user data, the instance role and
// profile it pulls from ECR with, and the launch (or the kept instance).

// UserData is the cloud-config that installs Docker and runs image with
// port published, restarted with the instance. An image in ECR is pulled
// after logging in to its registry with the instance profile's role (the
// AWS CLI comes with Amazon Linux 2023; on Ubuntu it is installed from the
// snap first); the login is retried for a minute, while the instance's
// credentials and the Docker daemon come up.
func UserData(stack, image string, port int, distro string) string {
	pkg := "docker"
	if distro == cloud.DistroUbuntu2404 {
		pkg = "docker.io"
	}
	list := func(args ...string) string {
		quoted := make([]string, len(args))
		for i, a := range args {
			quoted[i] = strconv.Quote(a)
		}
		return "[" + strings.Join(quoted, ", ") + "]"
	}
	what := image + " on port " + strconv.Itoa(port)
	cmds := []string{list("systemctl", "enable", "--now", "docker")}
	if host, region, ok := ecrRegistry(image); ok {
		what += ", pulled from ECR with the instance role"
		if distro == cloud.DistroUbuntu2404 {
			cmds = append(cmds, list("snap", "install", "aws-cli", "--classic"))
		}
		cmds = append(cmds, strconv.Quote(ECRLogin(host, region)))
	}
	cmds = append(cmds, list("docker", "run", "-d", "--name", "deckhand-"+stack, "--restart", "unless-stopped",
		"--label", launch.LabelStack+"="+stack, "-p", fmt.Sprintf("%d:%d", port, port), image))
	return "#cloud-config\n" +
		"# deckhand: stack " + stack + " runs " + what + "\n" +
		"package_update: true\n" +
		"packages:\n  - " + pkg + "\n" +
		"runcmd:\n  - " + strings.Join(cmds, "\n  - ") + "\n"
}

// ECRLogin is the shell command an instance logs in to the ECR registry
// host with, using its instance profile's role; it tries for a minute.
func ECRLogin(host, region string) string {
	return "for i in 1 2 3 4 5 6 7 8 9 10; do aws ecr get-login-password --region " + region +
		" | docker login --username AWS --password-stdin " + host + " && break; sleep 6; done"
}

func (p *ec2Plan) instanceRoleStep() launch.Step {
	name := InstanceProfileName(p.Stack)
	path := cloud.TaskExecutionRolePath
	return launch.Step{
		Name: "instance-role",
		Summary: "Find or create the IAM role " + name + " (trusted by ec2.amazonaws.com, with AmazonEC2ContainerRegistryReadOnly) " +
			"and the instance profile " + name + " holding it: the instance logs in to ECR and pulls the image with it",
		Resources: []launch.Resource{
			{Action: "create", Kind: "IAM role", Name: path + name + " (if missing)"},
			{Action: "attach", Kind: "IAM policy", Name: cloud.InstanceRolePolicyARN + " to " + name},
			{Action: "create", Kind: "IAM instance profile", Name: path + name + " (if missing)"},
			{Action: "add", Kind: "IAM role", Name: name + " to the instance profile " + name},
		},
		Commands: []string{
			launch.Shell("aws", "iam", "create-role", "--role-name", name, "--path", path,
				"--assume-role-policy-document", cloud.InstanceRoleTrustPolicy, "--tags", cliTags(p.Stack, "")),
			launch.Shell("aws", "iam", "attach-role-policy", "--role-name", name, "--policy-arn", cloud.InstanceRolePolicyARN),
			launch.Shell("aws", "iam", "create-instance-profile", "--instance-profile-name", name, "--path", path, "--tags", cliTags(p.Stack, "")),
			launch.Shell("aws", "iam", "add-role-to-instance-profile", "--instance-profile-name", name, "--role-name", name),
		},
		Run: func(ctx context.Context, out *launch.Output) error {
			out.Linef("IAM: finding the role and instance profile %s, creating them if missing, and attaching AmazonEC2ContainerRegistryReadOnly", name)
			arn, created, err := p.be.EnsureInstanceProfile(ctx, name, tags(p.Stack))
			if err != nil {
				return err
			}
			p.res.InstanceProfile, p.profileNew = arn, created
			if created {
				out.Created(launch.Resource{Action: "create", Kind: "IAM instance profile", Name: name + " (and its role)"})
				out.Result("created " + arn)
			} else {
				out.Result("found " + arn)
			}
			return nil
		},
		Explain: func(err error) string {
			switch {
			case hasCode(err, cloud.CodeRoleNotAssumableByEC2):
				return "a role named " + name + " exists but EC2 cannot assume it; deckhand does not change roles it did not create: delete or rename it, or launch under another --name"
			case hasCode(err, "LimitExceeded"):
				return "an instance profile named " + name + " exists and holds another role; deckhand does not change profiles it did not create: delete it, or launch under another --name"
			}
			return ""
		},
	}
}

// stackInstances are the live instances tagged with the stack, newest first.
func (p *ec2Plan) stackInstances(ctx context.Context) ([]resource.Instance, error) {
	all, err := p.be.Instances(ctx)
	if err != nil {
		return nil, err
	}
	var out []resource.Instance
	for _, in := range all {
		if in.Tags[launch.TagStack] == p.Stack && in.State != "terminated" && in.State != "shutting-down" {
			out = append(out, in)
		}
	}
	slices.SortStableFunc(out, func(a, b resource.Instance) int { return b.LaunchTime.Compare(a.LaunchTime) })
	return out, nil
}

func (p *ec2Plan) instanceStep() launch.Step {
	image := p.imageRef()
	if p.res.Image == "" {
		image = "the build pushed to " + launch.ImageRepository(p.Stack)
	}
	what := fmt.Sprintf("whose user data installs Docker and runs %s on port %d", image, p.Port)
	args := []string{"aws", "ec2", "run-instances", "--image-id", "AMI_ID", "--instance-type", p.InstanceType,
		"--key-name", orPlaceholder(p.KeyName, KeyPairName(p.Stack)), "--subnet-id", "SUBNET_ID", "--security-group-ids", "SG_ID"}
	if p.private {
		what = fmt.Sprintf("with the instance profile %s, whose user data installs Docker, logs in to ECR with the instance role and runs %s on port %d",
			InstanceProfileName(p.Stack), image, p.Port)
		args = append(args, "--iam-instance-profile", "Name="+InstanceProfileName(p.Stack))
	}
	config := p.config
	if p.res.Image == "" {
		config = "CONFIG_HASH" // of the settings and the pushed image
	}
	args = append(args, "--user-data", p.userData, "--tag-specifications",
		"ResourceType=instance,Tags=[{Key=Name,Value="+InstanceName(p.Stack)+"},{Key="+launch.TagStack+",Value="+p.Stack+"},{Key="+TagConfig+",Value="+config+"}]")
	return launch.Step{
		Name: "instance",
		Summary: fmt.Sprintf("Launch a %s instance %s %s "+
			"(a re-run with the same settings and image keeps the running instance; with others it replaces it)", p.InstanceType, InstanceName(p.Stack), what),
		Resources: []launch.Resource{{Action: "create", Kind: "EC2 instance", Name: InstanceName(p.Stack) + " (" + p.InstanceType + ")"}},
		Commands:  []string{launch.Shell(args...)},
		Run: func(ctx context.Context, out *launch.Output) error {
			p.settle() // the image is known now
			live, err := p.stackInstances(ctx)
			if err != nil {
				return err
			}
			p.old = nil
			var keep *resource.Instance
			for i, in := range live {
				if keep == nil && in.Tags[TagConfig] == p.config && (in.State == "pending" || in.State == "running") {
					keep = &live[i]
					continue
				}
				p.old = append(p.old, in.ID)
			}
			if keep != nil {
				p.res.InstanceID, p.res.PublicIP = keep.ID, keep.PublicIP
				out.Result(fmt.Sprintf("kept %s (%s): it already runs %s on port %d", keep.ID, keep.State, p.res.Image, p.Port))
				return nil
			}
			spec := cloud.InstanceSpec{
				Name: InstanceName(p.Stack), ImageID: p.ami.ID, InstanceType: p.InstanceType, KeyName: p.res.KeyName,
				SubnetID: p.subnet, SecurityGroupIDs: []string{p.groupID}, UserData: p.userData,
				Tags: cloud.StackTags(p.Stack, cloud.Tags{TagConfig: p.config}),
			}
			if p.private {
				spec.IAMInstanceProfile = InstanceProfileName(p.Stack)
			}
			// IAM is eventually consistent: EC2 may not know a profile
			// made seconds ago. It says so in one specific way.
			said := false
			notYet := func(err error) bool {
				if !p.private || !profileNotReady(err) {
					return false
				}
				if !said {
					out.Linef("EC2 does not know the instance profile %s yet: IAM takes a few seconds to spread a new profile to EC2, so deckhand tries again", spec.IAMInstanceProfile)
					said = true
				}
				return true
			}
			var in resource.Instance
			err = retryable(ctx, out, profileWait, profileRetryEvery, notYet, "RunInstances", func() error {
				var err error
				in, err = p.be.RunInstance(ctx, spec)
				return err
			})
			if err != nil {
				return err
			}
			p.res.InstanceID, p.res.PublicIP = in.ID, in.PublicIP
			out.Created(launch.Resource{Action: "create", Kind: "EC2 instance", Name: in.ID})
			if len(p.old) > 0 {
				out.Linef("the stack's previous instance %s is retired once the new one is checked", strings.Join(p.old, ", "))
			}
			out.Result(fmt.Sprintf("launched %s (%s)", in.ID, in.State))
			return nil
		},
		Explain: func(err error) string {
			switch {
			case profileNotReady(err):
				return "EC2 still did not know the instance profile " + InstanceProfileName(p.Stack) + " after " + profileWait.String() +
					": IAM sometimes takes longer to spread a new profile; launch again in a minute (what exists is found and kept)"
			case p.private && strings.Contains(err.Error(), "iam:PassRole"):
				return "launching an instance with the instance profile " + InstanceProfileName(p.Stack) + " needs the IAM permission iam:PassRole on its role " +
					InstanceProfileName(p.Stack) + ", which your user or role lacks"
			}
			return ""
		},
		Check: func(ctx context.Context) error {
			if p.be == nil {
				return nil // a plan printed without an account
			}
			ok, err := p.be.InstanceTypeOffered(ctx, p.InstanceType)
			switch {
			case err != nil:
				return err
			case !ok:
				return inputErr("instance-type", p.InstanceType, "is not offered in this region: choose one it has (aws ec2 describe-instance-types), e.g. t3.micro")
			}
			return nil
		},
	}
}

// profileWait is how long the instance step retries a launch EC2 refuses
// because it does not know the instance profile yet, every
// profileRetryEvery.
var (
	profileWait       = 30 * time.Second
	profileRetryEvery = 3 * time.Second
)

// profileNotReady reports whether err is EC2 refusing an instance profile
// it does not know (yet): "Value (NAME) for parameter
// iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name".
func profileNotReady(err error) bool {
	return hasCode(err, "InvalidParameterValue") && strings.Contains(err.Error(), "iamInstanceProfile")
}
