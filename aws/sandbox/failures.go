package sandbox

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"deckhand/internal/cloud"
)

// The failures a simulated task can have besides a missing image
// (images.go), decided by rule from what AWS would see, so that the
// doctor's scenarios (scenarios.go) — and a learner — can provoke each on
// purpose through the ordinary APIs:
//
//   - Registry credentials: a task whose image is in this account's ECR
//     and whose execution role exists but lacks
//     AmazonECSTaskExecutionRolePolicy fails to start with the
//     ResourceInitializationError Fargate reports when
//     ecr:GetAuthorizationToken is denied; auth comes before the pull.
//   - An app that crashes: an image whose repository contains "crash"
//     prints a Python traceback to its awslogs stream and exits with code
//     1 seconds after RUNNING (stopCode EssentialContainerExited).
//   - The app's port: a container whose environment sets PORT listens
//     there (as the scaffolded Flask app does), and says so in its log; a
//     load balancer that sends to another port fails its health checks
//     (Target.FailedHealthChecks).
//   - Security groups: a target whose task's groups have no ingress rule
//     for its port (and share no group with the load balancer) times out
//     (Target.Timeout). This is simpler than EC2's rules: a shared group
//     counts as open, since the sandbox's fixtures have always used one.
//   - A container health check whose command asks a path containing
//     "missing", "nonexistent" or "does-not-exist", or localhost on a port
//     other than the container's, fails: the container turns UNHEALTHY
//     and a service's scheduler replaces the task.
//
// Containers that run on the local engine are checked for real instead.

// registryAuth is the ResourceInitializationError for pulling ref with
// the task's execution role, or "" when the role may pull it (or the image
// is not in this account's ECR).
func (w *world) registryAuth(r *region, t *task, ref string) string {
	m := reECR.FindStringSubmatch(ref)
	if m == nil || m[1] != w.Account {
		return ""
	}
	td := r.taskDef(t.TaskDef)
	if td == nil || td.ExecutionRoleARN == "" {
		return ""
	}
	name := td.ExecutionRoleARN[strings.LastIndex(td.ExecutionRoleARN, "/")+1:]
	x := w.role(name)
	if x == nil || slices.Contains(x.Policies, cloud.TaskExecutionPolicyARN) {
		return ""
	}
	return "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: " +
		"unable to retrieve ecr registry auth: service call has been retried 3 time(s): AccessDeniedException: User: arn:aws:sts::" +
		w.Account + ":assumed-role/" + name + "/" + t.ID + " is not authorized to perform: ecr:GetAuthorizationToken on resource: * " +
		"because no identity-based policy allows the ecr:GetAuthorizationToken action"
}

// crashes reports whether an image's app exits with an error at start.
func crashes(ref string) bool {
	_, repo, _ := strings.Cut(strings.ToLower(normalizeRef(ref)), "/")
	return strings.Contains(repo, "crash")
}

// crashes reports whether an essential simulated container crashes.
func (t *task) crashes() bool {
	return slices.ContainsFunc(t.Containers, func(c *container) bool { return c.Essential && !c.Local && crashes(c.Image) })
}

// crashLog is what the crashing app prints.
var crashLog = []string{
	"Traceback (most recent call last):",
	`  File "/app/app.py", line 7, in <module>`,
	`    DATABASE_URL = os.environ["DATABASE_URL"]`,
	`  File "<frozen os>", line 714, in __getitem__`,
	"KeyError: 'DATABASE_URL'",
}

// crash stops a running task whose app crashed: its log, exit code 1.
func (w *world) crash(r *region, c *cluster, t *task) {
	w.simLog(r, t, func(cd containerDef) []string {
		if crashes(cd.Image) {
			return crashLog
		}
		return nil
	})
	w.stopTask(t, "EssentialContainerExited", "Essential container in task exited")
	one, zero := int32(1), int32(0)
	for _, ct := range t.Containers {
		if crashes(ct.Image) {
			ct.LastStatus, ct.ExitCode = "STOPPED", &one
		} else if ct.LastStatus != "STOPPED" {
			ct.LastStatus, ct.ExitCode = "STOPPED", &zero
		}
	}
	w.deactivate(c, t)
}

// listenPort is the port a simulated container's app listens on: PORT
// from its environment, else its container port.
func listenPort(cd containerDef) int32 {
	if p, err := strconv.Atoi(cd.Env["PORT"]); err == nil && p > 0 && p < 65536 {
		return int32(p)
	}
	return cd.Port
}

// startLogs writes what a simulated app prints when it starts, for the
// containers whose environment sets PORT: where it listens.
func (w *world) startLogs(r *region, t *task) {
	w.simLog(r, t, func(cd containerDef) []string {
		if cd.Env["PORT"] == "" {
			return nil
		}
		return []string{" * Running on http://0.0.0.0:" + strconv.Itoa(int(listenPort(cd))), "Press CTRL+C to quit"}
	})
}

// simLog writes lines to the awslogs stream of the task's simulated
// containers that log to CloudWatch.
func (w *world) simLog(r *region, t *task, lines func(containerDef) []string) {
	td := r.taskDef(t.TaskDef)
	if td == nil {
		return
	}
	for _, cd := range td.Containers {
		ct := t.container(cd.Name)
		if ct == nil || ct.Local || cd.LogGroup == "" {
			continue
		}
		if ls := lines(cd); len(ls) > 0 {
			w.putLogEvents(r, cd.LogGroup, cloud.AWSLogsStream(cd.LogPrefix, cd.Name, t.ARN, ""), w.now, ls...)
		}
	}
}

// simTargetFailing is how a simulated target's health checks fail ("" =
// they pass): the app listens elsewhere, or no security group lets the
// load balancer in.
func (w *world) simTargetFailing(r *region, c *cluster, t *task, x *elbTarget) (code, desc string) {
	if td := r.taskDef(t.TaskDef); td != nil {
		for _, cd := range td.Containers {
			if cd.Name == x.Container && listenPort(cd) != x.Port {
				return "Target.FailedHealthChecks", "Health checks failed"
			}
		}
	}
	n := r.taskNet(c, t)
	if n == nil || len(n.SecurityGroups) == 0 {
		return "", ""
	}
	var lbGroups []string
	for _, lb := range r.forwarders(x.TargetGroup) {
		lbGroups = append(lbGroups, lb.SecurityGroups...)
	}
	for _, id := range n.SecurityGroups {
		g := r.securityGroup(id)
		if g == nil || slices.Contains(lbGroups, id) {
			return "", ""
		}
		if slices.ContainsFunc(g.Ingress, func(in ingressRule) bool { return in.Port == x.Port || in.Port == 0 }) {
			return "", ""
		}
	}
	return "Target.Timeout", "Request timed out"
}

var reHealthPort = regexp.MustCompile(`localhost:(\d+)`)

// simHealthFails reports whether a simulated container's health check
// command fails.
func simHealthFails(cmd []string, port int32) bool {
	s := strings.ToLower(strings.Join(cmd, " "))
	for _, word := range []string{"missing", "nonexistent", "does-not-exist"} {
		if strings.Contains(s, word) {
			return true
		}
	}
	if m := reHealthPort.FindStringSubmatch(s); m != nil && port != 0 {
		p, _ := strconv.Atoi(m[1])
		return int32(p) != port
	}
	return false
}

// firstHealthCheck is the first health check of a running task's
// simulated containers: HEALTHY, or UNHEALTHY by simHealthFails, in which
// case a service's scheduler replaces the task (as health.go's observed
// does for a real container).
func (w *world) firstHealthCheck(r *region, c *cluster, t *task) {
	td := r.taskDef(t.TaskDef)
	for _, ct := range t.Containers {
		if !ct.Checked || ct.Local { // the engine decides a real one's (health.go)
			continue
		}
		ct.Health = "HEALTHY"
		if td != nil {
			for _, cd := range td.Containers {
				if cd.Name == ct.Name && simHealthFails(cd.HealthCheck, listenPort(cd)) {
					ct.Health = "UNHEALTHY"
				}
			}
		}
	}
	t.Health = t.taskHealth()
	if t.Health == "UNHEALTHY" && strings.HasPrefix(t.Group, "service:") {
		w.stopTask(t, "ServiceSchedulerInitiated", "Task failed container health checks")
		w.deactivate(c, t)
		w.taskChanged(r, c, t, taskUnhealthy)
	}
}
