package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"deckhand/internal/cloud"
	"deckhand/internal/resource"
)

// Service metrics: CPU and memory utilization of the services on screen
// (the visible rows of a services page, or the service in its detail),
// the last hour per minute, read in one call (cloud.MetricsReader: one
// GetMetricData for the set, through the API budget) when the set changes
// and every metricsEvery while it stays; nothing is read while no service
// is shown. The services page gains CPU% and MEM% columns (the latest
// minute) once figures came; the detail shows both series as a sparkline
// (the one the Docker stats use).

const (
	metricsWindow  = time.Hour
	metricsPeriod  = time.Minute
	metricsEvery   = time.Minute     // ECS publishes a point a minute; CloudWatch bills per metric read
	metricsSoon    = 3 * time.Second // while the backend is measuring
	metricsTimeout = 20 * time.Second
)

// MetricsReader is what Config.Metrics reads through.
type MetricsReader = cloud.MetricsReader

// ecsMetrics is the model's side of the reads.
type ecsMetrics struct {
	byService map[string]cloud.ServiceMetrics // "cluster/service" → the last answer
	err       error                           // the last read's error; nil after a good one
	inflight  bool
	lastKey   string    // the set last asked for
	lastAt    time.Time // when
	lastErr   string    // the error last flashed, so a retry failing alike is not flashed again
}

type (
	metricsMsg struct {
		acct uint64 // the account switch it was read in (account.go)
		res  []cloud.ServiceMetrics
		err  error
	}
	metricsTickMsg struct{}
)

func (msg metricsMsg) apply(m *Model) tea.Cmd {
	if msg.acct != m.acct.seq {
		return nil // read from the account before a switch, which reset the state
	}
	em := &m.emetrics
	em.inflight, em.err = false, msg.err
	if msg.err != nil {
		if text := clean(msg.err.Error()); text != em.lastErr {
			em.lastErr = text
			m.warn("service metrics: " + text + " — next try in " + metricsEvery.String())
		}
	} else {
		em.lastErr = ""
		if em.byService == nil {
			em.byService = map[string]cloud.ServiceMetrics{}
		}
		for _, r := range msg.res {
			em.byService[r.Ref.Cluster+"/"+r.Ref.Service] = r
		}
	}
	for _, p := range m.allPages() {
		if p.uses(resource.KindService) {
			p.invalidate()
		}
	}
	m.current().refresh(m)
	// The next read is decided by syncMetrics after the tick's Update;
	// sooner while the backend is still taking its first figures.
	wait := metricsEvery
	for _, r := range msg.res {
		if r.Measuring {
			wait = metricsSoon
			em.lastAt = m.now().Add(metricsSoon - metricsEvery)
		}
	}
	return tea.Tick(wait, func(time.Time) tea.Msg { return metricsTickMsg{} })
}

func (metricsTickMsg) apply(*Model) tea.Cmd { return nil }

// metricsWanted are the services on screen, as CloudWatch names them.
func (m *Model) metricsWanted() []cloud.ServiceRef {
	var out []cloud.ServiceRef
	add := func(it resource.Item) {
		if x, ok := it.(resource.Service); ok && len(out) < cloud.MaxMetricServices {
			out = append(out, cloud.ServiceRef{Cluster: m.data.clusterName(x.ClusterARN), Service: x.Name})
		}
	}
	switch p := m.current().(type) {
	case *listPage:
		if p.spec.kind != resource.KindService {
			return nil
		}
		t := &p.tbl
		for i := t.offset; i < min(t.n(), t.offset+max(t.height, 1)); i++ {
			add(m.data.lookup(t.at(i).ref))
		}
	case *detailPage:
		if p.ref.kind == resource.KindService {
			add(m.data.lookup(p.ref))
		}
	}
	return out
}

// syncMetrics starts a read when the services on screen changed, or the
// last read is metricsEvery old; one at a time.
func (m *Model) syncMetrics() tea.Cmd {
	api, em := m.cfg.Metrics, &m.emetrics
	if api == nil || m.cfg.AWSProblem != "" || em.inflight {
		return nil
	}
	refs := m.metricsWanted()
	if len(refs) == 0 {
		return nil
	}
	keys := make([]string, len(refs))
	for i, r := range refs {
		keys[i] = r.Cluster + "/" + r.Service
	}
	key, now := strings.Join(keys, "\n"), m.now()
	if key == em.lastKey && now.Sub(em.lastAt) < metricsEvery {
		return nil
	}
	em.inflight, em.lastKey, em.lastAt = true, key, now
	end := now.Truncate(metricsPeriod).Add(metricsPeriod) // the minute in progress included
	q := cloud.MetricsQuery{Services: refs, Start: end.Add(-metricsWindow), End: end, Period: metricsPeriod}
	seq := m.acct.seq
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), metricsTimeout)
		defer cancel()
		res, err := api.ServiceMetrics(ctx, q)
		return metricsMsg{seq, res, err}
	}
}

// serviceMetrics is the last answer for a service, if any.
func (m *Model) serviceMetrics(x resource.Service) (cloud.ServiceMetrics, bool) {
	sm, ok := m.emetrics.byService[m.data.clusterName(x.ClusterARN)+"/"+x.Name]
	return sm, ok
}

// withMetricCols adds CPU% and MEM% (the latest minute) to the services
// page once any service shown has figures; xs are the rows' services.
func (m *Model) withMetricCols(cols []column, rows []row, xs []resource.Service) ([]column, []row) {
	cells := make([][2]string, len(xs))
	any := false
	for i, x := range xs {
		sm, ok := m.serviceMetrics(x)
		if !ok {
			continue
		}
		if n := len(sm.CPU); n > 0 {
			cells[i][0], any = percent(sm.CPU[n-1].Value), true
		}
		if n := len(sm.Memory); n > 0 {
			cells[i][1], any = percent(sm.Memory[n-1].Value), true
		}
	}
	if !any {
		return cols, rows
	}
	for i := range rows {
		rows[i].cells = append(rows[i].cells, cells[i][0], cells[i][1])
	}
	return append(cols, column{title: "CPU%", min: 5, max: 7, right: true, prio: 2},
		column{title: "MEM%", min: 5, max: 7, right: true, prio: 2}), rows
}

// metricFields are the service detail's charts, or why there are none.
func (m *Model) metricFields(x resource.Service) []field {
	if m.cfg.Metrics == nil || m.cfg.AWSProblem != "" {
		return nil
	}
	sm, ok := m.serviceMetrics(x)
	em := &m.emetrics
	switch {
	case em.err != nil:
		next := em.lastAt.Add(metricsEvery).In(m.loc()).Format("15:04:05")
		return []field{{"CPU / memory", "could not read: " + em.err.Error() + " — next try at " + next}}
	case !ok:
		return []field{{"CPU / memory", "reading the last hour…"}}
	case len(sm.CPU) == 0 && len(sm.Memory) == 0:
		return []field{{"CPU / memory", cmpOr(sm.Note, "no figures in the last hour: CloudWatch has no AWS/ECS data points for this service")}}
	}
	return []field{{"CPU (1 h)", seriesText(sm.CPU)}, {"Memory (1 h)", seriesText(sm.Memory)}}
}

// seriesText is a sparkline of the points and their latest, lowest and
// highest values.
func seriesText(ps []cloud.MetricPoint) string {
	if len(ps) == 0 {
		return "no data points"
	}
	vs := make([]float64, len(ps))
	lo, hi := ps[0].Value, ps[0].Value
	for i, p := range ps {
		vs[i] = p.Value
		lo, hi = min(lo, p.Value), max(hi, p.Value)
	}
	return fmt.Sprintf("%s  now %s (min %s, max %s; %d min)", sparkline(vs), percent(vs[len(vs)-1]), percent(lo), percent(hi), len(ps))
}
