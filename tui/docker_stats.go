package tui

import (
	"context"
	"slices"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"deckhand/dockerops"
	"deckhand/internal/resource"
)

// Live stats follow the engine's stats stream (about a sample a second)
// for the containers on screen only: the running rows visible on the
// docker pane, or the container in a docker detail. syncStats runs after
// every Update and starts and stops streams to match, so leaving the page
// stops them all and nothing runs while no container is shown.

// statsKeep is how many samples a container keeps for its chart.
const statsKeep = 40

// dockerStats is the TUI's side of the streams.
type dockerStats struct {
	streams map[string]*statsStream // container ID → its running stream
	samples map[string][]dockerops.Stats
	seq     uint64
}

type statsStream struct {
	seq    uint64
	cancel context.CancelFunc
}

type (
	statsMsg struct {
		id  string
		seq uint64
		s   dockerops.Stats
		ch  <-chan dockerops.Stats
	}
	statsEndMsg struct {
		id  string
		seq uint64
		err error
	}
)

// statsWanted are the containers whose stats are on screen now.
func (m *Model) statsWanted() []string {
	if m.cfg.Docker.Stats == nil {
		return nil
	}
	var out []string
	add := func(it resource.Item) {
		if x, ok := it.(resource.DockerContainer); ok && x.State == "running" {
			out = append(out, x.ID)
		}
	}
	switch p := m.current().(type) {
	case *listPage:
		if p.spec.kind != resource.KindDocker {
			return nil
		}
		t := &p.tbl
		for i := t.offset; i < min(t.n(), t.offset+max(t.height, 1)); i++ {
			add(m.data.lookup(t.at(i).ref))
		}
	case *detailPage:
		if p.ref.kind == resource.KindDocker {
			add(m.data.lookup(p.ref))
		}
	}
	return out
}

// syncStats starts the streams of the containers that came on screen and
// stops those of the ones that left it.
func (m *Model) syncStats() tea.Cmd {
	want := m.statsWanted()
	ds := &m.dstats
	if len(want) == 0 && len(ds.streams) == 0 {
		return nil
	}
	if ds.streams == nil {
		ds.streams, ds.samples = map[string]*statsStream{}, map[string][]dockerops.Stats{}
	}
	for id, st := range ds.streams {
		if !slices.Contains(want, id) {
			st.cancel()
			delete(ds.streams, id)
		}
	}
	var cmds []tea.Cmd
	for _, id := range want {
		if ds.streams[id] != nil {
			continue
		}
		ds.seq++
		ctx, cancel := context.WithCancel(context.Background())
		ds.streams[id] = &statsStream{seq: ds.seq, cancel: cancel}
		cmds = append(cmds, m.streamStats(ctx, id, ds.seq))
	}
	return tea.Batch(cmds...)
}

// streamStats runs one stream in a Cmd; each sample reaches Update
// through a channel that waitStats reads one message at a time. The
// channel holds one sample: a slow consumer skips samples, never blocks
// the stream.
func (m *Model) streamStats(ctx context.Context, id string, seq uint64) tea.Cmd {
	api := m.cfg.Docker.Stats
	ch := make(chan dockerops.Stats, 1)
	run := func() tea.Msg {
		err := api.StreamStats(ctx, id, func(s dockerops.Stats) {
			select {
			case ch <- s:
			default:
			}
		})
		close(ch)
		return statsEndMsg{id: id, seq: seq, err: err}
	}
	return tea.Batch(run, waitStats(id, seq, ch))
}

func waitStats(id string, seq uint64, ch <-chan dockerops.Stats) tea.Cmd {
	return func() tea.Msg {
		s, ok := <-ch
		if !ok {
			return nil
		}
		return statsMsg{id: id, seq: seq, s: s, ch: ch}
	}
}

// gotStats records a sample and waits for the next, while the stream is
// still wanted.
func (m *Model) gotStats(msg statsMsg) tea.Cmd {
	ds := &m.dstats
	st := ds.streams[msg.id]
	if st == nil || st.seq != msg.seq {
		return nil // stopped: its goroutine ends with its context
	}
	xs := append(ds.samples[msg.id], msg.s)
	if len(xs) > statsKeep {
		xs = xs[len(xs)-statsKeep:]
	}
	ds.samples[msg.id] = xs
	for _, p := range m.allPages() {
		if p.uses(resource.KindDocker) {
			p.invalidate()
		}
	}
	m.current().refresh(m)
	return waitStats(msg.id, msg.seq, msg.ch)
}

// statsEnded forgets a stream the engine closed (the container stopped);
// syncStats starts it again if the container runs and is on screen.
func (m *Model) statsEnded(msg statsEndMsg) {
	ds := &m.dstats
	if st := ds.streams[msg.id]; st != nil && st.seq == msg.seq {
		st.cancel()
		delete(ds.streams, msg.id)
	}
}

// latestStats is the container's last sample, if any.
func (m *Model) latestStats(id string) (dockerops.Stats, bool) {
	xs := m.dstats.samples[id]
	if len(xs) == 0 || m.dstats.streams[id] == nil {
		return dockerops.Stats{}, false
	}
	return xs[len(xs)-1], true
}

// dockerColumns are the docker pane's columns: CPU and memory join them
// while stats stream for a container on screen.
func dockerColumns(m *Model) []column {
	if len(m.dstats.streams) == 0 {
		return dockerCols
	}
	return append(slices.Clone(dockerCols),
		column{title: "CPU", min: 6, max: 7, right: true, prio: 1},
		column{title: "MEM", min: 9, max: 19, right: true, prio: 2})
}

// statsCells are a row's CPU and MEM cells ("" without a sample).
func (m *Model) statsCells(id string) []string {
	s, ok := m.latestStats(id)
	if !ok {
		return []string{"", ""}
	}
	return []string{percent(s.CPUPercent), bytesText(s.MemUsed) + "/" + bytesText(s.MemLimit)}
}

func percent(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) + "%" }

// containerExtras are the container detail's fields beyond the list's:
// its compose project, and the live stats.
func (m *Model) containerExtras(x resource.DockerContainer) []field {
	var out []field
	if x.Project != "" {
		out = append(out, field{"Compose project", x.Project})
	}
	return append(out, m.statsFields(x.ID)...)
}

// statsFields are the detail's live numbers and CPU chart.
func (m *Model) statsFields(id string) []field {
	s, ok := m.latestStats(id)
	if !ok {
		return nil
	}
	xs := m.dstats.samples[id]
	cpu := make([]float64, len(xs))
	mem := make([]float64, len(xs))
	for i, x := range xs {
		cpu[i], mem[i] = x.CPUPercent, float64(x.MemUsed)
	}
	memPct := ""
	if s.MemLimit > 0 {
		memPct = " (" + percent(float64(s.MemUsed)/float64(s.MemLimit)*100) + ")"
	}
	return []field{
		{"CPU", sparkline(cpu) + "  " + percent(s.CPUPercent)},
		{"Memory", sparkline(mem) + "  " + bytesText(s.MemUsed) + " / " + bytesText(s.MemLimit) + memPct},
		{"Network I/O", bytesText(s.NetRx) + " in / " + bytesText(s.NetTx) + " out"},
		{"Block I/O", bytesText(s.BlockRead) + " read / " + bytesText(s.BlockWrite) + " written"},
	}
}

// sparkline draws values as a line of block characters scaled to their
// maximum, newest at the right.
func sparkline(vs []float64) string {
	const bars = "▁▂▃▄▅▆▇█"
	top := 0.0
	for _, v := range vs {
		top = max(top, v)
	}
	var b strings.Builder
	runes := []rune(bars)
	for _, v := range vs {
		i := 0
		if top > 0 {
			i = min(int(v/top*float64(len(runes)-1)+0.5), len(runes)-1)
		}
		b.WriteRune(runes[i])
	}
	return b.String()
}
