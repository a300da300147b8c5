package cloud

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// The Fargate sizes as AWS documents them:
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
func TestFargateMemoryChoices(t *testing.T) {
	span := func(from, to, step int) []int {
		var out []int
		for m := from; m <= to; m += step {
			out = append(out, m)
		}
		return out
	}
	want := map[int][]int{
		256:   {512, 1024, 2048},
		512:   {1024, 2048, 3072, 4096},
		1024:  span(2048, 8192, 1024),
		2048:  span(4096, 16384, 1024),
		4096:  span(8192, 30720, 1024),
		8192:  span(16384, 61440, 4096),
		16384: span(32768, 122880, 8192),
	}
	for _, cpu := range FargateCPUs() {
		if got := FargateMemoryChoices(cpu); !slices.Equal(got, want[cpu]) {
			t.Errorf("FargateMemoryChoices(%d) = %v, want %v", cpu, got, want[cpu])
		}
		for _, m := range want[cpu] {
			if err := ValidateFargateSize(fmt.Sprint(cpu), fmt.Sprint(m)); err != nil {
				t.Errorf("%d/%d: %v", cpu, m, err)
			}
		}
		// Just outside the range, and between two steps.
		for _, m := range []int{want[cpu][0] - 512, want[cpu][len(want[cpu])-1] + 1024, want[cpu][0] + 512, want[cpu][1] - 512} {
			if slices.Contains(want[cpu], m) {
				continue
			}
			if err := ValidateFargateSize(fmt.Sprint(cpu), fmt.Sprint(m)); err == nil {
				t.Errorf("%d/%d accepted", cpu, m)
			}
		}
	}
	if len(want) != len(FargateCPUs()) || FargateMemoryChoices(128) != nil || FargateMemoryChoices(3072) != nil {
		t.Error("FargateCPUs or FargateMemoryChoices offers a size Fargate does not have")
	}
}

func TestValidateFargateSizeForms(t *testing.T) {
	for _, tc := range []struct {
		cpu, memory, field string // field "" = valid
	}{
		{"256", "512", ""},
		{"0.25 vCPU", "0.5 GB", ""},
		{".25 vcpu", "1GB", ""},
		{"1 vCPU", "3 GB", ""},
		{"16 vCPU", "120 GB", ""},
		{"1 vCPU", "1 GB", "Memory"},
		{"256", "4096", "Memory"},
		{"256", "1.5 GB", "Memory"},
		{"256", "lots", "Memory"},
		{"300", "512", "CPU"},
		{"0.3 vCPU", "512", "CPU"},
		{"-256", "512", "CPU"},
		{"", "512", "CPU"},
	} {
		err := ValidateFargateSize(tc.cpu, tc.memory)
		if tc.field == "" {
			if err != nil {
				t.Errorf("%q/%q: %v", tc.cpu, tc.memory, err)
			}
			continue
		}
		checkInvalid(t, err, "ecs", "RegisterTaskDefinition", "ClientException", tc.field)
	}
	// The message says what would work.
	err := ValidateFargateSize("256", "4096")
	if want := `Memory: no Fargate configuration exists for 256 cpu units with 4096 MiB; with CPU "256" use Memory 512, 1024, 2048`; !strings.Contains(err.Error(), want) {
		t.Errorf("message %q lacks %q", err, want)
	}
	err = ValidateFargateSize("2048", "2048")
	if want := "use Memory 4096 to 16384 in steps of 1024"; !strings.Contains(err.Error(), want) {
		t.Errorf("message %q lacks %q", err, want)
	}
}

func checkInvalid(t *testing.T, err error, service, op, code, field string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Errorf("want %s on %s, got %T %v", code, field, err, err)
		return
	}
	if e.Service != service || e.Operation != op || e.Code != code || e.Field != field || !errors.Is(err, ErrInvalidInput) {
		t.Errorf("got %s:%s %s field %q (%v), want %s:%s %s field %q", e.Service, e.Operation, e.Code, e.Field, err, service, op, code, field)
	}
	if !strings.HasPrefix(e.Message, field+": ") {
		t.Errorf("message %q does not start with the field", e.Message)
	}
}

func TestValidateSpecs(t *testing.T) {
	long := strings.Repeat("x", 300)
	inst := func(f func(*InstanceSpec)) error { s := validInstance; f(&s); return ValidateInstanceSpec(s) }
	td := func(f func(*TaskDefSpec)) error {
		s := validTaskDef
		s.Containers = slices.Clone(s.Containers)
		f(&s)
		return ValidateTaskDef(s)
	}
	svc := func(f func(*ServiceSpec)) error { s := validService; f(&s); return ValidateServiceSpec(s) }
	run := func(f func(*RunTaskSpec)) error { s := validRunTask; f(&s); return ValidateRunTaskSpec(s) }

	for _, err := range []error{
		ValidateInstanceSpec(validInstance), ValidateTaskDef(validTaskDef), ValidateServiceSpec(validService),
		ValidateRunTaskSpec(validRunTask), ValidateInstanceIDs("StopInstances", "i-0123abcd", "i-0123456789abcdef0"),
		ValidateCreateCluster("demo_1-x", map[string]string{"deckhand:stack": "demo"}),
		ValidateUpdateService("arn:aws:ecs:us-east-1:1:cluster/demo", "web", 0, "web:2"),
		ValidateStopTask("demo", "arn:aws:ecs:us-east-1:1:task/demo/abc", "done"),
		td(func(s *TaskDefSpec) { s.Fargate, s.CPU, s.NetworkMode = false, "", "bridge" }),
		td(func(s *TaskDefSpec) {
			s.ExecutionRoleARN = "arn:aws:iam::1:role/x"
			s.Containers[0].LogGroup, s.Containers[0].LogPrefix = "/g", "web"
		}),
		inst(func(s *InstanceSpec) { s.Tags = map[string]string{"Name": "web"} }),
	} {
		if err != nil {
			t.Errorf("valid input refused: %v", err)
		}
	}

	const ec2, ecs = "ec2", "ecs"
	for _, tc := range []struct {
		err                      error
		service, op, code, field string
	}{
		{inst(func(s *InstanceSpec) { s.Name = "" }), ec2, "RunInstances", "MissingParameter", "Name"},
		{inst(func(s *InstanceSpec) { s.Name = long }), ec2, "RunInstances", "InvalidParameterValue", "Name"},
		{inst(func(s *InstanceSpec) { s.ImageID = "" }), ec2, "RunInstances", "MissingParameter", "ImageID"},
		{inst(func(s *InstanceSpec) { s.ImageID = "ubuntu-24.04" }), ec2, "RunInstances", "InvalidAMIID.Malformed", "ImageID"},
		{inst(func(s *InstanceSpec) { s.InstanceType = "" }), ec2, "RunInstances", "MissingParameter", "InstanceType"},
		{inst(func(s *InstanceSpec) { s.InstanceType = "micro" }), ec2, "RunInstances", "InvalidParameterValue", "InstanceType"},
		{inst(func(s *InstanceSpec) { s.SubnetID = "default" }), ec2, "RunInstances", "InvalidSubnetID.Malformed", "SubnetID"},
		{inst(func(s *InstanceSpec) { s.SecurityGroupIDs = []string{"sg-0123456789abcdef0", "web"} }), ec2, "RunInstances", "InvalidGroupId.Malformed", "SecurityGroupIDs[1]"},
		{inst(func(s *InstanceSpec) { s.UserData = strings.Repeat("x", MaxUserData+1) }), ec2, "RunInstances", "InvalidParameterValue", "UserData"},
		{inst(func(s *InstanceSpec) { s.Tags = map[string]string{"Name": "db"} }), ec2, "RunInstances", "InvalidParameterValue", `Tags["Name"]`},
		{inst(func(s *InstanceSpec) { s.Tags = map[string]string{"aws:owner": "me"} }), ec2, "RunInstances", "InvalidParameterValue", `Tags["aws:owner"]`},
		{inst(func(s *InstanceSpec) { s.Tags = map[string]string{"k": long} }), ec2, "RunInstances", "InvalidParameterValue", `Tags["k"]`},
		{inst(func(s *InstanceSpec) {
			s.Tags = map[string]string{}
			for i := range 50 {
				s.Tags[fmt.Sprint(i)] = "x"
			}
		}), ec2, "RunInstances", "InvalidParameterValue", "Tags"},
		{ValidateInstanceIDs("StartInstances"), ec2, "StartInstances", "MissingParameter", "InstanceIds"},
		{ValidateInstanceIDs("StopInstances", "i-0123abcd", "i-XYZ"), ec2, "StopInstances", "InvalidInstanceID.Malformed", "InstanceIds[1]"},

		{ValidateCreateCluster("my cluster", nil), ecs, "CreateCluster", "InvalidParameterException", "Name"},
		{ValidateCreateCluster(long, nil), ecs, "CreateCluster", "InvalidParameterException", "Name"},
		{ValidateCreateCluster("demo", map[string]string{"": "x"}), ecs, "CreateCluster", "InvalidParameterException", `Tags[""]`},
		{ValidateClusterRef("DeleteCluster", ""), ecs, "DeleteCluster", "InvalidParameterException", "Cluster"},

		{td(func(s *TaskDefSpec) { s.Family = "" }), ecs, "RegisterTaskDefinition", "ClientException", "Family"},
		{td(func(s *TaskDefSpec) { s.Family = "web:1" }), ecs, "RegisterTaskDefinition", "ClientException", "Family"},
		{td(func(s *TaskDefSpec) { s.NetworkMode = "nat" }), ecs, "RegisterTaskDefinition", "ClientException", "NetworkMode"},
		{td(func(s *TaskDefSpec) { s.NetworkMode = "bridge" }), ecs, "RegisterTaskDefinition", "ClientException", "NetworkMode"},
		{td(func(s *TaskDefSpec) { s.CPU = "" }), ecs, "RegisterTaskDefinition", "ClientException", "CPU"},
		{td(func(s *TaskDefSpec) { s.Memory = "" }), ecs, "RegisterTaskDefinition", "ClientException", "Memory"},
		{td(func(s *TaskDefSpec) { s.Memory = "1024"; s.CPU = "256"; s.Memory = "3072" }), ecs, "RegisterTaskDefinition", "ClientException", "Memory"},
		{td(func(s *TaskDefSpec) { s.Fargate, s.Memory = false, "" }), ecs, "RegisterTaskDefinition", "ClientException", "Memory"},
		{td(func(s *TaskDefSpec) { s.Containers = nil }), ecs, "RegisterTaskDefinition", "ClientException", "Containers"},
		{td(func(s *TaskDefSpec) { s.Containers[0].Essential = false }), ecs, "RegisterTaskDefinition", "ClientException", "Containers"},
		{td(func(s *TaskDefSpec) { s.Containers = append(s.Containers, s.Containers[0]) }), ecs, "RegisterTaskDefinition", "ClientException", "Containers[1].Name"},
		{td(func(s *TaskDefSpec) { s.Containers[0].Name = "" }), ecs, "RegisterTaskDefinition", "ClientException", "Containers[0].Name"},
		{td(func(s *TaskDefSpec) { s.Containers[0].Image = "" }), ecs, "RegisterTaskDefinition", "ClientException", "Containers[0].Image"},
		{td(func(s *TaskDefSpec) { s.Containers[0].Image = "nginx latest" }), ecs, "RegisterTaskDefinition", "ClientException", "Containers[0].Image"},
		{td(func(s *TaskDefSpec) { s.Containers[0].Port = 70000 }), ecs, "RegisterTaskDefinition", "ClientException", "Containers[0].Port"},
		{td(func(s *TaskDefSpec) { s.Containers[0].MemoryReservation = 1024 }), ecs, "RegisterTaskDefinition", "ClientException", "Containers"},
		{td(func(s *TaskDefSpec) { s.Containers[0].Env = map[string]string{"1X": "y"} }), ecs, "RegisterTaskDefinition", "ClientException", "Containers[0].Env"},
		{td(func(s *TaskDefSpec) { s.Containers[0].HealthCommand = []string{"curl -f localhost"} }), ecs, "RegisterTaskDefinition", "ClientException", "Containers[0].HealthCommand"},
		{td(func(s *TaskDefSpec) { s.Containers[0].HealthCommand = []string{"CMD-SHELL"} }), ecs, "RegisterTaskDefinition", "ClientException", "Containers[0].HealthCommand"},
		{td(func(s *TaskDefSpec) { s.Containers[0].LogGroup, s.Containers[0].LogPrefix = "/g", "web" }), ecs, "RegisterTaskDefinition", "ClientException", "ExecutionRoleARN"},
		{td(func(s *TaskDefSpec) { s.ExecutionRoleARN, s.Containers[0].LogGroup = "arn:aws:iam::1:role/x", "/g" }), ecs, "RegisterTaskDefinition", "ClientException", "Containers[0].LogPrefix"},

		{svc(func(s *ServiceSpec) { s.Cluster = "" }), ecs, "CreateService", "InvalidParameterException", "Cluster"},
		{svc(func(s *ServiceSpec) { s.Name = "web/1" }), ecs, "CreateService", "InvalidParameterException", "Name"},
		{svc(func(s *ServiceSpec) { s.TaskDefinition = "" }), ecs, "CreateService", "InvalidParameterException", "TaskDefinition"},
		{svc(func(s *ServiceSpec) { s.Desired = -1 }), ecs, "CreateService", "InvalidParameterException", "Desired"},
		{svc(func(s *ServiceSpec) { s.Desired = MaxDesired + 1 }), ecs, "CreateService", "InvalidParameterException", "Desired"},
		{svc(func(s *ServiceSpec) { s.TaskDefinition = "nope:0" }), ecs, "CreateService", "ClientException", "TaskDefinition"},
		{svc(func(s *ServiceSpec) { s.TaskDefinition = "web:latest" }), ecs, "CreateService", "ClientException", "TaskDefinition"},
		{svc(func(s *ServiceSpec) { s.LaunchType = "LAMBDA" }), ecs, "CreateService", "InvalidParameterException", "LaunchType"},
		{svc(func(s *ServiceSpec) { s.Subnets = nil }), ecs, "CreateService", "InvalidParameterException", "Subnets"},
		{svc(func(s *ServiceSpec) { s.Subnets = []string{"subnet-x"} }), ecs, "CreateService", "InvalidParameterException", "Subnets[0]"},
		{svc(func(s *ServiceSpec) { s.SecurityGroups = []string{"default"} }), ecs, "CreateService", "InvalidParameterException", "SecurityGroups[0]"},
		{svc(func(s *ServiceSpec) { s.LaunchType = "EC2" }), ecs, "CreateService", "InvalidParameterException", "PublicIP"},
		{svc(func(s *ServiceSpec) { s.Tags = map[string]string{"AWS:x": "y"} }), ecs, "CreateService", "InvalidParameterException", `Tags["AWS:x"]`},

		{ValidateUpdateService("demo", "", 1, ""), ecs, "UpdateService", "InvalidParameterException", "Service"},
		{ValidateUpdateService("demo", "web", -2, ""), ecs, "UpdateService", "InvalidParameterException", "Desired"},
		{ValidateUpdateService("demo", "web", MaxDesired+1, ""), ecs, "UpdateService", "InvalidParameterException", "Desired"},
		{ValidateServiceRef("DeleteService", "", "web"), ecs, "DeleteService", "InvalidParameterException", "Cluster"},
		{run(func(s *RunTaskSpec) { s.Count = 0 }), ecs, "RunTask", "InvalidParameterException", "Count"},
		{run(func(s *RunTaskSpec) { s.TaskDefinition = "" }), ecs, "RunTask", "InvalidParameterException", "TaskDefinition"},
		{run(func(s *RunTaskSpec) { s.Subnets = nil }), ecs, "RunTask", "InvalidParameterException", "Subnets"},
		{ValidateStopTask("demo", "abc", long), ecs, "StopTask", "InvalidParameterException", "Reason"},
	} {
		checkInvalid(t, tc.err, tc.service, tc.op, tc.code, tc.field)
	}
}
