package tui

import (
	"deckhand/internal/resource"
)

// paneKind is what a page lists.
type paneKind int

const (
	paneInstances paneKind = iota
	paneClusters
	paneServices
	paneTasks
	paneDocker
	paneEvents
	paneContainers
	paneDetail
	paneWizard // the launch wizard's form
	paneReview // the plan of a launch or destroy, to confirm
	paneRun    // the checklist of the current (or last) launch
	paneCreate // a creation wizard's form (instance, cluster, task definition, service)
	paneLogs   // the log lines of a Docker container, ECS task or container
)

// topPanes are the panes reached with 1–6 and tab, in that order.
var topPanes = []paneKind{paneInstances, paneClusters, paneServices, paneTasks, paneDocker, paneEvents}

var paneNames = [...]string{
	paneInstances:  "instances",
	paneClusters:   "clusters",
	paneServices:   "services",
	paneTasks:      "tasks",
	paneDocker:     "docker",
	paneEvents:     "events",
	paneContainers: "containers",
	paneDetail:     "detail",
	paneWizard:     "launch",
	paneReview:     "review",
	paneRun:        "checklist",
	paneCreate:     "create",
	paneLogs:       "logs",
}

// paneKinds is the resource kind each pane lists (events list every kind).
var paneKinds = [...]resource.Kind{
	paneInstances:  resource.KindInstance,
	paneClusters:   resource.KindCluster,
	paneServices:   resource.KindService,
	paneTasks:      resource.KindTask,
	paneDocker:     resource.KindDocker,
	paneContainers: resource.KindContainer,
}

// page is one entry of the page stack: a top-level pane, a drill-down
// (services of a cluster, tasks of a service, containers of a task) or the
// detail view of one resource. Each page keeps its own cursor and filter.
type page struct {
	kind    paneKind
	cluster string // services, tasks: cluster ARN in scope ("" = every fetched cluster)
	service string // tasks: service name in scope
	task    string // containers: task ARN in scope
	crumb   string // this page's breadcrumb segment
	tbl     table
	dirty   bool // data changed since the rows were built
	ref     rkey // detail: the resource shown
	scroll  int  // detail and help: first line shown
	logs    *logView
}

// isLaunch reports whether the page is one of the launch pages, which show
// no table.
func (p *page) isLaunch() bool {
	return p.kind == paneWizard || p.kind == paneReview || p.kind == paneRun || p.kind == paneCreate
}

// uses reports whether the page's rows depend on kind k.
func (p *page) uses(k resource.Kind) bool {
	switch p.kind {
	case paneServices:
		return k == resource.KindService || k == resource.KindCluster
	case paneContainers:
		return k == resource.KindTask || k == resource.KindContainer
	case paneInstances, paneClusters, paneTasks, paneDocker:
		return paneKinds[p.kind] == k
	}
	return false
}

// isAWS reports whether the page shows AWS data (and so shows
// Config.AWSProblem when AWS is unusable).
func (p *page) isAWS() bool {
	switch p.kind {
	case paneInstances, paneClusters, paneServices, paneTasks, paneContainers:
		return true
	case paneDetail:
		return p.ref.kind != resource.KindDocker
	}
	return false
}

// scopeCluster is the cluster a services or tasks page lists: the one it
// was opened on, else the cluster the ECS watcher was focused on, which the
// title names — so a page titled "(cluster X)" never lists another
// cluster's rows left in the store from before the focus.
func (m *Model) scopeCluster(p *page) string {
	if p.cluster != "" {
		return p.cluster
	}
	return m.focused
}

// build rebuilds a page's rows from the store.
func (m *Model) build(p *page) {
	var cols []column
	var rows []row
	switch p.kind {
	case paneInstances:
		cols, rows = instanceCols, m.instanceRows()
	case paneClusters:
		cols, rows = clusterCols, m.clusterRows()
	case paneServices:
		cols, rows = m.serviceRows(m.scopeCluster(p))
	case paneTasks:
		cols, rows = m.taskRows(m.scopeCluster(p), p.service)
	case paneContainers:
		cols, rows = m.containerRows(p.task)
	case paneDocker:
		cols, rows = dockerCols, m.dockerRows()
	case paneEvents:
		cols, rows = eventCols, m.eventRows()
	default:
		return
	}
	p.tbl.setRows(cols, rows)
	p.dirty = false
}

// current is the page on top of the stack.
func (m *Model) current() *page { return m.stack[len(m.stack)-1] }

// showTop resets the stack to a top-level pane.
func (m *Model) showTop(k paneKind) {
	p := m.tops[k]
	m.stack = []*page{p}
	m.ensureBuilt(p)
}

func (m *Model) push(p *page) {
	p.tbl.setHeight(m.tableHeight())
	m.stack = append(m.stack, p)
	m.ensureBuilt(p)
}

// pop goes back one page; it reports whether there was a page to go back to.
func (m *Model) pop() bool {
	if len(m.stack) < 2 {
		return false
	}
	m.stack = m.stack[:len(m.stack)-1]
	m.ensureBuilt(m.current())
	return true
}

// ensureBuilt builds a page that is about to be shown if its data changed
// while it was hidden: hidden pages cost nothing on refresh.
func (m *Model) ensureBuilt(p *page) {
	if p.dirty || p.tbl.cols == nil {
		m.build(p)
	}
}

// topIndex is the position of the current top-level pane in topPanes, or
// -1 (the containers pane is only reachable by command).
func (m *Model) topIndex() int {
	for i, k := range topPanes {
		if m.stack[0].kind == k {
			return i
		}
	}
	return -1
}

// pageSource is the watcher whose data a page shows ("" for every source).
func (m *Model) pageSource(p *page) string {
	switch p.kind {
	case paneEvents, paneWizard, paneReview, paneRun, paneCreate, paneLogs:
		return ""
	case paneDetail:
		return m.data.source[p.ref.kind]
	}
	return m.data.source[paneKinds[p.kind]]
}
