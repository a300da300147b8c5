package dockerops

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/netip"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"deckhand/internal/resource"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

func find(t *testing.T, list []resource.DockerContainer, id string) resource.DockerContainer {
	t.Helper()
	for _, d := range list {
		if d.ID == id {
			return d
		}
	}
	t.Fatalf("container %s not in the list of %d", short(id), len(list))
	return resource.DockerContainer{}
}

func TestContainersListsRunningAndCreated(t *testing.T) {
	e, c := newEngine(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tag := fixtureImage(t, e, c)

	name := uniq(t)
	before := time.Now().Add(-2 * time.Second) // the engine stamps whole seconds
	id, err := e.Run(ctx, RunOptions{Image: tag, Name: name, Ports: map[int]int{5000: 0}, Env: []string{"A=b"}})
	if id != "" {
		removeLater(t, c, id)
	}
	if err != nil {
		t.Fatal(err)
	}
	created, err := c.ContainerCreate(ctx, client.ContainerCreateOptions{Name: name + "-idle", Image: tag})
	if err != nil {
		t.Fatal(err)
	}
	removeLater(t, c, created.ID)

	list, err := e.Containers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(list); i++ {
		if list[i-1].Name > list[i].Name {
			t.Errorf("not sorted by name: %q before %q", list[i-1].Name, list[i].Name)
		}
	}
	run := find(t, list, id)
	if run.Name != name || run.Image != tag || run.State != "running" || !strings.HasPrefix(run.Status, "Up") {
		t.Errorf("running container = %+v, want name %s, image %s, running, Up…", run, name, tag)
	}
	if run.Created.Before(before) || run.Created.After(time.Now()) {
		t.Errorf("Created = %v, want about now", run.Created)
	}
	m := regexp.MustCompile(`^127\.0\.0\.1:(\d+)->5000/tcp$`).FindStringSubmatch(run.Ports)
	if m == nil {
		t.Fatalf("Ports = %q, want 127.0.0.1:N->5000/tcp", run.Ports)
	}
	// The published port reaches the app: Run wired the binding.
	body := httpGet(t, "http://127.0.0.1:"+m[1]+"/")
	if body != "ok" {
		t.Errorf("app answered %q, want ok", body)
	}

	// IP is the bridge address, what other containers use to reach it;
	// a container that never started has none.
	for _, tc := range []struct {
		id     string
		wantIP bool
	}{{id, true}, {created.ID, false}} {
		info, err := e.InspectContainer(ctx, tc.id)
		if err != nil {
			t.Fatal(err)
		}
		if ip, err := netip.ParseAddr(info.IP); tc.wantIP != (err == nil && ip.Is4()) {
			t.Errorf("container %s: IP %q, want an IPv4 address: %v", short(tc.id), info.IP, tc.wantIP)
		}
	}

	idle := find(t, list, created.ID)
	if idle.Name != name+"-idle" || idle.State != "created" || idle.Image != tag {
		t.Errorf("created container = %+v", idle)
	}
}

// httpGet retries briefly: the app may not listen yet right after start.
func httpGet(t *testing.T, url string) string {
	t.Helper()
	var last error
	for range 50 {
		resp, err := http.Get(url)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			return string(b)
		}
		last = err
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("GET %s: %v", url, last)
	return ""
}

func TestFormatPorts(t *testing.T) {
	ip := netip.MustParseAddr
	for _, tc := range []struct {
		name string
		in   []container.PortSummary
		want string
	}{
		{"none", nil, ""},
		{"unpublished", []container.PortSummary{{PrivatePort: 5000, Type: "tcp"}}, "5000/tcp"},
		{"loopback", []container.PortSummary{{IP: ip("127.0.0.1"), PrivatePort: 5000, PublicPort: 8080, Type: "tcp"}}, "127.0.0.1:8080->5000/tcp"},
		{"v4 and v6 of one binding collapse", []container.PortSummary{
			{IP: ip("::"), PrivatePort: 80, PublicPort: 8080, Type: "tcp"},
			{IP: ip("0.0.0.0"), PrivatePort: 80, PublicPort: 8080, Type: "tcp"},
		}, "0.0.0.0:8080->80/tcp"},
		{"v6 alone stays, bracketed", []container.PortSummary{{IP: ip("::"), PrivatePort: 80, PublicPort: 8080, Type: "tcp"}}, "[::]:8080->80/tcp"},
		{"duplicates and numeric order", []container.PortSummary{
			{IP: ip("0.0.0.0"), PrivatePort: 10000, PublicPort: 10000, Type: "udp"},
			{PrivatePort: 443, Type: "tcp"},
			{IP: ip("127.0.0.1"), PrivatePort: 5000, PublicPort: 8080, Type: "tcp"},
			{IP: ip("127.0.0.1"), PrivatePort: 5000, PublicPort: 8080, Type: "tcp"},
			{IP: ip("::1"), PrivatePort: 5000, PublicPort: 8080, Type: "tcp"},
		}, "443/tcp, 127.0.0.1:8080->5000/tcp, 0.0.0.0:10000->10000/udp"},
	} {
		if got := formatPorts(tc.in); got != tc.want {
			t.Errorf("%s: formatPorts = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestUnreachableEngineNamesHost(t *testing.T) {
	host := "unix://" + filepath.Join(t.TempDir(), "nothing.sock")
	e, err := New(Options{Host: host})
	if err != nil {
		t.Fatal(err) // New must not need the engine
	}
	defer e.Close()
	_, err = e.Containers(context.Background())
	var u *UnreachableError
	if !errors.As(err, &u) {
		t.Fatalf("Containers error %T %v, want *UnreachableError", err, err)
	}
	msg := err.Error()
	for _, want := range []string{"Docker engine at " + host + " is not answering", "no such file or directory", "is dockerd running?"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
}

func TestReadOnlyRefusesMutations(t *testing.T) {
	e, err := New(Options{Host: "unix:///nonexistent.sock", ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()
	_, errB := e.Build(ctx, BuildOptions{Dir: t.TempDir()}, nil)
	_, errR := e.Run(ctx, RunOptions{Image: "x"})
	for name, err := range map[string]error{
		"Build": errB, "Run": errR,
		"Start": e.Start(ctx, "x"), "Stop": e.Stop(ctx, "x", time.Second), "Remove": e.Remove(ctx, "x", true),
	} {
		if !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s: %v, want ErrReadOnly", name, err)
		}
	}
}

func TestNewRejectsSSH(t *testing.T) {
	if _, err := New(Options{Host: "ssh://me@box"}); err == nil || !strings.Contains(err.Error(), "not supported") {
		t.Errorf("New(ssh://) error = %v, want not supported", err)
	}
}
