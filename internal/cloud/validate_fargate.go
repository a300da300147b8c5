package cloud

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// fargateSizes are the task cpu units Fargate offers and, for each, the
// smallest and largest memory (MiB) and the step between them.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
var fargateSizes = map[int]struct{ min, max, step int }{
	256:   {512, 2048, 0}, // 512, 1024, 2048: listed below
	512:   {1024, 4096, 1024},
	1024:  {2048, 8192, 1024},
	2048:  {4096, 16384, 1024},
	4096:  {8192, 30720, 1024},
	8192:  {16384, 61440, 4096},
	16384: {32768, 122880, 8192},
}

// FargateMemoryChoices lists the task memory sizes (MiB) Fargate offers with
// cpu units of CPU, smallest first; nil when cpu is not a Fargate size.
func FargateMemoryChoices(cpu int) []int {
	if cpu == 256 {
		return []int{512, 1024, 2048}
	}
	r, ok := fargateSizes[cpu]
	if !ok {
		return nil
	}
	var out []int
	for m := r.min; m <= r.max; m += r.step {
		out = append(out, m)
	}
	return out
}

// FargateCPUs lists the task cpu units Fargate offers, smallest first.
func FargateCPUs() []int { return []int{256, 512, 1024, 2048, 4096, 8192, 16384} }

// ValidateFargateSize checks a Fargate task's cpu and memory. Both take the
// forms ECS accepts: units and MiB ("256", "512") or "0.25 vCPU", "1 GB".
func ValidateFargateSize(cpu, memory string) error {
	bad := func(field, format string, args ...any) error {
		return invalid("ecs", "RegisterTaskDefinition", "ClientException", field, format, args...)
	}
	c, ok := parseSize(cpu, "vcpu")
	if !ok || FargateMemoryChoices(c) == nil {
		return bad("CPU", "%q is not a Fargate cpu size; use one of %s (1024 = 1 vCPU)", cpu, joinInts(FargateCPUs()))
	}
	m, ok := parseSize(memory, "gb")
	if !ok {
		return bad("Memory", "%q is not a memory size; give MiB, e.g. \"512\", or GB, e.g. \"1 GB\"", memory)
	}
	choices := FargateMemoryChoices(c)
	if !slices.Contains(choices, m) {
		// AWS: "No Fargate configuration exists for given values."
		return bad("Memory", "no Fargate configuration exists for %d cpu units with %d MiB; with CPU %q use Memory %s", c, m, cpu, describeChoices(choices))
	}
	return nil
}

// parseSize reads "512" (cpu units or MiB) or "0.5 GB" / ".25 vCPU" (unit
// is "gb" or "vcpu", case-insensitive, ×1024).
func parseSize(s, unit string) (int, bool) {
	s = strings.TrimSpace(strings.ToLower(s))
	if n, err := strconv.Atoi(s); err == nil {
		return n, n > 0
	}
	num, ok := strings.CutSuffix(s, unit)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || f <= 0 {
		return 0, false
	}
	n := f * 1024
	if n != float64(int(n)) {
		return 0, false
	}
	return int(n), true
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

func describeChoices(ms []int) string {
	if len(ms) <= 4 {
		return joinInts(ms)
	}
	return fmt.Sprintf("%d to %d in steps of %d", ms[0], ms[len(ms)-1], ms[1]-ms[0])
}
