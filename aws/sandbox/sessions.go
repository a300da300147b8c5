package sandbox

import (
	"context"
	"strconv"
	"time"

	"deckhand/internal/cloud"
)

// Interactive sessions in the sandbox (cloud.Sessions). There is no
// Session Manager here, but there are real containers: a task whose image
// the local engine runs is a container there (its DockerID), and a running
// instance's cloud-config `docker run`s are too. ECS Exec and SSM become
// `docker exec -it` into those, so a learner can try them; an instance
// whose user data runs nothing on the engine gets a stand-in container
// (standin.go). A simulated task has no process to open a shell in, and
// the plan says so instead of pretending.
// Forwards need nothing to run: the sandbox publishes a task's ports on
// 127.0.0.1 already, and the plan gives that address.

var _ cloud.Sessions = (*Account)(nil)

// sessionPath is the PATH the docker CLI is looked up on ("" = the
// process's); tests point it elsewhere.
var sessionPath = ""

// execEngine is the engine whose containers the sessions open shells in.
func (a *Account) execEngine() *engineRunner {
	r, _ := a.runner.(*engineRunner)
	return r
}

// sessionContainer is the engine container of a task's container, found
// under the lock, or why there is none.
type sessionContainer struct {
	name, dockerID, status string
	bindings               []binding
}

func (a *Account) taskContainer(ctx context.Context, t cloud.SessionTarget) (sessionContainer, string, error) {
	var out sessionContainer
	var why string
	// Read as the DescribeTasks ECS Exec makes, so it spends that bucket.
	err := a.viewCall(ctx, apiCall{"ecs", "DescribeTasks"}, func(w *world, r *region) error {
		c := r.cluster(t.ClusterARN)
		if c == nil {
			return errClusterNotFound("DescribeTasks")
		}
		tk := c.task(t.TaskARN)
		if tk == nil {
			why = "task " + lastPart(t.TaskARN) + " was not found (stopped tasks are forgotten after an hour)"
			return nil
		}
		if tk.LastStatus != "RUNNING" {
			why = "task " + tk.ID + " is " + tk.LastStatus + ": a shell or a forward needs a RUNNING task"
		}
		for _, ct := range tk.Containers {
			if t.Container != "" && ct.Name != t.Container {
				continue
			}
			out = sessionContainer{name: ct.Name, dockerID: ct.DockerID, status: ct.LastStatus, bindings: ct.Bindings}
			if why == "" && ct.DockerID == "" {
				why = "task " + tk.ID + " is simulated: the image of container " + ct.Name + " (" + ct.Image +
					") is not on the local Docker engine, so no process runs it and there is nothing to open a shell in " +
					"(tasks whose image the engine has run there for real)"
			}
			return nil
		}
		why = "task " + tk.ID + " has no container " + t.Container
		return nil
	})
	return out, why, err
}

// ExecPlan is `docker exec -it` into the task's container on the engine.
func (a *Account) ExecPlan(ctx context.Context, t cloud.SessionTarget) (cloud.SessionPlan, error) {
	if a.readonly {
		return cloud.SessionPlan{}, cloud.ErrReadonly
	}
	ct, why, err := a.taskContainer(ctx, t)
	if err != nil {
		return cloud.SessionPlan{}, err
	}
	return a.shellPlan(ct.dockerID, why), nil
}

// shellPlan is the docker exec of a container id, or why not.
func (a *Account) shellPlan(dockerID, why string) cloud.SessionPlan {
	var p cloud.SessionPlan
	eng := a.execEngine()
	switch {
	case eng == nil:
		p.Missing = append(p.Missing, "the sandbox has no Docker engine (none answered when deckhand started): every task and instance is simulated, with no process to open a shell in")
	case why != "":
		p.Missing = append(p.Missing, why)
	default:
		p.Argv = eng.e.ExecArgs(dockerID)
	}
	if !cloud.OnPath(sessionPath, "docker") {
		p.Missing = append(p.Missing, cloud.MissingDockerCLI)
	}
	return p
}

// standInWait bounds how long SSMPlan waits for the worker to start a
// stand-in (standin.go). It waits rather than answering "press e again"
// at once because starting a container of a local image takes a second or
// two, and one press should open the shell; it is bounded because the
// engine may be slow or stuck, and then the answer says to press e again.
// The wait is outside the lock: other calls go on meanwhile.
const standInWait = 5 * time.Second

// SSMPlan is a shell in the container that stands in for the instance:
// the first container its user data runs on the engine, else a stand-in
// started for the session (standin.go).
func (a *Account) SSMPlan(ctx context.Context, t cloud.SessionTarget) (cloud.SessionPlan, error) {
	if a.readonly {
		return cloud.SessionPlan{}, cloud.ErrReadonly
	}
	var id, why string
	var starting bool
	read := func(ctx context.Context, c *apiCall) error {
		return a.runCall(ctx, false, c, func(w *world, r *region) error {
			var err error
			id, why, starting, err = ssmTarget(w, r, t.InstanceID, a.runner != nil)
			return err
		})
	}
	if err := read(ctx, &apiCall{"ec2", "DescribeInstances"}); err != nil {
		return cloud.SessionPlan{}, err
	}
	wctx, cancel := context.WithTimeout(ctx, standInWait)
	defer cancel()
	for starting && a.runner != nil {
		// A call starts the worker's round when none is in flight
		// (engineEvents); settle waits for it, unlocked.
		if a.settleCtx(wctx) != nil {
			break
		}
		if err := read(wctx, nil); err != nil {
			if ctx.Err() != nil {
				return cloud.SessionPlan{}, ctx.Err()
			}
			break // waited long enough: answer "starting"
		}
		if starting {
			select {
			case <-wctx.Done():
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	return a.shellPlan(id, why), nil
}

// ssmTarget is, under the lock, the container a session on the instance
// opens a shell in, or why there is none; starting when one is being
// started (a stand-in it asks for here, or its user data's containers).
func ssmTarget(w *world, r *region, instanceID string, engine bool) (id, why string, starting bool, err error) {
	in := find(r.Instances, func(x *instance) bool { return x.ID == instanceID })
	switch {
	case in == nil:
		return "", "", false, &cloud.Error{Service: "ec2", Operation: "DescribeInstances", Code: "InvalidInstanceID.NotFound",
			Message: "The instance ID '" + instanceID + "' does not exist"}
	case in.State != "running":
		return "", "instance " + in.ID + " is " + in.State + ": Session Manager reaches running instances only", false, nil
	}
	for _, ru := range in.Runs {
		if ru.DockerID != "" {
			return ru.DockerID, "", false, nil
		}
	}
	if !engine {
		return "", "", false, nil // shellPlan says there is no engine: nothing to want
	}
	if !in.RunsDecided && len(in.userDataRuns()) > 0 {
		return "", "instance " + in.ID + " is still starting the containers of its user data: press e again in a moment", true, nil
	}
	s := in.StandIn
	switch {
	case s == nil:
		// Recorded in the state, so the worker (of this or any deckhand on
		// the file) starts it and removes it when the instance stops.
		in.StandIn, w.dirty = &instanceRun{Index: standInIndex}, true
	case s.Failed != "":
		// Said once; the next press tries afresh (an image pulled since).
		in.StandIn, w.dirty = nil, true
		return "", "instance " + in.ID + "'s user data runs no container on the local engine, and a stand-in could not start: " + s.Failed, false, nil
	case s.DockerID != "":
		return s.DockerID, "", false, nil
	}
	return "", "starting a stand-in container for instance " + in.ID + " on the local engine (its user data runs none): press e again in a moment", true, nil
}

// ForwardPlan gives the address on 127.0.0.1 where the sandbox already
// publishes the task's port.
func (a *Account) ForwardPlan(ctx context.Context, t cloud.SessionTarget) (cloud.SessionPlan, error) {
	ct, why, err := a.taskContainer(ctx, t)
	if err != nil {
		return cloud.SessionPlan{}, err
	}
	var p cloud.SessionPlan
	if why != "" {
		p.Missing = append(p.Missing, why)
		return p, nil
	}
	for _, b := range ct.bindings {
		if t.Port == 0 || b.ContainerPort == t.Port {
			host := b.HostIP
			if host == "" || host == "0.0.0.0" {
				host = "127.0.0.1"
			}
			p.Address = host + ":" + strconv.Itoa(int(b.HostPort))
			return p, nil
		}
	}
	p.Missing = append(p.Missing, "port "+strconv.Itoa(int(t.Port))+" of container "+ct.name+
		" is not published (its task definition maps no such containerPort)")
	return p, nil
}

func lastPart(s string) string {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return s[i+1:]
		}
	}
	return s
}
