package cloud

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// Validation shared by every backend. The SDK adapter calls these before
// it sends anything to AWS, and the sandbox calls them before it changes its
// account, so bad input is refused the same way everywhere: as an *Error
// with the service, operation and error code AWS itself would answer with
// ("ClientException" for a task definition, "InvalidParameterException" for
// other ECS calls, "InvalidParameterValue", "MissingParameter" or a
// "….Malformed" code for EC2), a message that names the field and the fix,
// Field set, and Err set to ErrInvalidInput.

// ErrInvalidInput is wrapped by every validation error, so callers can tell
// "deckhand refused this before asking AWS" (errors.Is(err, ErrInvalidInput))
// from AWS's own refusal.
var ErrInvalidInput = errors.New("invalid input")

func invalid(service, op, code, field, format string, args ...any) *Error {
	return &Error{
		Service: service, Operation: op, Code: code, Field: field,
		Message: field + ": " + fmt.Sprintf(format, args...),
		Err:     ErrInvalidInput,
	}
}

var (
	// ECS names: clusters, services, task definition families, containers.
	reECSName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)
	reAMI     = regexp.MustCompile(`^ami-[0-9a-f]{8,17}$`)
	reSubnet  = regexp.MustCompile(`^subnet-[0-9a-f]{8,17}$`)
	reSG      = regexp.MustCompile(`^sg-[0-9a-f]{8,17}$`)
	reInst    = regexp.MustCompile(`^i-[0-9a-f]{8,17}$`)
	reEnvName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	// An instance profile: its name (IAM's rules), or its ARN.
	reProfileName = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
	reProfileARN  = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:instance-profile/([\w+=,.@-]+/)*[\w+=,.@-]{1,128}$`)
)

// MaxUserData is EC2's limit on user data, in bytes before base64 encoding.
const MaxUserData = 16 * 1024

// ValidateInstanceSpec checks what RunInstance would launch.
func ValidateInstanceSpec(s InstanceSpec) error {
	const op = "RunInstances"
	bad := func(code, field, format string, args ...any) error {
		return invalid("ec2", op, code, field, format, args...)
	}
	switch {
	case s.Name == "":
		return bad("MissingParameter", "Name", "is empty; give the instance a name (its Name tag), e.g. \"web\"")
	case len(s.Name) > 256:
		return bad("InvalidParameterValue", "Name", "is %d characters; a tag value has at most 256", len(s.Name))
	case s.ImageID == "":
		return bad("MissingParameter", "ImageID", "is empty; choose an AMI, e.g. the latest Amazon Linux 2023 (ami-…)")
	case !reAMI.MatchString(s.ImageID):
		return bad("InvalidAMIID.Malformed", "ImageID", "%q is not an AMI id; it looks like ami-0123456789abcdef0", s.ImageID)
	case s.InstanceType == "":
		return bad("MissingParameter", "InstanceType", "is empty; choose one, e.g. t3.micro")
	case !strings.Contains(s.InstanceType, "."):
		return bad("InvalidParameterValue", "InstanceType", "%q is not an instance type; they look like t3.micro", s.InstanceType)
	case len(s.KeyName) > 255:
		return bad("InvalidParameterValue", "KeyName", "is %d characters; a key pair name has at most 255", len(s.KeyName))
	case s.SubnetID != "" && !reSubnet.MatchString(s.SubnetID):
		return bad("InvalidSubnetID.Malformed", "SubnetID", "%q is not a subnet id; it looks like subnet-0123456789abcdef0, or leave it empty for a default subnet", s.SubnetID)
	case strings.HasPrefix(s.IAMInstanceProfile, "arn:") && !reProfileARN.MatchString(s.IAMInstanceProfile):
		return bad("InvalidParameterValue", "IAMInstanceProfile", "%q is not an instance profile ARN; it looks like arn:aws:iam::123456789012:instance-profile/NAME, or give the name", s.IAMInstanceProfile)
	case s.IAMInstanceProfile != "" && !strings.HasPrefix(s.IAMInstanceProfile, "arn:") && !reProfileName.MatchString(s.IAMInstanceProfile):
		return bad("InvalidParameterValue", "IAMInstanceProfile", "%q is not an instance profile name: use 1–128 letters, digits and +=,.@_- (or give its ARN)", s.IAMInstanceProfile)
	case len(s.UserData) > MaxUserData:
		return bad("InvalidParameterValue", "UserData", "is %d bytes; EC2 allows %d (before base64): fetch a script from user data instead of embedding it", len(s.UserData), MaxUserData)
	}
	for i, g := range s.SecurityGroupIDs {
		if !reSG.MatchString(g) {
			return bad("InvalidGroupId.Malformed", fmt.Sprintf("SecurityGroupIDs[%d]", i), "%q is not a security group id; it looks like sg-0123456789abcdef0", g)
		}
	}
	if v, ok := s.Tags["Name"]; ok && v != s.Name {
		return bad("InvalidParameterValue", `Tags["Name"]`, "is %q but Name is %q; set the name in Name only", v, s.Name)
	}
	reserved := 1 // the Name tag
	if _, ok := s.Tags["Name"]; ok {
		reserved = 0
	}
	return validateTags("ec2", op, "InvalidParameterValue", s.Tags, reserved)
}

// ValidateInstanceIDs checks the ids given to StartInstances, StopInstances
// or TerminateInstances (op). A malformed id is InvalidInstanceID.Malformed,
// as AWS answers; a well-formed id that does not exist is the backend's
// InvalidInstanceID.NotFound.
func ValidateInstanceIDs(op string, ids ...string) error {
	if len(ids) == 0 {
		return invalid("ec2", op, "MissingParameter", "InstanceIds", "is empty; name at least one instance")
	}
	for i, id := range ids {
		if !reInst.MatchString(id) {
			return invalid("ec2", op, "InvalidInstanceID.Malformed", fmt.Sprintf("InstanceIds[%d]", i),
				"%q is not an instance id; it looks like i-0123456789abcdef0", id)
		}
	}
	return nil
}

// ValidateCreateCluster checks CreateCluster's name and tags.
func ValidateCreateCluster(name string, tags map[string]string) error {
	if err := ecsRef("CreateCluster", "Name", name, true); err != nil {
		return err
	}
	return validateTags("ecs", "CreateCluster", "InvalidParameterException", tags, 0)
}

// ValidateClusterRef checks the cluster (name or ARN) given to op, e.g.
// DeleteCluster.
func ValidateClusterRef(op, cluster string) error {
	return ecsRef(op, "Cluster", cluster, false)
}

// ecsRef checks a name (strict: the name of something being created) or a
// name-or-ARN reference to an existing resource.
func ecsRef(op, field, v string, strict bool) error {
	const code = "InvalidParameterException"
	switch {
	case v == "":
		return invalid("ecs", op, code, field, "is empty; give a name")
	case strict && !reECSName.MatchString(v):
		return invalid("ecs", op, code, field, "%q is not a valid name: use up to 255 letters, digits, hyphens and underscores", v)
	case !strict && strings.HasPrefix(v, "arn:"):
		return nil
	case !strict && strings.ContainsAny(v, " \t\n/"):
		return invalid("ecs", op, code, field, "%q is neither a name nor an ARN", v)
	}
	return nil
}

// ValidateTaskDef checks a task definition before RegisterTaskDefinition.
// For Fargate the task needs a valid cpu/memory pair (see
// FargateMemoryChoices) and the awsvpc network mode ("" is taken as awsvpc).
func ValidateTaskDef(s TaskDefSpec) error {
	const op, code = "RegisterTaskDefinition", "ClientException"
	bad := func(field, format string, args ...any) error {
		return invalid("ecs", op, code, field, format, args...)
	}
	if s.Family == "" {
		return bad("Family", "is empty; name the task definition family, e.g. the service name")
	}
	if !reECSName.MatchString(s.Family) {
		return bad("Family", "%q is not a valid family: use up to 255 letters, digits, hyphens and underscores", s.Family)
	}
	switch s.NetworkMode {
	case "", "awsvpc", "bridge", "host", "none":
	default:
		return bad("NetworkMode", "%q is not a network mode: use awsvpc, bridge, host or none", s.NetworkMode)
	}
	if s.Fargate {
		if s.NetworkMode != "" && s.NetworkMode != "awsvpc" {
			return bad("NetworkMode", "is %q but Fargate supports only awsvpc", s.NetworkMode)
		}
		if s.CPU == "" {
			return bad("CPU", "is empty; Fargate needs task cpu and memory, e.g. CPU \"256\" with Memory \"512\"")
		}
		if s.Memory == "" {
			return bad("Memory", "is empty; Fargate needs task cpu and memory, e.g. CPU \"256\" with Memory \"512\"")
		}
		if err := ValidateFargateSize(s.CPU, s.Memory); err != nil {
			return err
		}
	} else if s.Memory == "" {
		// Without task memory every container needs its own, which
		// ContainerSpec cannot express.
		return bad("Memory", "is empty; outside Fargate set the task memory (MiB), e.g. \"512\": ECS needs memory for every container")
	}
	if len(s.Containers) == 0 {
		return bad("Containers", "is empty; a task definition needs at least one container")
	}
	if len(s.Containers) > 10 {
		return bad("Containers", "has %d containers; ECS allows 10 per task definition", len(s.Containers))
	}
	essential := false
	names := map[string]bool{}
	reserved := 0
	for i, c := range s.Containers {
		if err := validateContainer(s, i, c, names); err != nil {
			return err
		}
		essential = essential || c.Essential
		reserved += int(c.MemoryReservation)
	}
	if mem, ok := parseSize(s.Memory, "gb"); ok && reserved > mem {
		return bad("Containers", "reserve %d MiB in all but the task has %s MiB; lower the MemoryReservation of the containers", reserved, s.Memory)
	}
	if !essential {
		return bad("Containers", "has no essential container; set Essential on the container that is the app")
	}
	return validateTags("ecs", op, code, s.Tags, 0)
}

func validateContainer(s TaskDefSpec, i int, c ContainerSpec, names map[string]bool) error {
	bad := func(field, format string, args ...any) error {
		return invalid("ecs", "RegisterTaskDefinition", "ClientException", fmt.Sprintf("Containers[%d].%s", i, field), format, args...)
	}
	switch {
	case c.Name == "":
		return bad("Name", "is empty; name the container, e.g. \"web\"")
	case !reECSName.MatchString(c.Name):
		return bad("Name", "%q is not a valid container name: use up to 255 letters, digits, hyphens and underscores", c.Name)
	case names[c.Name]:
		return bad("Name", "%q is used twice; container names must be unique in a task definition", c.Name)
	case c.Image == "":
		return bad("Image", "is empty; give an image reference, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1")
	case len(c.Image) > 255 || strings.ContainsAny(c.Image, " \t\n"):
		return bad("Image", "%q is not an image reference", c.Image)
	case c.Port < 0 || c.Port > 65535:
		return bad("Port", "%d is not a port; use 1–65535, or 0 for none", c.Port)
	case c.MemoryReservation < 0:
		return bad("MemoryReservation", "is %d; give MiB, or 0 for none", c.MemoryReservation)
	}
	names[c.Name] = true
	for k := range c.Env {
		if !reEnvName.MatchString(k) {
			return bad("Env", "%q is not an environment variable name (letters, digits, underscores; not starting with a digit)", k)
		}
	}
	if len(c.HealthCommand) > 0 {
		switch c.HealthCommand[0] {
		case "CMD", "CMD-SHELL", "NONE":
		default:
			return bad("HealthCommand", "starts with %q; start it with CMD-SHELL (a shell command) or CMD (an argv)", c.HealthCommand[0])
		}
		if c.HealthCommand[0] != "NONE" && len(c.HealthCommand) < 2 {
			return bad("HealthCommand", "has no command after %s", c.HealthCommand[0])
		}
	}
	if c.LogGroup != "" && s.Fargate {
		if s.ExecutionRoleARN == "" {
			// AWS: "Fargate requires task definition to have execution role
			// ARN to support log driver awslogs."
			return invalid("ecs", "RegisterTaskDefinition", "ClientException", "ExecutionRoleARN",
				"is empty but Containers[%d] logs to %s; Fargate needs a task execution role for awslogs (one with AmazonECSTaskExecutionRolePolicy)", i, c.LogGroup)
		}
		if c.LogPrefix == "" {
			return bad("LogPrefix", "is empty; Fargate's awslogs needs a stream prefix, e.g. the service name")
		}
	}
	return nil
}

// validateTags applies AWS's tag rules: at most 50 per resource (reserved
// counts tags the backend adds itself, e.g. Name), keys of 1–128 and values
// of up to 256 characters, no keys starting with "aws:".
func validateTags(service, op, code string, tags map[string]string, reserved int) error {
	if len(tags)+reserved > 50 {
		return invalid(service, op, code, "Tags", "has %d tags; AWS allows 50 per resource", len(tags)+reserved)
	}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		v := tags[k]
		field := fmt.Sprintf("Tags[%q]", k)
		switch {
		case k == "" || len(k) > 128:
			return invalid(service, op, code, field, "a tag key has 1 to 128 characters")
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			return invalid(service, op, code, field, "tag keys starting with \"aws:\" are reserved for AWS")
		case len(v) > 256:
			return invalid(service, op, code, field, "a tag value has at most 256 characters")
		}
	}
	return nil
}
