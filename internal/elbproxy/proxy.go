// Package elbproxy is the sandbox's stand-in for an Application Load
// Balancer's data plane: a small HTTP reverse proxy that deckhand runs as
// a container on the local engine (see EnsureImage), started as the hidden
// subcommand `deckhand elb-proxy` with the arguments Args builds. It
// round-robins requests over fixed targets and answers, when it cannot,
// with the status codes and pages an ALB uses, so what a user sees through
// the sandbox matches what they would see on AWS.
package elbproxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Timeouts an ALB also has: it gives up connecting to a target after 10s,
// and on a target that sends nothing, or a connection idle, after 60s (its
// default idle timeout).
const (
	connectTimeout  = 10 * time.Second
	idleTimeout     = 60 * time.Second
	shutdownTimeout = 5 * time.Second
)

// Args is the command line after `deckhand elb-proxy` (the image's
// ENTRYPOINT) for a proxy listening on listen and forwarding to targets,
// e.g. --listen :80 --target 172.17.0.3:5000 --target 172.17.0.4:5000.
// The sandbox passes it as the container's Cmd; the subcommand parses it.
func Args(listen string, targets []string) []string {
	args := []string{"--listen", listen}
	for _, t := range targets {
		args = append(args, "--target", t)
	}
	return args
}

// Serve proxies HTTP on listen (":80", "127.0.0.1:8080") to targets
// ("host:port"), in turn, until ctx ends; then it stops accepting, lets
// requests in flight finish (for at most 5s) and returns nil. With no
// targets every request gets the 503 an ALB gives when no target is
// healthy. One line per request goes to logw (nil: none).
func Serve(ctx context.Context, listen string, targets []string, logw io.Writer) error {
	h, err := newHandler(targets, logw)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("elb-proxy: %w", err)
	}
	h.log.Printf("listening on %s, targets: %s", ln.Addr(), orNone(targets))
	return h.serve(ctx, ln)
}

func orNone(targets []string) string {
	if len(targets) == 0 {
		return "none (every request gets 503)"
	}
	return strings.Join(targets, ", ")
}

// handler is the proxy: one ReverseProxy per target sharing a transport,
// and a counter that picks the next one.
type handler struct {
	targets   []string
	proxies   []*httputil.ReverseProxy
	next      atomic.Uint64
	transport *http.Transport
	log       *log.Logger
}

func newHandler(targets []string, logw io.Writer) (*handler, error) {
	if logw == nil {
		logw = io.Discard
	}
	h := &handler{
		targets: targets,
		// log.Logger serializes writes, so concurrent requests' lines
		// do not interleave.
		log: log.New(logw, "elb-proxy: ", log.LstdFlags|log.LUTC),
		transport: &http.Transport{
			DialContext:           (&net.Dialer{Timeout: connectTimeout, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConnsPerHost:   32,
			IdleConnTimeout:       idleTimeout,
			ResponseHeaderTimeout: idleTimeout, // then 504, as an ALB
		},
	}
	if err := CheckTargets(targets); err != nil {
		return nil, fmt.Errorf("elb-proxy: %w", err)
	}
	for _, t := range targets {
		u := &url.URL{Scheme: "http", Host: t}
		h.proxies = append(h.proxies, &httputil.ReverseProxy{
			Rewrite:      rewrite(u),
			Transport:    h.transport,
			ErrorHandler: h.proxyError,
			// The default logs to the process's standard logger; the
			// error is logged with the request's line instead.
			ErrorLog: log.New(io.Discard, "", 0),
		})
	}
	return h, nil
}

// CheckTargets returns an error naming the first target that is not
// HOST:PORT, so callers can refuse a bad command line, or a bad target,
// before starting anything. Serve checks them too.
func CheckTargets(targets []string) error {
	for _, t := range targets {
		if err := checkTarget(t); err != nil {
			return err
		}
	}
	return nil
}

// checkTarget accepts host:port with a numeric port, the form the sandbox
// gets from a container's IP and its container port.
func checkTarget(t string) error {
	host, port, err := net.SplitHostPort(t)
	if err == nil && host == "" {
		err = errors.New("missing host")
	}
	if err == nil {
		if n, perr := strconv.Atoi(port); perr != nil || n < 1 || n > 65535 {
			err = errors.New("port must be a number from 1 to 65535")
		}
	}
	if err != nil {
		return fmt.Errorf("target %q is not HOST:PORT (%v), e.g. 172.17.0.3:5000", t, err)
	}
	return nil
}

// rewrite sends the request to target with the headers an ALB adds: the
// client's address appended to X-Forwarded-For, and the scheme and port
// the client used in X-Forwarded-Proto and X-Forwarded-Port. The Host
// header passes through unchanged, as an ALB does, so apps see the name
// the client asked for.
func rewrite(target *url.URL) func(*httputil.ProxyRequest) {
	return func(r *httputil.ProxyRequest) {
		r.SetURL(target)
		r.Out.Host = r.In.Host
		r.Out.Header["X-Forwarded-For"] = r.In.Header["X-Forwarded-For"]
		r.SetXForwarded()
		r.Out.Header.Del("X-Forwarded-Host") // an ALB does not send it
		if a, ok := r.In.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
			if _, port, err := net.SplitHostPort(a.String()); err == nil {
				r.Out.Header.Set("X-Forwarded-Port", port)
			}
		}
	}
}

// errorKey carries a failed request's proxy error from ErrorHandler to
// the request's log line.
type errorKey struct{}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &recorder{ResponseWriter: w}
	target := "-"
	if len(h.proxies) == 0 {
		albError(rec, http.StatusServiceUnavailable, "503 Service Temporarily Unavailable")
	} else {
		i := (h.next.Add(1) - 1) % uint64(len(h.proxies))
		target = h.targets[i]
		var perr error
		r = r.WithContext(context.WithValue(r.Context(), errorKey{}, &perr))
		h.proxies[i].ServeHTTP(rec, r)
		if perr != nil {
			target += " (" + perr.Error() + ")"
		}
	}
	h.log.Printf("%s %s %s %d → %s %v", r.RemoteAddr, r.Method, r.URL.RequestURI(), rec.status(), target, time.Since(start).Round(time.Microsecond))
}

// proxyError answers as an ALB does when a target fails: 504 when it did
// not answer in time, 502 when it refused or broke the connection.
func (h *handler) proxyError(w http.ResponseWriter, r *http.Request, err error) {
	if p, ok := r.Context().Value(errorKey{}).(*error); ok {
		*p = err
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		albError(w, http.StatusGatewayTimeout, "504 Gateway Time-out")
		return
	}
	albError(w, http.StatusBadGateway, "502 Bad Gateway")
}

// albError writes the page an ALB sends with its own errors, byte for
// byte, including its Server header.
func albError(w http.ResponseWriter, code int, title string) {
	body := "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title + "</h1></center>\r\n</body>\r\n</html>\r\n"
	w.Header().Set("Server", "awselb/2.0")
	w.Header().Set("Content-Type", "text/html")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	io.WriteString(w, body)
}

// serve runs the server on ln until ctx ends; Serve's tests give it a
// listener of their own so they know its port.
func (h *handler) serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: connectTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          h.log,
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("elb-proxy: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if err != nil {
		srv.Close() // requests still running after the grace period are cut
	}
	<-done
	h.transport.CloseIdleConnections()
	h.log.Printf("stopped")
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("elb-proxy: shutdown: %w", err)
	}
	return nil
}

// recorder remembers the status code for the log line. Unwrap lets the
// reverse proxy reach the real writer's Flush for streaming responses.
type recorder struct {
	http.ResponseWriter
	code int
}

func (r *recorder) WriteHeader(code int) {
	if r.code == 0 && code >= 200 { // 1xx are interim, not the answer
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *recorder) status() int {
	if r.code == 0 {
		return http.StatusOK
	}
	return r.code
}
