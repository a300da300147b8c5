package doctor

// The service checks about its load balancer: ports, security groups and
// the target group's health checks.

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"deckhand/internal/cloud"
	"deckhand/internal/resource"
)

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
		return r.Allows("tcp", port)
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
		out = append(out, r.PortText()+" from "+from)
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
