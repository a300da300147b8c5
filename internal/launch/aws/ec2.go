package aws

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	awsapi "deckhand/aws"
	"deckhand/dockerops"
	"deckhand/internal/explain"
	"deckhand/internal/launch"
	"deckhand/internal/resource"
	"deckhand/scaffold"
)

// Defaults of an EC2 launch.
const (
	DefaultInstanceType = "t3.micro"
	DefaultEC2Timeout   = 10 * time.Minute
	// DefaultEC2CheckTimeout: cloud-init installs Docker and pulls the
	// image after the status checks pass, which takes a few minutes.
	DefaultEC2CheckTimeout = 8 * time.Minute
	// TagConfig is the tag carrying a hash of what the instance was
	// launched with: a launch with the same settings keeps the instance, one
	// with other settings replaces it.
	TagConfig = "deckhand:config"
)

// EC2Options describe a launch as a Docker host on an EC2 instance.
type EC2Options struct {
	Stack string
	// Image is an existing image the instance runs (no build, no push):
	// a public one, which it pulls without credentials, or one in this
	// account's ECR (ACCOUNT.dkr.ecr.REGION.amazonaws.com/…), which it
	// pulls after logging in with its instance profile's role. Other
	// private registries cannot work: the instance has no credentials for
	// them.
	Image string
	// Dir is the project to build when Image is "": the build is pushed
	// to the stack's ECR repository, as for Fargate, and the instance
	// pulls it with its instance profile's role.
	Dir string
	// BaseImage is the Dockerfile's BASE_IMAGE build argument.
	BaseImage string
	// Scaffold writes deckhand's Flask project into Dir first when Dir is
	// empty or missing.
	Scaffold bool
	// Port is the app's port, published on the same port of the instance
	// (0 = the Dockerfile's first EXPOSE when building, else 5000).
	Port int
	// KeyName uses an existing key pair. "" = the key pair deckhand-<stack>:
	// found, else imported from ~/.ssh/id_ed25519.pub or id_rsa.pub, else
	// created, its private key saved to ~/.ssh/deckhand-<stack>.pem (0600).
	KeyName string
	// SSHCIDR is who may SSH in. "" = this machine's public address (/32),
	// looked up quickly; never 0.0.0.0/0.
	SSHCIDR string
	// AMIDistro is awsapi.DistroAL2023 ("" = that) or DistroUbuntu2404.
	AMIDistro string
	// InstanceType "" = t3.micro.
	InstanceType string
	// VpcID "" = the default VPC.
	VpcID string
	// SSHDir "" = ~/.ssh.
	SSHDir string
	// Sandbox says the account is the sandbox, whose instances run no
	// software: the HTTP check is skipped, saying so.
	Sandbox bool
	NoWait  bool
	// Timeout bounds the wait for running and passed status checks (0 =
	// 10 minutes); CheckTimeout the HTTP check after that (0 = 8 minutes).
	Timeout, CheckTimeout time.Duration
	Poll                  time.Duration // 0 = 3 s
	// LookupIP finds this machine's public IPv4 address; nil asks
	// checkip.amazonaws.com (3 s at most).
	LookupIP func(ctx context.Context) (string, error)
}

// EC2Result is filled in by the steps as they run.
type EC2Result struct {
	Image   string // what the instance runs: the pushed reference, or Image
	ImageID string // the local build ("" with Image)
	// InstanceProfile is the ARN of the instance profile the instance
	// pulls from ECR with ("" for a public image).
	InstanceProfile string
	InstanceID      string
	PublicIP        string
	URL             string // http://PUBLIC_IP:PORT/
	KeyName         string
	KeyFile         string // the private key to ssh with ("" when unknown)
	SSHUser         string
	SSHCommand      string
	SSHConfig       string // an ~/.ssh/config entry
	Replaced        []string
}

type ec2Plan struct {
	EC2Options
	// imageSource is the build and push (shared with the Fargate target);
	// it holds the backend and the engine.
	imageSource
	res *EC2Result

	// private: the image is in ECR, so the instance gets the instance
	// profile and its user data logs in to ECR first.
	private    bool
	welcome    string // expected in GET / of a deckhand app, "" = any 2xx
	profileNew bool   // the instance profile was created by this launch

	cidr     string
	ami      awsapi.AMI
	vpc      string
	subnet   string
	groupID  string
	userData string   // once the image is known (settle)
	config   string   // hash of the launch settings (TagConfig)
	old      []string // the stack's previous instances, to retire
}

// EC2 returns the steps of a launch on an EC2 instance and the result they
// fill in. Nothing is called until the steps run (be and eng may be nil
// for a dry run; eng is needed only to build and push); input that cannot
// work is refused here as an *InputError.
//
// With Dir, the project is built and pushed to the stack's ECR repository
// (the Fargate target's steps), and so is with an Image in ECR: the
// instance gets an instance profile whose role may pull from ECR, and its
// user data logs in to the registry with it before it runs the image.
func EC2(be Backend, eng *dockerops.Engine, o EC2Options) ([]launch.Step, *EC2Result, error) {
	if err := launch.ValidateStackName(o.Stack); err != nil {
		return nil, nil, err
	}
	if err := validatePort("port", o.Port); err != nil {
		return nil, nil, err
	}
	p := &ec2Plan{res: &EC2Result{}}
	p.imageSource = imageSource{stack: o.Stack, dir: o.Dir, baseImage: o.BaseImage, scaffold: o.Scaffold, existing: o.Image,
		be: be, eng: eng, ref: &p.res.Image, builtID: &p.res.ImageID}
	if o.Image != "" {
		if err := validateImageRef("image", o.Image); err != nil {
			return nil, nil, err
		}
		if o.BaseImage != "" || o.Scaffold {
			return nil, nil, inputErr("image", o.Image, "runs an existing image: --base-image and --scaffold apply only when building DIR")
		}
		if reRegistry.MatchString(o.Image) && !reECR.MatchString(o.Image) {
			return nil, nil, inputErr("image", o.Image, "is in ECR but not written as ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY:TAG with a 12-digit account, so the instance could not log in to its registry")
		}
		p.res.Image = o.Image
		p.private = reECR.MatchString(o.Image)
	} else {
		proj, err := inspectProject(o.Dir, o.Stack, o.Scaffold, scaffold.DefaultPort)
		if err != nil {
			return nil, nil, err
		}
		if proj.scaffold && o.Port != 0 && o.Port != scaffold.DefaultPort {
			return nil, nil, inputErr("port", strconv.Itoa(o.Port), "the scaffolded app listens on %d; leave --port out (or scaffold with --port first)", scaffold.DefaultPort)
		}
		if o.Port == 0 {
			o.Port = proj.port
		}
		p.proj, p.welcome, p.private = proj, proj.welcome, true
	}
	if o.Port == 0 {
		o.Port = scaffold.DefaultPort
	}
	if o.Port == 22 {
		return nil, nil, inputErr("port", "22", "is SSH's port, which the security group opens only to your address; publish the app on another port")
	}
	if o.SSHCIDR != "" {
		cidr, err := sshCIDR(o.SSHCIDR)
		if err != nil {
			return nil, nil, err
		}
		o.SSHCIDR = cidr
	}
	if o.KeyName != "" {
		if err := awsapi.ValidateKeyName("DescribeKeyPairs", o.KeyName); err != nil {
			return nil, nil, fromAPI("key-name", o.KeyName, err)
		}
	}
	if o.AMIDistro == "" {
		o.AMIDistro = awsapi.DistroAL2023
	}
	if err := awsapi.ValidateDistro(o.AMIDistro); err != nil {
		return nil, nil, fromAPI("ami-distro", o.AMIDistro, err)
	}
	if o.InstanceType == "" {
		o.InstanceType = DefaultInstanceType
	} else if !reInstanceType.MatchString(o.InstanceType) {
		return nil, nil, inputErr("instance-type", o.InstanceType, "is not an instance type; write it like t3.micro or m7g.large")
	}
	if o.VpcID != "" {
		if err := awsapi.ValidateVpcID("DescribeVpcs", o.VpcID); err != nil {
			return nil, nil, fromAPI("vpc", o.VpcID, err)
		}
	}
	if o.SSHDir == "" {
		o.SSHDir = defaultSSHDir()
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultEC2Timeout
	}
	if o.CheckTimeout <= 0 {
		o.CheckTimeout = DefaultEC2CheckTimeout
	}
	if o.Poll <= 0 {
		o.Poll = DefaultPoll
	}
	if o.LookupIP == nil {
		o.LookupIP = lookupPublicIP
	}
	p.EC2Options = o
	p.imageSource.port = o.Port // known now: the build does not change it
	p.settle()

	var steps []launch.Step
	if o.Image == "" {
		if o.Scaffold {
			steps = append(steps, p.scaffoldStep())
		}
		steps = append(steps, p.buildStep(), p.repositoryStep(), p.loginStep(), p.pushStep())
	}
	if p.private {
		steps = append(steps, p.instanceRoleStep())
	}
	steps = append(steps, p.addressStep(), p.keyPairStep(), p.amiStep(), p.networkStep(), p.securityGroupStep(),
		p.instanceStep(), p.waitStep(), p.checkStep(), p.retireStep(), p.sshStep())
	return steps, p.res, nil
}

// imageRef is the image the instance runs: known once pushed (or given),
// else a placeholder for the plan.
func (p *ec2Plan) imageRef() string {
	if p.res.Image != "" {
		return p.res.Image
	}
	return "ACCOUNT.dkr.ecr.REGION.amazonaws.com/" + RepositoryName(p.Stack) + ":IMAGE_ID"
}

// settle computes the user data and the TagConfig hash from the image
// (a placeholder until the push, for the plan) and the other settings.
func (p *ec2Plan) settle() {
	p.userData = UserData(p.Stack, p.imageRef(), p.Port, p.AMIDistro)
	profile := ""
	if p.private {
		profile = InstanceProfileName(p.Stack)
	}
	h := sha256.Sum256([]byte(strings.Join([]string{p.userData, p.InstanceType, p.KeyName, p.AMIDistro, profile}, "\n")))
	p.config = hex.EncodeToString(h[:6])
}

var (
	reInstanceType = regexp.MustCompile(`^[a-z][a-z0-9-]*\.[a-z0-9]+$`)
	// reECR is an image in an account's private ECR registry; reRegistry
	// anything that looks like one, the plan's placeholder included.
	reECR      = regexp.MustCompile(`^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/`)
	reRegistry = regexp.MustCompile(`^([^/.]+)\.dkr\.ecr\.([^/.]+)\.amazonaws\.com(\.cn)?/`)
)

// ecrRegistry is the registry host and region of an image in ECR; ok is
// false for other images.
func ecrRegistry(image string) (host, region string, ok bool) {
	m := reRegistry.FindStringSubmatch(image)
	if m == nil {
		return "", "", false
	}
	host, _, _ = strings.Cut(image, "/")
	return host, m[2], true
}

// sshCIDR checks who may SSH in: a CIDR block (or a bare address, taken as
// /32 or /128), in canonical form, never the whole internet.
func sshCIDR(s string) (string, error) {
	pfx, err := netip.ParsePrefix(s)
	if err != nil {
		addr, aerr := netip.ParseAddr(s)
		if aerr != nil {
			return "", inputErr("ssh-cidr", s, "is not a CIDR block or an address; write your address like 203.0.113.7/32")
		}
		pfx = netip.PrefixFrom(addr, addr.BitLen())
	}
	if pfx.Masked() != pfx {
		return "", inputErr("ssh-cidr", s, "has host bits set; write the block as %s", pfx.Masked())
	}
	if pfx.Bits() == 0 {
		return "", inputErr("ssh-cidr", s, "would open SSH to the whole internet, which deckhand refuses: give your own address, e.g. 203.0.113.7/32")
	}
	return pfx.String(), nil
}

// UserData is the cloud-config that installs Docker and runs image with
// port published, restarted with the instance. An image in ECR is pulled
// after logging in to its registry with the instance profile's role (the
// AWS CLI comes with Amazon Linux 2023; on Ubuntu it is installed from the
// snap first); the login is retried for a minute, while the instance's
// credentials and the Docker daemon come up.
func UserData(stack, image string, port int, distro string) string {
	pkg := "docker"
	if distro == awsapi.DistroUbuntu2404 {
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
		if distro == awsapi.DistroUbuntu2404 {
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
	path := awsapi.TaskExecutionRolePath
	return launch.Step{
		Name: "instance-role",
		Summary: "Find or create the IAM role " + name + " (trusted by ec2.amazonaws.com, with AmazonEC2ContainerRegistryReadOnly) " +
			"and the instance profile " + name + " holding it: the instance logs in to ECR and pulls the image with it",
		Resources: []launch.Resource{
			{Action: "create", Kind: "IAM role", Name: path + name + " (if missing)"},
			{Action: "attach", Kind: "IAM policy", Name: awsapi.InstanceRolePolicyARN + " to " + name},
			{Action: "create", Kind: "IAM instance profile", Name: path + name + " (if missing)"},
			{Action: "add", Kind: "IAM role", Name: name + " to the instance profile " + name},
		},
		Commands: []string{
			launch.Shell("aws", "iam", "create-role", "--role-name", name, "--path", path,
				"--assume-role-policy-document", awsapi.InstanceRoleTrustPolicy, "--tags", cliTags(p.Stack, "")),
			launch.Shell("aws", "iam", "attach-role-policy", "--role-name", name, "--policy-arn", awsapi.InstanceRolePolicyARN),
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
			case hasCode(err, awsapi.CodeRoleNotAssumableByEC2):
				return "a role named " + name + " exists but EC2 cannot assume it; deckhand does not change roles it did not create: delete or rename it, or launch under another --name"
			case hasCode(err, "LimitExceeded"):
				return "an instance profile named " + name + " exists and holds another role; deckhand does not change profiles it did not create: delete it, or launch under another --name"
			}
			return ""
		},
	}
}

func (p *ec2Plan) addressStep() launch.Step {
	s := launch.Step{
		Name:     "address",
		Summary:  "Find this machine's public address, the only one the security group lets in over SSH",
		Commands: []string{launch.Shell("curl", "-fsS", "https://checkip.amazonaws.com")},
		Run: func(ctx context.Context, out *launch.Output) error {
			if p.SSHCIDR != "" {
				p.cidr = p.SSHCIDR
				return launch.Skip("SSH from " + p.cidr + " (--ssh-cidr)")
			}
			lctx, cancel := context.WithTimeout(ctx, 3*time.Second)
			ip, err := p.LookupIP(lctx)
			cancel()
			if err == nil {
				p.cidr, err = sshCIDR(ip)
			}
			if err != nil {
				if p.Sandbox {
					p.cidr = "127.0.0.1/32"
					out.Linef("could not find this machine's public address (%v)", err)
					out.Result("SSH from 127.0.0.1/32: the sandbox's instances are simulated (pass --ssh-cidr to choose)")
					return nil
				}
				return fmt.Errorf("could not find this machine's public address quickly (%v): pass --ssh-cidr with your address, e.g. --ssh-cidr 203.0.113.7/32", err)
			}
			out.Result("SSH from " + p.cidr)
			return nil
		},
	}
	if p.SSHCIDR != "" {
		s.Summary = "SSH is let in from " + p.SSHCIDR + " only (--ssh-cidr)"
		s.Commands = nil
	}
	return s
}

// lookupPublicIP asks checkip.amazonaws.com for this machine's address.
func lookupPublicIP(ctx context.Context) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://checkip.amazonaws.com", nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 100))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("checkip.amazonaws.com answered HTTP %d", resp.StatusCode)
	}
	ip := strings.TrimSpace(string(b))
	if _, err := netip.ParseAddr(ip); err != nil {
		return "", fmt.Errorf("checkip.amazonaws.com answered %q, not an address", ip)
	}
	return ip, nil
}

func (p *ec2Plan) keyPairStep() launch.Step {
	name := KeyPairName(p.Stack)
	pem := filepath.Join(p.SSHDir, name+".pem")
	if p.KeyName != "" {
		return launch.Step{
			Name:      "key-pair",
			Summary:   "Use the existing key pair " + p.KeyName,
			Resources: []launch.Resource{{Action: "use", Kind: "EC2 key pair", Name: p.KeyName}},
			Commands:  []string{launch.Shell("aws", "ec2", "describe-key-pairs", "--key-names", p.KeyName)},
			Run: func(ctx context.Context, out *launch.Output) error {
				kp, ok, err := p.be.FindKeyPair(ctx, p.KeyName)
				if err != nil {
					return err
				}
				if !ok {
					return fmt.Errorf("the key pair %s does not exist in this region: create or import it, or leave --key-name out and deckhand makes one", p.KeyName)
				}
				p.res.KeyName = kp.Name
				if f := filepath.Join(p.SSHDir, p.KeyName+".pem"); exists(f) {
					p.res.KeyFile = f
				}
				out.Result(kp.Name + " " + kp.Fingerprint)
				return nil
			},
		}
	}
	pubs := []string{filepath.Join(p.SSHDir, "id_ed25519.pub"), filepath.Join(p.SSHDir, "id_rsa.pub")}
	return launch.Step{
		Name: "key-pair",
		Summary: fmt.Sprintf("Find the key pair %s, or import %s (or id_rsa.pub), or create one and save its private key to %s (mode 0600)",
			name, pubs[0], pem),
		Resources: []launch.Resource{{Action: "create", Kind: "EC2 key pair", Name: name + " (if missing)"}},
		Commands: []string{
			launch.Shell("aws", "ec2", "import-key-pair", "--key-name", name, "--public-key-material", "fileb://"+pubs[0],
				"--tag-specifications", "ResourceType=key-pair,"+cliTags(p.Stack, "ec2")),
			"# or, without a public key:\n" + launch.Shell("aws", "ec2", "create-key-pair", "--key-name", name, "--key-type", "ed25519",
				"--tag-specifications", "ResourceType=key-pair,"+cliTags(p.Stack, "ec2"), "--query", "KeyMaterial", "--output", "text") +
				" > " + launch.Shell(pem) + " && chmod 600 " + launch.Shell(pem),
		},
		Run: func(ctx context.Context, out *launch.Output) error {
			p.res.KeyName = name
			kp, ok, err := p.be.FindKeyPair(ctx, name)
			if err != nil {
				return err
			}
			if ok {
				switch {
				case exists(pem):
					p.res.KeyFile = pem
				default:
					for _, pub := range pubs {
						if exists(pub) {
							p.res.KeyFile = strings.TrimSuffix(pub, ".pub")
							break
						}
					}
				}
				out.Result("found " + kp.Name + " " + kp.Fingerprint)
				return nil
			}
			for _, pub := range pubs {
				data, err := os.ReadFile(pub)
				if err != nil {
					continue
				}
				kp, err := p.be.ImportKeyPair(ctx, name, data, tags(p.Stack))
				if err != nil {
					return err
				}
				p.res.KeyFile = strings.TrimSuffix(pub, ".pub")
				out.Created(launch.Resource{Action: "create", Kind: "EC2 key pair", Name: name})
				out.Result("imported " + pub + " as " + kp.Name)
				return nil
			}
			// Refuse before creating: the private key could not be kept.
			if exists(pem) {
				return fmt.Errorf("%s exists and deckhand will not overwrite it, but no key pair %s exists in AWS: move the file away, or pass --key-name", pem, name)
			}
			kp, key, err := p.be.CreateKeyPair(ctx, name, tags(p.Stack))
			if err != nil {
				return err
			}
			out.Created(launch.Resource{Action: "create", Kind: "EC2 key pair", Name: name})
			if err := savePrivateKey(pem, key); err != nil {
				// Without its private key the key pair opens nothing.
				if derr := p.be.DeleteKeyPair(context.WithoutCancel(ctx), name); derr != nil {
					return fmt.Errorf("saving the private key: %w (and deleting the key pair %s again failed: %v)", err, name, derr)
				}
				return fmt.Errorf("saving the private key: %w (the key pair %s was deleted again)", err, name)
			}
			p.res.KeyFile = pem
			out.Created(launch.Resource{Action: "create", Kind: "file", Name: pem})
			out.Result(fmt.Sprintf("created %s; its private key is in %s (mode 0600)", kp.Name, pem))
			return nil
		},
	}
}

// savePrivateKey writes key to path with mode 0600, never over a file.
func savePrivateKey(path string, key []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return err
	}
	return nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func (p *ec2Plan) amiStep() launch.Step {
	param, owner, pattern, _, _ := awsapi.AMISource(p.AMIDistro)
	return launch.Step{
		Name:      "ami",
		Summary:   "Find the current " + p.AMIDistro + " x86_64 AMI (SSM public parameter, DescribeImages as a fallback)",
		Resources: []launch.Resource{{Action: "use", Kind: "AMI", Name: "the latest " + p.AMIDistro}},
		Commands: []string{
			launch.Shell("aws", "ssm", "get-parameter", "--name", param, "--query", "Parameter.Value", "--output", "text"),
			"# or:\n" + launch.Shell("aws", "ec2", "describe-images", "--owners", owner, "--filters", "Name=name,Values="+pattern,
				"--query", "sort_by(Images,&CreationDate)[-1].ImageId"),
		},
		Run: func(ctx context.Context, out *launch.Output) error {
			ami, err := p.be.LatestAMI(ctx, p.AMIDistro)
			if err != nil {
				return err
			}
			p.ami = ami
			p.res.SSHUser = ami.SSHUser
			name := ami.Name
			if name == "" {
				name = p.AMIDistro
			}
			out.Result(fmt.Sprintf("%s (%s, from %s)", ami.ID, name, ami.Source))
			return nil
		},
	}
}

func (p *ec2Plan) networkStep() launch.Step {
	vpc := p.VpcID
	cmds := []string{}
	if vpc == "" {
		vpc = "the default VPC"
		cmds = append(cmds, launch.Shell("aws", "ec2", "describe-vpcs", "--filters", "Name=is-default,Values=true"))
	}
	cmds = append(cmds, launch.Shell("aws", "ec2", "describe-subnets", "--filters", "Name=vpc-id,Values="+orPlaceholder(p.VpcID, "VPC_ID"),
		"Name=map-public-ip-on-launch,Values=true"))
	return launch.Step{
		Name:      "network",
		Summary:   "Find a subnet of " + vpc + " that gives instances a public IP",
		Resources: []launch.Resource{{Action: "use", Kind: "subnet", Name: "a public subnet of " + vpc}},
		Commands:  cmds,
		Run: func(ctx context.Context, out *launch.Output) error {
			vpc, subnets, err := findNetwork(ctx, p.be, p.VpcID)
			if err != nil {
				return err
			}
			p.vpc = vpc
			i := slices.IndexFunc(subnets, func(s awsapi.Subnet) bool { return s.PublicIPOnLaunch && s.Default })
			if i < 0 {
				i = slices.IndexFunc(subnets, func(s awsapi.Subnet) bool { return s.PublicIPOnLaunch })
			}
			if i < 0 {
				return fmt.Errorf("no subnet of %s gives instances a public IP (MapPublicIpOnLaunch), so the instance could not be reached: use the default VPC, or a --vpc with a public subnet", vpc)
			}
			p.subnet = subnets[i].ID
			out.Result(fmt.Sprintf("%s, subnet %s (%s)", vpc, p.subnet, subnets[i].AZ))
			return nil
		},
		Explain: networkExplain,
	}
}

func (p *ec2Plan) securityGroupStep() launch.Step {
	name := EC2GroupName(p.Stack)
	cidr := orPlaceholder(p.SSHCIDR, "YOUR_IP/32")
	port := strconv.Itoa(p.Port)
	return launch.Step{
		Name:    "security-group",
		Summary: fmt.Sprintf("Find or create the security group %s: SSH (22) from %s only, the app (%s) from anywhere", name, orDefault(p.SSHCIDR, "your address"), port),
		Resources: []launch.Resource{
			{Action: "create", Kind: "security group", Name: name + " (if missing)"},
			{Action: "allow", Kind: "ingress", Name: "tcp 22 from " + cidr},
			{Action: "allow", Kind: "ingress", Name: "tcp " + port + " from 0.0.0.0/0"},
		},
		Commands: []string{
			launch.Shell("aws", "ec2", "create-security-group", "--group-name", name, "--description", "deckhand: "+p.Stack+" on EC2",
				"--vpc-id", orPlaceholder(p.VpcID, "VPC_ID"), "--tag-specifications", "ResourceType=security-group,"+cliTags(p.Stack, "ec2")),
			launch.Shell("aws", "ec2", "authorize-security-group-ingress", "--group-id", "SG_ID", "--protocol", "tcp", "--port", "22", "--cidr", cidr),
			launch.Shell("aws", "ec2", "authorize-security-group-ingress", "--group-id", "SG_ID", "--protocol", "tcp", "--port", port, "--cidr", "0.0.0.0/0"),
		},
		Run: func(ctx context.Context, out *launch.Output) error {
			id, created, err := p.be.EnsureSecurityGroup(ctx, awsapi.SecurityGroupSpec{
				Name: name, Description: "deckhand: " + p.Stack + " on EC2", VpcID: p.vpc,
				Ingress: []awsapi.IngressRule{
					{Protocol: "tcp", Port: 22, CIDR: p.cidr, Description: "SSH from the deckhand user"},
					{Protocol: "tcp", Port: int32(p.Port), CIDR: "0.0.0.0/0", Description: "deckhand app port"},
				},
				Tags: tags(p.Stack),
			})
			if err != nil {
				return err
			}
			p.groupID = id
			verb := "found"
			if created {
				verb = "created"
				out.Created(launch.Resource{Action: "create", Kind: "security group", Name: name + " " + id})
			}
			out.Result(fmt.Sprintf("%s %s: SSH from %s, tcp %d from anywhere", verb, id, p.cidr, p.Port))
			return nil
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
		image = "the build pushed to " + RepositoryName(p.Stack)
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
			spec := awsapi.InstanceSpec{
				Name: InstanceName(p.Stack), ImageID: p.ami.ID, InstanceType: p.InstanceType, KeyName: p.res.KeyName,
				SubnetID: p.subnet, SecurityGroupIDs: []string{p.groupID}, UserData: p.userData,
				Tags: awsapi.StackTags(p.Stack, awsapi.Tags{TagConfig: p.config}),
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

func (p *ec2Plan) waitStep() launch.Step {
	return launch.Step{
		Name:    "wait",
		Summary: fmt.Sprintf("Wait for pending → running → status checks ok (at most %v)", p.Timeout),
		Commands: []string{
			launch.Shell("aws", "ec2", "wait", "instance-running", "--instance-ids", "INSTANCE_ID"),
			launch.Shell("aws", "ec2", "wait", "instance-status-ok", "--instance-ids", "INSTANCE_ID"),
		},
		Run: func(ctx context.Context, out *launch.Output) error {
			if p.NoWait {
				return launch.Skip("--no-wait")
			}
			return p.wait(ctx, out)
		},
		Explain: func(err error) string { return explain.Reason(err.Error()) },
	}
}

func (p *ec2Plan) wait(ctx context.Context, out *launch.Output) error {
	deadline := time.Now().Add(p.Timeout)
	last := ""
	for {
		all, err := p.be.Instances(ctx)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(all, func(in resource.Instance) bool { return in.ID == p.res.InstanceID })
		if i < 0 {
			return fmt.Errorf("instance %s is gone", p.res.InstanceID)
		}
		in := all[i]
		state := in.State
		if in.State == "running" && in.StatusCheck != "" {
			state += ", status checks " + in.StatusCheck
		}
		if state != last {
			out.Linef("instance %s: %s", in.ID, state)
			last = state
		}
		p.res.PublicIP = in.PublicIP
		switch {
		case in.State == "running" && in.StatusCheck == "ok":
			out.Result(fmt.Sprintf("%s running, status checks ok, public IP %s", in.ID, orDefault(in.PublicIP, "none")))
			return nil
		case in.State == "running" && in.StatusCheck == "impaired":
			return fmt.Errorf("instance %s runs but its status checks failed (impaired): the instance or its host is unhealthy; terminate it (deckhand destroy) and launch again", in.ID)
		case in.State != "pending" && in.State != "running":
			return fmt.Errorf("instance %s is %s: %s", in.ID, in.State, orDefault(in.StateReason, "no reason given"))
		}
		if time.Now().Add(p.Poll).After(deadline) {
			return fmt.Errorf("instance %s is still %s after %v", in.ID, state, p.Timeout)
		}
		if err := sleep(ctx, p.Poll); err != nil {
			return err
		}
	}
}

func (p *ec2Plan) checkStep() launch.Step {
	return launch.Step{
		Name:     "check",
		Summary:  fmt.Sprintf("Check that http://PUBLIC_IP:%d/ answers 2xx%s, once cloud-init has installed Docker and started the app (at most %v)", p.Port, welcomeText(p.welcome), p.CheckTimeout),
		Commands: []string{launch.Shell("curl", "-fsS", fmt.Sprintf("http://PUBLIC_IP:%d/", p.Port))},
		Run: func(ctx context.Context, out *launch.Output) error {
			if p.NoWait {
				return launch.Skip("--no-wait")
			}
			url := ""
			if p.res.PublicIP != "" {
				url = fmt.Sprintf("http://%s:%d/", p.res.PublicIP, p.Port)
			}
			if p.Sandbox {
				// No URL either: nothing answers there.
				return launch.Skip("the sandbox's instances run no software, so nothing can answer on " + orDefault(url, "the instance") +
					"; on AWS this step waits until cloud-init has installed Docker and the app answers")
			}
			if url == "" {
				return fmt.Errorf("instance %s has no public IP, so the app cannot be reached from here", p.res.InstanceID)
			}
			if err := checkHTTP(ctx, out, url, p.welcome, p.CheckTimeout, 5*time.Second); err != nil {
				return err
			}
			p.res.URL = url
			return nil
		},
		Explain: func(error) string {
			pull := "the image may not be pullable without credentials (deckhand logs in only to this account's ECR)"
			if p.private {
				pull = "the instance may have failed to log in to ECR or pull the image (its role needs ecr:GetAuthorizationToken and the pull actions; an image in another account's ECR also needs that repository to allow this account)"
			}
			return "the instance runs but the app does not answer: cloud-init may still be installing Docker (ssh in and read /var/log/cloud-init-output.log), " +
				pull + ", or the app listens on another port"
		},
	}
}

// welcomeText says what a check expects besides 2xx.
func welcomeText(welcome string) string {
	if welcome == "" {
		return ""
	}
	return fmt.Sprintf(" with %q", welcome)
}

func (p *ec2Plan) retireStep() launch.Step {
	return launch.Step{
		Name:      "retire",
		Summary:   "Terminate the stack's previous instance, if a re-run replaced it",
		Resources: []launch.Resource{{Action: "delete", Kind: "EC2 instance", Name: "the stack's previous instance, if replaced"}},
		Commands:  []string{launch.Shell("aws", "ec2", "terminate-instances", "--instance-ids", "OLD_INSTANCE_ID")},
		Run: func(ctx context.Context, out *launch.Output) error {
			if len(p.old) == 0 {
				return launch.Skip("no previous instance")
			}
			if p.NoWait {
				return launch.Skip("--no-wait did not check the new instance, so the previous one " + strings.Join(p.old, ", ") + " keeps running; the next launch or destroy removes it")
			}
			if err := p.be.TerminateInstances(ctx, p.old...); err != nil && !awsapi.IsNotFound(err) {
				return err
			}
			for _, id := range p.old {
				if err := waitTerminated(ctx, out, p.be, id, p.Timeout, p.Poll); err != nil {
					return err
				}
			}
			p.res.Replaced = p.old
			out.Result("terminated " + strings.Join(p.old, ", "))
			return nil
		},
	}
}

func (p *ec2Plan) sshStep() launch.Step {
	return launch.Step{
		Name:    "ssh",
		Summary: "Show the ssh command and an ~/.ssh/config entry",
		Run: func(ctx context.Context, out *launch.Output) error {
			if p.res.PublicIP == "" {
				if all, err := p.be.Instances(ctx); err == nil {
					if i := slices.IndexFunc(all, func(in resource.Instance) bool { return in.ID == p.res.InstanceID }); i >= 0 {
						p.res.PublicIP = all[i].PublicIP
					}
				}
			}
			host := orDefault(p.res.PublicIP, "PUBLIC_IP")
			key := p.res.KeyFile
			if key == "" {
				key = "PRIVATE_KEY_OF_" + p.res.KeyName
			}
			user := orDefault(p.res.SSHUser, "ec2-user")
			p.res.SSHCommand = launch.Shell("ssh", "-i", key, user+"@"+host)
			p.res.SSHConfig = fmt.Sprintf("Host %s\n    HostName %s\n    User %s\n    IdentityFile %s\n    IdentitiesOnly yes\n",
				InstanceName(p.Stack), host, user, key)
			out.Line(p.res.SSHCommand)
			out.Line("~/.ssh/config entry (then: ssh " + InstanceName(p.Stack) + "):")
			for _, l := range strings.Split(strings.TrimRight(p.res.SSHConfig, "\n"), "\n") {
				out.Line("  " + l)
			}
			if p.res.PublicIP == "" {
				out.Line("the instance has no public IP yet: see it in deckhand, or aws ec2 describe-instances --instance-ids " + p.res.InstanceID)
			}
			out.Result(p.res.SSHCommand)
			return nil
		},
	}
}
