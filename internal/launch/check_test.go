package launch

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCheckSummary(t *testing.T) {
	tests := []struct{ welcome, want string }{
		{"", "Check that GET / answers 2xx"},
		{"web: hi", `Check that GET / answers 2xx with "web: hi"`},
	}
	for _, tc := range tests {
		if got := CheckSummary(tc.welcome); got != tc.want {
			t.Errorf("CheckSummary(%q) = %q, want %q", tc.welcome, got, tc.want)
		}
	}
}

func TestExcerpt(t *testing.T) {
	long := strings.Repeat("é", 81) // runes, not bytes: é is two bytes
	tests := []struct{ in, want string }{
		{"  hello\n", "hello"},
		{strings.Repeat("a", 80), strings.Repeat("a", 80)},
		{long, strings.Repeat("é", 80) + "…"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := Excerpt(tc.in); got != tc.want {
			t.Errorf("Excerpt(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestCheckAnswer asks a real HTTP server: what a good answer is decides
// whether a launch's last step passes on every target.
func TestCheckAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/missing":
			http.Error(w, "no such page", http.StatusNotFound)
		case "/big":
			w.Write([]byte(strings.Repeat("x", 2<<20)))
		default:
			w.Write([]byte("web: Welcome to Python Flask Web Service!"))
		}
	}))
	defer srv.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	tests := []struct {
		name, path, welcome string
		url                 string // instead of srv.URL+path
		status              int
		err                 string // "" for no error, else a part of it
	}{
		{name: "any 2xx", path: "/", status: 200},
		{name: "welcome found", path: "/", welcome: "web: Welcome", status: 200},
		{name: "welcome missing", path: "/", welcome: "api: Welcome", status: 200,
			err: `but the body is "web: Welcome to Python Flask Web Service!", not the app's welcome text "api: Welcome"`},
		{name: "not 2xx", path: "/missing", status: 404, err: `answered HTTP 404: "no such page"`},
		{name: "not 2xx with welcome", path: "/missing", welcome: "web", status: 404, err: "answered HTTP 404"},
		{name: "body read up to 1 MiB", path: "/big", status: 200},
		{name: "nothing listens", url: closed.URL + "/", err: "GET " + closed.URL + "/: "},
	}
	for _, tc := range tests {
		url := tc.url
		if url == "" {
			url = srv.URL + tc.path
		}
		status, body, err := CheckAnswer(context.Background(), url, tc.welcome)
		if status != tc.status {
			t.Errorf("%s: status %d, want %d", tc.name, status, tc.status)
		}
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v, want no error", tc.name, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.err)
		}
		if tc.path == "/big" && len(body) != 1<<20 {
			t.Errorf("%s: read %d bytes, want %d", tc.name, len(body), 1<<20)
		}
	}
}
