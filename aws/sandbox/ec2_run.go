package sandbox

// Running instances' containers for real. When the account has a Docker
// engine, a running instance runs the containers its user data starts,
// the way cloud-init would: each `docker run` command of its cloud-config
// runcmd whose image the local engine has runs there, labelled with the
// account and the instance (labelInstance), each `-p H:C` container port C
// published on 127.0.0.1 at a port the engine picks
// (resource.Instance.LocalBindings). Other runcmd lines (package
// installs, the ECR login) do nothing in the sandbox.
//
// As for tasks (runner.go), this is reconciliation by the engine worker's
// rounds: which commands run is decided at the first plan that finds the
// instance running and knows which of the images the engine has
// (imagecache.go); an instance in any other state has its containers
// stopped and removed, and starting it again decides afresh. Replaying
// history therefore starts nothing for instances that stopped or
// terminated meanwhile, and a read-only account starts nothing.

import (
	"encoding/base64"
	"strconv"
	"strings"

	"deckhand/internal/resource"
)

const labelInstance = "deckhand.sandbox.instance"

// instanceRun is one `docker run` of an instance's user data that runs on
// the local engine.
type instanceRun struct {
	Index    int       `json:"index"` // among the runcmd's docker run commands
	Image    string    `json:"image"`
	Ports    []int32   `json:"ports,omitempty"`
	Env      []string  `json:"env,omitempty"`
	DockerID string    `json:"dockerId,omitempty"`
	Bindings []binding `json:"bindings,omitempty"`
	Failed   string    `json:"failed,omitempty"`   // the engine could not start it; not tried again this run
	Hostname string    `json:"hostname,omitempty"` // a stand-in's (standin.go)
}

// name is the value of labelContainer for the run.
func (ru *instanceRun) name() string {
	if ru.Index == standInIndex {
		return "standin"
	}
	return "runcmd-" + strconv.Itoa(ru.Index)
}

// userDataFailures are the runcmd's docker runs the engine could not start
// in the current run, as cloud-init would log them.
func (in *instance) userDataFailures() []string {
	var out []string
	for _, ru := range in.Runs {
		if ru.Failed != "" {
			out = append(out, "docker run "+ru.Image+": "+ru.Failed)
		}
	}
	return out
}

func (in *instance) localBindings() []resource.Binding {
	var out []resource.Binding
	for _, ru := range in.Runs {
		for _, b := range ru.Bindings {
			out = append(out, resource.Binding{HostIP: b.HostIP, HostPort: b.HostPort, ContainerPort: b.ContainerPort, Protocol: b.Protocol})
		}
	}
	return out
}

// dockerRun is a `docker run` command of a cloud-config runcmd.
type dockerRun struct {
	Image string
	Ports []int32 // container ports of -p
	Env   []string
}

// userDataRuns reads the docker run commands of the instance's user data
// (stored base64-encoded, as EC2 returns it).
func (in *instance) userDataRuns() []dockerRun {
	if in.UserData == "" {
		return nil
	}
	data, err := base64.StdEncoding.DecodeString(in.UserData)
	if err != nil {
		return nil
	}
	return dockerRuns(string(data))
}

// dockerRuns reads the docker run commands of a cloud-config's runcmd,
// items written either as a list (["docker", "run", …]) or as a shell
// command line.
func dockerRuns(userData string) []dockerRun {
	if !strings.HasPrefix(userData, "#cloud-config") {
		return nil
	}
	var out []dockerRun
	in := false
	for _, line := range strings.Split(userData, "\n") {
		line = strings.TrimRight(line, "\r")
		if !strings.HasPrefix(line, " ") && !strings.HasPrefix(line, "\t") {
			in = strings.TrimSpace(line) == "runcmd:"
			continue
		}
		item, ok := strings.CutPrefix(strings.TrimSpace(line), "- ")
		if !in || !ok {
			continue
		}
		if r, ok := parseDockerRun(runcmdArgs(strings.TrimSpace(item))); ok {
			out = append(out, r)
		}
	}
	return out
}

// runcmdArgs splits a runcmd item into words.
func runcmdArgs(item string) []string {
	if strings.HasPrefix(item, "[") && strings.HasSuffix(item, "]") {
		var args []string
		rest := strings.TrimSpace(item[1 : len(item)-1])
		for rest != "" {
			q, err := strconv.QuotedPrefix(rest)
			if err != nil {
				return nil
			}
			a, _ := strconv.Unquote(q)
			args = append(args, a)
			rest = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(rest[len(q):]), ","))
		}
		return args
	}
	if s, err := strconv.Unquote(item); err == nil {
		item = s
	}
	if strings.ContainsAny(item, "|;&") { // a shell pipeline: not a plain docker run
		return nil
	}
	return strings.Fields(item)
}

// dockerBoolFlags are docker run's flags that take no value.
var dockerBoolFlags = map[string]bool{
	"-d": true, "--detach": true, "--rm": true, "-i": true, "-t": true, "-it": true, "-ti": true,
	"--interactive": true, "--tty": true, "--init": true, "--privileged": true, "-P": true, "--publish-all": true,
}

func parseDockerRun(args []string) (dockerRun, bool) {
	if len(args) > 0 && args[0] == "sudo" {
		args = args[1:]
	}
	if len(args) < 3 || args[0] != "docker" || args[1] != "run" {
		return dockerRun{}, false
	}
	var r dockerRun
	for i := 2; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			r.Image = a
			return r, true
		}
		flag, val, hasVal := strings.Cut(a, "=")
		if !hasVal {
			if dockerBoolFlags[flag] {
				continue
			}
			if i+1 >= len(args) {
				return dockerRun{}, false
			}
			i++
			val = args[i]
		}
		switch flag {
		case "-p", "--publish":
			parts := strings.Split(val, ":")
			c, _, _ := strings.Cut(parts[len(parts)-1], "/")
			if n, err := strconv.Atoi(c); err == nil && n > 0 && n < 65536 {
				r.Ports = append(r.Ports, int32(n))
			}
		case "-e", "--env":
			if strings.Contains(val, "=") {
				r.Env = append(r.Env, val)
			}
		}
	}
	return dockerRun{}, false
}
