package tui

import (
	"context"
	"slices"
	"strings"

	"deckhand/internal/cloud"
	"deckhand/internal/launch"
)

// The service wizard: a cluster deckhand has loaded, a name, a task
// definition, the desired count, the launch type and, for Fargate, the
// network (the default VPC's subnets unless others are given).

func serviceKind() *createKind {
	k := &createKind{name: "service", title: "Create an ECS service", source: srcECS,
		sample: vals{sCluster: "prod", sName: "web", sTaskDef: "web", sDesired: "1", sLaunch: "FARGATE", sPublic: "yes", sBreaker: "yes"},
		deps:   map[string][]string{sPublic: {sLaunch}, sSubnets: {sLaunch}},
		fieldOf: map[string]string{"Cluster": sCluster, "Name": sName, "TaskDefinition": sTaskDef, "Desired": sDesired,
			"LaunchType": sLaunch, "Subnets": sSubnets, "SecurityGroups": sGroup, "PublicIP": sPublic,
			"ClusterNotFoundException": sCluster, "ClientException": sTaskDef},
		validate: func(v vals) error { _, err := serviceSpec(v, nil); return err },
		prepare:  prepareService,
	}
	k.fields = func(*Model) *createWizard {
		return newCreateWizard(k, sName,
			choiceField(sCluster, "Cluster"), // filled from the loaded clusters: loadClusterChoices
			textField(sName, "Service name", "", "up to 255 letters, digits, '-' and '_', e.g. web"),
			textField(sTaskDef, "Task definition", "", "family (its latest revision) or family:revision, e.g. web:3"),
			textField(sDesired, "Desired count", "1", "how many tasks to keep running (0–1000)"),
			choiceField(sLaunch, "Launch type", launchTypes...),
			textField(sSubnets, "Subnets", "", "subnet-…, comma-separated; empty = the default VPC's (Fargate)"),
			textField(sGroup, "Security group", "", "optional: an existing group id (sg-…); empty = the VPC's default"),
			toggleField(sPublic, "Public IP", true, "a public IPv4 address per task (Fargate only)"),
			toggleField(sBreaker, "Circuit breaker", true, "roll back a deployment whose tasks keep failing"),
		)
	}
	return k
}

// loadClusterChoices offers the clusters deckhand has loaded, keeping the
// one chosen before, or choosing want.
func (m *Model) loadClusterChoices(cw *createWizard, want string) {
	f := cw.field(sCluster)
	if want == "" && len(f.choices) > 0 {
		want = f.choices[f.choice]
	}
	f.choices, f.choice = nil, 0
	for _, c := range m.data.Clusters {
		if c.Status == "INACTIVE" {
			continue
		}
		if c.Name == want {
			f.choice = len(f.choices)
		}
		f.choices = append(f.choices, c.Name)
	}
}

// serviceSpec parses and checks a snapshot; subnets are the default VPC's
// when the field is empty (nil before they are looked up).
func serviceSpec(v vals, subnets []string) (cloud.ServiceSpec, error) {
	spec := cloud.ServiceSpec{Cluster: v[sCluster], Name: v[sName], TaskDefinition: v[sTaskDef], LaunchType: v[sLaunch],
		PublicIP: v.on(sPublic), CircuitBreaker: v.on(sBreaker), Tags: cloud.StackTags(v[sName], nil)}
	if spec.Cluster == "" {
		return spec, &fieldError{sCluster, "Cluster: none is loaded; create one with :create cluster, or wait for the clusters pane (2) to fill"}
	}
	n, problem := parseCount(v[sDesired])
	if problem != "" {
		return spec, &fieldError{sDesired, "Desired count: " + strings.TrimPrefix(problem, "desired count: ")}
	}
	spec.Desired = n
	spec.Subnets = splitList(v[sSubnets])
	if len(spec.Subnets) == 0 && spec.LaunchType == "FARGATE" {
		spec.Subnets = subnets
		if subnets == nil {
			spec.Subnets = []string{"subnet-00000000"} // looked up at review
		}
	}
	spec.SecurityGroups = splitList(v[sGroup])
	return spec, cloud.ValidateServiceSpec(spec)
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func prepareService(ctx context.Context, api Creator, v vals) (*createPlan, error) {
	var subnets []string
	note := ""
	if v[sSubnets] == "" && v[sLaunch] == "FARGATE" {
		vpc, err := api.DefaultVPC(ctx)
		if err != nil {
			return nil, &fieldError{sSubnets, "Subnets: empty, and the default VPC to take them from was not found (" + err.Error() + "); give subnet ids"}
		}
		subs, err := api.Subnets(ctx, vpc.ID)
		if err != nil {
			return nil, &fieldError{sSubnets, "Subnets: the default VPC's could not be listed: " + err.Error()}
		}
		for _, s := range subs {
			subnets = append(subnets, s.ID)
		}
		if len(subnets) == 0 {
			return nil, &fieldError{sSubnets, "Subnets: the default VPC " + vpc.ID + " has none; give subnet ids"}
		}
		note = " (the default VPC " + vpc.ID + ")"
	}
	spec, err := serviceSpec(v, subnets)
	if err != nil {
		return nil, err
	}
	// The revision must exist (and be ACTIVE) before the review, not at
	// CreateService: "nope:0" or a family never registered is said here.
	td, err := api.DescribeTaskDefinition(ctx, spec.TaskDefinition)
	if err != nil {
		return nil, &fieldError{sTaskDef, "Task definition: " + spec.TaskDefinition + " was not found (" + err.Error() + "); register it with :create taskdef, or give family:revision of one that exists"}
	}
	if td.Status != "ACTIVE" {
		return nil, &fieldError{sTaskDef, "Task definition: " + td.Family + ":" + itoa(td.Revision) + " is " + td.Status + "; a service needs an ACTIVE revision"}
	}
	if spec.LaunchType == "FARGATE" && !slices.Contains(td.Compatibilities, "FARGATE") {
		return nil, &fieldError{sTaskDef, "Task definition: " + td.Family + ":" + itoa(td.Revision) + " is not Fargate-compatible (requires " + strings.Join(td.Compatibilities, ", ") + "); choose launch type EC2, or register a Fargate revision"}
	}
	spec.TaskDefinition = td.Family + ":" + itoa(td.Revision) // the review names the revision that will run
	args := []string{"aws", "ecs", "create-service", "--cluster", spec.Cluster, "--service-name", spec.Name,
		"--task-definition", spec.TaskDefinition, "--desired-count", itoa(spec.Desired), "--launch-type", spec.LaunchType,
		"--tags", ecsStackTag(spec.Name)}
	what := []string{spec.LaunchType, "task definition " + spec.TaskDefinition, "desired " + itoa(spec.Desired)}
	if len(spec.Subnets) > 0 {
		ip := "DISABLED"
		if spec.PublicIP {
			ip = "ENABLED"
		}
		args = append(args, "--network-configuration", "awsvpcConfiguration={subnets=["+strings.Join(spec.Subnets, ",")+
			"],securityGroups=["+strings.Join(spec.SecurityGroups, ",")+"],assignPublicIp="+ip+"}")
		what = append(what, "subnets "+strings.Join(spec.Subnets, ", ")+note)
		if len(spec.SecurityGroups) > 0 {
			what = append(what, "security group "+strings.Join(spec.SecurityGroups, ", "))
		} else {
			what = append(what, "the VPC's default security group")
		}
		if spec.PublicIP {
			what = append(what, "public IP")
		}
	}
	if spec.CircuitBreaker {
		args = append(args, "--deployment-configuration", "deploymentCircuitBreaker={enable=true,rollback=true}")
		what = append(what, "circuit breaker with rollback")
	}
	return &createPlan{what: "service " + spec.Name,
		steps: []launch.Step{{Name: "service", Summary: "Create service " + spec.Name + " in cluster " + spec.Cluster + ": " + strings.Join(what, ", "),
			Resources: []launch.Resource{{Action: "create", Kind: "ECS service", Name: spec.Cluster + "/" + spec.Name}},
			Commands:  []string{launch.Shell(args...)}}},
		create: func(ctx context.Context, api Creator) (string, error) {
			s, err := api.CreateService(ctx, spec)
			if err != nil {
				return "", err
			}
			return "created service " + s.Name + " in cluster " + spec.Cluster + " (" + s.ARN + ", desired " + itoa(s.Desired) + ")", nil
		}}, nil
}
