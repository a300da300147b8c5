package aws

import (
	"context"
	"slices"
	"strconv"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"

	"deckhand/internal/cloud"
)

// Service metrics (cloud.MetricsReader): CloudWatch's AWS/ECS
// CPUUtilization and MemoryUtilization, which ECS publishes per service
// (ClusterName, ServiceName) every minute. One GetMetricData call reads
// both metrics of every service asked for; it goes through the API budget
// like every call of the clients built from the config (family "other",
// budget.FamilyOf). It needs cloudwatch:GetMetricData.

// newMetricsClient builds the CloudWatch client the way load builds the
// others: from the same config (so the budget applies), with an explicit
// endpoint winning over the SDK's own settings. It speaks awsQuery, the
// protocol CloudWatch has always served, rather than the SDK's newer
// default (Smithy RPC v2 CBOR): emulators such as moto answer only
// awsQuery, and one protocol everywhere keeps the path tested against
// moto the one used against AWS.
func newMetricsClient(cfg sdkaws.Config, base *string) *cloudwatch.Client {
	return cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) {
		if base != nil {
			o.BaseEndpoint = base
		}
		o.Protocol = awsquery.New(schemas.GraniteServiceVersion20100801)
	})
}

// ServiceMetrics reads the window of q for its services in one call (more
// when CloudWatch pages the answer).
func (c *Client) ServiceMetrics(ctx context.Context, q cloud.MetricsQuery) ([]cloud.ServiceMetrics, error) {
	if err := cloud.ValidateMetricsQuery(q); err != nil {
		return nil, err
	}
	out := make([]cloud.ServiceMetrics, len(q.Services))
	if len(q.Services) == 0 {
		return out, nil
	}
	in := &cloudwatch.GetMetricDataInput{
		StartTime: sdkaws.Time(q.Start), EndTime: sdkaws.Time(q.End),
		ScanBy: cwtypes.ScanByTimestampAscending,
	}
	period := sdkaws.Int32(int32(q.Period / time.Second))
	for i, s := range q.Services {
		out[i].Ref = s
		dims := []cwtypes.Dimension{
			{Name: sdkaws.String("ClusterName"), Value: sdkaws.String(s.Cluster)},
			{Name: sdkaws.String("ServiceName"), Value: sdkaws.String(s.Service)},
		}
		for _, m := range []struct{ id, name string }{{"c", "CPUUtilization"}, {"m", "MemoryUtilization"}} {
			in.MetricDataQueries = append(in.MetricDataQueries, cwtypes.MetricDataQuery{
				Id: sdkaws.String(m.id + strconv.Itoa(i)),
				MetricStat: &cwtypes.MetricStat{
					Metric: &cwtypes.Metric{Namespace: sdkaws.String("AWS/ECS"), MetricName: sdkaws.String(m.name), Dimensions: dims},
					Period: period, Stat: sdkaws.String("Average"),
				},
			})
		}
	}
	p := cloudwatch.NewGetMetricDataPaginator(c.cw, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, wrap("cloudwatch", "GetMetricData", err)
		}
		for _, r := range page.MetricDataResults {
			id := sdkaws.ToString(r.Id)
			if len(id) < 2 {
				continue
			}
			i, err := strconv.Atoi(id[1:])
			if err != nil || i >= len(out) {
				continue
			}
			pts := make([]cloud.MetricPoint, 0, len(r.Timestamps))
			for k, t := range r.Timestamps {
				if k < len(r.Values) {
					pts = append(pts, cloud.MetricPoint{At: t, Value: r.Values[k]})
				}
			}
			if id[0] == 'c' {
				out[i].CPU = append(out[i].CPU, pts...)
			} else {
				out[i].Memory = append(out[i].Memory, pts...)
			}
		}
	}
	for i := range out {
		sortPoints(out[i].CPU)
		sortPoints(out[i].Memory)
	}
	return out, nil
}

// sortPoints puts points oldest first (pages may interleave).
func sortPoints(xs []cloud.MetricPoint) {
	slices.SortStableFunc(xs, func(a, b cloud.MetricPoint) int { return a.At.Compare(b.At) })
}
