package aws

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"deckhand/internal/cloud"
	"deckhand/internal/testbed"
)

// fixture is one moto server with SDK clients for seeding it (used
// directly, as a user's other tools would) and the adapter under test.
type fixture struct {
	m   *testbed.Moto
	ec2 *ec2.Client
	ecs *ecs.Client
}

// newFixture starts a moto of its own. testbed.StartMoto sets environment
// variables, so it must run in a test that is not (yet) parallel; subtests
// that share the fixture may be parallel.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	m := testbed.StartMoto(t)
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("us-east-1"))
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{
		m:   m,
		ec2: ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.BaseEndpoint = sdkaws.String(m.URL) }),
		ecs: ecs.NewFromConfig(cfg, func(o *ecs.Options) {
			o.BaseEndpoint = sdkaws.String(m.URL)
			o.APIOptions = append(o.APIOptions, emulatorFix) // RunTask/StopTask return tasks too
		}),
	}
}

// client loads the adapter against the fixture's moto, with a request log
// that also enforces AWS's per-call limits, which moto does not.
func (f *fixture) client(t *testing.T) (*Client, *callLog) {
	t.Helper()
	log := &callLog{}
	c, err := load(context.Background(), Options{EndpointURL: f.m.URL, Region: "us-east-1"},
		config.WithAPIOptions([]func(*middleware.Stack) error{log.install}))
	if err != nil {
		t.Fatal(err)
	}
	return c, log
}

// pinTasks stops moto from walking every described task one state further
// (RUNNING → DEACTIVATING → … → STOPPED, its default for ecs::task), so a
// task changes only when the test changes it.
func (f *fixture) pinTasks(t *testing.T) {
	t.Helper()
	body := `{"model_name": "ecs::task", "transition": {"progression": "manual", "times": 1000000}}`
	resp, err := http.Post(f.m.URL+"/moto-api/state-manager/set-transition", "application/json", bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("set-transition: %s", resp.Status)
	}
}

// call is one request the adapter sent: the operation and how many ids it
// asked about (describe calls) or its MaxResults (list calls).
type call struct {
	Op   string
	IDs  []string
	Max  int32
	Page bool // carried a NextToken
}

// callLog records requests and rejects those real AWS would reject: more
// than 10 services or 100 tasks/clusters per describe, list pages over 100,
// more than 20 ARNs per ELB DescribeTags.
type callLog struct {
	mu         sync.Mutex
	calls      []call
	violations []string
}

func (l *callLog) install(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("deckhandTestLimits",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (
			middleware.InitializeOutput, middleware.Metadata, error,
		) {
			c, limit := describeCall(in.Parameters)
			maxLimit := limit
			if c.Op == "DescribeInstanceStatus" {
				maxLimit = 1000 // 100 ids, or pages of up to 1,000
			}
			l.mu.Lock()
			l.calls = append(l.calls, c)
			bad := ""
			if len(c.IDs) > limit || int(c.Max) > maxLimit {
				bad = fmt.Sprintf("%s with %d ids / maxResults %d (AWS allows %d)", c.Op, len(c.IDs), c.Max, limit)
				l.violations = append(l.violations, bad)
			}
			l.mu.Unlock()
			if bad != "" {
				// What AWS answers, so the adapter sees a real failure.
				return middleware.InitializeOutput{}, middleware.Metadata{},
					&smithy.GenericAPIError{Code: "InvalidParameterException", Message: bad}
			}
			return next.HandleInitialize(ctx, in)
		}), middleware.Before)
}

func describeCall(p any) (call, int) {
	switch in := p.(type) {
	case *ecs.DescribeServicesInput:
		return call{Op: "DescribeServices", IDs: in.Services}, 10
	case *ecs.DescribeTasksInput:
		return call{Op: "DescribeTasks", IDs: in.Tasks}, 100
	case *ecs.DescribeClustersInput:
		return call{Op: "DescribeClusters", IDs: in.Clusters}, 100
	case *ecs.ListServicesInput:
		return call{Op: "ListServices", Max: sdkaws.ToInt32(in.MaxResults), Page: in.NextToken != nil}, 100
	case *ecs.ListTasksInput:
		return call{Op: "ListTasks", Max: sdkaws.ToInt32(in.MaxResults), Page: in.NextToken != nil}, 100
	case *ecs.ListClustersInput:
		return call{Op: "ListClusters", Max: sdkaws.ToInt32(in.MaxResults), Page: in.NextToken != nil}, 100
	case *ec2.DescribeInstancesInput:
		c := call{Op: "DescribeInstances", Max: sdkaws.ToInt32(in.MaxResults), Page: in.NextToken != nil}
		for _, f := range in.Filters {
			if sdkaws.ToString(f.Name) == "instance-id" {
				c.IDs = f.Values
			} else {
				c.Op = "DescribeInstances(filtered)" // e.g. the transition finder's, by state
			}
		}
		return c, 1000
	case *ec2.DescribeInstanceStatusInput:
		return call{Op: "DescribeInstanceStatus", IDs: in.InstanceIds, Max: sdkaws.ToInt32(in.MaxResults), Page: in.NextToken != nil}, 100
	case *elasticloadbalancingv2.DescribeTagsInput:
		return call{Op: "DescribeTags", IDs: in.ResourceArns}, 20
	}
	return call{Op: fmt.Sprintf("%T", p)}, 1 << 30
}

// ops returns the calls of one operation.
func (l *callLog) ops(op string) []call {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []call
	for _, c := range l.calls {
		if c.Op == op {
			out = append(out, c)
		}
	}
	return out
}

func (l *callLog) check(t *testing.T) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, v := range l.violations {
		t.Errorf("request AWS would reject: %s", v)
	}
}

// --- seeding, with the SDK directly ---

func (f *fixture) cluster(t *testing.T, name string) string {
	t.Helper()
	out, err := f.ecs.CreateCluster(context.Background(), &ecs.CreateClusterInput{ClusterName: sdkaws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return sdkaws.ToString(out.Cluster.ClusterArn)
}

// taskDef registers a one-container task definition. memoryReservation,
// not memory, and no cpu: moto would echo those back as JSON numbers where
// the API has strings (see emulator.go).
func (f *fixture) taskDef(t *testing.T, family string) string {
	t.Helper()
	out, err := f.ecs.RegisterTaskDefinition(context.Background(), &ecs.RegisterTaskDefinitionInput{
		Family: sdkaws.String(family),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{
			Name: sdkaws.String("web"), Image: sdkaws.String("nginx:1.27"), MemoryReservation: sdkaws.Int32(64),
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return sdkaws.ToString(out.TaskDefinition.TaskDefinitionArn)
}

// services creates n services named PREFIX-0000… and returns their ARNs.
func (f *fixture) services(t *testing.T, cluster, td, prefix string, n int) []string {
	t.Helper()
	arns := make([]string, 0, n)
	for i := range n {
		out, err := f.ecs.CreateService(context.Background(), &ecs.CreateServiceInput{
			Cluster: sdkaws.String(cluster), ServiceName: sdkaws.String(fmt.Sprintf("%s-%04d", prefix, i)),
			TaskDefinition: sdkaws.String(td), DesiredCount: sdkaws.Int32(1),
		})
		if err != nil {
			t.Fatal(err)
		}
		arns = append(arns, sdkaws.ToString(out.Service.ServiceArn))
	}
	return arns
}

// runTasks starts n tasks, 10 per RunTask call as AWS allows. FARGATE needs
// no container instances in moto (which also skips awsvpc for it).
func (f *fixture) runTasks(t *testing.T, cluster, td, group string, n int) []string {
	t.Helper()
	var arns []string
	for left := n; left > 0; left -= 10 {
		in := &ecs.RunTaskInput{
			Cluster: sdkaws.String(cluster), TaskDefinition: sdkaws.String(td),
			Count: sdkaws.Int32(int32(min(left, 10))), LaunchType: ecstypes.LaunchTypeFargate,
		}
		if group != "" {
			in.Group = sdkaws.String(group)
		}
		out, err := f.ecs.RunTask(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		for _, task := range out.Tasks {
			arns = append(arns, sdkaws.ToString(task.TaskArn))
		}
	}
	if len(arns) != n {
		t.Fatalf("RunTask started %d tasks, want %d", len(arns), n)
	}
	return arns
}

// ami is an image id moto knows. The filter matters: an unfiltered
// DescribeImages makes moto serialise its ~1,200 default images (3 s).
func (f *fixture) ami(t *testing.T) string {
	t.Helper()
	out, err := f.ec2.DescribeImages(context.Background(), &ec2.DescribeImagesInput{
		Owners:  []string{"amazon"},
		Filters: []ec2types.Filter{{Name: sdkaws.String("name"), Values: []string{"amzn2-ami-hvm-2.0.*-x86_64-gp2"}}},
	})
	if err != nil || len(out.Images) == 0 {
		t.Fatalf("DescribeImages: %v (%d images)", err, len(out.Images))
	}
	return sdkaws.ToString(out.Images[0].ImageId)
}

// instances runs count instances in one reservation, Name-tagged if name
// is not empty, and returns their ids.
func (f *fixture) instances(t *testing.T, ami, name string, count int) []string {
	t.Helper()
	in := &ec2.RunInstancesInput{
		ImageId: sdkaws.String(ami), InstanceType: ec2types.InstanceTypeT3Micro,
		MinCount: sdkaws.Int32(int32(count)), MaxCount: sdkaws.Int32(int32(count)),
	}
	if name != "" {
		in.TagSpecifications = []ec2types.TagSpecification{{
			ResourceType: ec2types.ResourceTypeInstance,
			Tags: []ec2types.Tag{
				{Key: sdkaws.String("Name"), Value: sdkaws.String(name)},
				{Key: sdkaws.String("team"), Value: sdkaws.String("deck")},
			},
		}}
	}
	out, err := f.ec2.RunInstances(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 0, count)
	for _, i := range out.Instances {
		ids = append(ids, sdkaws.ToString(i.InstanceId))
	}
	return ids
}

// checkInvalid is internal/cloud's check of a validation error, for the
// adapter's tests that it validates before it calls AWS.
func checkInvalid(t *testing.T, err error, service, op, code, field string) {
	t.Helper()
	var e *cloud.Error
	if !errors.As(err, &e) {
		t.Errorf("want %s on %s, got %T %v", code, field, err, err)
		return
	}
	if e.Service != service || e.Operation != op || e.Code != code || e.Field != field || !errors.Is(err, cloud.ErrInvalidInput) {
		t.Errorf("got %s:%s %s field %q (%v), want %s:%s %s field %q", e.Service, e.Operation, e.Code, e.Field, err, service, op, code, field)
	}
	if !strings.HasPrefix(e.Message, field+": ") {
		t.Errorf("message %q does not start with the field", e.Message)
	}
}
