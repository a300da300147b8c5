package cloud

// validSpecs are inputs every validator accepts. aws/write_offline_test.go
// has the same four, to check the SDK adapter validates before it calls.
var (
	validInstance = InstanceSpec{Name: "web", ImageID: "ami-0123456789abcdef0", InstanceType: "t3.micro",
		SubnetID: "subnet-0123456789abcdef0", SecurityGroupIDs: []string{"sg-0123456789abcdef0"}, Tags: map[string]string{"k": "v"}}
	validTaskDef = TaskDefSpec{Family: "web", CPU: "256", Memory: "512", Fargate: true,
		Containers: []ContainerSpec{{Name: "web", Image: "nginx:stable", Port: 80, Essential: true}}}
	validService = ServiceSpec{Cluster: "demo", Name: "web", TaskDefinition: "web:1", Desired: 1, LaunchType: "FARGATE",
		Subnets: []string{"subnet-0123456789abcdef0"}, PublicIP: true, CircuitBreaker: true}
	validRunTask = RunTaskSpec{Cluster: "demo", TaskDefinition: "web:1", Count: 1, LaunchType: "FARGATE",
		Subnets: []string{"subnet-0123456789abcdef0"}}
)
