package tui

// The values of --theme. auto follows the terminal: the model asks for its
// background colour (Init) and redraws with the light or dark sheet when
// the answer comes; dark and light fix the sheet for terminals that do not
// answer (some over SSH, or inside tmux/screen) or answer wrong. NO_COLOR
// wins over any theme: it removes colour, not a palette.
const (
	ThemeAuto  = "auto"
	ThemeDark  = "dark"
	ThemeLight = "light"
)

// Themes are the accepted --theme values, auto first (the default).
var Themes = []string{ThemeAuto, ThemeDark, ThemeLight}

// followsBackground reports whether the terminal's background picks the
// style sheet ("" is auto, for callers that leave Config.Theme unset).
func (c Config) followsBackground() bool {
	return c.Theme != ThemeDark && c.Theme != ThemeLight
}

// startsDark is the background assumed before the terminal answers: dark,
// unless the light theme was asked for.
func (c Config) startsDark() bool { return c.Theme != ThemeLight }
