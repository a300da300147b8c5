package cloud

import (
	"context"
	"regexp"
	"strings"
	"time"

	"deckhand/internal/resource"
)

// The on-call actions on a service beyond UpdateService, and its metrics.
// Both backends implement them (the SDK adapter and the sandbox); the TUI
// offers them when the backend does.

// ServiceDeployer starts deployments without changing the desired count.
type ServiceDeployer interface {
	// ForceNewDeployment starts a new deployment of the service's current
	// task definition (UpdateService with forceNewDeployment): new tasks
	// replace the running ones, as after an image tag was pushed again.
	ForceNewDeployment(ctx context.Context, cluster, service string) (resource.Service, error)
	// RegisterImageRevision registers a copy of taskDef ("family:revision"
	// or its ARN) in which the container named container runs image, and
	// returns the new revision's ARN. Everything else is copied as ECS
	// returned it (environment values and secrets included, never shown).
	RegisterImageRevision(ctx context.Context, taskDef, container, image string) (arn string, err error)
}

// MetricsReader reads the CloudWatch metrics ECS publishes for services.
type MetricsReader interface {
	// ServiceMetrics returns, for every service of q (in q's order), its
	// AWS/ECS CPUUtilization and MemoryUtilization averages per q.Period
	// between q.Start and q.End, oldest first: one GetMetricData call for
	// the whole set.
	ServiceMetrics(ctx context.Context, q MetricsQuery) ([]ServiceMetrics, error)
}

// MetricsQuery is the services whose metrics are wanted and the window.
type MetricsQuery struct {
	Services   []ServiceRef
	Start, End time.Time
	Period     time.Duration // a multiple of 60 s (CloudWatch's ECS resolution)
}

// ServiceRef names a service by the dimensions CloudWatch files it under.
type ServiceRef struct {
	Cluster, Service string // names, not ARNs: the ClusterName and ServiceName dimensions
}

// ServiceMetrics is one service's series, in percent of what its tasks
// reserve (as ECS computes them: used / reserved × 100, so a task above
// its reservation shows over 100).
type ServiceMetrics struct {
	Ref         ServiceRef
	CPU, Memory []MetricPoint
	// Note says why there are no figures when the backend knows (the
	// sandbox: no task of the service runs on the local engine).
	Note string
	// Measuring: figures are being taken and a new call soon will have
	// them (the sandbox's first samples); callers may ask again sooner.
	Measuring bool
}

// MetricPoint is one period's average.
type MetricPoint struct {
	At    time.Time
	Value float64
}

// MaxMetricServices is how many services one ServiceMetrics call takes:
// GetMetricData takes 500 queries, two a service.
const MaxMetricServices = 250

// ValidateMetricsQuery checks a query before any call.
func ValidateMetricsQuery(q MetricsQuery) error {
	const op = "GetMetricData"
	bad := func(field, format string, args ...any) error {
		return invalid("cloudwatch", op, "InvalidParameterValue", field, format, args...)
	}
	switch {
	case len(q.Services) > MaxMetricServices:
		return bad("Services", "has %d services; one call takes at most %d (two metrics each, 500 queries)", len(q.Services), MaxMetricServices)
	case q.Period < time.Minute || q.Period%time.Minute != 0:
		return bad("Period", "is %s; ECS metrics are per minute: give a multiple of 60 s", q.Period)
	case !q.End.After(q.Start):
		return bad("End", "is not after Start (%s → %s)", q.Start.UTC().Format(time.RFC3339), q.End.UTC().Format(time.RFC3339))
	}
	for _, s := range q.Services {
		if s.Cluster == "" || s.Service == "" {
			return bad("Services", "names a service without its cluster or name (%q/%q)", s.Cluster, s.Service)
		}
	}
	return nil
}

// reImage is ECS's rule for an image reference: up to 255 letters,
// digits, hyphens, underscores, colons, periods, forward slashes, number
// signs, and @ for a digest.
var reImage = regexp.MustCompile(`^[A-Za-z0-9_.:/#@-]{1,255}$`)

// ValidateImageRevision checks RegisterImageRevision's arguments.
func ValidateImageRevision(taskDef, container, image string) error {
	const op = "RegisterTaskDefinition"
	if err := taskDefRef(op, "TaskDefinition", taskDef); err != nil {
		return err
	}
	bad := func(field, format string, args ...any) error {
		return invalid("ecs", op, "ClientException", field, format, args...)
	}
	switch {
	case container == "":
		return bad("Container", "is empty; name the container whose image changes")
	case strings.TrimSpace(image) == "":
		return bad("Image", "is empty; give an image reference, e.g. nginx:1.27 or 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:2")
	case len(image) > 255:
		return bad("Image", "is %d characters; ECS allows 255", len(image))
	case !reImage.MatchString(image):
		return bad("Image", "%q is not an image reference: use letters, digits and - _ . : / # @ only, no spaces (e.g. nginx:1.27)", image)
	case strings.HasSuffix(image, ":") || strings.HasSuffix(image, "@") || strings.HasPrefix(image, "/"):
		return bad("Image", "%q is not an image reference: it ends without a tag or digest after its separator (e.g. nginx:1.27)", image)
	}
	return nil
}
