package dockerops

import (
	"regexp"
	"strings"
)

// ansiRE matches terminal escape sequences (CSI … final byte). The classic
// builder wraps a RUN step's stderr in red ("\x1b[91m" … "\x1b[0m"), which
// would garble a log file or a TUI cell and hide the builder's own
// "Removing intermediate container" lines from decodeBuild.
var ansiRE = regexp.MustCompile(`\x1b\[[0-9;?]*[ -/]*[@-~]`)

func stripANSI(s string) string {
	if !strings.Contains(s, "\x1b") {
		return s
	}
	return ansiRE.ReplaceAllString(s, "")
}
