// Package tui is deckhand's terminal UI: one root model that owns layout,
// the page stack (breadcrumbs), the `:` command line, the `/` filter, the
// help overlay and the status line. Panes are tables built from the
// snapshots the watchers send (watch.Update); nothing here does I/O in
// Update — the Config callbacks run only inside tea.Cmds.
package tui

import (
	"context"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"deckhand/internal/cloud"
	"deckhand/internal/launch"
	"deckhand/internal/portfwd"
	"deckhand/internal/resource"
	"deckhand/internal/watch"
)

// Config is what cmd/deckhand passes in. Callbacks may be nil.
type Config struct {
	Region, Profile, Endpoint, DockerHost, Version string
	Readonly                                       bool
	Sandbox                                        bool   // show a SANDBOX marker
	Mouse                                          bool   // click selects, double-click opens, the wheel scrolls (--mouse)
	Theme                                          string // auto (""), dark or light: the style sheet (theme.go)
	AWSProblem                                     string // non-empty when AWS is unusable: AWS panes show it instead of data
	DockerProblem                                  string // non-empty when no Docker client could be made
	Notice                                         string // shown in the status line at start (e.g. why the sandbox opened)
	// Identity returns the AWS account and caller ARN; called once, in a Cmd.
	Identity func(ctx context.Context) (account, arn string, err error)
	// Refresh asks a watcher ("ec2", "ecs", "docker"; "" = all) to fetch now.
	Refresh func(source string)
	// FocusCluster scopes the ECS watcher to a cluster ("" = automatic).
	FocusCluster func(clusterARN string)
	// Actions are the changes the panes offer (start, stop, terminate,
	// remove, scale); each runs in a Cmd and is disabled by Readonly.
	Actions Actions
	// Launcher plans launches and destroys for the launch wizard (L,
	// :launch, :destroy); nil = not offered. Readonly disables it.
	Launcher launch.Planner
	// Create is what the creation wizards (:create, c) call; nil = not
	// offered. Readonly disables them.
	Create Creator
	// SecurityGroups lists and deletes groups for :sg; nil = not offered.
	SecurityGroups SecurityGroups
	// TaskDefs reads and deregisters task definitions for :taskdefs; nil =
	// not offered.
	TaskDefs TaskDefinitions
	// Logs reads the log lines of the logs page (l); a nil reader means
	// the page is not offered for that kind of resource.
	Logs LogReaders
	// Docker reads the engine for inspect, live stats and exec; a nil
	// field is not offered.
	Docker DockerTools
	// Now is the clock; nil means time.Now. Tests pass a fixed clock.
	Now func() time.Time
	// OnScreen receives the keys of the rows a table page shows (budget.go):
	// the watchers re-read those first. nil = not reported.
	OnScreen func(kind resource.Kind, keys []string)
	// APIStats returns the API budget's counters for the header; nil = no
	// budget to show.
	APIStats func() APIStats
	// Doctor reads what the doctor (x, :diag) checks; nil = not offered.
	Doctor DoctorSource
	// Metrics reads the services' CPU and memory (ecs_metrics.go); nil =
	// not offered.
	Metrics MetricsReader
	// Sessions plans shells (ECS Exec, SSM) and port forwards; nil = not
	// offered. Forwards runs the forwards (nil = made on first use).
	Sessions cloud.Sessions
	Forwards *portfwd.Manager
	// Switch builds the backend of another account or region and stops
	// the current one's watchers (:profile, :region, :sandbox; account.go);
	// called in a Cmd. nil = not offered.
	Switch func(ctx context.Context, to AccountTarget) (Switched, error)
	// Profiles lists the profiles of the shared config files, for :profile;
	// called in a Cmd. nil = not offered.
	Profiles func() ([]string, error)
	// Regions are the region names :region and :sandbox accept and complete.
	Regions []string
	// EC2 is the EC2 administration: reboot, console output, key pairs,
	// security group edits (ec2_tools.go); nil fields are not offered.
	EC2 EC2Tools
}

// highlightFor is how long a changed row stays highlighted.
const highlightFor = 5 * time.Second

// Model is the root model. Use New; the program receives watch.Update
// values (program.Send) from the watchers.
type Model struct {
	cfg     Config
	keys    keyMap
	st      styles
	isDark  bool
	noColor bool
	width   int
	height  int

	data      store
	src       map[string]*sourceStatus
	srcOrder  []string
	events    *eventLog
	changedAt map[rkey]time.Time // when deckhand saw each resource change
	hl        map[rkey]uint64    // changed rows → the batch that changed them
	hlSeq     uint64             // batch number of the latest transitions
	hlTicking bool               // a highlight-expiry tick is scheduled

	tops       []*listPage // the top-level panes, in registry order
	stack      []page      // the pages shown, the top-level pane first
	tblHeight  int         // the table height last applied (resize)
	help       bool
	helpScroll int
	input      lineInput
	dlg        *dialog // an open confirmation or prompt
	flash      flash

	account, arn string
	identErr     error
	focused      string // cluster ARN the ECS watcher was asked to focus

	wiz *wizard    // the launch form, kept between visits
	lr  *launchRun // the current or last launch or destroy: its checklist page
	// launchedOn is the target of each stack launched this session: where
	// :destroy NAME looks when no target is given.
	launchedOn map[string]string
	runTicking bool // an elapsed-time tick is scheduled
	ageTicking bool // a header-age tick is scheduled (ages.go)

	creates map[string]*createWizard // the creation forms by kind, kept between visits

	logSeq  uint64                  // the number of the last logs page opened
	lastCLI string                  // the equivalent command of the last action, for copy
	sorts   map[*listSpec]sortOrder // the sort of each kind of table page (sort.go)
	click1  lastClick               // the last click, for double clicks (mouse.go)

	dstats dockerStats // the live stats streams of the containers on screen

	acct accountState // :profile, :region and :sandbox (account.go)

	emetrics ecsMetrics // the CPU and memory of the services on screen (ecs_metrics.go)

	ec2x ec2State // ec2_tools.go
}

// New returns the root model.
func New(cfg Config) *Model {
	noColor := os.Getenv("NO_COLOR") != ""
	m := &Model{
		cfg:       cfg,
		keys:      defaultKeyMap(),
		isDark:    cfg.startsDark(), // with auto, until the terminal tells us otherwise
		noColor:   noColor,
		st:        newStyles(cfg.startsDark(), noColor),
		width:     80,
		height:    24,
		data:      newStore(),
		src:       map[string]*sourceStatus{},
		srcOrder:  []string{srcEC2, srcECS, srcDocker},
		events:    newEventLog(eventCap),
		changedAt: map[rkey]time.Time{},
		hl:        map[rkey]uint64{},
	}
	m.keys.setReadonly(cfg.Readonly)
	m.tops = newTops()
	m.showTop(m.tops[0])
	m.info(cfg.Notice)
	return m
}

func (m *Model) now() time.Time {
	if m.cfg.Now != nil {
		return m.cfg.Now()
	}
	return time.Now()
}

// loc is the display time zone: the clock's, so tests are deterministic.
func (m *Model) loc() *time.Location { return m.now().Location() }

// Messages the model sends itself.
type (
	identityMsg struct {
		account, arn string
		err          error
	}
	highlightMsg struct{ upTo uint64 } // highlights of batches ≤ upTo expire
)

// Init asks the terminal for its background colour (unless --theme fixes
// the sheet) and fetches the AWS identity once.
func (m *Model) Init() tea.Cmd {
	var cmds []tea.Cmd
	if m.cfg.followsBackground() {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	if f := m.cfg.Identity; f != nil && m.cfg.AWSProblem == "" {
		cmds = append(cmds, func() tea.Msg {
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			acct, arn, err := f(ctx)
			return identityMsg{acct, arn, err}
		})
	}
	return tea.Batch(cmds...)
}

// Update handles one message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := m.update(msg)
	if _, ok := msg.(ageTickMsg); ok {
		m.ageTicking = false // this tick's redraw is the point; plan the next
	}
	cmd = tea.Batch(cmd, m.scheduleAgeTick(), m.syncStats(), m.syncMetrics(), m.syncEC2())
	// A long error or an open command line changes the room left for the
	// table; keep every table's scroll window in step with it.
	if h := m.tableHeight(); h != m.tblHeight {
		m.resize()
	}
	return m, cmd
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = max(msg.Width, 0), max(msg.Height, 0)
		m.resize()
	case tea.BackgroundColorMsg:
		if m.cfg.followsBackground() {
			m.isDark = msg.IsDark()
			m.st = newStyles(m.isDark, m.noColor)
		}
	case tea.ColorProfileMsg:
		// The renderer already strips colour on such terminals; switching
		// the styles too brings in the no-colour markers (bold, reverse).
		m.noColor = m.noColor || msg.Profile == colorprofile.Ascii || msg.Profile == colorprofile.NoTTY
		m.st = newStyles(m.isDark, m.noColor)
	case identityMsg:
		if m.acct.seq > 0 {
			break // the first account's answer, after a switch (account.go)
		}
		m.account, m.arn, m.identErr = msg.account, msg.arn, msg.err
		if msg.err != nil {
			m.fail("AWS identity: " + clean(msg.err.Error()))
		}
	case watch.Update:
		return m.onUpdate(msg)
	case highlightMsg:
		return m.expireHighlights(msg.upTo)
	case jobDoneMsg:
		m.jobDone(msg)
	case batchDoneMsg:
		m.batchDone(msg)
	case planMsg:
		m.planned(msg)
	case createPreparedMsg:
		m.createPrepared(msg)
	case createdMsg:
		m.created(msg)
	case launch.Event:
		return m.onEvent(msg)
	case runDoneMsg:
		return m.onRunDone(msg)
	case logsMsg:
		return m.gotLogs(msg)
	case statsMsg:
		return m.gotStats(msg)
	case statsEndMsg:
		m.statsEnded(msg)
	case inspectMsg:
		m.gotInspect(msg)
	case execReadyMsg:
		return m.execReady(msg)
	case execDoneMsg:
		m.execDone(msg)
	case logsTickMsg:
		return m.logsTick(msg)
	case runTickMsg:
		m.runTicking = false
		return m.scheduleRunTick()
	case tea.PasteMsg:
		if m.dlg != nil && m.dlg.input != nil {
			m.typeInDialog(msg.Content)
		} else if f, ok := m.current().(formPage); ok && m.mode() == modeForm {
			f.paste(msg.Content)
		} else if m.input.active() {
			m.input.insert(msg.Content)
			m.afterInput()
		}
	case pageMsg:
		return msg.apply(m)
	case tea.KeyPressMsg:
		return m.onKey(msg)
	case tea.MouseClickMsg, tea.MouseWheelMsg:
		return m.onMouse(msg)
	}
	return nil
}

// onUpdate applies a watcher's result: newer data replaces the kinds the
// source owns; an error keeps the old data and marks it stale.
func (m *Model) onUpdate(u watch.Update) tea.Cmd {
	if !m.accept(u) {
		return nil // an older generation: the scope changed since
	}
	if u.Err != nil {
		return nil
	}
	if !u.Partial && len(u.Transitions) == 0 && m.data.unchanged(u.Set) {
		return nil // the snapshot on screen, again: only its age moved (accept)
	}
	// A partial update (a first load still arriving) shows its rows at
	// once; it carries no transitions, and the whole baseline follows.
	kinds := m.data.apply(u.Source, u.Set)
	if !u.Baseline && !u.Partial {
		m.recordTransitions(u.Transitions)
	}
	eventsChanged := len(u.Transitions) > 0 && !u.Baseline
	for _, p := range m.allPages() {
		for _, k := range kinds {
			if p.uses(k) {
				p.invalidate()
			}
		}
		if eventsChanged && p.uses(kindEvents) {
			p.invalidate()
		}
	}
	// Only the page on screen is rebuilt now; the others when shown.
	m.current().refresh(m)
	return m.scheduleHighlight()
}

// scheduleHighlight starts the one tick that ends the current highlights.
// Nothing ticks while no row is highlighted.
func (m *Model) scheduleHighlight() tea.Cmd {
	if m.hlTicking || len(m.hl) == 0 {
		return nil
	}
	m.hlTicking = true
	upTo := m.hlSeq
	return tea.Tick(highlightFor, func(time.Time) tea.Msg { return highlightMsg{upTo} })
}

func (m *Model) expireHighlights(upTo uint64) tea.Cmd {
	m.hlTicking = false
	for k, seq := range m.hl {
		if seq <= upTo {
			delete(m.hl, k)
		}
	}
	return m.scheduleHighlight()
}

// changed reports whether a row is highlighted as recently changed.
func (m *Model) changed(k rkey) bool {
	_, ok := m.hl[k]
	return ok
}

// maxStatus is how many lines a long error may take in the status area.
const maxStatus = 3

// chrome is the number of lines around the body: header (2) and title (1)
// above; status (1, or up to maxStatus for a long error) and hint (1)
// below. Tiny terminals drop all but the essentials.
func (m *Model) chrome() (top, bottom int) {
	switch {
	case m.height >= 10:
		return 3, len(m.statusLines(m.width, maxStatus)) + 1
	case m.height >= 5:
		return 2, 1
	}
	return 0, 0
}

// tableHeight is the number of data rows a table shows (below its header).
func (m *Model) tableHeight() int {
	top, bottom := m.chrome()
	return max(m.height-top-bottom-1, 1)
}

func (m *Model) resize() {
	h := m.tableHeight()
	m.tblHeight = h
	for _, p := range m.allPages() {
		if t := p.table(); t != nil {
			t.setHeight(h)
		}
	}
}
