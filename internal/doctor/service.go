package doctor

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"deckhand/internal/cloud"
	"deckhand/internal/explain"
	"deckhand/internal/resource"
)

// ServiceInput is everything the service checks look at, read once.
type ServiceInput struct {
	Cluster string // the cluster's name, for the CLI lines
	Service resource.Service
	Tasks   []resource.Task // the service's tasks: running and stopped (ECS keeps those ~1 h)
	// TaskDefs are the task definitions of the service's deployments, by ARN.
	TaskDefs map[string]resource.TaskDefinition
	// Targets are each target group's targets (DescribeTargetHealth).
	Targets map[string][]cloud.TargetHealth
	// Groups are the region's security groups, by id.
	Groups map[string]cloud.SecurityGroup
	// Logs are log lines of task containers, by task ARN (the essential
	// container the doctor read).
	Logs map[string][]string
	Now  time.Time
	CLI  CLI
}

// serviceChecks run in this order; rank is their place in the report.
var serviceChecks = []func(in *ServiceInput) []Finding{
	checkPull, checkCrash, checkPorts, checkSecurityGroups, checkTargets, checkContainerHealth,
	checkPlacement, checkBreaker, checkStuck, checkCount,
}

// Service runs every service check.
func Service(in ServiceInput, unread []string) Report {
	if in.CLI == nil {
		in.CLI = plainCLI
	}
	s := in.Service
	r := Report{Subject: "service " + in.Cluster + "/" + s.Name, Unread: unread, At: in.Now}
	var fs []Finding
	for i, c := range serviceChecks {
		for _, f := range c(&in) {
			f.rank = i
			fs = append(fs, f)
		}
	}
	// Failing targets follow from a port or a security group that is
	// wrong: the symptom, not a second cause.
	if slices.ContainsFunc(fs, func(f Finding) bool { return f.Check == "port-mismatch" || f.Check == "sg-blocks-lb" }) {
		for i := range fs {
			if fs[i].Check == "target-health" {
				fs[i].Cause = false
			}
		}
	}
	finish(&r, fs, itoa(int(s.Running))+"/"+itoa(int(s.Desired))+" running, deployment "+cmpOr(s.Rollout, "steady"))
	return r
}

// stoppedRecently are the service's stopped tasks, newest first.
func (in *ServiceInput) stopped() []resource.Task {
	var out []resource.Task
	for _, t := range in.Tasks {
		if t.LastStatus == "STOPPED" || t.DesiredStatus == "STOPPED" && !t.StoppingAt.IsZero() {
			out = append(out, t)
		}
	}
	slices.SortStableFunc(out, func(a, b resource.Task) int { return stopTime(b).Compare(stopTime(a)) })
	return out
}

func stopTime(t resource.Task) time.Time {
	if !t.StoppedAt.IsZero() {
		return t.StoppedAt
	}
	if !t.StoppingAt.IsZero() {
		return t.StoppingAt
	}
	return t.CreatedAt
}

// reasons are the texts a task's failure is written in: its stopped
// reason and its containers'.
func reasons(t resource.Task) string {
	s := t.StopCode + " " + t.StoppedReason
	for _, c := range t.Containers {
		s += " " + c.Reason
	}
	return s
}

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

// reListen finds the port an app says it listens on.
var reListen = regexp.MustCompile(`(?i)(?:running on|listening on|listening at|serving on|bound to|started server on)[^\n]*?:(\d{2,5})\b|(?i)listening on port (\d{2,5})`)

// appPort is the port the app's log says it listens on, and the line.
func appPort(lines []string) (int32, string) {
	for _, l := range lines {
		if m := reListen.FindStringSubmatch(l); m != nil {
			p := m[1]
			if p == "" {
				p = m[2]
			}
			n, _ := strconv.Atoi(p)
			return int32(n), l
		}
	}
	return 0, ""
}

// checkPorts: the task definition's container port, the port the load
// balancer sends to and the port the app listens on must agree.
func checkPorts(in *ServiceInput) []Finding {
	s := in.Service
	td, ok := in.TaskDefs[s.TaskDefinition]
	if !ok || s.LBContainer == "" {
		return nil
	}
	var def int32
	for _, c := range td.Containers {
		if c.Name == s.LBContainer && len(c.Ports) > 0 {
			def = c.Ports[0].ContainerPort
		}
	}
	var out []Finding
	if def != 0 && s.LBPort != 0 && def != s.LBPort {
		out = append(out, Finding{Check: "port-mismatch", Cause: true, Certainty: Certain,
			What:     "the load balancer sends to port " + itoa(int(s.LBPort)) + " but container " + s.LBContainer + " exposes " + itoa(int(def)),
			Evidence: []Evidence{{Text: "service loadBalancers containerPort " + itoa(int(s.LBPort)) + "; task definition " + td.Label() + " portMappings " + itoa(int(def))}},
			Fix:      Fix{Step: "update the service's load balancer (or the task definition) so both name the port the app listens on"}})
	}
	for _, t := range in.Tasks {
		lines, read := in.Logs[t.ARN]
		if !read || !strings.HasPrefix(t.TaskDefinition, td.ARN) {
			continue
		}
		if p, line := appPort(lines); p != 0 && def != 0 && p != def {
			out = append(out, Finding{Check: "port-mismatch", Cause: true, Certainty: Certain,
				What: "the app listens on port " + itoa(int(p)) + " but the task definition and the load balancer use " + itoa(int(def)),
				Evidence: []Evidence{{Text: "log of task " + t.ID + ": " + oneLine(line, 160)},
					{Text: "task definition " + td.Label() + " container " + s.LBContainer + " port " + itoa(int(def))}},
				Fix: Fix{Step: "make the app listen on " + itoa(int(def)) + " (e.g. its PORT variable), or register a task definition revision with containerPort " + itoa(int(p)) + " and update the service's load balancer to it"}})
			break
		}
	}
	return out
}

// failingTargets are the unhealthy targets, by reason code.
func (in *ServiceInput) failingTargets() map[string][]cloud.TargetHealth {
	out := map[string][]cloud.TargetHealth{}
	for _, tg := range in.Service.TargetGroups {
		for _, x := range in.Targets[tg] {
			if x.State == "unhealthy" {
				out[x.Reason] = append(out[x.Reason], x)
			}
		}
	}
	return out
}

// failedELB are the stopped tasks ECS stopped for failing ELB checks.
func (in *ServiceInput) failedELB() []resource.Task {
	var out []resource.Task
	for _, t := range in.stopped() {
		if strings.Contains(t.StoppedReason, "failed ELB health checks") {
			out = append(out, t)
		}
	}
	return out
}

// allows reports whether group g lets port in from the load balancer: a
// rule on the port from a security group (the load balancer's) or from a
// CIDR.
func allows(g cloud.SecurityGroup, port int32) bool {
	return slices.ContainsFunc(g.Ingress, func(r cloud.IngressRule) bool {
		return (r.Protocol == "" || r.Protocol == "tcp" || r.Protocol == "-1") && (r.Port == port || r.Port == 0)
	})
}

// checkSecurityGroups: targets time out and no group of the tasks lets
// the container port in.
func checkSecurityGroups(in *ServiceInput) []Finding {
	s := in.Service
	if s.LBPort == 0 || len(s.SecurityGroups) == 0 || len(in.Groups) == 0 {
		return nil
	}
	for _, id := range s.SecurityGroups {
		if g, ok := in.Groups[id]; !ok || allows(g, s.LBPort) {
			return nil // allowed, or a group deckhand cannot see
		}
	}
	timeouts := in.failingTargets()["Target.Timeout"]
	elb := in.failedELB()
	f := Finding{Check: "sg-blocks-lb", Cause: true, Certainty: Likely,
		What: "the tasks' security groups let nothing in on port " + itoa(int(s.LBPort)) + ", so the load balancer cannot reach them"}
	if len(elb) > 0 {
		f.Certainty = Certain // ECS stopped tasks for it, and nothing lets the port in
	} else if ev := in.fromEvents("failed ELB health checks", "", ""); len(ev) > 0 {
		f.Certainty = Certain // the same, from the events once the tasks are gone
		f.Evidence = append(f.Evidence, ev[0].Evidence[0])
	}
	if len(timeouts) > 0 {
		f.Certainty = Certain
		f.Evidence = append(f.Evidence, Evidence{At: in.Now, Text: itoa(len(timeouts)) + " target(s) unhealthy with Target.Timeout (" + oneLine(timeouts[0].Description, 80) + ")"})
	}
	for _, t := range elb[:min(len(elb), 1)] {
		f.Evidence = append(f.Evidence, Evidence{At: stopTime(t), Text: "task " + t.ID + ": " + oneLine(t.StoppedReason, 160)})
	}
	for _, id := range s.SecurityGroups {
		g := in.Groups[id]
		f.Evidence = append(f.Evidence, Evidence{Text: "security group " + id + " (" + g.Name + ") ingress: " + rules(g.Ingress)})
	}
	f.Fix = Fix{Step: "allow the container port from the load balancer's security group",
		CLI: in.CLI("ec2", "authorize-security-group-ingress", "--group-id", s.SecurityGroups[0], "--protocol", "tcp",
			"--port", itoa(int(s.LBPort)), "--source-group", "LB-SECURITY-GROUP-ID")}
	return []Finding{f}
}

func rules(rs []cloud.IngressRule) string {
	if len(rs) == 0 {
		return "none"
	}
	var out []string
	for _, r := range rs {
		from := r.CIDR
		if r.SourceGroupID != "" {
			from = r.SourceGroupID
		}
		out = append(out, cmpOr(r.Protocol, "tcp")+" "+itoa(int(r.Port))+" from "+from)
	}
	return strings.Join(out, ", ")
}

// checkTargets: the target group's health checks fail (a reason other
// than the ones the port and security group checks explain).
func checkTargets(in *ServiceInput) []Finding {
	failing := in.failingTargets()
	elb := in.failedELB()
	if len(failing) == 0 && len(elb) == 0 {
		return in.fromEvents("failed ELB health checks", "target-health", "the load balancer's health checks failed")
	}
	f := Finding{Check: "target-health", Cause: true, Certainty: Certain,
		What: "the load balancer's health checks fail"}
	codes := make([]string, 0, len(failing))
	for code := range failing {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	for _, code := range codes {
		x := failing[code][0]
		f.Evidence = append(f.Evidence, Evidence{At: in.Now, Text: itoa(len(failing[code])) + " target(s) unhealthy: " + code + " — " + oneLine(x.Description, 120) + " (" + x.ID + ":" + itoa(int(x.Port)) + ")"})
	}
	for _, t := range elb[:min(len(elb), 2)] {
		f.Evidence = append(f.Evidence, Evidence{At: stopTime(t), Text: "task " + t.ID + " stopped: " + oneLine(t.StoppedReason, 160)})
	}
	f.Fix = Fix{Step: "make the app answer the target group's health check path with 200–399 on the container port within the grace period; check the path, the port and the app's startup time",
		CLI: in.CLI("elbv2", "describe-target-health", "--target-group-arn", firstOr(in.Service.TargetGroups))}
	return []Finding{f}
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

// checkStuck: a deployment that has not finished for long, with the old
// one still running: it waits on minimum healthy percent or on new tasks
// that do not become healthy.
func checkStuck(in *ServiceInput) []Finding {
	rs := in.Service.Rollouts
	if len(rs) < 2 || rs[0].Rollout != "IN_PROGRESS" || in.Now.Sub(rs[0].CreatedAt) < 10*time.Minute {
		return nil
	}
	p, old := rs[0], rs[1]
	if p.Running >= p.Desired || old.Running == 0 {
		return nil
	}
	return []Finding{{Check: "deployment-stuck", Certainty: Likely,
		What: "deployment " + p.ID + " has been IN_PROGRESS for " + since(in.Now, p.CreatedAt) + " with the old revision still running: minimum healthy percent keeps the old tasks until new ones are healthy",
		Evidence: []Evidence{{At: p.CreatedAt, Text: "new " + lastSegment(p.TaskDefinition) + ": running " + itoa(int(p.Running)) + "/" + itoa(int(p.Desired))},
			{Text: "old " + lastSegment(old.TaskDefinition) + ": running " + itoa(int(old.Running))}},
		Fix: Fix{Step: "find why the new tasks do not become healthy (above); or lower minimumHealthyPercent to let ECS stop old tasks first",
			CLI: in.CLI("ecs", "update-service", "--cluster", in.Cluster, "--service", in.Service.Name, "--deployment-configuration", "minimumHealthyPercent=50,maximumPercent=200")}}}
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

func firstImage(td resource.TaskDefinition, t resource.Task) string {
	for _, c := range t.Containers {
		if c.Image != "" && c.Reason != "" {
			return c.Image
		}
	}
	for _, c := range td.Containers {
		if c.Essential {
			return c.Image
		}
	}
	if len(t.Containers) > 0 {
		return t.Containers[0].Image
	}
	return "?"
}

// splitImage splits REGISTRY/REPO:TAG into the repository (without the
// registry) and the tag.
func splitImage(ref string) (repo, tag string) {
	tag = "latest"
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		ref, tag = ref[:i], ref[i+1:]
	}
	if i := strings.Index(ref, "/"); i >= 0 && strings.ContainsAny(ref[:i], ".:") {
		ref = ref[i+1:]
	}
	return ref, tag
}

func lastSegment(arn string) string {
	if i := strings.LastIndexByte(arn, '/'); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func firstOr(xs []string) string {
	if len(xs) > 0 {
		return xs[0]
	}
	return ""
}

func since(now, t time.Time) string {
	d := now.Sub(t).Round(time.Minute)
	if d < time.Hour {
		return itoa(int(d.Minutes())) + " min"
	}
	return itoa(int(d.Hours())) + " h " + itoa(int(d.Minutes())%60) + " min"
}
