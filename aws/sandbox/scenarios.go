package sandbox

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"deckhand/internal/cloud"
)

// Failure scenarios, seeded on request (deckhand sandbox seed NAME): each
// makes one thing go wrong the way it goes wrong on AWS, through the same
// API calls a user would make, so the doctor (internal/doctor) can be
// tried on it and tested against it. The failures themselves are the
// simulation's rules (images.go, failures.go, and the instance user data's
// `docker run`s, which need the local Docker engine); a scenario only sets
// them up. ECS scenarios go in cluster ScenarioCluster, one service each,
// named after the scenario (re-seeding one finds them; user-data-fails
// launches one more instance each time).

// ScenarioCluster is the cluster the ECS scenarios use.
const ScenarioCluster = "doctor"

// Scenario is one failure to seed.
type Scenario struct {
	Name  string
	What  string // one line: what goes wrong
	Cause string // the doctor's check that names it
	seed  func(ctx context.Context, a *Account, s *scenarioEnv) (string, error)
}

// Scenarios are every scenario, in the order help lists them.
var Scenarios = []Scenario{
	{"image-missing", "a service whose image was never pushed to ECR: CannotPullContainerError", "image-missing", seedImageMissing},
	{"exec-role-no-ecr", "a service whose task execution role lacks ECR permissions: AccessDenied on ecr:GetAuthorizationToken", "exec-role-ecr", seedExecRole},
	{"app-crash", "a service whose app exits with code 1 at start (a KeyError in its log)", "app-crash", seedCrash},
	{"health-check-failing", "a service whose container health check asks a path the app does not serve", "container-health", seedHealth},
	{"port-mismatch", "a service behind a load balancer whose app listens on 5000 while the task definition says 8080", "port-mismatch", seedPortMismatch},
	{"sg-blocks-lb", "a service behind a load balancer whose security group does not let the load balancer in", "sg-blocks-lb", seedSGBlocks},
	{"user-data-fails", "an instance whose user data runs an image that does not exist (needs the local Docker engine)", "user-data", seedUserData},
}

// ScenarioNamed finds a scenario.
func ScenarioNamed(name string) (Scenario, bool) {
	i := slices.IndexFunc(Scenarios, func(s Scenario) bool { return s.Name == name })
	if i < 0 {
		return Scenario{}, false
	}
	return Scenarios[i], true
}

// ScenarioNames lists the names, for messages.
func ScenarioNames() string {
	var out []string
	for _, s := range Scenarios {
		out = append(out, s.Name)
	}
	return strings.Join(out, ", ")
}

// scenarioEnv is what the scenarios share: the default VPC, its subnets
// and default security group, and the cluster.
type scenarioEnv struct {
	vpc     cloud.VPC
	subnets []string
	sg      string
}

// SeedScenario seeds the scenario and says what it made (the service as
// CLUSTER/NAME, or the instance id): what `deckhand doctor` takes.
func (a *Account) SeedScenario(ctx context.Context, name string) (string, error) {
	sc, ok := ScenarioNamed(name)
	if !ok {
		return "", fmt.Errorf("no sandbox scenario %q: choose one of %s", name, ScenarioNames())
	}
	if a.readonly {
		return "", cloud.ErrReadonly
	}
	env := &scenarioEnv{}
	var err error
	if env.vpc, err = a.DefaultVPC(ctx); err != nil {
		return "", err
	}
	sns, err := a.Subnets(ctx, env.vpc.ID)
	if err != nil {
		return "", err
	}
	for _, s := range sns {
		env.subnets = append(env.subnets, s.ID)
	}
	if env.sg, _, err = a.EnsureSecurityGroup(ctx, cloud.SecurityGroupSpec{Name: "doctor-tasks", VpcID: env.vpc.ID,
		Ingress: []cloud.IngressRule{{Port: 80, CIDR: "0.0.0.0/0"}, {Port: 8080, CIDR: "0.0.0.0/0"}}}); err != nil {
		return "", err
	}
	if sc.Name != "user-data-fails" {
		if _, err := a.CreateCluster(ctx, ScenarioCluster, nil); err != nil {
			return "", err
		}
	}
	return sc.seed(ctx, a, env)
}

func (a *Account) ecrImage(repo string) string {
	return AccountID + ".dkr.ecr." + a.region + ".amazonaws.com/" + repo + ":v1"
}

// service registers a task definition of one container and runs a
// service of it, desired 1, with the circuit breaker.
func (a *Account) scenarioService(ctx context.Context, env *scenarioEnv, name string, c cloud.ContainerSpec, execRole string, lb *cloud.ServiceLoadBalancer, groups ...string) (string, error) {
	c.Name, c.Essential = "app", true
	if c.LogGroup == "" {
		c.LogGroup, c.LogPrefix = "/ecs/doctor", "ecs"
	}
	if _, err := a.EnsureLogGroup(ctx, c.LogGroup, nil); err != nil {
		return "", err
	}
	if execRole == "" { // Fargate's awslogs needs one
		var err error
		if execRole, _, err = a.EnsureTaskExecutionRole(ctx, "doctor-exec", nil); err != nil {
			return "", err
		}
	}
	td, err := a.RegisterTaskDefinition(ctx, cloud.TaskDefSpec{Family: "doctor-" + name, CPU: "256", Memory: "512",
		NetworkMode: "awsvpc", Fargate: true, ExecutionRoleARN: execRole, Containers: []cloud.ContainerSpec{c}})
	if err != nil {
		return "", err
	}
	if len(groups) == 0 {
		groups = []string{env.sg}
	}
	spec := cloud.ServiceSpec{Cluster: ScenarioCluster, Name: name, TaskDefinition: td, Desired: 1, LaunchType: "FARGATE",
		Subnets: env.subnets, SecurityGroups: groups, PublicIP: true, CircuitBreaker: true, LoadBalancer: lb}
	if lb != nil {
		spec.HealthCheckGrace = 30
	}
	if _, err := a.CreateService(ctx, spec); err != nil {
		return "", err
	}
	return ScenarioCluster + "/" + name, nil
}

func seedImageMissing(ctx context.Context, a *Account, env *scenarioEnv) (string, error) {
	role, _, err := a.EnsureTaskExecutionRole(ctx, "doctor-exec", nil)
	if err != nil {
		return "", err
	}
	return a.scenarioService(ctx, env, "image-missing", cloud.ContainerSpec{Image: a.ecrImage("doctor-never-pushed"), Port: 8080}, role, nil)
}

func seedExecRole(ctx context.Context, a *Account, env *scenarioEnv) (string, error) {
	var arn string
	// A role ECS may assume with no policy attached: what a hand-made role
	// that forgot AmazonECSTaskExecutionRolePolicy looks like.
	err := a.update(ctx, func(w *world, r *region) error {
		x := w.role("doctor-exec-no-ecr")
		if x == nil {
			var err error
			if x, err = w.createRole("doctor-exec-no-ecr", "/", cloud.TaskExecutionTrustPolicy, nil); err != nil {
				return err
			}
		}
		arn = x.ARN
		return nil
	})
	if err != nil {
		return "", err
	}
	return a.scenarioService(ctx, env, "exec-role-no-ecr", cloud.ContainerSpec{Image: a.ecrImage("doctor-app"), Port: 8080}, arn, nil)
}

func seedCrash(ctx context.Context, a *Account, env *scenarioEnv) (string, error) {
	return a.scenarioService(ctx, env, "app-crash", cloud.ContainerSpec{Image: "public.ecr.aws/deckhand/crash-on-start:1", Port: 8080}, "", nil)
}

func seedHealth(ctx context.Context, a *Account, env *scenarioEnv) (string, error) {
	return a.scenarioService(ctx, env, "health-check-failing", cloud.ContainerSpec{Image: "public.ecr.aws/nginx/nginx:1.27", Port: 80,
		HealthCommand: []string{"CMD-SHELL", "curl -f http://localhost/does-not-exist || exit 1"}}, "", nil)
}

// loadBalanced makes a load balancer NAME (its own group open on 80), a
// target group on port 8080 and a listener, and the tasks' group: app
// lets the load balancer in on 8080, or not.
func (a *Account) loadBalanced(ctx context.Context, env *scenarioEnv, name string, open bool) (*cloud.ServiceLoadBalancer, string, error) {
	lbSG, _, err := a.EnsureSecurityGroup(ctx, cloud.SecurityGroupSpec{Name: name + "-lb", VpcID: env.vpc.ID,
		Ingress: []cloud.IngressRule{{Port: 80, CIDR: "0.0.0.0/0"}}})
	if err != nil {
		return nil, "", err
	}
	rule := cloud.IngressRule{Port: 8080, SourceGroupID: lbSG, Description: "from the load balancer"}
	if !open {
		rule = cloud.IngressRule{Port: 22, CIDR: "10.0.0.0/8", Description: "ssh from the VPN"}
	}
	appSG, _, err := a.EnsureSecurityGroup(ctx, cloud.SecurityGroupSpec{Name: name + "-tasks", VpcID: env.vpc.ID, Ingress: []cloud.IngressRule{rule}})
	if err != nil {
		return nil, "", err
	}
	lb, _, err := a.EnsureLoadBalancer(ctx, cloud.LoadBalancerSpec{Name: name, Subnets: env.subnets[:2], SecurityGroups: []string{lbSG}})
	if err != nil {
		return nil, "", err
	}
	tg, _, err := a.EnsureTargetGroup(ctx, cloud.TargetGroupSpec{Name: name + "-tg", VpcID: env.vpc.ID, Port: 8080, HealthPath: "/health"})
	if err != nil {
		return nil, "", err
	}
	if _, _, err := a.EnsureListener(ctx, cloud.ListenerSpec{LoadBalancerARN: lb.ARN, Port: 80, TargetGroupARN: tg.ARN}); err != nil {
		return nil, "", err
	}
	return &cloud.ServiceLoadBalancer{TargetGroupARN: tg.ARN, ContainerName: "app", ContainerPort: 8080}, appSG, nil
}

func seedPortMismatch(ctx context.Context, a *Account, env *scenarioEnv) (string, error) {
	lb, sg, err := a.loadBalanced(ctx, env, "doctor-port", true)
	if err != nil {
		return "", err
	}
	return a.scenarioService(ctx, env, "port-mismatch", cloud.ContainerSpec{Image: "public.ecr.aws/deckhand/flask-app:1", Port: 8080,
		Env: map[string]string{"PORT": "5000"}}, "", lb, sg)
}

func seedSGBlocks(ctx context.Context, a *Account, env *scenarioEnv) (string, error) {
	lb, sg, err := a.loadBalanced(ctx, env, "doctor-sg", false)
	if err != nil {
		return "", err
	}
	return a.scenarioService(ctx, env, "sg-blocks-lb", cloud.ContainerSpec{Image: "public.ecr.aws/deckhand/flask-app:1", Port: 8080}, "", lb, sg)
}

// seedUserData launches an instance whose cloud-config runs an image this
// account's ECR does not have: cloud-init's docker run fails, the status
// checks pass. Its group lets this machine in on 8080 (where the app
// would answer) and it has no key pair, so nothing else is wrong.
func seedUserData(ctx context.Context, a *Account, env *scenarioEnv) (string, error) {
	sg, _, err := a.EnsureSecurityGroup(ctx, cloud.SecurityGroupSpec{Name: "doctor-user-data", VpcID: env.vpc.ID,
		Ingress: []cloud.IngressRule{{Port: 8080, CIDR: "127.0.0.1/32"}}})
	if err != nil {
		return "", err
	}
	amis := a.sandboxAMI(ctx)
	in, err := a.RunInstance(ctx, cloud.InstanceSpec{Name: "doctor-user-data", ImageID: amis, InstanceType: "t3.micro",
		SecurityGroupIDs: []string{sg}, SubnetID: env.subnets[0],
		UserData: "#cloud-config\nruncmd:\n  - docker run -d --restart unless-stopped -p 8080:8080 " + a.ecrImage("doctor-never-pushed") + "\n"})
	if err != nil {
		return "", err
	}
	return in.ID, nil
}

// sandboxAMI is the region's first AMI.
func (a *Account) sandboxAMI(ctx context.Context) string {
	id := ""
	_ = a.view(ctx, func(w *world, r *region) error {
		if len(r.Images) > 0 {
			id = r.Images[0].ID
		}
		return nil
	})
	return id
}
