package aws

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"deckhand/internal/cloud"
	"deckhand/internal/launch"
)

// The EC2 target's access steps: who may SSH in (address), the key pair,
// the AMI, the subnet and the security group.

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
			if p.Sandbox {
				// The sandbox makes no call outside this machine, and its
				// instances are simulated: no address lookup is worth one.
				p.cidr = "127.0.0.1/32"
				return launch.Skip("SSH from 127.0.0.1/32: the sandbox's instances are simulated, so this machine's public address is not looked up (pass --ssh-cidr to choose)")
			}
			lctx, cancel := context.WithTimeout(ctx, 3*time.Second)
			ip, err := p.LookupIP(lctx)
			cancel()
			if err == nil {
				p.cidr, err = sshCIDR(ip)
			}
			if err != nil {
				return fmt.Errorf("could not find this machine's public address quickly (%v): pass --ssh-cidr with your address, e.g. --ssh-cidr 203.0.113.7/32", err)
			}
			out.Result("SSH from " + p.cidr)
			return nil
		},
	}
	switch {
	case p.SSHCIDR != "":
		s.Summary = "SSH is let in from " + p.SSHCIDR + " only (--ssh-cidr)"
		s.Commands = nil
	case p.Sandbox:
		s.Summary = "SSH is let in from 127.0.0.1/32 only (the sandbox looks up no address)"
		s.Commands = nil
	}
	return s
}

// lookupPublicIP asks checkip.amazonaws.com for this machine's address.
func lookupPublicIP(ctx context.Context) (string, error) {
	return launch.LookupPublicIP(ctx, launch.CheckIPURL)
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
			if err := savePrivateKey(pem, key); err != nil {
				// Without its private key the key pair opens nothing.
				if derr := p.be.DeleteKeyPair(context.WithoutCancel(ctx), name); derr != nil {
					out.Created(launch.Resource{Action: "create", Kind: "EC2 key pair", Name: name}) // it is still there
					return fmt.Errorf("saving the private key: %w (and deleting the key pair %s again failed: %v)", err, name, derr)
				}
				return fmt.Errorf("saving the private key: %w (the key pair %s was deleted again)", err, name)
			}
			p.res.KeyFile = pem
			out.Created(launch.Resource{Action: "create", Kind: "EC2 key pair", Name: name})
			out.Created(launch.Resource{Action: "create", Kind: "file", Name: pem})
			out.Result(fmt.Sprintf("created %s; its private key is in %s (mode 0600)", kp.Name, pem))
			return nil
		},
	}
}

// savePrivateKey writes key to path with mode 0600, never over a file.
func savePrivateKey(path string, key []byte) error { return launch.SavePrivateKey(path, key) }

// exists reports whether anything is at path, a dangling symlink included.
func exists(path string) bool { return launch.PathExists(path) }

func (p *ec2Plan) amiStep() launch.Step {
	param, owner, pattern, _, _ := cloud.AMISource(p.AMIDistro)
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
			i := slices.IndexFunc(subnets, func(s cloud.Subnet) bool { return s.PublicIPOnLaunch && s.Default })
			if i < 0 {
				i = slices.IndexFunc(subnets, func(s cloud.Subnet) bool { return s.PublicIPOnLaunch })
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
			id, created, err := p.be.EnsureSecurityGroup(ctx, cloud.SecurityGroupSpec{
				Name: name, Description: "deckhand: " + p.Stack + " on EC2", VpcID: p.vpc,
				Ingress: []cloud.IngressRule{
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
