package tui

import (
	"fmt"
	"image/color"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// sgrBackground is the escape sequence part that sets c as the background.
func sgrBackground(c string) string {
	var r, g, b uint8
	fmt.Sscanf(c, "#%02x%02x%02x", &r, &g, &b)
	return fmt.Sprintf("48;2;%d;%d;%d", r, g, b)
}

// The cursor row's background in each sheet (styles.go).
var selectedBG = map[bool]string{false: sgrBackground("#B6E3FF"), true: sgrBackground("#1F4E8C")}

// TestThemes: --theme dark and light fix the sheet whatever the terminal
// reports; auto starts dark and follows the terminal's answer; every theme
// draws the same screen apart from colour; NO_COLOR removes colour under
// any theme.
func TestThemes(t *testing.T) {
	lightBG := tea.BackgroundColorMsg{Color: color.RGBA{0xff, 0xff, 0xff, 0xff}}
	darkBG := tea.BackgroundColorMsg{Color: color.RGBA{0x10, 0x10, 0x10, 0xff}}
	tests := []struct {
		theme    string
		terminal tea.Msg // the terminal's answer to the background query; nil: none
		dark     bool
	}{
		{"", nil, true},
		{ThemeAuto, nil, true},
		{ThemeAuto, lightBG, false},
		{ThemeAuto, darkBG, true},
		{ThemeDark, nil, true},
		{ThemeDark, lightBG, true},
		{ThemeLight, nil, false},
		{ThemeLight, darkBG, false},
	}
	var plain string
	for _, tc := range tests {
		name := fmt.Sprintf("%q/%v", tc.theme, tc.terminal)
		t.Run(name, func(t *testing.T) {
			t.Setenv("NO_COLOR", "")
			m := loadedWithTheme(t, tc.theme)
			if tc.terminal != nil {
				send(m, tc.terminal)
			}
			view := m.View().Content
			if !strings.Contains(view, selectedBG[tc.dark]) || strings.Contains(view, selectedBG[!tc.dark]) {
				t.Errorf("dark=%v wanted: the cursor row lacks %s (or has the other sheet's %s)", tc.dark, selectedBG[tc.dark], selectedBG[!tc.dark])
			}
			s := ansi.Strip(view)
			mustContain(t, s, "instances [3]", "web-1")
			if plain == "" {
				plain = s
			} else if s != plain {
				t.Errorf("the theme changed the screen's text:\n%s\nwant\n%s", s, plain)
			}
		})
	}
	for _, theme := range Themes {
		t.Run("NO_COLOR/"+theme, func(t *testing.T) {
			t.Setenv("NO_COLOR", "1")
			m := loadedWithTheme(t, theme)
			send(m, lightBG)
			view := m.View().Content
			if strings.Contains(view, "38;2;") || strings.Contains(view, "48;2;") {
				t.Errorf("NO_COLOR with --theme %s still draws colours", theme)
			}
			if ansi.Strip(view) != plain {
				t.Errorf("NO_COLOR changed the screen's text")
			}
		})
	}
}

// loadedWithTheme is newLoaded with Config.Theme set.
func loadedWithTheme(t *testing.T, theme string) *Model {
	t.Helper()
	cfg := testConfig()
	cfg.Theme = theme
	m := New(cfg)
	send(m, tea.WindowSizeMsg{Width: 100, Height: 24})
	feeds := map[string]*feed{"ec2": {source: "ec2"}, "ecs": {source: "ecs"}, "docker": {source: "docker"}}
	send(m, feeds["ec2"].update(ec2Set(instance("i-0aaa1111bbbb2222c", "web-1", "running"),
		instance("i-0ddd3333eeee4444f", "db-1", "stopped"), instance("i-0fff5555aaaa6666b", "", "pending")), t0))
	send(m, feeds["ecs"].update(ecsSet(2, "RUNNING"), t0))
	send(m, feeds["docker"].update(dockerSet("running"), t0))
	return m
}
