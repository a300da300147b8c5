package tui

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"deckhand/internal/cloud"
	"deckhand/internal/launch"
)

// The EC2 instance wizard: name, AMI (or the latest of a distribution,
// looked up at review), type, key pair (checked at review), a new
// security group from rules or an existing one, subnet and a user data
// file (read at review: a one-line form is no place for a script).

const (
	iName   = "name"
	iAMI    = "ami"
	iDistro = "distro"
	iType   = "type"
	iKey    = "key"
	iSG     = "sg"
	iRules  = "rules"
	iGroup  = "group"
	iSubnet = "subnet"
	iUser   = "userdata"

	sgNew      = "new, from rules"
	sgExisting = "an existing group"
)

// distros are the choices of the AMI look-up and LatestAMI's names.
var distros = []struct{ label, id string }{
	{"Amazon Linux 2023", cloud.DistroAL2023},
	{"Ubuntu 24.04", cloud.DistroUbuntu2404},
}

func instanceKind() *createKind {
	k := &createKind{name: "instance", title: "Launch an EC2 instance", source: srcEC2,
		sample: vals{iName: "web", iAMI: "", iDistro: distros[0].label, iType: "t3.micro", iSG: sgNew, iGroup: "sg-00000000"},
		deps:   map[string][]string{iName: {iSG}, iRules: {iSG}, iGroup: {iSG}},
		fieldOf: map[string]string{
			"Name": iName, "ImageID": iAMI, "InstanceType": iType, "KeyName": iKey,
			"SecurityGroupIDs": iGroup, "SubnetID": iSubnet, "UserData": iUser, "Ingress": iRules,
			"InvalidAMIID.NotFound": iAMI, "InvalidKeyPair.NotFound": iKey, "InvalidSubnetID.NotFound": iSubnet,
			"InvalidGroup.NotFound": iGroup, "InvalidParameter": iGroup, "VPCIdNotSpecified": iSubnet,
		},
		validate: func(v vals) error { _, _, err := instanceSpecs(v); return err },
		prepare:  prepareInstance,
	}
	k.fields = func(*Model) *createWizard {
		labels := make([]string, len(distros))
		for i, d := range distros {
			labels[i] = d.label
		}
		cw := newCreateWizard(k, iName,
			textField(iName, "Name", "", "the Name tag, e.g. web"),
			textField(iAMI, "AMI id", "", "empty = the latest image of the distribution below, looked up at review"),
			choiceField(iDistro, "Latest AMI of", labels...),
			textField(iType, "Instance type", "t3.micro", "e.g. t3.micro"),
			textField(iKey, "Key pair", "", "optional, for SSH: an existing key pair; ctrl+n makes one"),
			choiceField(iSG, "Security group", sgNew, sgExisting),
			textField(iRules, "Inbound rules", "", "e.g. tcp 22 from 203.0.113.7/32, tcp 80 from 0.0.0.0/0 (empty = none)"),
			textField(iGroup, "Group id", "", "an existing group in the subnet's VPC, e.g. sg-0123456789abcdef0"),
			textField(iSubnet, "Subnet", "", "optional: subnet-…; empty = a default subnet"),
			textField(iUser, "User data file", "", "optional: a script or cloud-config file (≤ 16 KB), read at review"),
		)
		cw.show = func(f *formField) bool {
			switch f.id {
			case iDistro:
				return cw.field(iAMI).value() == ""
			case iRules:
				return cw.field(iSG).choice == 0
			case iGroup:
				return cw.field(iSG).choice == 1
			}
			return true
		}
		return cw
	}
	return k
}

// sgName is the name of the group made for an instance.
func sgName(instance string) string { return instance + "-sg" }

// instanceSpecs parses and checks a snapshot: the instance (with a
// placeholder AMI while it is to be looked up) and the new group, if any.
func instanceSpecs(v vals) (cloud.InstanceSpec, *cloud.SecurityGroupSpec, error) {
	spec := cloud.InstanceSpec{Name: v[iName], ImageID: v[iAMI], InstanceType: v[iType], KeyName: v[iKey], SubnetID: v[iSubnet],
		Tags: cloud.StackTags(v[iName], nil)}
	if spec.ImageID == "" {
		spec.ImageID = "ami-00000000" // looked up at review
	}
	var sg *cloud.SecurityGroupSpec
	if v[iSG] == sgExisting {
		if v[iGroup] == "" {
			return spec, nil, &fieldError{iGroup, "Group id: is empty; give an existing group's id (sg-…), or choose a new group from rules"}
		}
		for _, g := range strings.Split(v[iGroup], ",") {
			spec.SecurityGroupIDs = append(spec.SecurityGroupIDs, strings.TrimSpace(g))
		}
	} else {
		rules, err := parseRules(v[iRules])
		if err != nil {
			return spec, nil, err
		}
		sg = &cloud.SecurityGroupSpec{Name: sgName(v[iName]), Description: "deckhand: security group of instance " + v[iName], Tags: cloud.StackTags(v[iName], nil),
			VpcID: "vpc-00000000", Ingress: rules} // the default VPC, found at review
	}
	if err := cloud.ValidateInstanceSpec(spec); err != nil {
		return spec, sg, err
	}
	if spec.KeyName != "" {
		if err := cloud.ValidateKeyName("RunInstances", spec.KeyName); err != nil {
			return spec, sg, relabel(iKey, "Key pair", err)
		}
	}
	if sg != nil && spec.Name != "" {
		if err := cloud.ValidateSecurityGroupSpec(*sg); err != nil {
			return spec, sg, err
		}
	}
	return spec, sg, nil
}

// relabel turns a validation error about another spec's field into one
// about form field id.
func relabel(id, label string, err error) error {
	msg := err.Error()
	if ae, ok := err.(*cloud.Error); ok {
		msg = strings.TrimPrefix(ae.Message, ae.Field+": ")
	}
	return &fieldError{id, label + ": " + msg}
}

// parseRules reads "tcp 22 from 203.0.113.7/32, udp 53 from sg-…": each
// rule is [PROTOCOL] PORT from CIDR-or-GROUP. The CIDRs are checked by
// aws.ValidateSecurityGroupSpec.
func parseRules(s string) ([]cloud.IngressRule, error) {
	var out []cloud.IngressRule
	for i, part := range strings.Split(s, ",") {
		w := strings.Fields(strings.ToLower(part))
		if len(w) == 0 {
			continue
		}
		bad := func(why string) error {
			return &fieldError{iRules, fmt.Sprintf("Inbound rules: rule %d %q %s; write each as PROTOCOL PORT from CIDR, e.g. tcp 22 from 203.0.113.7/32", i+1, strings.TrimSpace(part), why)}
		}
		r := cloud.IngressRule{Protocol: "tcp"}
		if w[0] == "tcp" || w[0] == "udp" {
			r.Protocol, w = w[0], w[1:]
		}
		if len(w) != 3 || w[1] != "from" {
			return nil, bad("is not understood")
		}
		port, err := strconv.Atoi(w[0])
		if err != nil {
			return nil, bad("has no port number")
		}
		r.Port = int32(min(max(port, -1), 65536))
		if strings.HasPrefix(w[2], "sg-") {
			r.SourceGroupID = w[2]
		} else {
			r.CIDR = w[2]
		}
		out = append(out, r)
	}
	return out, nil
}

func ruleText(r cloud.IngressRule) string {
	from := r.CIDR + r.SourceGroupID
	return r.Protocol + " " + strconv.Itoa(int(r.Port)) + " from " + from
}

// prepareInstance looks up the AMI, the key pair, the default VPC and the
// user data, then checks the complete specs.
func prepareInstance(ctx context.Context, api Creator, v vals) (*createPlan, error) {
	spec, sg, err := instanceSpecs(v)
	if err != nil {
		return nil, err
	}
	p := &createPlan{what: "instance " + spec.Name}
	amiNote := ""
	if v[iAMI] == "" {
		distro := distros[0]
		for _, d := range distros {
			if d.label == v[iDistro] {
				distro = d
			}
		}
		ami, err := api.LatestAMI(ctx, distro.id)
		if err != nil {
			return nil, &fieldError{iAMI, "AMI id: the latest " + distro.label + " AMI could not be looked up (" + err.Error() + "); give an AMI id"}
		}
		spec.ImageID = ami.ID
		amiNote = " (" + strings.TrimPrefix(ami.Name+", ", ", ") + "the latest " + distro.label + ", login " + ami.SSHUser + ")"
	}
	if v[iAMI] != "" {
		_, found, err := api.FindAMI(ctx, spec.ImageID)
		switch {
		case err != nil:
			return nil, &fieldError{iAMI, "AMI id: could not check that " + spec.ImageID + " exists: " + err.Error()}
		case !found:
			return nil, &fieldError{iAMI, "AMI id: no image " + spec.ImageID + " in this region (or not shared with this account); leave the field empty for the latest of the distribution"}
		}
	}
	switch ok, err := api.InstanceTypeOffered(ctx, spec.InstanceType); {
	case err != nil:
		return nil, &fieldError{iType, "Instance type: could not check that " + spec.InstanceType + " is offered: " + err.Error()}
	case !ok:
		return nil, &fieldError{iType, "Instance type: " + spec.InstanceType + " is not offered in this region; choose one it has, e.g. t3.micro"}
	}
	if spec.KeyName != "" {
		_, found, err := api.FindKeyPair(ctx, spec.KeyName)
		switch {
		case err != nil:
			return nil, &fieldError{iKey, "Key pair: could not check that " + spec.KeyName + " exists: " + err.Error()}
		case !found:
			return nil, &fieldError{iKey, "Key pair: no key pair named " + strconv.Quote(spec.KeyName) +
				" in this account and region; import one (aws ec2 import-key-pair) or leave the field empty for none"}
		}
	}
	if path := v[iUser]; path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, &fieldError{iUser, "User data file: cannot read it: " + err.Error()}
		}
		spec.UserData = string(data)
		p.details = userDataLines(path, data)
	}
	if sg != nil {
		vpc, err := api.DefaultVPC(ctx)
		if err != nil {
			return nil, &fieldError{iSG, "Security group: a new group goes in the default VPC, and there is none (" + err.Error() + "); choose an existing group"}
		}
		sg.VpcID = vpc.ID
		if spec.SubnetID != "" {
			subnets, err := api.Subnets(ctx, vpc.ID)
			if err != nil {
				return nil, err
			}
			in := false
			for _, s := range subnets {
				in = in || s.ID == spec.SubnetID
			}
			if !in {
				return nil, &fieldError{iSubnet, "Subnet: " + spec.SubnetID + " is not in the default VPC " + vpc.ID +
					", where the new group is made; leave it empty or choose an existing group of the subnet's VPC"}
			}
		}
		if err := cloud.ValidateSecurityGroupSpec(*sg); err != nil {
			return nil, err
		}
	}
	if err := cloud.ValidateInstanceSpec(spec); err != nil {
		return nil, err
	}
	p.steps, p.create = instanceSteps(spec, sg, amiNote, v[iUser])
	return p, nil
}

// userDataLines shows the file's size and first lines in the review.
func userDataLines(path string, data []byte) []string {
	out := []string{fmt.Sprintf("User data: %s, %d bytes (EC2 allows %d)", path, len(data), cloud.MaxUserData)}
	if !utf8.Valid(data) {
		return append(out, "  (binary: not shown)")
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	for i, l := range lines {
		if i == 4 {
			out = append(out, fmt.Sprintf("  │ … %d more lines", len(lines)-4))
			break
		}
		out = append(out, "  │ "+l)
	}
	return append(out, "")
}

// instanceSteps describe the group and the instance with the equivalent
// aws commands, and return the create that makes them.
func instanceSteps(spec cloud.InstanceSpec, sg *cloud.SecurityGroupSpec, amiNote, userData string) ([]launch.Step, func(context.Context, Creator) (string, error)) {
	var steps []launch.Step
	groups := strings.Join(spec.SecurityGroupIDs, ",")
	if sg != nil {
		groups = "SG_ID"
		cmds := []string{launch.Shell("aws", "ec2", "create-security-group", "--group-name", sg.Name,
			"--description", sg.Description, "--vpc-id", sg.VpcID)}
		res := []launch.Resource{{Action: "create", Kind: "security group", Name: sg.Name + " in " + sg.VpcID + " (the default VPC; reused, with the rules added, if it exists)"}}
		for _, r := range sg.Ingress {
			src := []string{"--cidr", r.CIDR}
			if r.SourceGroupID != "" {
				src = []string{"--source-group", r.SourceGroupID}
			}
			cmds = append(cmds, launch.Shell(append([]string{"aws", "ec2", "authorize-security-group-ingress", "--group-id", "SG_ID",
				"--protocol", r.Protocol, "--port", strconv.Itoa(int(r.Port))}, src...)...))
			res = append(res, launch.Resource{Action: "allow", Kind: "inbound", Name: ruleText(r)})
		}
		if len(sg.Ingress) == 0 {
			res = append(res, launch.Resource{Action: "allow", Kind: "inbound", Name: "nothing (no rules given)"})
		}
		steps = append(steps, launch.Step{Name: "security group", Resources: res, Commands: cmds,
			Summary: "Find or create security group " + sg.Name + " with " + plural(len(sg.Ingress), "inbound rule")})
	}
	args := []string{"aws", "ec2", "run-instances", "--image-id", spec.ImageID, "--instance-type", spec.InstanceType}
	opts := []string{spec.InstanceType, spec.ImageID + amiNote}
	if spec.KeyName != "" {
		args = append(args, "--key-name", spec.KeyName)
		opts = append(opts, "key pair "+spec.KeyName)
	}
	if spec.SubnetID != "" {
		args = append(args, "--subnet-id", spec.SubnetID)
		opts = append(opts, "subnet "+spec.SubnetID)
	} else {
		opts = append(opts, "a default subnet")
	}
	if groups != "" {
		args = append(args, "--security-group-ids", groups)
	}
	if userData != "" {
		args = append(args, "--user-data", "file://"+userData)
		opts = append(opts, fmt.Sprintf("user data %d bytes", len(spec.UserData)))
	}
	args = append(args, "--count", "1", "--tag-specifications", "ResourceType=instance,Tags=[{Key=Name,Value="+spec.Name+"},{Key="+cloud.StackTag+",Value="+spec.Name+"}]")
	steps = append(steps, launch.Step{Name: "instance", Summary: "Run instance " + spec.Name + ": " + strings.Join(opts, ", "),
		Resources: []launch.Resource{{Action: "create", Kind: "EC2 instance", Name: spec.Name}},
		Commands:  []string{launch.Shell(args...)}})

	create := func(ctx context.Context, api Creator) (string, error) {
		note, made, id := "", false, ""
		if sg != nil {
			var err error
			if id, made, err = api.EnsureSecurityGroup(ctx, *sg); err != nil {
				return "", err
			}
			spec.SecurityGroupIDs = []string{id}
			note = " with security group " + sg.Name + " (" + id + ")"
		}
		in, err := api.RunInstance(ctx, spec)
		if err != nil && made {
			// What was made is said, and kept: the group is found again
			// by name when the user fixes the field and retries.
			return "", fmt.Errorf("%w — security group %s (%s) was created and is kept: a retry reuses it", err, sg.Name, id)
		}
		if err != nil {
			return "", err
		}
		return "created instance " + spec.Name + " (" + in.ID + ", " + in.State + ")" + note, nil
	}
	return steps, create
}
