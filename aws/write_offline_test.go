package aws

import (
	"deckhand/internal/cloud"

	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
)

// Tests of the mutations that need no AWS: requests are recorded, and
// answered by middleware where a test needs an answer.

// recorder keeps every request the adapter sends (operation and input), so
// tests can check what moto does not echo back (e.g. the circuit breaker),
// and that refused calls sent nothing.
type recorder struct {
	mu   sync.Mutex
	reqs []request
}

type request struct {
	Op    string
	Input any
}

func (r *recorder) install(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("deckhandTestRecorder",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (
			middleware.InitializeOutput, middleware.Metadata, error,
		) {
			r.mu.Lock()
			r.reqs = append(r.reqs, request{Op: awsmiddleware.GetOperationName(ctx), Input: in.Parameters})
			r.mu.Unlock()
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
}

func (r *recorder) ops() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, q := range r.reqs {
		out = append(out, q.Op)
	}
	return out
}

// last returns the input of the last request of op.
func last[T any](t *testing.T, r *recorder, op string) T {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.reqs) - 1; i >= 0; i-- {
		if r.reqs[i].Op == op {
			return r.reqs[i].Input.(T)
		}
	}
	t.Fatalf("no %s request (sent: %v)", op, r.reqs)
	var zero T
	return zero
}

// recordingClient is the adapter against url with a recorder.
func recordingClient(t *testing.T, o Options, extra ...func(*config.LoadOptions) error) (*Client, *recorder) {
	t.Helper()
	rec := &recorder{}
	// The recorder first, so that it also sees requests a later option
	// (e.g. answer) short-circuits.
	opts := append([]func(*config.LoadOptions) error{config.WithAPIOptions([]func(*middleware.Stack) error{rec.install})}, extra...)
	c, err := load(context.Background(), o, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c, rec
}

// TestReadonlyRefusesBeforeAnyCall: every mutation answers ErrReadonly and
// sends nothing, even for input validation would refuse.
func TestReadonlyRefusesBeforeAnyCall(t *testing.T) {
	clearCredentials(t)
	ctx := context.Background()
	c, rec := recordingClient(t, Options{EndpointURL: "http://127.0.0.1:1", Region: "us-east-1", Readonly: true},
		config.WithRetryMaxAttempts(1))
	for _, empty := range []bool{false, true} {
		id, name := "i-0123456789abcdef0", "demo"
		if empty {
			id, name = "", ""
		}
		calls := map[string]func() error{
			"StartInstances":     func() error { return c.StartInstances(ctx, id) },
			"StopInstances":      func() error { return c.StopInstances(ctx, id) },
			"TerminateInstances": func() error { return c.TerminateInstances(ctx, id) },
			"RunInstance":        func() error { _, err := c.RunInstance(ctx, cloud.InstanceSpec{Name: name}); return err },
			"CreateCluster":      func() error { _, err := c.CreateCluster(ctx, name, nil); return err },
			"DeleteCluster":      func() error { return c.DeleteCluster(ctx, name) },
			"RegisterTaskDefinition": func() error {
				_, err := c.RegisterTaskDefinition(ctx, cloud.TaskDefSpec{Family: name})
				return err
			},
			"CreateService": func() error { _, err := c.CreateService(ctx, cloud.ServiceSpec{Cluster: name, Name: name}); return err },
			"UpdateService": func() error { _, err := c.UpdateService(ctx, name, name, 1, ""); return err },
			"DeleteService": func() error { return c.DeleteService(ctx, name, name) },
			"RunTask":       func() error { _, err := c.RunTask(ctx, cloud.RunTaskSpec{Cluster: name}); return err },
			"StopTask":      func() error { return c.StopTask(ctx, name, name, "") },
		}
		for op, call := range calls {
			if err := call(); !errors.Is(err, cloud.ErrReadonly) {
				t.Errorf("%s (empty input %v) = %v, want ErrReadonly", op, empty, err)
			}
		}
	}
	if ops := rec.ops(); len(ops) != 0 {
		t.Errorf("read-only client sent %v", ops)
	}
	// The recorder does see calls: reads still go out (and fail here).
	if _, err := c.Clusters(ctx); err == nil || len(rec.ops()) == 0 {
		t.Errorf("Clusters: %v, %d calls recorded; the recorder is not installed", err, len(rec.ops()))
	}
}

// answer short-circuits requests: reply(op) returns the output to give, or
// an error; (nil, nil) lets the request go on.
func answer(reply func(op string) (any, error)) func(*config.LoadOptions) error {
	return config.WithAPIOptions([]func(*middleware.Stack) error{func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("deckhandTestAnswer",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (
				middleware.InitializeOutput, middleware.Metadata, error,
			) {
				out, err := reply(awsmiddleware.GetOperationName(ctx))
				if out == nil && err == nil {
					return next.HandleInitialize(ctx, in)
				}
				return middleware.InitializeOutput{Result: out}, middleware.Metadata{}, err
			}), middleware.After)
	}})
}

// offline is a client whose requests never leave the process: a refused
// endpoint, one attempt, and reply for the answers.
func offline(t *testing.T, reply func(op string) (any, error)) (*Client, *recorder) {
	t.Helper()
	clearCredentials(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	return recordingClient(t, Options{EndpointURL: "http://127.0.0.1:1", Region: "us-east-1"},
		config.WithRetryMaxAttempts(1), answer(reply))
}

// validSpecs are inputs every validator accepts.
var (
	validInstance = cloud.InstanceSpec{Name: "web", ImageID: "ami-0123456789abcdef0", InstanceType: "t3.micro",
		SubnetID: "subnet-0123456789abcdef0", SecurityGroupIDs: []string{"sg-0123456789abcdef0"}, Tags: map[string]string{"k": "v"}}
	validTaskDef = cloud.TaskDefSpec{Family: "web", CPU: "256", Memory: "512", Fargate: true,
		Containers: []cloud.ContainerSpec{{Name: "web", Image: "nginx:stable", Port: 80, Essential: true}}}
	validService = cloud.ServiceSpec{Cluster: "demo", Name: "web", TaskDefinition: "web:1", Desired: 1, LaunchType: "FARGATE",
		Subnets: []string{"subnet-0123456789abcdef0"}, PublicIP: true, CircuitBreaker: true}
	validRunTask = cloud.RunTaskSpec{Cluster: "demo", TaskDefinition: "web:1", Count: 1, LaunchType: "FARGATE",
		Subnets: []string{"subnet-0123456789abcdef0"}}
)

// TestMutationErrors: AWS's refusals come back as *Error with the
// operation, the code and, when access is denied, the IAM action to grant.
func TestMutationErrors(t *testing.T) {
	ctx := context.Background()
	c, _ := offline(t, func(op string) (any, error) {
		code := "AccessDeniedException"
		if op == "RunInstances" || strings.HasSuffix(op, "Instances") {
			code = "UnauthorizedOperation"
		}
		return nil, &smithy.GenericAPIError{Code: code, Message: "not allowed"}
	})
	for _, tc := range []struct {
		call   func() error
		action string // the IAM action the message names
	}{
		{func() error { return c.StartInstances(ctx, "i-0123456789abcdef0") }, "ec2:StartInstances"},
		{func() error { return c.StopInstances(ctx, "i-0123456789abcdef0") }, "ec2:StopInstances"},
		{func() error { return c.TerminateInstances(ctx, "i-0123456789abcdef0") }, "ec2:TerminateInstances"},
		{func() error { _, err := c.RunInstance(ctx, validInstance); return err }, "ec2:RunInstances"},
		{func() error { _, err := c.CreateCluster(ctx, "demo", nil); return err }, "ecs:CreateCluster"},
		{func() error { return c.DeleteCluster(ctx, "demo") }, "ecs:DeleteCluster"},
		{func() error { _, err := c.RegisterTaskDefinition(ctx, validTaskDef); return err }, "ecs:RegisterTaskDefinition"},
		{func() error { _, err := c.CreateService(ctx, validService); return err }, "ecs:CreateService"},
		{func() error { _, err := c.UpdateService(ctx, "demo", "web", 2, ""); return err }, "ecs:UpdateService"},
		// DeleteService scales down first: that call is the one refused.
		{func() error { return c.DeleteService(ctx, "demo", "web") }, "ecs:UpdateService"},
		{func() error { _, err := c.RunTask(ctx, validRunTask); return err }, "ecs:RunTask"},
		{func() error { return c.StopTask(ctx, "demo", "0123", "") }, "ecs:StopTask"},
	} {
		err := tc.call()
		var e *cloud.Error
		if !errors.As(err, &e) || !e.AccessDenied() || e.Field != "" || errors.Is(err, cloud.ErrInvalidInput) {
			t.Errorf("%s: got %T %v, want an access-denied *Error", tc.action, err, err)
			continue
		}
		if e.Service+":"+e.Operation != tc.action || !strings.HasSuffix(err.Error(), "(needs IAM permission "+tc.action+")") {
			t.Errorf("%s: got %q", tc.action, err)
		}
	}
}

// TestDeleteServiceAlreadyDraining: the scale-down's ServiceNotActive is
// not an error of its own; DeleteService still runs and answers.
func TestDeleteServiceAlreadyDraining(t *testing.T) {
	c, rec := offline(t, func(op string) (any, error) {
		if op == "UpdateService" {
			return nil, &smithy.GenericAPIError{Code: "ServiceNotActiveException", Message: "Service was not ACTIVE."}
		}
		return &ecs.DeleteServiceOutput{}, nil
	})
	if err := c.DeleteService(context.Background(), "demo", "web"); err != nil {
		t.Fatal(err)
	}
	if ops := rec.ops(); !slices.Equal(ops, []string{"UpdateService", "DeleteService"}) {
		t.Errorf("sent %v", ops)
	}
}

// TestRunTaskFailures: tasks ECS could not place come back as an error
// next to the tasks that started.
func TestRunTaskFailures(t *testing.T) {
	c, _ := offline(t, func(string) (any, error) {
		return &ecs.RunTaskOutput{
			Tasks: []ecstypes.Task{{TaskArn: sdkaws.String("arn:aws:ecs:us-east-1:1:task/demo/abc"), LastStatus: sdkaws.String("PROVISIONING")}},
			Failures: []ecstypes.Failure{
				{Reason: sdkaws.String("RESOURCE:MEMORY"), Arn: sdkaws.String("arn:aws:ecs:us-east-1:1:container-instance/x")},
				{Reason: sdkaws.String("AGENT"), Detail: sdkaws.String("agent disconnected")},
			},
		}, nil
	})
	spec := validRunTask
	spec.Count = 3
	tasks, err := c.RunTask(context.Background(), spec)
	if len(tasks) != 1 || tasks[0].ID != "abc" || tasks[0].LastStatus != "PROVISIONING" {
		t.Errorf("tasks = %+v", tasks)
	}
	var e *cloud.Error
	if !errors.As(err, &e) || e.Code != "RESOURCE:MEMORY" || e.Operation != "RunTask" {
		t.Fatalf("got %T %v", err, err)
	}
	if want := "ecs:RunTask: RESOURCE:MEMORY: started 1 task(s); could not start the others: RESOURCE:MEMORY; AGENT (agent disconnected)"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}
}

// TestValidationBeforeAnyCall: bad input is refused with the field named
// and nothing is sent.
func TestValidationBeforeAnyCall(t *testing.T) {
	ctx := context.Background()
	c, rec := offline(t, func(op string) (any, error) { return nil, errors.New("unexpected call " + op) })
	bad := validTaskDef
	bad.Memory = "4096"
	for _, tc := range []struct {
		call  func() error
		field string
	}{
		{func() error { return c.StopInstances(ctx, "web-1") }, "InstanceIds[0]"},
		{func() error {
			_, err := c.RunInstance(ctx, cloud.InstanceSpec{ImageID: "ami-0123456789abcdef0"})
			return err
		}, "Name"},
		{func() error { _, err := c.CreateCluster(ctx, "", nil); return err }, "Name"},
		{func() error { return c.DeleteCluster(ctx, "") }, "Cluster"},
		{func() error { _, err := c.RegisterTaskDefinition(ctx, bad); return err }, "Memory"},
		{func() error {
			_, err := c.CreateService(ctx, cloud.ServiceSpec{Cluster: "demo", Name: "web"})
			return err
		}, "TaskDefinition"},
		{func() error { _, err := c.UpdateService(ctx, "demo", "web", -1, ""); return err }, "Desired"},
		{func() error { return c.DeleteService(ctx, "demo", "") }, "Service"},
		{func() error {
			_, err := c.RunTask(ctx, cloud.RunTaskSpec{Cluster: "demo", TaskDefinition: "web", Count: 11})
			return err
		}, "Count"},
		{func() error { return c.StopTask(ctx, "demo", "", "") }, "Task"},
	} {
		err := tc.call()
		var e *cloud.Error
		if !errors.As(err, &e) || e.Field != tc.field || !errors.Is(err, cloud.ErrInvalidInput) || !strings.Contains(err.Error(), tc.field+": ") {
			t.Errorf("want a validation error naming %s, got %v", tc.field, err)
		}
	}
	if ops := rec.ops(); len(ops) != 0 {
		t.Errorf("sent %v", ops)
	}
}
