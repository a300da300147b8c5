package aws

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"deckhand/dockerops"
	"deckhand/internal/cloud"
	"deckhand/internal/launch"
	"deckhand/internal/launch/project"
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
	ami      cloud.AMI
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
		proj, err := inspectProject(o.Dir, o.Stack, o.Scaffold)
		if err != nil {
			return nil, nil, err
		}
		if proj.Scaffold && o.Port != 0 && o.Port != scaffold.DefaultPort {
			return nil, nil, inputErr("port", strconv.Itoa(o.Port), "the scaffolded app listens on %d; leave --port out (or scaffold with --port first)", scaffold.DefaultPort)
		}
		if o.Port == 0 {
			o.Port = proj.Port
		}
		p.proj, p.welcome, p.private = proj, proj.Welcome, true
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
		if err := cloud.ValidateKeyName("DescribeKeyPairs", o.KeyName); err != nil {
			return nil, nil, fromAPI("key-name", o.KeyName, err)
		}
	}
	if o.AMIDistro == "" {
		o.AMIDistro = cloud.DistroAL2023
	}
	if err := cloud.ValidateDistro(o.AMIDistro); err != nil {
		return nil, nil, fromAPI("ami-distro", o.AMIDistro, err)
	}
	if o.InstanceType == "" {
		o.InstanceType = DefaultInstanceType
	} else if !reInstanceType.MatchString(o.InstanceType) {
		return nil, nil, inputErr("instance-type", o.InstanceType, "is not an instance type; write it like t3.micro or m7g.large")
	}
	if o.VpcID != "" {
		if err := cloud.ValidateVpcID("DescribeVpcs", o.VpcID); err != nil {
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
			steps = append(steps, project.ScaffoldStep(p.proj, o.Stack))
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
	return "ACCOUNT.dkr.ecr.REGION.amazonaws.com/" + launch.ImageRepository(p.Stack) + ":IMAGE_ID"
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
