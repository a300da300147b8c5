package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"time"

	"deckhand/internal/budget"
	"deckhand/internal/cloud"
)

// The sandbox's own request throttling. AWS throttles each account per
// region with token buckets: a bucket holds up to its capacity (the burst),
// every call takes one token, tokens come back at the refill rate (the
// sustained rate), and a call that finds the bucket empty is refused,
// spending nothing. The sizes below are AWS's documented defaults:
//
//   - ECS, "Request throttling for the Amazon ECS API"
//     (docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html):
//     one bucket per action category, shared by the category's actions
//     (DescribeClusters and ListClusters draw on one bucket). Code
//     ThrottlingException.
//   - EC2, "Request throttling for the Amazon EC2 API"
//     (docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html):
//     one bucket per action, sized by category: non-mutating (Describe*,
//     List*, Search*, Get*) 100 and 20/s, mutating and resource-intensive
//     50 and 5/s. Code RequestLimitExceeded. (The separate resource
//     buckets of RunInstances and friends, 1000 instances, are not modelled:
//     the sandbox launches one instance per call.)
//
// The other services the sandbox answers for (logs, ECR, IAM, ELB, the
// tagging API, SSM, CloudWatch metrics) are not throttled by it; deckhand's budget still
// paces them.
//
// Where the buckets live: AWS's buckets are the account's, shared by every
// caller (the console, CI, Terraform, a second deckhand). The sandbox's
// account is its state file, which several deckhand processes share, so
// the buckets must be shared the same way: in-process buckets would give
// each process a full quota of its own, and two deckhands could then do
// twice what AWS allows without either being throttled. They are not in
// the state file itself, though: a token is spent by every call, reads
// included, and writing the whole account for each read would cost far
// more than the read. So they live in a small file beside it
// (sandbox.json.api), read and written under the account's lock like the
// state. The file is disposable: a missing or damaged one means full
// buckets, which is what AWS's look like after a quiet moment.

// apiCall is the AWS operation a sandbox method stands for.
type apiCall struct {
	service string // as cloud.Error names it: "ec2", "ecs", "logs", "elbv2"…
	op      string // "DescribeServices"
}

// sdkIDs are the SDK's service IDs, which budget.FamilyOf takes.
var sdkIDs = map[string]string{
	"ec2": "EC2", "ecs": "ECS", "logs": "CloudWatch Logs", "ecr": "ECR", "iam": "IAM",
	"elbv2": "Elastic Load Balancing v2", "tag": "Resource Groups Tagging API", "ssm": "SSM", "cloudwatch": "CloudWatch",
}

// family is the client budget's family of c, the same as the SDK
// middleware picks for the same operation.
func (c apiCall) family() budget.Family { return budget.FamilyOf(sdkIDs[c.service], c.op) }

// limit is one bucket's size: capacity tokens, refill per second.
type limit struct{ capacity, refill float64 }

// ecsCategory is the ECS action category of each operation the sandbox
// answers, as the ECS throttling page groups them.
var ecsCategory = map[string]string{
	"CreateCluster": "cluster-modify", "DeleteCluster": "cluster-modify",
	"DescribeClusters": "cluster-read", "ListClusters": "cluster-read",
	"RegisterTaskDefinition": "taskdef-modify", "DeregisterTaskDefinition": "taskdef-modify",
	"DescribeTaskDefinition": "taskdef-read", "ListTaskDefinitions": "taskdef-read", "ListTaskDefinitionFamilies": "taskdef-read",
	"RunTask": "cluster-resource-modify", "StopTask": "cluster-resource-modify",
	"DescribeTasks": "cluster-resource-read", "ListTasks": "cluster-resource-read",
	"DescribeContainerInstances": "cluster-resource-read", "ListContainerInstances": "cluster-resource-read",
	"CreateService": "service-modify", "UpdateService": "service-modify", "DeleteService": "service-modify",
	"DescribeServices": "service-read", "ListServices": "service-read",
	"TagResource": "tag-modify", "UntagResource": "tag-modify", "ListTagsForResource": "tag-read",
}

// ecsLimits are the ECS categories' documented bucket sizes.
var ecsLimits = map[string]limit{
	"cluster-modify": {20, 1}, "cluster-read": {50, 20},
	"taskdef-modify": {20, 1}, "taskdef-read": {50, 20},
	"cluster-resource-modify": {100, 40}, "cluster-resource-read": {100, 20},
	"service-modify": {50, 5}, "service-read": {100, 20},
	"tag-modify": {20, 10}, "tag-read": {50, 20},
}

// EC2's categories (per action bucket).
var (
	ec2NonMutating = limit{100, 20}
	ec2Mutating    = limit{50, 5}
)

// bucketOf is the bucket c draws on and its size at rate (0 = AWS's);
// ok is false for calls the sandbox does not throttle.
func bucketOf(c apiCall, rate float64) (key string, l limit, ok bool) {
	switch c.service {
	case "ecs":
		cat := ecsCategory[c.op]
		if cat == "" {
			return "", limit{}, false
		}
		key, l = "ecs:"+cat, ecsLimits[cat]
	case "ec2":
		key, l = "ec2:"+c.op, ec2Mutating
		for _, p := range []string{"Describe", "List", "Search", "Get"} {
			if strings.HasPrefix(c.op, p) {
				l = ec2NonMutating
			}
		}
	default:
		return "", limit{}, false
	}
	if rate > 0 {
		// Lowered for a test or a demo: the same burst in seconds of the
		// sustained rate, at least one call.
		l = limit{capacity: max(1, math.Floor(l.capacity*rate/l.refill)), refill: rate}
	}
	return key, l, true
}

// apiLimits is an Account's throttling set-up.
type apiLimits struct {
	on     bool
	rate   float64
	budget *budget.Budget
}

func (l apiLimits) check() error {
	if math.IsNaN(l.rate) || math.IsInf(l.rate, 0) || l.rate < 0 {
		return fmt.Errorf("sandbox API rate must be a positive number of calls per second (or 0 for AWS's rates), not %v", l.rate)
	}
	return nil
}

// tokenBucket is one bucket's persisted state.
type tokenBucket struct {
	Tokens float64   `json:"tokens"`
	At     time.Time `json:"at"` // when Tokens was right
}

// take refills the bucket for the time since At and spends one token; it
// reports false, spending nothing, when there is none.
func (b *tokenBucket) take(now time.Time, l limit) bool {
	switch {
	case b.At.IsZero():
		b.Tokens, b.At = l.capacity, now
	case now.After(b.At):
		b.Tokens += now.Sub(b.At).Seconds() * l.refill
		b.At = now
	}
	// Another process may have set the bucket up with other limits.
	b.Tokens = min(b.Tokens, l.capacity)
	if b.Tokens < 1 {
		return false
	}
	b.Tokens--
	return true
}

// bucketFile is the buckets' file: region → bucket → state.
type bucketFile map[string]map[string]*tokenBucket

func (a *Account) bucketPath() string { return a.path + ".api" }

// throttle spends c's token, or refuses c as AWS would. It runs under the
// account's lock, which serialises every process's calls on the file.
func (a *Account) throttle(c apiCall) error {
	if !a.api.on {
		return nil
	}
	key, l, ok := bucketOf(c, a.api.rate)
	if !ok {
		return nil
	}
	f := bucketFile{}
	if b, err := os.ReadFile(a.bucketPath()); err == nil && json.Unmarshal(b, &f) != nil {
		f = bucketFile{} // damaged: start with full buckets
	}
	reg := f[a.region]
	if reg == nil {
		reg = map[string]*tokenBucket{}
		f[a.region] = reg
	}
	bk := reg[key]
	if bk == nil {
		bk = &tokenBucket{}
		reg[key] = bk
	}
	took := bk.take(a.clock.Now(), l)
	if b, err := json.Marshal(f); err == nil {
		// A failed write loses some spent tokens, never the account: the
		// buckets are a rate, not data.
		_ = os.WriteFile(a.bucketPath(), b, 0o600)
	}
	if took {
		return nil
	}
	if c.service == "ec2" {
		return ec2Error(c.op, "RequestLimitExceeded", "Request limit exceeded.")
	}
	return ecsError(c.op, "ThrottlingException", "Rate exceeded")
}

// viewCall is view for the API call c: it goes through deckhand's budget
// and the sandbox's buckets.
func (a *Account) viewCall(ctx context.Context, c apiCall, fn func(w *world, r *region) error) error {
	return a.call(ctx, c, false, fn)
}

// updateCall is update for the API call c. A mutation refused by
// --readonly spends no token, as it never leaves deckhand.
func (a *Account) updateCall(ctx context.Context, c apiCall, fn func(w *world, r *region) error) error {
	if a.readonly {
		return cloud.ErrReadonly
	}
	return a.call(ctx, c, true, fn)
}

// call is what the SDK adapter's budget step does around each attempt
// (aws/budget.go), with the sandbox in AWS's place: wait for the family's
// token, call, and report a throttling answer so that AIMD cuts the rate.
// There is no retryer here: a throttled call fails at once, and the
// watcher backs off (watch.Backoff) as it does after the SDK's retries.
func (a *Account) call(ctx context.Context, c apiCall, mutate bool, fn func(w *world, r *region) error) error {
	fam := c.family()
	if b := a.api.budget; b != nil {
		if err := b.Wait(ctx, fam); err != nil {
			return err
		}
	}
	err := a.runCall(ctx, mutate, &c, fn)
	if b := a.api.budget; b != nil {
		b.Observe(fam, budget.IsThrottle(err))
	}
	return err
}
