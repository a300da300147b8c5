package aws

import (
	"deckhand/internal/cloud"

	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
)

// Offline tests of the LoadBalancers capability. Read-only refusal is in
// TestDeployReadonlyRefusesBeforeAnyCall (deployMutations).

const (
	testLBARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/0123456789abcdef"
	testTGARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef"
)

// TestLoadBalancersValidation: bad input is refused before any call, one
// case per validator (validate_elb_test.go has the rest).
func TestLoadBalancersValidation(t *testing.T) {
	clearCredentials(t)
	ctx := context.Background()
	c, rec := recordingClient(t, Options{EndpointURL: "http://127.0.0.1:1", Region: "us-east-1"}, config.WithRetryMaxAttempts(1))
	for _, tc := range []struct {
		name                     string
		call                     func() error
		service, op, code, field string
	}{
		{"load balancer in one subnet", func() error {
			_, _, err := c.EnsureLoadBalancer(ctx, cloud.LoadBalancerSpec{Name: "web", Subnets: []string{"subnet-0123abcd"}, SecurityGroups: []string{"sg-0123abcd"}})
			return err
		}, "elbv2", "CreateLoadBalancer", "ValidationError", "Subnets"},
		{"target group health path", func() error {
			_, _, err := c.EnsureTargetGroup(ctx, cloud.TargetGroupSpec{Name: "web", VpcID: "vpc-0123abcd", Port: 5000, HealthPath: "health"})
			return err
		}, "elbv2", "CreateTargetGroup", "ValidationError", "HealthPath"},
		{"listener to a load balancer", func() error {
			_, _, err := c.EnsureListener(ctx, cloud.ListenerSpec{LoadBalancerARN: testLBARN, Port: 80, TargetGroupARN: testLBARN})
			return err
		}, "elbv2", "CreateListener", "ValidationError", "TargetGroupARN"},
		{"delete a target group as a load balancer", func() error { return c.DeleteLoadBalancer(ctx, testTGARN) },
			"elbv2", "DeleteLoadBalancer", "ValidationError", "ARN"},
		{"delete a load balancer as a target group", func() error { return c.DeleteTargetGroup(ctx, testLBARN) },
			"elbv2", "DeleteTargetGroup", "ValidationError", "ARN"},
		{"describe without a name", func() error { _, err := c.LoadBalancer(ctx, ""); return err },
			"elbv2", "DescribeLoadBalancers", "ValidationError", "Name"},
		{"health of a name", func() error { _, err := c.TargetHealth(ctx, "web"); return err },
			"elbv2", "DescribeTargetHealth", "ValidationError", "ARN"},
	} {
		t.Run(tc.name, func(t *testing.T) { checkInvalid(t, tc.call(), tc.service, tc.op, tc.code, tc.field) })
	}
	if ops := rec.ops(); len(ops) != 0 {
		t.Errorf("refused input sent %v", ops)
	}
}

// TestLoadBalancersAccessDenied: a refusal names the IAM action to grant,
// which is elasticloadbalancing:…, not elbv2:….
func TestLoadBalancersAccessDenied(t *testing.T) {
	ctx := context.Background()
	c, _ := offline(t, func(op string) (any, error) {
		return nil, &smithy.GenericAPIError{Code: "AccessDenied", Message: "not allowed"}
	})
	for _, tc := range []struct {
		call   func() error
		action string
	}{
		{func() error {
			_, _, err := c.EnsureLoadBalancer(ctx, cloud.LoadBalancerSpec{Name: "web", Subnets: []string{"subnet-0123abcd", "subnet-4567abcd"}, SecurityGroups: []string{"sg-0123abcd"}})
			return err
		}, "DescribeLoadBalancers"}, // Ensure* looks first
		{func() error { return c.DeleteLoadBalancer(ctx, testLBARN) }, "DeleteLoadBalancer"},
		{func() error { return c.DeleteTargetGroup(ctx, testTGARN) }, "DeleteTargetGroup"},
		{func() error {
			_, _, err := c.EnsureListener(ctx, cloud.ListenerSpec{LoadBalancerARN: testLBARN, Port: 80, TargetGroupARN: testTGARN})
			return err
		}, "DescribeListeners"},
		{func() error { _, err := c.TargetHealth(ctx, testTGARN); return err }, "DescribeTargetHealth"},
	} {
		err := tc.call()
		var e *cloud.Error
		if !errors.As(err, &e) || !e.AccessDenied() || e.Service != "elbv2" || e.Operation != tc.action ||
			!strings.HasSuffix(err.Error(), "(needs IAM permission elasticloadbalancing:"+tc.action+")") {
			t.Errorf("%s: got %v", tc.action, err)
		}
	}
}

func TestForwardsOnlyTo(t *testing.T) {
	const other = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/old/0123456789abcdef"
	fwd := elbtypes.ActionTypeEnumForward
	tuple := func(arns ...string) *elbtypes.ForwardActionConfig {
		fc := &elbtypes.ForwardActionConfig{}
		for _, a := range arns {
			fc.TargetGroups = append(fc.TargetGroups, elbtypes.TargetGroupTuple{TargetGroupArn: sdkaws.String(a)})
		}
		return fc
	}
	for _, tc := range []struct {
		name    string
		actions []elbtypes.Action
		want    bool
	}{
		{"TargetGroupArn", []elbtypes.Action{{Type: fwd, TargetGroupArn: sdkaws.String(testTGARN)}}, true},
		{"ForwardConfig", []elbtypes.Action{{Type: fwd, ForwardConfig: tuple(testTGARN)}}, true},
		{"both, as AWS describes it", []elbtypes.Action{{Type: fwd, TargetGroupArn: sdkaws.String(testTGARN), ForwardConfig: tuple(testTGARN)}}, true},
		{"another group", []elbtypes.Action{{Type: fwd, TargetGroupArn: sdkaws.String(other)}}, false},
		{"weighted between two", []elbtypes.Action{{Type: fwd, ForwardConfig: tuple(testTGARN, other)}}, false},
		{"redirect", []elbtypes.Action{{Type: elbtypes.ActionTypeEnumRedirect}}, false},
		{"forward to nothing", []elbtypes.Action{{Type: fwd, ForwardConfig: tuple()}}, false},
		{"none", nil, false},
	} {
		if got := forwardsOnlyTo(tc.actions, testTGARN); got != tc.want {
			t.Errorf("%s: forwardsOnlyTo = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestLoadBalancerStackOrder(t *testing.T) {
	rs := []cloud.TaggedResource{
		{Type: "ec2:security-group", ID: "sg-1"}, {Type: "ecs:task-definition", ID: "web:1"}, {Type: "elb:target-group", ID: testTGARN},
		{Type: "ecs:cluster", ID: "demo"}, {Type: "elb:load-balancer", ID: testLBARN}, {Type: "ec2:instance", ID: "i-1"},
		{Type: "ecs:service", ID: "web", Parent: "demo"},
	}
	cloud.SortStack(rs)
	var got []string
	for _, r := range rs {
		got = append(got, r.Type)
	}
	want := "ecs:service ec2:instance elb:load-balancer elb:target-group ecs:task-definition ecs:cluster ec2:security-group"
	if strings.Join(got, " ") != want {
		t.Errorf("SortStack = %v, want %s", got, want)
	}
	for _, code := range []string{cloud.CodeLoadBalancerNotFound, "TargetGroupNotFound", "ListenerNotFound"} {
		if !cloud.IsNotFound(&cloud.Error{Code: code}) {
			t.Errorf("IsNotFound(%s) = false", code)
		}
	}
}

// TestELBStackDeletedMeanwhile: AWS fails a whole DescribeTags when one of
// its ARNs was deleted since it was listed (LoadBalancerNotFound); the
// others are then asked alone and the deleted one is left out. moto cannot
// show this: it answers a deleted ARN with no tags.
func TestELBStackDeletedMeanwhile(t *testing.T) {
	const kept, gone = testLBARN, "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/old/0123456789abcdef"
	notFound := &smithy.GenericAPIError{Code: cloud.CodeLoadBalancerNotFound, Message: "One or more load balancers not found"}
	clearCredentials(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	c, rec := recordingClient(t, Options{EndpointURL: "http://127.0.0.1:1", Region: "us-east-1"}, config.WithRetryMaxAttempts(1),
		answerInput(func(in any) (any, error) {
			switch in := in.(type) {
			case *elb.DescribeLoadBalancersInput:
				return &elb.DescribeLoadBalancersOutput{LoadBalancers: []elbtypes.LoadBalancer{
					{LoadBalancerArn: sdkaws.String(kept)}, {LoadBalancerArn: sdkaws.String(gone)},
				}}, nil
			case *elb.DescribeTargetGroupsInput:
				return &elb.DescribeTargetGroupsOutput{}, nil
			case *elb.DescribeTagsInput:
				if slices.Contains(in.ResourceArns, gone) {
					return nil, notFound
				}
				return &elb.DescribeTagsOutput{TagDescriptions: []elbtypes.TagDescription{{ResourceArn: sdkaws.String(kept),
					Tags: []elbtypes.Tag{{Key: sdkaws.String(cloud.StackTag), Value: sdkaws.String("demo")}}}}}, nil
			}
			return nil, errors.New("unexpected request")
		}))
	rs, err := c.stackELB(context.Background(), "demo")
	if err != nil || len(rs) != 1 || rs[0] != (cloud.TaggedResource{Type: "elb:load-balancer", ID: kept, ARN: kept}) {
		t.Errorf("stackELB = %+v, %v; want only %s", rs, err, kept)
	}
	var tags [][]string
	rec.mu.Lock()
	for _, q := range rec.reqs {
		if in, ok := q.Input.(*elb.DescribeTagsInput); ok {
			tags = append(tags, in.ResourceArns)
		}
	}
	rec.mu.Unlock()
	if want := [][]string{{kept, gone}, {kept}, {gone}}; !slices.EqualFunc(tags, want, slices.Equal) {
		t.Errorf("DescribeTags asked for %v, want %v", tags, want)
	}
}

// answerInput is answer (write_offline_test.go) for replies that depend
// on the request's input.
func answerInput(reply func(in any) (any, error)) func(*config.LoadOptions) error {
	return config.WithAPIOptions([]func(*middleware.Stack) error{func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("deckhandTestAnswerInput",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (
				middleware.InitializeOutput, middleware.Metadata, error,
			) {
				out, err := reply(in.Parameters)
				return middleware.InitializeOutput{Result: out}, middleware.Metadata{}, err
			}), middleware.After)
	}})
}
