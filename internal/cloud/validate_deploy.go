package cloud

import (
	"fmt"
	"regexp"
	"strings"

	"golang.org/x/crypto/ssh"
)

// Validation of the deploy capabilities' input (see validate.go): every
// backend calls these before it acts, so bad input is refused the same way
// everywhere, with the code AWS would answer, the field named and
// ErrInvalidInput.

var (
	// docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html
	reRepoName = regexp.MustCompile(`^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$`)
	// docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
	reRoleName = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	// docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html
	reLogGroup = regexp.MustCompile(`^[.\-_/#A-Za-z0-9]{1,512}$`)
	reVPC      = regexp.MustCompile(`^vpc-[0-9a-f]{8,17}$`)
	// Security group names and descriptions in a VPC.
	reSGText = regexp.MustCompile(`^[A-Za-z0-9 ._\-:/()#,@\[\]+=&;{}!$*]*$`)
)

// ValidateRepositoryName checks an ECR repository name given to op.
func ValidateRepositoryName(op, name string) error {
	bad := func(format string, args ...any) error {
		return invalid("ecr", op, "InvalidParameterException", "Name", format, args...)
	}
	switch {
	case name == "":
		return bad("is empty; name the repository, e.g. the app name \"web\"")
	case len(name) < 2 || len(name) > 256:
		return bad("%q has %d characters; an ECR repository name has 2 to 256", name, len(name))
	case !reRepoName.MatchString(name):
		return bad("%q is not a repository name: use lowercase letters and digits, separated by single '.', '_', '-' or '/' (e.g. \"team/web\")", name)
	}
	return nil
}

// ValidateEnsureRepository checks EnsureRepository's input.
func ValidateEnsureRepository(name string, tags Tags) error {
	if err := ValidateRepositoryName("CreateRepository", name); err != nil {
		return err
	}
	return validateTags("ecr", "CreateRepository", "InvalidParameterException", tags, 0)
}

// ValidateRoleName checks an IAM role name given to op.
func ValidateRoleName(op, name string) error {
	bad := func(format string, args ...any) error {
		return invalid("iam", op, "ValidationError", "Name", format, args...)
	}
	switch {
	case name == "":
		return bad("is empty; name the role, e.g. \"web-task-execution\"")
	case len(name) > 64:
		return bad("has %d characters; an IAM role name has at most 64", len(name))
	case !reRoleName.MatchString(name):
		return bad("%q is not a role name: use letters, digits and +=,.@_-", name)
	}
	return nil
}

// ValidateEnsureRole checks EnsureTaskExecutionRole's input.
func ValidateEnsureRole(name string, tags Tags) error {
	if err := ValidateRoleName("CreateRole", name); err != nil {
		return err
	}
	return validateTags("iam", "CreateRole", "ValidationError", tags, 0)
}

// ValidateInstanceProfileName checks the name given to op of an instance
// profile and the role of the same name it holds (EnsureInstanceProfile,
// DeleteInstanceProfile): IAM's rules for both, so a role's limit of 64
// characters.
func ValidateInstanceProfileName(op, name string) error {
	bad := func(format string, args ...any) error {
		return invalid("iam", op, "ValidationError", "Name", format, args...)
	}
	switch {
	case name == "":
		return bad("is empty; name the instance profile, e.g. \"web-ec2\"")
	case len(name) > 64:
		return bad("has %d characters; the instance profile and its role share the name, and an IAM role name has at most 64", len(name))
	case !reRoleName.MatchString(name):
		return bad("%q is not an instance profile name: use letters, digits and +=,.@_-", name)
	}
	return nil
}

// ValidateEnsureInstanceProfile checks EnsureInstanceProfile's input.
func ValidateEnsureInstanceProfile(name string, tags Tags) error {
	if err := ValidateInstanceProfileName("CreateInstanceProfile", name); err != nil {
		return err
	}
	return validateTags("iam", "CreateInstanceProfile", "ValidationError", tags, 0)
}

// ValidateLogGroupName checks a log group name given to op.
func ValidateLogGroupName(op, name string) error {
	bad := func(format string, args ...any) error {
		return invalid("logs", op, "InvalidParameterException", "Name", format, args...)
	}
	switch {
	case name == "":
		return bad("is empty; name the log group, e.g. \"/deckhand/web\"")
	case len(name) > 512:
		return bad("has %d characters; a log group name has at most 512", len(name))
	case !reLogGroup.MatchString(name):
		return bad("%q is not a log group name: use letters, digits and . - _ / #", name)
	case strings.HasPrefix(name, "aws/"):
		return bad("%q starts with \"aws/\", which is reserved for AWS services", name)
	}
	return nil
}

// ValidateEnsureLogGroup checks EnsureLogGroup's input.
func ValidateEnsureLogGroup(name string, tags Tags) error {
	if err := ValidateLogGroupName("CreateLogGroup", name); err != nil {
		return err
	}
	return validateTags("logs", "CreateLogGroup", "InvalidParameterException", tags, 0)
}

// ValidateLogQuery checks RecentLogEvents' input.
func ValidateLogQuery(group, streamPrefix string, limit int) error {
	const op = "GetLogEvents"
	if err := ValidateLogGroupName(op, group); err != nil {
		return err
	}
	switch {
	case len(streamPrefix) > 512:
		return invalid("logs", op, "InvalidParameterException", "StreamPrefix", "has %d characters; a log stream name has at most 512", len(streamPrefix))
	case strings.Contains(streamPrefix, ":") || strings.Contains(streamPrefix, "*"):
		return invalid("logs", op, "InvalidParameterException", "StreamPrefix", "%q contains ':' or '*', which log stream names cannot", streamPrefix)
	case limit < 1 || limit > 10000:
		return invalid("logs", op, "InvalidParameterException", "Limit", "is %d; ask for 1 to 10000 events", limit)
	}
	return nil
}

// ValidateVpcID checks a VPC id given to op.
func ValidateVpcID(op, id string) error {
	switch {
	case id == "":
		return invalid("ec2", op, "MissingParameter", "VpcID", "is empty; give the VPC, e.g. the default VPC's id (DefaultVPC)")
	case !reVPC.MatchString(id):
		return invalid("ec2", op, "InvalidVpcID.Malformed", "VpcID", "%q is not a VPC id; it looks like vpc-0123456789abcdef0", id)
	}
	return nil
}

// ValidateSecurityGroupSpec checks EnsureSecurityGroup's input. An empty
// Description is allowed (the backends fill in "deckhand: NAME"); an
// ingress rule's CIDR must be in canonical form, so that a re-run finds the
// rule it authorized before.
func ValidateSecurityGroupSpec(s SecurityGroupSpec) error {
	const op = "CreateSecurityGroup"
	bad := func(code, field, format string, args ...any) error {
		return invalid("ec2", op, code, field, format, args...)
	}
	switch {
	case s.Name == "":
		return bad("MissingParameter", "Name", "is empty; name the security group, e.g. \"web-sg\"")
	case len(s.Name) > 255:
		return bad("InvalidParameterValue", "Name", "has %d characters; a security group name has at most 255", len(s.Name))
	case strings.HasPrefix(strings.ToLower(s.Name), "sg-"):
		return bad("InvalidParameterValue", "Name", "%q starts with \"sg-\", which EC2 does not allow", s.Name)
	case !reSGText.MatchString(s.Name):
		return bad("InvalidParameterValue", "Name", "%q has characters EC2 does not allow: use letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*", s.Name)
	case len(s.Description) > 255:
		return bad("InvalidParameterValue", "Description", "has %d characters; EC2 allows 255", len(s.Description))
	case !reSGText.MatchString(s.Description):
		return bad("InvalidParameterValue", "Description", "%q has characters EC2 does not allow: use letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*", s.Description)
	case len(s.Ingress) > 60:
		return bad("RulesPerSecurityGroupLimitExceeded", "Ingress", "has %d rules; EC2 allows 60 inbound rules per group", len(s.Ingress))
	}
	if err := ValidateVpcID(op, s.VpcID); err != nil {
		return err
	}
	seen := map[IngressRule]int{}
	for i, r := range s.Ingress {
		field := fmt.Sprintf("Ingress[%d]", i)
		if err := validateIngress("AuthorizeSecurityGroupIngress", field, r); err != nil {
			return err
		}
		key := r.Key()
		if j, dup := seen[key]; dup {
			return invalid("ec2", "AuthorizeSecurityGroupIngress", "InvalidPermission.Duplicate", field,
				"repeats Ingress[%d] (%s %d from %s); list each rule once", j, key.Protocol, key.Port, key.CIDR+key.SourceGroupID)
		}
		seen[key] = i
	}
	return validateTags("ec2", op, "InvalidParameterValue", s.Tags, 0)
}

// Key is the rule without its description: what makes two rules the
// same. Backends compare rules by it to authorize only the missing ones.
func (r IngressRule) Key() IngressRule {
	p := strings.ToLower(r.Protocol)
	if p == "" {
		p = "tcp"
	}
	port, to := r.Port, r.ToPort
	switch {
	case p == "-1":
		port, to = 0, 0 // all traffic: EC2 ignores the ports
	case (p == "tcp" || p == "udp") && to == port:
		to = 0 // a range of one port is the port
	}
	return IngressRule{Protocol: p, Port: port, ToPort: to, CIDR: r.CIDR, SourceGroupID: r.SourceGroupID}
}

func validateIngress(op, field string, r IngressRule) error {
	bad := func(code, sub, format string, args ...any) error {
		return invalid("ec2", op, code, field+"."+sub, format, args...)
	}
	switch strings.ToLower(r.Protocol) {
	case "", "tcp", "udp":
	default:
		return bad("InvalidParameterValue", "Protocol", "%q is not supported here; use tcp or udp", r.Protocol)
	}
	if r.Port < 1 || r.Port > 65535 {
		return bad("InvalidParameterValue", "Port", "%d is not a port; use 1–65535", r.Port)
	}
	if r.ToPort != 0 && r.ToPort != r.Port {
		return bad("InvalidParameterValue", "ToPort", "%d: deckhand adds rules of one port; use the aws CLI for a range", r.ToPort)
	}
	return validateSource(bad, r)
}

// ValidateSecurityGroupID checks a security group id given to op.
func ValidateSecurityGroupID(op, id string) error {
	switch {
	case id == "":
		return invalid("ec2", op, "MissingParameter", "GroupID", "is empty; give the security group id (sg-…)")
	case !reSG.MatchString(id):
		return invalid("ec2", op, "InvalidGroupId.Malformed", "GroupID", "%q is not a security group id; it looks like sg-0123456789abcdef0", id)
	}
	return nil
}

// ValidateKeyName checks a key pair name given to op.
func ValidateKeyName(op, name string) error {
	switch {
	case name == "":
		return invalid("ec2", op, "MissingParameter", "Name", "is empty; name the key pair, e.g. \"deckhand-web\"")
	case len(name) > 255:
		return invalid("ec2", op, "InvalidParameterValue", "Name", "has %d characters; a key pair name has at most 255", len(name))
	}
	for _, r := range name {
		if r < 0x20 || r > 0x7e {
			return invalid("ec2", op, "InvalidParameterValue", "Name", "%q has a character that is not printable ASCII", name)
		}
	}
	return nil
}

// ValidateCreateKeyPair checks CreateKeyPair's input.
func ValidateCreateKeyPair(name string, tags Tags) error {
	if err := ValidateKeyName("CreateKeyPair", name); err != nil {
		return err
	}
	return validateTags("ec2", "CreateKeyPair", "InvalidParameterValue", tags, 0)
}

// ValidateImportKeyPair checks ImportKeyPair's input and returns the
// parsed key and its type ("ed25519" or "rsa").
func ValidateImportKeyPair(name string, publicKey []byte, tags Tags) (ssh.PublicKey, string, error) {
	const op = "ImportKeyPair"
	if err := ValidateKeyName(op, name); err != nil {
		return nil, "", err
	}
	key, typ, err := ParsePublicKey(publicKey)
	if err != nil {
		return nil, "", err
	}
	return key, typ, validateTags("ec2", op, "InvalidParameterValue", tags, 0)
}

// ParsePublicKey parses an OpenSSH public key (an authorized_keys line) of a
// type EC2 imports: ssh-ed25519, or ssh-rsa of 1024 to 4096 bits.
func ParsePublicKey(b []byte) (ssh.PublicKey, string, error) {
	bad := func(format string, args ...any) error {
		return invalid("ec2", "ImportKeyPair", "InvalidKey.Format", "PublicKey", format, args...)
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		return nil, "", bad("is empty; give an OpenSSH public key, e.g. the contents of ~/.ssh/id_ed25519.pub")
	}
	if strings.Contains(string(b), "PRIVATE KEY") {
		return nil, "", bad("is a private key; give the public key (the .pub file) and keep the private key to yourself")
	}
	key, _, _, _, err := ssh.ParseAuthorizedKey(b)
	if err != nil {
		return nil, "", bad("is not an OpenSSH public key (%v); it looks like \"ssh-ed25519 AAAA… user@host\"", err)
	}
	switch key.Type() {
	case ssh.KeyAlgoED25519:
		return key, "ed25519", nil
	case ssh.KeyAlgoRSA:
		if ck, ok := key.(ssh.CryptoPublicKey); ok {
			if rk, ok := ck.CryptoPublicKey().(interface{ Size() int }); ok {
				if bits := rk.Size() * 8; bits < 1024 || bits > 4096 {
					return nil, "", bad("is a %d-bit RSA key; EC2 imports RSA keys of 1024 to 4096 bits", bits)
				}
			}
		}
		return key, "rsa", nil
	}
	return nil, "", bad("is a %s key; EC2 imports ssh-ed25519 and ssh-rsa keys only", key.Type())
}

// ValidateDistro checks LatestAMI's distro.
func ValidateDistro(distro string) error {
	if _, ok := amiSources[distro]; !ok {
		return invalid("ssm", "GetParameter", "ValidationException", "Distro",
			"%q is not a distribution deckhand knows; use %q or %q", distro, DistroAL2023, DistroUbuntu2404)
	}
	return nil
}

// ValidateStackName checks StackResources' stack name (a tag value).
func ValidateStackName(stack string) error {
	switch {
	case stack == "":
		return invalid("tag", "GetResources", "InvalidParameterException", "Stack", "is empty; give the launch name")
	case len(stack) > 256:
		return invalid("tag", "GetResources", "InvalidParameterException", "Stack", "has %d characters; a tag value has at most 256", len(stack))
	}
	return nil
}

// ValidateDeregister checks DeregisterTaskDefinition's revision: ECS needs
// the revision, not only the family.
func ValidateDeregister(taskDef string) error {
	const op = "DeregisterTaskDefinition"
	if err := ecsRef(op, "TaskDefinition", taskDef, false); err != nil {
		return err
	}
	rev := taskDef
	if i := strings.LastIndex(rev, "/"); strings.HasPrefix(rev, "arn:") && i >= 0 {
		rev = rev[i+1:]
	}
	family, n, ok := strings.Cut(rev, ":")
	if !ok || !reECSName.MatchString(family) || n == "" || strings.Trim(n, "0123456789") != "" || strings.TrimLeft(n, "0") == "" {
		return invalid("ecs", op, "ClientException", "TaskDefinition",
			"%q names no revision; give family:revision (e.g. \"web:3\") or the revision's ARN", taskDef)
	}
	return nil
}

// ValidateTaskRef checks TaskPublicIP's cluster and task.
func ValidateTaskRef(cluster, task string) error {
	if err := ecsRef("DescribeTasks", "Cluster", cluster, false); err != nil {
		return err
	}
	return ecsRef("DescribeTasks", "Task", task, false)
}

// ValidateTaskLogs checks TaskLogs' input.
func ValidateTaskLogs(cluster, task, container string, limit int) error {
	if err := ValidateTaskRef(cluster, task); err != nil {
		return err
	}
	switch {
	case container == "":
		return invalid("ecs", "DescribeTasks", "InvalidParameterException", "Container", "is empty; name one of the task's containers")
	case limit < 1 || limit > 10000:
		return invalid("logs", "GetLogEvents", "InvalidParameterException", "Limit", "is %d; ask for 1 to 10000 events", limit)
	}
	return nil
}
