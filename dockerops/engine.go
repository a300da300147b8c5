// Package dockerops is deckhand's adapter to a Docker engine: it lists
// containers as resource.DockerContainer values, follows the engine's event
// stream as a watch source, and builds and runs images. Nothing outside this
// package sees a moby type.
package dockerops

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"deckhand/internal/resource"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// Options configures New.
type Options struct {
	// Host is the --docker-host flag; it wins over DOCKER_HOST and the
	// docker context.
	Host string
	// ReadOnly makes Build, Run, Start, Stop and Remove fail with ErrReadOnly
	// (deckhand's --readonly), so a UI bug cannot mutate anything.
	ReadOnly bool
}

// ErrReadOnly is returned by mutating calls on a read-only Engine.
var ErrReadOnly = errors.New("docker: read-only mode, refusing to change anything")

// Engine is a connection to one Docker engine. It is safe for concurrent
// use.
type Engine struct {
	cli      *client.Client
	ep       endpoint
	readOnly bool
	// lastDial keeps the most recent dial failure: the client replaces
	// "connection refused" by a generic sentence, and the UI is better
	// served by the real cause.
	lastDial atomic.Pointer[error]
}

// New resolves the engine's address (see Options.Host) and makes a client.
// It does not contact the engine: the API version is negotiated on the
// first request, so New succeeds while dockerd is down and the watcher
// reports it instead.
func New(opts Options) (*Engine, error) {
	ep, err := resolveHost(opts.Host, os.Getenv)
	if err != nil {
		return nil, err
	}
	u, err := client.ParseHostURL(ep.Host)
	if err != nil {
		return nil, fmt.Errorf("docker host from %s: %w", ep.Origin, err)
	}
	if u.Scheme != "unix" && u.Scheme != "tcp" && u.Scheme != "npipe" {
		// ssh:// needs the CLI's connection helper, which the client
		// library does not have.
		return nil, fmt.Errorf("docker host %s (from %s): scheme %q is not supported; use unix:// or tcp:// (for ssh, forward the socket with ssh -L)", ep.Host, ep.Origin, u.Scheme)
	}
	e := &Engine{ep: ep, readOnly: opts.ReadOnly}
	var copts []client.Opt
	if ep.Origin == "--docker-host" || ep.Origin == "DOCKER_HOST" {
		// Must come first: it replaces the HTTP client (as FromEnv does).
		copts = append(copts, client.WithTLSClientConfigFromEnv())
	}
	copts = append(copts, client.WithHost(ep.Host))
	if ep.CAFile != "" || ep.CertFile != "" {
		copts = append(copts, client.WithTLSClientConfig(ep.CAFile, ep.CertFile, ep.KeyFile))
	}
	if u.Scheme != "npipe" {
		copts = append(copts, client.WithDialContext(e.dialer(u.Scheme, u.Host)))
	}
	// No WithAPIVersion: the client negotiates down to the engine's version
	// (1.41 for Docker 20.10) on its first request.
	if e.cli, err = client.New(copts...); err != nil {
		return nil, fmt.Errorf("docker client for %s: %w", ep.Host, err)
	}
	return e, nil
}

// dialer dials the engine and remembers why it failed.
func (e *Engine) dialer(scheme, addr string) func(ctx context.Context, network, a string) (net.Conn, error) {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return func(ctx context.Context, network, a string) (net.Conn, error) {
		if scheme == "unix" {
			network, a = "unix", addr
		}
		c, err := d.DialContext(ctx, network, a)
		if err != nil {
			e.lastDial.Store(&err)
		} else {
			e.lastDial.Store(nil)
		}
		return c, err
	}
}

// Host is the engine's address, e.g. unix:///var/run/docker.sock.
func (e *Engine) Host() string { return e.ep.Host }

// Origin says where Host came from: "--docker-host", "DOCKER_HOST",
// `context "name"` or "default".
func (e *Engine) Origin() string { return e.ep.Origin }

// Close releases the client's idle connections.
func (e *Engine) Close() error { return e.cli.Close() }

// Ping checks that the engine answers.
func (e *Engine) Ping(ctx context.Context) error {
	_, err := e.cli.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true})
	return e.explain(err)
}

// UnreachableError says the engine did not answer at all (as opposed to
// answering with an error).
type UnreachableError struct {
	Host string
	Err  error
	// RetryAt is when the event stream next tries to reconnect; zero when
	// not known (the error did not come from a Source).
	RetryAt time.Time
}

func (e *UnreachableError) Error() string {
	hint := "is dockerd running?"
	if errors.Is(e.Err, fs.ErrPermission) {
		hint = "may this user open the socket (docker group)?"
	}
	return fmt.Sprintf("Docker engine at %s is not answering: %v — %s", e.Host, e.Err, hint)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// explain turns "could not talk to the engine" errors into an
// *UnreachableError naming the host; other errors pass unchanged.
func (e *Engine) explain(err error) error {
	var already *UnreachableError
	if err == nil || errors.As(err, &already) || !unreachable(err) {
		return err
	}
	cause := err
	switch {
	case client.IsErrConnectionFailed(err):
		if d := e.lastDial.Load(); d != nil {
			cause = *d
		}
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		cause = fmt.Errorf("connection closed (%w)", err) // a bare "EOF" says nothing
	}
	return &UnreachableError{Host: e.ep.Host, Err: cause}
}

func unreachable(err error) bool {
	return client.IsErrConnectionFailed(err) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ENOENT) ||
		errors.Is(err, context.DeadlineExceeded)
}

// Containers lists all containers, stopped ones included, sorted by name.
func (e *Engine) Containers(ctx context.Context) ([]resource.DockerContainer, error) {
	res, err := e.cli.ContainerList(ctx, client.ContainerListOptions{All: true})
	if err != nil {
		return nil, e.explain(err)
	}
	out := make([]resource.DockerContainer, 0, len(res.Items))
	for _, c := range res.Items {
		out = append(out, summary(c))
	}
	sortContainers(out)
	return out, nil
}

// summary is a listed container as deckhand shows it.
func summary(c container.Summary) resource.DockerContainer {
	return resource.DockerContainer{
		ID:      c.ID,
		Name:    name(c.Names),
		Image:   c.Image,
		State:   string(c.State),
		Status:  c.Status,
		Ports:   formatPorts(c.Ports),
		Created: time.Unix(c.Created, 0),
		Project: c.Labels[resource.ComposeProjectLabel],
	}
}

func sortContainers(out []resource.DockerContainer) {
	slices.SortFunc(out, func(a, b resource.DockerContainer) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
}

// name picks the container's own name: the engine also lists the names it
// has as a link target ("/web/db"), which contain a second slash.
func name(names []string) string {
	for _, n := range names {
		if n = strings.TrimPrefix(n, "/"); !strings.Contains(n, "/") {
			return n
		}
	}
	if len(names) > 0 {
		return strings.TrimPrefix(names[0], "/")
	}
	return ""
}

// formatPorts renders ports as `docker ps` does ("127.0.0.1:8080->5000/tcp",
// "5000/tcp"), sorted by container port. A binding on [::] that repeats one
// on 0.0.0.0 (and [::1] repeating 127.0.0.1) is dropped, as are exact
// duplicates, which some engines list.
func formatPorts(ps []container.PortSummary) string {
	type key struct {
		priv, pub uint16
		proto     string
		ip        string
	}
	keys := make([]key, 0, len(ps))
	seen := make(map[key]bool, len(ps))
	for _, p := range ps {
		k := key{priv: p.PrivatePort, pub: p.PublicPort, proto: p.Type}
		if p.PublicPort != 0 && p.IP.IsValid() {
			k.ip = p.IP.String()
		}
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	v4twin := map[string]string{"::": "0.0.0.0", "::1": "127.0.0.1"}
	keys = slices.DeleteFunc(keys, func(k key) bool {
		tw, ok := v4twin[k.ip]
		if !ok {
			return false
		}
		k.ip = tw
		return seen[k]
	})
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(a.priv, b.priv), cmp.Compare(a.proto, b.proto),
			cmp.Compare(a.pub, b.pub), cmp.Compare(a.ip, b.ip))
	})
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		s := strconv.Itoa(int(k.priv)) + "/" + k.proto
		if k.pub != 0 {
			s = strconv.Itoa(int(k.pub)) + "->" + s
			switch {
			case strings.Contains(k.ip, ":"):
				s = "[" + k.ip + "]:" + s
			case k.ip != "":
				s = k.ip + ":" + s
			}
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}
