package testbed

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Proxy sits on loopback in front of an AWS-compatible endpoint (moto): it
// counts the API calls that pass by operation and, while Throttle is on,
// answers every call with the throttling error AWS would send instead of
// forwarding it. Tests and the idle benchmark count deckhand's calls with
// it without trusting deckhand's own counters.
type Proxy struct {
	target   *url.URL
	rp       *httputil.ReverseProxy
	throttle atomic.Bool
	only     map[string]bool // operations throttled even while the storm is off (SetThrottleOnly)
	mu       sync.Mutex
	ops      map[string]int
	total    atomic.Int64
	refused  atomic.Int64
	trace    atomic.Pointer[traceFunc] // SetTrace (proxy_trace.go)
}

// NewProxy makes a proxy to target (http://127.0.0.1:PORT).
func NewProxy(target string) (*Proxy, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	return &Proxy{target: u, rp: httputil.NewSingleHostReverseProxy(u), ops: map[string]int{}}, nil
}

// StartProxy runs a Proxy to target on a free loopback port for the test.
func StartProxy(t testing.TB, target string) (*Proxy, string) {
	t.Helper()
	p, err := NewProxy(target)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return p, srv.URL
}

// SetThrottle turns the throttling storm on or off.
func (p *Proxy) SetThrottle(on bool) { p.throttle.Store(on) }

// SetThrottleOnly throttles just these operations ("query.DescribeInstanceStatus",
// "ECS.DescribeServices"), for a test of one call failing while others pass.
func (p *Proxy) SetThrottleOnly(ops ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.only = map[string]bool{}
	for _, op := range ops {
		p.only[op] = true
	}
}

// Total is how many calls arrived (throttled ones included).
func (p *Proxy) Total() int64 { return p.total.Load() }

// Refused is how many calls were answered with a throttling error.
func (p *Proxy) Refused() int64 { return p.refused.Load() }

// Ops is the count per operation ("ECS.DescribeServices"), sorted lines.
func (p *Proxy) Ops() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for op, n := range p.ops {
		out = append(out, op+" "+itoa(n))
	}
	sort.Strings(out)
	return out
}

// Reset zeroes the counters.
func (p *Proxy) Reset() {
	p.mu.Lock()
	p.ops = map[string]int{}
	p.mu.Unlock()
	p.total.Store(0)
	p.refused.Store(0)
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	op, jsonProto := operation(r, body)
	if strings.HasPrefix(r.URL.Path, "/moto-api") {
		p.rp.ServeHTTP(w, r) // moto's own API: not an AWS call
		return
	}
	p.total.Add(1)
	p.mu.Lock()
	p.ops[op]++
	only := p.only[op]
	p.mu.Unlock()
	if p.throttle.Load() || only {
		p.refused.Add(1)
		if jsonProto {
			// ECS, Logs…: the JSON protocol's error shape.
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.Header().Set("X-Amzn-Errortype", "ThrottlingException")
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"__type":"ThrottlingException","message":"Rate exceeded"}`)
			return
		}
		// EC2's query protocol.
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>budget-test</RequestID></Response>`)
		return
	}
	defer p.traced(op, time.Now())
	p.rp.ServeHTTP(w, r)
}

// operation names the call: from X-Amz-Target for the JSON protocols, from
// the Action parameter for the query protocols (EC2, STS, IAM).
func operation(r *http.Request, body []byte) (string, bool) {
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		if i := strings.LastIndexByte(t, '.'); i >= 0 {
			svc := t[:i]
			if strings.HasPrefix(svc, "AmazonEC2ContainerService") {
				svc = "ECS"
			}
			return svc + "." + t[i+1:], true
		}
		return t, true
	}
	if q, err := url.ParseQuery(string(body)); err == nil && q.Get("Action") != "" {
		return "query." + q.Get("Action"), false
	}
	return r.Method + " " + r.URL.Path, false
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}
