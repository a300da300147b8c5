package sandbox

// The second half of sync (sync.go): making the engine calls sync decided
// on, recording what they found, and how a task's or an instance's
// container is run.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// runJobs makes the engine calls, several at a time.
func (a *Account) runJobs(ctx context.Context, jobs []*engineJob) {
	sem := make(chan struct{}, engineWorkers)
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			ctx := ctx
			if j.ctx != nil {
				ctx = j.ctx
			}
			switch j.kind {
			case jobStart:
				j.id, j.err = a.runner.Run(ctx, j.spec)
				if j.err == nil {
					j.found, j.err = a.runner.Inspect(ctx, j.id)
				}
			case jobObserve:
				j.found, j.err = a.runner.Inspect(ctx, j.id)
				a.readExited(ctx, j)
			case jobStop:
				if j.err = a.runner.Stop(ctx, j.id, stopGrace); j.err == nil {
					j.found, j.err = a.runner.Inspect(ctx, j.id)
					a.readExited(ctx, j)
				}
			case jobRemove:
				if j.err = a.readLogs(ctx, j); j.err == nil { // its output first: removing loses it
					j.err = a.runner.Remove(ctx, j.id)
				}
			case jobStopRemove:
				if j.err = a.runner.Stop(ctx, j.id, stopGrace); j.err == nil {
					j.err = a.runner.Remove(ctx, j.id)
				}
			case jobProbe:
				j.code, j.err = a.runner.Probe(ctx, j.url)
			case jobProxy:
				a.runProxy(ctx, j)
			}
		}()
	}
	wg.Wait()
}

// apply records what an engine call found.
func (w *world) apply(j *engineJob) {
	switch {
	case j.ru != nil:
		w.applyInstance(j)
		return
	case j.l != nil:
		w.applyProxy(j)
		return
	}
	w.applyLogs(j)
	switch j.kind {
	case jobProbe:
		w.applyProbe(j)
	case jobStart:
		if j.err != nil && j.id == "" {
			w.startFailed(j.r, j.c, j.t, engineMessage(j.err))
			return
		}
		j.ct.DockerID, w.dirty = j.id, true
		if j.err == nil {
			j.ct.Bindings, j.ct.IP = bindings(j.found.Ports), j.found.IP
			// It may already have exited: the next sync sees it.
		}
	case jobObserve:
		if j.err != nil {
			return // the next sync looks again
		}
		if j.found.running() {
			if len(j.ct.Bindings) == 0 || j.ct.IP == "" {
				j.ct.Bindings, j.ct.IP, w.dirty = bindings(j.found.Ports), j.found.IP, true
			}
			w.observed(j.r, j.c, j.t, j.ct, j.found.Health) // health.go
			return
		}
		code := int32(j.found.ExitCode)
		w.containerExited(j.r, j.c, j.t, j.ct, &code, "")
	case jobRemove:
		if j.err == nil && j.ct != nil && j.ct.DockerID == j.id {
			j.ct.DockerID, w.dirty = "", true
		}
	case jobStop:
		if j.err == nil && !j.found.running() && j.ct.LastStatus != "STOPPED" {
			code := int32(j.found.ExitCode)
			j.ct.LastStatus, j.ct.ExitCode, w.dirty = "STOPPED", &code, true
		}
	}
}

// applyInstance records what an engine call on an instance's container
// found.
func (w *world) applyInstance(j *engineJob) {
	ru := j.ru
	switch j.kind {
	case jobStart:
		if j.err != nil && j.id == "" {
			ru.Failed, w.dirty = engineMessage(j.err), true
			return
		}
		ru.DockerID, w.dirty = j.id, true
		if j.err == nil {
			ru.Bindings = bindings(j.found.Ports)
		}
	case jobObserve:
		if j.err == nil && j.found.running() && len(ru.Bindings) == 0 {
			ru.Bindings, w.dirty = bindings(j.found.Ports), true
		}
	case jobRemove:
		if j.err == nil && ru.DockerID == j.id {
			ru.DockerID, ru.Bindings, w.dirty = "", nil, true
		}
	}
}

// instanceRunSpec is how an instance's container runs on the engine.
func (a *Account) instanceRunSpec(in *instance, ru *instanceRun) runSpec {
	if ru.Index == standInIndex {
		return a.standInSpec(in, ru)
	}
	h := sha256.Sum256([]byte(a.path))
	return runSpec{
		Image: ru.Image, Name: "sandbox-" + in.ID + "-" + strconv.Itoa(ru.Index) + "-" + hex.EncodeToString(h[:3]),
		Ports: ru.Ports, Env: ru.Env,
		Labels: map[string]string{labelAccount: a.accountLabel(), labelInstance: in.ID, labelContainer: ru.name()},
	}
}

// runSpec is how a task's container runs on the engine.
func (a *Account) runSpec(r *region, t *task, ct *container) runSpec {
	spec := runSpec{
		Image: ct.Image, Name: a.containerName(t, ct),
		Labels: map[string]string{labelAccount: a.accountLabel(), labelTask: t.ARN, labelContainer: ct.Name},
	}
	if ct.Port != 0 {
		spec.Ports = []int32{ct.Port}
	}
	if td := r.taskDef(t.TaskDef); td != nil {
		for _, cd := range td.Containers {
			if cd.Name == ct.Name {
				spec.Health = healthcheck(cd.HealthCheck, a.speed)
				for _, k := range slices.Sorted(maps.Keys(cd.Env)) {
					spec.Env = append(spec.Env, k+"="+cd.Env[k])
				}
			}
		}
	}
	return spec
}

// bindings are a container's published ports, as ECS reports
// networkBindings.
func bindings(ports map[int]int) []binding {
	var out []binding
	for _, cp := range slices.Sorted(maps.Keys(ports)) {
		out = append(out, binding{HostIP: "127.0.0.1", HostPort: int32(ports[cp]), ContainerPort: int32(cp), Protocol: "tcp"})
	}
	return out
}

// engineMessage shortens an engine error for a stoppedReason: dockerops
// prefixes the command ("docker run IMAGE: start: "), which ECS would not
// say; the engine's own words ("Error response from daemon: …") stay.
func engineMessage(err error) string {
	msg := err.Error()
	if _, rest, ok := strings.Cut(msg, ": "); ok && strings.HasPrefix(msg, "docker ") {
		msg = strings.TrimPrefix(rest, "start: ")
	}
	return msg
}
