package doctor

// The service checks about its tasks and deployments: failed starts,
// crashes, container health, placement, the circuit breaker, stuck
// deployments and the count.

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"deckhand/internal/cloud"
	"deckhand/internal/explain"
	"deckhand/internal/resource"
)

// pullKinds classify a failed pull by AWS's words (stopped-task-error-codes.html).
var pullKinds = []struct {
	check, what string
	match       []string
	cert        Certainty
}{
	{"exec-role-ecr", "the task execution role may not pull from ECR", []string{"AccessDenied", "not authorized to perform: ecr:", "403 Forbidden", "no basic auth credentials", "is not authorized to perform"}, Certain},
	{"exec-role-logs", "the task execution role may not write to CloudWatch Logs, or the log group is missing", []string{"logs:CreateLogStream", "ResourceNotFoundException: The specified log group does not exist", "logs:PutLogEvents"}, Certain},
	{"image-missing", "the image or its tag does not exist in the registry", []string{": not found", "manifest unknown", "repository does not exist", "does not exist or no pull access", "not found: manifest"}, Certain},
	{"no-route", "the tasks cannot reach the registry: their subnet has no route out", []string{"i/o timeout", "dial tcp", "context deadline exceeded", "connection timed out"}, Likely},
}

// checkPull: tasks that fail to start because the image cannot be pulled
// (or its registry credentials fetched), and why.
func checkPull(in *ServiceInput) []Finding {
	type group struct {
		tasks []resource.Task
	}
	groups := map[int]*group{}
	for _, t := range in.stopped() {
		txt := reasons(t)
		if !strings.Contains(txt, "CannotPullContainerError") && !strings.Contains(txt, "ResourceInitializationError") {
			continue
		}
		for i, k := range pullKinds {
			if slices.ContainsFunc(k.match, func(m string) bool { return strings.Contains(txt, m) }) {
				if groups[i] == nil {
					groups[i] = &group{}
				}
				groups[i].tasks = append(groups[i].tasks, t)
				break
			}
		}
	}
	var out []Finding
	for i, k := range pullKinds {
		g := groups[i]
		if g == nil {
			continue
		}
		t := g.tasks[0]
		td := in.TaskDefs[t.TaskDefinition]
		image := firstImage(td, t)
		f := Finding{Check: k.check, Cause: true, Certainty: k.cert,
			What: itoa(len(g.tasks)) + " task(s) failed to start: " + k.what + " (" + image + ")"}
		f.Evidence = append(f.Evidence, Evidence{At: stopTime(t), Text: "task " + t.ID + " stopped: " + oneLine(t.StopCode+": "+t.StoppedReason, 600)})
		switch k.check {
		case "image-missing":
			repo, tag := splitImage(image)
			f.Fix = Fix{Step: "push " + image + " (docker push, or deckhand launch), or point the task definition at a tag that exists",
				CLI: in.CLI("ecr", "describe-images", "--repository-name", repo, "--image-ids", "imageTag="+tag)}
		case "exec-role-ecr", "exec-role-logs":
			role := td.ExecutionRoleARN
			if role == "" {
				f.Evidence = append(f.Evidence, Evidence{Text: "task definition " + td.Label() + " has no execution role"})
				f.Fix = Fix{Step: "register a revision of the task definition with an execution role that has AmazonECSTaskExecutionRolePolicy"}
				break
			}
			f.Evidence = append(f.Evidence, Evidence{Text: "execution role " + role})
			f.Fix = Fix{Step: "attach AmazonECSTaskExecutionRolePolicy to the execution role, then let the service retry",
				CLI: in.CLI("iam", "attach-role-policy", "--role-name", lastSegment(role), "--policy-arn", cloud.TaskExecutionPolicyARN)}
		case "no-route":
			if !in.Service.PublicIP {
				f.Evidence = append(f.Evidence, Evidence{Text: "the service assigns no public IP (assignPublicIp DISABLED) in subnets " + strings.Join(in.Service.Subnets, ", ")})
			}
			f.Fix = Fix{Step: "give the tasks a way out: assignPublicIp ENABLED in a public subnet, a NAT gateway, or VPC endpoints for ECR (api, dkr) and S3"}
		}
		out = append(out, f)
	}
	return out
}

// checkCrash: an essential container that exited with a non-zero code.
func checkCrash(in *ServiceInput) []Finding {
	var crashed []resource.Task
	var code int32
	var name string
	for _, t := range in.stopped() {
		if t.StopCode != "EssentialContainerExited" {
			continue
		}
		for _, c := range t.Containers {
			if c.ExitCode != nil && *c.ExitCode != 0 {
				if len(crashed) == 0 {
					code, name = *c.ExitCode, c.Name
				}
				crashed = append(crashed, t)
				break
			}
		}
	}
	if len(crashed) == 0 {
		return nil
	}
	t := crashed[0]
	f := Finding{Check: "app-crash", Cause: true, Certainty: Certain,
		What: "the app exits: essential container " + name + " of " + itoa(len(crashed)) + " task(s) exited with code " + strconv.Itoa(int(code))}
	f.Evidence = append(f.Evidence, Evidence{At: stopTime(t), Text: "task " + t.ID + ": " + oneLine(t.StoppedReason, 200) + ", exit code " + strconv.Itoa(int(code)) + exitMeaning(code)})
	if lines := explain.KeyLogLines(in.Logs[t.ARN], 5); len(lines) > 0 {
		for _, l := range lines {
			f.Evidence = append(f.Evidence, Evidence{Text: "log: " + oneLine(l, 200)})
		}
	} else if _, read := in.Logs[t.ARN]; read {
		f.Evidence = append(f.Evidence, Evidence{Text: "its log stream holds no lines"})
	}
	f.Fix = Fix{Key: "l", Action: "on the stopped task: its last log lines say why the app exits; fix the app or its environment, then deploy a new revision",
		Step: "", CLI: in.CLI("ecs", "describe-tasks", "--cluster", in.Cluster, "--tasks", t.ARN)}
	return []Finding{f}
}

func exitMeaning(code int32) string {
	switch code {
	case 137:
		return " (killed: SIGKILL, often out of memory)"
	case 139:
		return " (segmentation fault)"
	case 143:
		return " (SIGTERM)"
	case 126, 127:
		return " (the command could not be run or was not found)"
	}
	return ""
}

// fromEvents is the finding a check makes from the service's events
// alone, when ECS no longer lists the stopped tasks that said it (it keeps
// them about an hour; the events stay): likely, with the newest events.
func (in *ServiceInput) fromEvents(phrase, check, what string) []Finding {
	var hits []resource.ServiceEvent
	for _, e := range in.Service.Events {
		if strings.Contains(e.Message, phrase) {
			hits = append(hits, e)
		}
	}
	if len(hits) == 0 {
		return nil
	}
	f := Finding{Check: check, Cause: true, Certainty: Likely,
		What: what + " (from the service's events: ECS no longer lists those stopped tasks)"}
	for _, e := range hits[:min(len(hits), 2)] {
		f.Evidence = append(f.Evidence, Evidence{At: e.At, Text: oneLine(e.Message, 200)})
	}
	f.Fix = Fix{Key: "s", Action: "scale (or deploy) again, then run the doctor while new tasks fail: their stop reasons and logs name the cause",
		CLI: in.CLI("ecs", "update-service", "--cluster", in.Cluster, "--service", in.Service.Name, "--force-new-deployment")}
	return []Finding{f}
}

// checkContainerHealth: the container's own health check fails.
func checkContainerHealth(in *ServiceInput) []Finding {
	var bad []resource.Task
	for _, t := range in.Tasks {
		if strings.Contains(t.StoppedReason, "failed container health checks") || t.LastStatus == "RUNNING" && t.Health == "UNHEALTHY" {
			bad = append(bad, t)
		}
	}
	if len(bad) == 0 {
		return in.fromEvents("failed container health checks", "container-health", "the container health check failed")
	}
	t := bad[0]
	f := Finding{Check: "container-health", Cause: true, Certainty: Certain,
		What: "the container health check fails in " + itoa(len(bad)) + " task(s)"}
	f.Evidence = append(f.Evidence, Evidence{At: stopTime(t), Text: "task " + t.ID + ": " + cmpOr(oneLine(t.StoppedReason, 160), "health "+t.Health)})
	if td, ok := in.TaskDefs[t.TaskDefinition]; ok {
		for _, c := range td.Containers {
			if len(c.HealthCheck) > 0 {
				f.Evidence = append(f.Evidence, Evidence{Text: "container " + c.Name + " health check: " + strings.Join(c.HealthCheck, " ")})
			}
		}
	}
	f.Fix = Fix{Step: "run the health check command by hand in the container (its port and path must be the app's), or fix the app's health endpoint; then deploy a new revision"}
	return []Finding{f}
}

// checkPlacement: ECS cannot place tasks (capacity, subnets).
func checkPlacement(in *ServiceInput) []Finding {
	for _, e := range in.Service.Events {
		if in.Now.Sub(e.At) > time.Hour {
			break
		}
		l := strings.ToLower(e.Message)
		if strings.Contains(l, "unable to place") || strings.Contains(l, "insufficient") || strings.Contains(l, "no container instance") || strings.Contains(l, "subnet") && strings.Contains(l, "not") {
			return []Finding{{Check: "no-capacity", Cause: true, Certainty: Certain,
				What:     "ECS cannot place the tasks: no capacity, or the subnets cannot hold them",
				Evidence: []Evidence{{At: e.At, Text: oneLine(e.Message, 200)}},
				Fix:      Fix{Step: "check the capacity provider or cluster instances, and that the service's subnets exist, have free addresses and are in the cluster's VPC"}}}
		}
	}
	return nil
}

// checkBreaker: a deployment the circuit breaker failed, and what it
// rolled back to. It follows from the tasks failing.
func checkBreaker(in *ServiceInput) []Finding {
	for _, d := range in.Service.Rollouts {
		if d.Rollout != "FAILED" {
			continue
		}
		f := Finding{Check: "circuit-breaker", Certainty: Certain,
			What:     "the circuit breaker failed deployment " + d.ID + " (" + lastSegment(d.TaskDefinition) + ") after " + itoa(int(d.Failed)) + " failed task(s)",
			Evidence: []Evidence{{At: d.UpdatedAt, Text: oneLine(d.RolloutReason, 200)}}}
		for _, p := range in.Service.Rollouts {
			if p.Status == "PRIMARY" && strings.Contains(p.RolloutReason, "rolling back") {
				f.What += "; it rolled back to " + lastSegment(p.TaskDefinition)
				f.Evidence = append(f.Evidence, Evidence{At: p.UpdatedAt, Text: oneLine(p.RolloutReason, 200)})
			}
		}
		f.Fix = Fix{Step: "fix the cause above, then deploy a new revision (the failed one stays failed)"}
		return []Finding{f}
	}
	return nil
}

// checkStuck: a deployment that has not finished, with the old one still
// running. With minimumHealthyPercent 100 and maximumPercent 100 (as
// DescribeServices reports them) ECS may neither stop an old task nor
// start a new one: stuck for certain, at once. Otherwise, after 10 minutes,
// it likely waits on new tasks that do not become healthy while minimum
// healthy percent keeps the old ones.
func checkStuck(in *ServiceInput) []Finding {
	rs, cfg := in.Service.Rollouts, in.Service.Config
	if len(rs) < 2 || rs[0].Rollout != "IN_PROGRESS" {
		return nil
	}
	p, old := rs[0], rs[1]
	if p.Running >= p.Desired || old.Running == 0 {
		return nil
	}
	evidence := []Evidence{{At: p.CreatedAt, Text: "new " + lastSegment(p.TaskDefinition) + ": running " + itoa(int(p.Running)) + "/" + itoa(int(p.Desired))},
		{Text: "old " + lastSegment(old.TaskDefinition) + ": running " + itoa(int(old.Running))}}
	if cfg.MinHealthy != 0 || cfg.MaxPercent != 0 {
		evidence = append(evidence, Evidence{Text: "deployment configuration: minimumHealthyPercent " + itoa(int(cfg.MinHealthy)) +
			", maximumPercent " + itoa(int(cfg.MaxPercent))})
	}
	update := func(conf string) string {
		return in.CLI("ecs", "update-service", "--cluster", in.Cluster, "--service", in.Service.Name, "--deployment-configuration", conf)
	}
	if cfg.MinHealthy >= 100 && cfg.MaxPercent != 0 && cfg.MaxPercent <= 100 {
		return []Finding{{Check: "deployment-stuck", Certainty: Certain,
			What: "deployment " + p.ID + " cannot progress: minimumHealthyPercent " + itoa(int(cfg.MinHealthy)) + " forbids stopping an old task and maximumPercent " +
				itoa(int(cfg.MaxPercent)) + " forbids starting a new one",
			Evidence: evidence,
			Fix: Fix{Step: "give ECS room: raise maximumPercent (200 is ECS's default) or lower minimumHealthyPercent",
				CLI: update("minimumHealthyPercent=100,maximumPercent=200")}}}
	}
	if in.Now.Sub(p.CreatedAt) < 10*time.Minute {
		return nil
	}
	return []Finding{{Check: "deployment-stuck", Certainty: Likely,
		What:     "deployment " + p.ID + " has been IN_PROGRESS for " + since(in.Now, p.CreatedAt) + " with the old revision still running: minimum healthy percent keeps the old tasks until new ones are healthy",
		Evidence: evidence,
		Fix: Fix{Step: "find why the new tasks do not become healthy (above); or lower minimumHealthyPercent to let ECS stop old tasks first",
			CLI: update("minimumHealthyPercent=50,maximumPercent=" + itoa(int(max(cfg.MaxPercent, 200))))}}}
}

// checkCount: fewer tasks run than desired, when nothing above says why.
func checkCount(in *ServiceInput) []Finding {
	s := in.Service
	if s.Running >= s.Desired {
		return nil
	}
	var starting []resource.Task
	for _, t := range in.Tasks {
		if t.DesiredStatus == "RUNNING" && (t.LastStatus == "PROVISIONING" || t.LastStatus == "PENDING" || t.LastStatus == "ACTIVATING") {
			starting = append(starting, t)
		}
	}
	if len(starting) > 0 && len(in.stopped()) == 0 {
		t := starting[0]
		return []Finding{{Check: "starting", Certainty: Certain,
			What:     itoa(int(s.Running)) + " of " + itoa(int(s.Desired)) + " desired tasks run; " + itoa(len(starting)) + " still starting, and none has failed yet",
			Evidence: []Evidence{{At: t.CreatedAt, Text: "task " + t.ID + " created, " + t.LastStatus + " now"}},
			Fix:      Fix{Key: "ctrl+r", Action: "examines again: give it a minute (v on a task shows where it stands)"}}}
	}
	return []Finding{{Check: "below-desired", Certainty: Certain,
		What:     itoa(int(s.Running)) + " of " + itoa(int(s.Desired)) + " desired tasks run",
		Evidence: []Evidence{{At: s.LastEvent.At, Text: "last event: " + oneLine(s.LastEvent.Message, 200)}},
		Fix:      Fix{Key: "w", Action: "lists every event of the service; the stopped tasks (4, then d) carry their stop codes"}}}
}
