package launch

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// The last step of every launch asks the service's URL for its page. The
// targets differ in how long they keep asking (a container answers at once,
// a new load balancer's name takes minutes to resolve), not in what a good
// answer is; that is decided here.

// CheckSummary is the plan's summary of a check step for an app whose
// welcome text is welcome ("" when unknown: any 2xx will do).
func CheckSummary(welcome string) string {
	if welcome == "" {
		return "Check that GET / answers 2xx"
	}
	return fmt.Sprintf("Check that GET / answers 2xx with %q", welcome)
}

// CheckAnswer asks url once and returns the answer; err is set when there
// is none, it is not 2xx, or its body lacks welcome (when set).
func CheckAnswer(ctx context.Context, url, welcome string) (status int, body string, err error) {
	status, body, err = Get(ctx, url)
	switch {
	case err != nil:
	case status/100 != 2:
		err = fmt.Errorf("GET %s answered HTTP %d: %q", url, status, Excerpt(body))
	case welcome != "" && !strings.Contains(body, welcome):
		err = fmt.Errorf("GET %s answered HTTP %d but the body is %q, not the app's welcome text %q", url, status, Excerpt(body), welcome)
	}
	return status, body, err
}

// Get fetches url once, with a short timeout, and reads at most 1 MiB of
// the body: a check needs the start of the page, not all of it.
func Get(ctx context.Context, url string) (int, string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("GET %s: %w", url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, "", fmt.Errorf("GET %s: reading the body: %w", url, err)
	}
	return resp.StatusCode, string(data), nil
}

// Excerpt keeps a body short enough for one event line: trimmed, at most
// 80 characters (runes, so a cut never splits one).
func Excerpt(s string) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return s
}
