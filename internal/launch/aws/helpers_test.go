package aws

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"golang.org/x/crypto/ssh"

	awsapi "deckhand/aws"
	"deckhand/internal/cloud"
	"deckhand/internal/launch"
	"deckhand/internal/resource"
	"deckhand/internal/testbed"
)

// motoFixture is a moto server, the adapter under test against it, and
// plain SDK clients to read back what the steps made (as another tool
// would).
type motoFixture struct {
	url  string
	be   *awsapi.Client
	ecs  *ecs.Client
	ec2  *ec2.Client
	ecr  *ecr.Client
	iam  *iam.Client
	logs *cloudwatchlogs.Client
}

// newMoto starts a moto of its own that knows AWS's managed policies (the
// execution role attaches one). It sets environment variables: call it
// before t.Parallel.
func newMoto(t *testing.T) *motoFixture {
	t.Helper()
	t.Setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
	m := testbed.StartMoto(t)
	ctx := context.Background()
	be, err := awsapi.Load(ctx, awsapi.Options{EndpointURL: m.URL, Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"))
	if err != nil {
		t.Fatal(err)
	}
	base := sdkaws.String(m.URL)
	return &motoFixture{
		url:  m.URL,
		be:   be,
		ecs:  ecs.NewFromConfig(cfg, func(o *ecs.Options) { o.BaseEndpoint = base }),
		ec2:  ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.BaseEndpoint = base }),
		ecr:  ecr.NewFromConfig(cfg, func(o *ecr.Options) { o.BaseEndpoint = base }),
		iam:  iam.NewFromConfig(cfg, func(o *iam.Options) { o.BaseEndpoint = base }),
		logs: cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) { o.BaseEndpoint = base }),
	}
}

// recorder collects a run's events.
type recorder struct {
	mu     sync.Mutex
	events []launch.Event
	t      testing.TB
}

func (r *recorder) report(e launch.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	if r.t != nil && testing.Verbose() {
		r.t.Logf("[%d/%d] %-16s %-8s %s", e.Index, e.Total, e.Step, e.State, e.Detail)
	}
}

// states is "step:state" of each step's final event, in order.
func (r *recorder) states() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		switch e.State {
		case launch.Done, launch.Failed, launch.Skipped:
			out = append(out, e.Step+":"+string(e.State))
		}
	}
	return out
}

// detail is the detail of step's final event.
func (r *recorder) detail(step string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := ""
	for _, e := range r.events {
		if e.Step == step && e.State != launch.Progress && e.State != launch.Running {
			d = e.Detail
		}
	}
	return d
}

// lines are a step's progress lines and notes.
func (r *recorder) lines(step string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		if e.Step == step && (e.State == launch.Progress || e.State == launch.Note) {
			out = append(out, e.Detail)
		}
	}
	return out
}

// run executes steps and fails the test on an error.
func run(t *testing.T, steps []launch.Step) *recorder {
	t.Helper()
	r := &recorder{t: t}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := launch.Execute(ctx, steps, r.report); err != nil {
		t.Fatalf("%v\nsteps: %v", err, r.states())
	}
	return r
}

// runFailing executes steps that must fail and returns the error.
func runFailing(t *testing.T, steps []launch.Step) (*recorder, error) {
	t.Helper()
	r := &recorder{t: t}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	err := launch.Execute(ctx, steps, r.report)
	if err == nil {
		t.Fatalf("the steps succeeded; want a failure\nsteps: %v", r.states())
	}
	return r, err
}

// only keeps the steps named.
func only(steps []launch.Step, names ...string) []launch.Step {
	var out []launch.Step
	for _, s := range steps {
		for _, n := range names {
			if s.Name == n {
				out = append(out, s)
			}
		}
	}
	return out
}

func names(steps []launch.Step) []string {
	var out []string
	for _, s := range steps {
		out = append(out, s.Name)
	}
	return out
}

// stackOf lists "type id" of what Stacks finds for stack.
func stackOf(t *testing.T, be Backend, stack string) []string {
	t.Helper()
	rs, err := be.StackResources(context.Background(), stack)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rs {
		out = append(out, r.Type+" "+r.ID)
	}
	return out
}

func wantField(t *testing.T, err error, field string) {
	t.Helper()
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v (%T), want *InputError on %s", err, err, field)
	}
	if ie.Field != field {
		t.Errorf("err = %v: field %q, want %q", err, ie.Field, field)
	}
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

var _ = fmt.Sprint

// pollFast keeps the waits of tests short.
const pollFast = 100 * time.Millisecond

type iamTag = iamtypes.Tag

func itoa(n int32) string { return strconv.Itoa(int(n)) }

// publicKey is a fresh OpenSSH ed25519 public key line.
func publicKey(t *testing.T) []byte {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return ssh.MarshalAuthorizedKey(k)
}

// recordingBackend records the specs of the creates it passes on.
type recordingBackend struct {
	Backend
	mu        sync.Mutex
	services  []cloud.ServiceSpec
	instances []cloud.InstanceSpec
}

func (b *recordingBackend) RunInstance(ctx context.Context, spec cloud.InstanceSpec) (resource.Instance, error) {
	b.mu.Lock()
	b.instances = append(b.instances, spec)
	b.mu.Unlock()
	return b.Backend.RunInstance(ctx, spec)
}

func (b *recordingBackend) CreateService(ctx context.Context, spec cloud.ServiceSpec) (resource.Service, error) {
	b.mu.Lock()
	b.services = append(b.services, spec)
	b.mu.Unlock()
	return b.Backend.CreateService(ctx, spec)
}

// runErr executes steps and returns the error.
func runErr(steps []launch.Step) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	return launch.Execute(ctx, steps, nil)
}
