package tui

import (
	"context"

	"deckhand/internal/cloud"
	"deckhand/internal/launch"
)

// The ECS wizards: a cluster, a task definition (one container; Fargate
// by default, with a cpu/memory pair Fargate offers) and a service in a
// cluster deckhand has loaded (in the default VPC's subnets unless others
// are given).

const (
	cName = "cluster-name"

	tFamily    = "family"
	tCompat    = "compat"
	tCPU       = "cpu"
	tMemory    = "memory"
	tContainer = "container"
	tImage     = "image"
	tPort      = "port"
	tRole      = "role"
	tLogs      = "logs"

	sCluster = "cluster"
	sName    = "service-name"
	sTaskDef = "taskdef"
	sDesired = "desired"
	sLaunch  = "launch"
	sSubnets = "subnets"
	sGroup   = "service-sg"
	sPublic  = "public"
	sBreaker = "breaker"
)

var launchTypes = []string{"FARGATE", "EC2"}

func clusterKind() *createKind {
	k := &createKind{name: "cluster", title: "Create an ECS cluster", source: srcECS,
		sample:   vals{cName: "prod"},
		fieldOf:  map[string]string{"Name": cName},
		validate: func(v vals) error { return cloud.ValidateCreateCluster(v[cName], nil) },
	}
	k.fields = func(*Model) *createWizard {
		return newCreateWizard(k, cName, textField(cName, "Cluster name", "", "up to 255 letters, digits, '-' and '_', e.g. prod"))
	}
	k.prepare = func(_ context.Context, _ Creator, v vals) (*createPlan, error) {
		name := v[cName]
		if err := k.validate(v); err != nil {
			return nil, err
		}
		return &createPlan{what: "cluster " + name,
			steps: []launch.Step{{Name: "cluster", Summary: "Create ECS cluster " + name + " (ECS returns an existing cluster of that name unchanged)",
				Resources: []launch.Resource{{Action: "create", Kind: "ECS cluster", Name: name}},
				Commands:  []string{launch.Shell("aws", "ecs", "create-cluster", "--cluster-name", name, "--tags", ecsStackTag(name))}}},
			create: func(ctx context.Context, api Creator) (string, error) {
				c, err := api.CreateCluster(ctx, name, cloud.StackTags(name, nil))
				if err != nil {
					return "", err
				}
				return "created cluster " + c.Name + " (" + c.ARN + ", " + c.Status + ")", nil
			}}, nil
	}
	return k
}

// ecsStackTag is the --tags argument of the stack tag the wizards give what
// they create: the resource's own name, so `:destroy NAME` can remove it.
func ecsStackTag(name string) string { return "key=" + cloud.StackTag + ",value=" + name }
