package sandbox

import (
	"context"
	"strconv"
	"sync"
	"time"

	"deckhand/dockerops"
	"deckhand/internal/cloud"
)

// Service metrics (cloud.MetricsReader) from the engine's stats of the task
// containers the sandbox runs for real. A call never waits on the engine:
// it marks metrics as wanted and answers from the samples taken so far. A
// sampler goroutine (started by the first call, ended by Close or when no
// call has asked for metricsIdle) lists the services' running tasks under
// the lock, then, outside it, asks the engine for one stats sample of each
// task container (`docker stats --no-stream`, with the runner's timeout and
// its pause after an engine failure), and records per service what ECS
// would publish: CPU units used over CPU units reserved by the tasks, and
// memory used over memory reserved, in percent. Simulated tasks (no
// container on the engine) get no figure, never a made-up one. Samples
// live in memory for metricsKeep: a new deckhand process starts without
// history, as nothing was measured while none ran.

const (
	metricsEvery = 10 * time.Second
	metricsIdle  = 3 * time.Minute
	metricsKeep  = 65 * time.Minute
	// defaultTaskCPU and defaultTaskMemory stand in for a task definition
	// without task-level sizes (EC2 launch type): one vCPU, 512 MiB.
	defaultTaskCPU    = 1024
	defaultTaskMemory = 512
)

// statser is the runner's stats call; engineRunner has it.
type statser interface {
	Stats(ctx context.Context, id string) (dockerops.Stats, error)
}

// Stats is one stats sample of a container, under the runner's timeout.
func (r *engineRunner) Stats(ctx context.Context, id string) (dockerops.Stats, error) {
	var out dockerops.Stats
	err := r.call(ctx, engineTimeout, true, func(ctx context.Context) error {
		var err error
		out, err = r.e.StatsOnce(ctx, id)
		return err
	})
	return out, err
}

type metricSample struct {
	At       time.Time
	CPU, Mem float64
}

type metricsState struct {
	mu      sync.Mutex
	asked   time.Time
	running bool
	rounds  int
	series  map[string][]metricSample // "cluster/service" → samples, oldest first
	// simulated counts, per service, the running tasks of the last round
	// that have no container on the engine.
	simulated map[string]int
	err       error // the last round's engine error, if every sample failed
}

// metricTask is one running task of a service, as a round samples it.
type metricTask struct {
	service     string // "cluster/service"
	containers  []string
	cpu, memory float64 // reserved: CPU units, MiB
}

// ServiceMetrics answers from the samples taken so far and makes sure the
// sampler runs.
func (a *Account) ServiceMetrics(ctx context.Context, q cloud.MetricsQuery) ([]cloud.ServiceMetrics, error) {
	if err := cloud.ValidateMetricsQuery(q); err != nil {
		return nil, err
	}
	// Unknown services are answered with no figures, as CloudWatch does;
	// the read still advances the account like every call, and passes the
	// budget (family "other", as the SDK's GetMetricData).
	if err := a.viewCall(ctx, apiCall{"cloudwatch", "GetMetricData"}, func(*world, *region) error { return nil }); err != nil {
		return nil, err
	}
	out := make([]cloud.ServiceMetrics, len(q.Services))
	for i, ref := range q.Services {
		out[i].Ref = ref
	}
	st, ok := a.runner.(statser)
	if a.runner == nil || !ok {
		for i := range out {
			out[i].Note = "no figures: the sandbox has no Docker engine, so its tasks are simulated"
		}
		return out, nil
	}
	m := &a.metrics
	m.mu.Lock()
	defer m.mu.Unlock()
	m.asked = a.clock.Now()
	if !m.running && a.eng.ctx.Err() == nil {
		m.running = true
		go a.sampleLoop(st)
	}
	for i, ref := range q.Services {
		key := ref.Cluster + "/" + ref.Service
		out[i].CPU, out[i].Memory = bucket(m.series[key], q)
		if len(out[i].CPU) > 0 {
			continue
		}
		switch {
		case m.rounds == 0:
			out[i].Note = "measuring: the engine's stats of the task containers come within " + metricsEvery.String()
			out[i].Measuring = true
		case m.err != nil:
			out[i].Note = "no figures: " + m.err.Error()
		case m.simulated[key] > 0:
			out[i].Note = "no figures: its running tasks are simulated (no container on the local engine), and the sandbox makes none up"
		default:
			out[i].Note = "no figures: none of its tasks ran on the local engine in this window"
		}
	}
	return out, nil
}

// bucket averages samples per period of q, oldest first.
func bucket(xs []metricSample, q cloud.MetricsQuery) (cpu, mem []cloud.MetricPoint) {
	n := int(q.End.Sub(q.Start) / q.Period)
	if q.End.Sub(q.Start)%q.Period != 0 {
		n++
	}
	type acc struct {
		cpu, mem float64
		k        int
	}
	sums := make([]acc, n)
	for _, x := range xs {
		if x.At.Before(q.Start) || !x.At.Before(q.End) {
			continue
		}
		i := int(x.At.Sub(q.Start) / q.Period)
		sums[i].cpu += x.CPU
		sums[i].mem += x.Mem
		sums[i].k++
	}
	for i, s := range sums {
		if s.k == 0 {
			continue
		}
		at := q.Start.Add(time.Duration(i) * q.Period)
		cpu = append(cpu, cloud.MetricPoint{At: at, Value: s.cpu / float64(s.k)})
		mem = append(mem, cloud.MetricPoint{At: at, Value: s.mem / float64(s.k)})
	}
	return cpu, mem
}

// sampleLoop takes a round every metricsEvery while metrics are asked for.
func (a *Account) sampleLoop(st statser) {
	ctx := a.eng.ctx
	t := time.NewTicker(metricsEvery)
	defer t.Stop()
	for {
		a.sampleRound(ctx, st)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		m := &a.metrics
		m.mu.Lock()
		if ctx.Err() != nil || a.clock.Now().Sub(m.asked) > metricsIdle {
			m.running = false
			m.mu.Unlock()
			return
		}
		m.mu.Unlock()
	}
}

// sampleRound lists the running service tasks (under the lock), samples
// their containers (outside it) and records a figure per service.
func (a *Account) sampleRound(ctx context.Context, st statser) {
	var tasks []metricTask
	simulated := map[string]int{}
	err := a.view(ctx, func(w *world, r *region) error {
		for _, c := range r.Clusters {
			for _, s := range c.Services {
				key := c.Name + "/" + s.Name
				for _, t := range c.Tasks {
					if !s.owns(t) || t.LastStatus != "RUNNING" {
						continue
					}
					mt := metricTask{service: key, cpu: defaultTaskCPU, memory: defaultTaskMemory}
					if td := r.taskDef(t.TaskDef); td != nil {
						if v, err := strconv.ParseFloat(td.CPU, 64); err == nil && v > 0 {
							mt.cpu = v
						}
						if v, err := strconv.ParseFloat(td.Memory, 64); err == nil && v > 0 {
							mt.memory = v
						}
					}
					for _, ct := range t.Containers {
						if ct.DockerID != "" {
							mt.containers = append(mt.containers, ct.DockerID)
						}
					}
					if len(mt.containers) == 0 {
						simulated[key]++
						continue
					}
					tasks = append(tasks, mt)
				}
			}
		}
		return nil
	})
	now := a.clock.Now()
	type used struct{ cpu, mem, cpuRes, memRes float64 }
	per := map[string]*used{}
	var lastErr error
	answered := 0
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4) // a few at a time: each takes the engine a second
	for _, mt := range tasks {
		for _, id := range mt.containers {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				s, err := st.Stats(ctx, id)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					lastErr = err
					return
				}
				answered++
				u := per[mt.service]
				if u == nil {
					u = &used{}
					per[mt.service] = u
				}
				u.cpu += s.CPUPercent / 100 * 1024 // CPU units, as ECS counts them
				u.mem += float64(s.MemUsed) / (1 << 20)
			}()
		}
	}
	wg.Wait()
	for _, mt := range tasks { // a task's reservation counts once, whatever its containers
		if u := per[mt.service]; u != nil {
			u.cpuRes += mt.cpu
			u.memRes += mt.memory
		}
	}
	m := &a.metrics
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.series == nil {
		m.series = map[string][]metricSample{}
	}
	m.rounds++
	m.simulated = simulated
	m.err = nil
	if err != nil {
		m.err = err
	} else if answered == 0 && lastErr != nil {
		m.err = lastErr
	}
	for key, u := range per {
		m.series[key] = append(m.series[key], metricSample{At: now, CPU: u.cpu / u.cpuRes * 100, Mem: u.mem / u.memRes * 100})
	}
	for key, xs := range m.series {
		i := 0
		for i < len(xs) && now.Sub(xs[i].At) > metricsKeep {
			i++
		}
		if i == len(xs) {
			delete(m.series, key)
		} else {
			m.series[key] = xs[i:]
		}
	}
}
