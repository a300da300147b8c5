package launch

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// ExposedPort returns the first port the Dockerfile at path EXPOSEs, or 0.
// Plans use it to name the app's port before anything is built; the built
// image's config is what a run uses.
func ExposedPort(path string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && strings.EqualFold(fields[0], "EXPOSE") {
			num, _, _ := strings.Cut(fields[1], "/")
			if n, err := strconv.Atoi(num); err == nil {
				return n
			}
		}
	}
	return 0
}
