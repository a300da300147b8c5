package aws

import (
	"deckhand/internal/cloud"

	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// CloudWatch Logs: the Logs capability.

// EnsureLogGroup creates the log group with tags; a group that exists
// already (ResourceAlreadyExistsException) is found, created=false, and
// keeps its tags.
func (c *Client) EnsureLogGroup(ctx context.Context, name string, tags cloud.Tags) (bool, error) {
	if c.readonly {
		return false, cloud.ErrReadonly
	}
	if err := cloud.ValidateEnsureLogGroup(name, tags); err != nil {
		return false, err
	}
	in := &cloudwatchlogs.CreateLogGroupInput{LogGroupName: sdkaws.String(name)}
	if len(tags) > 0 {
		in.Tags = tags
	}
	_, err := c.deploy.logs.CreateLogGroup(ctx, in)
	if hasCode(err, "ResourceAlreadyExistsException") {
		return false, nil
	}
	if err != nil {
		return false, wrap("logs", "CreateLogGroup", err)
	}
	return true, nil
}

// DeleteLogGroup deletes a log group and its events.
func (c *Client) DeleteLogGroup(ctx context.Context, name string) error {
	if c.readonly {
		return cloud.ErrReadonly
	}
	if err := cloud.ValidateLogGroupName("DeleteLogGroup", name); err != nil {
		return err
	}
	_, err := c.deploy.logs.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: sdkaws.String(name)})
	return wrap("logs", "DeleteLogGroup", err)
}

// recentStreams is how many of the most recently written streams
// RecentLogEvents reads: a service's current tasks, and the ones it just
// replaced.
const recentStreams = 5

// RecentLogEvents reads the newest events of the recentStreams streams
// (matching streamPrefix) that were written to last. DescribeLogStreams
// cannot order by time and filter by prefix at once, so it lists the
// matching streams (at most 1,000) and sorts them itself.
func (c *Client) RecentLogEvents(ctx context.Context, group, streamPrefix string, limit int) ([]cloud.LogEvent, error) {
	if err := cloud.ValidateLogQuery(group, streamPrefix, limit); err != nil {
		return nil, err
	}
	in := &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: sdkaws.String(group)}
	if streamPrefix != "" {
		in.LogStreamNamePrefix = sdkaws.String(streamPrefix)
	} else {
		in.OrderBy = logstypes.OrderByLastEventTime
		in.Descending = sdkaws.Bool(true)
	}
	var streams []logstypes.LogStream
	p := cloudwatchlogs.NewDescribeLogStreamsPaginator(c.deploy.logs, in)
	for p.HasMorePages() && len(streams) < 1000 {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, wrap("logs", "DescribeLogStreams", err)
		}
		streams = append(streams, out.LogStreams...)
		if streamPrefix == "" {
			break // already the newest first
		}
	}
	slices.SortStableFunc(streams, func(a, b logstypes.LogStream) int {
		return cmp.Compare(sdkaws.ToInt64(b.LastEventTimestamp), sdkaws.ToInt64(a.LastEventTimestamp))
	})
	var events []cloud.LogEvent
	for _, s := range streams[:min(len(streams), recentStreams)] {
		if s.LastEventTimestamp == nil {
			continue // nothing written yet
		}
		out, err := c.deploy.logs.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{
			LogGroupName: sdkaws.String(group), LogStreamName: s.LogStreamName,
			Limit: sdkaws.Int32(int32(limit)), StartFromHead: sdkaws.Bool(false),
		})
		if err != nil {
			return nil, wrap("logs", "GetLogEvents", err)
		}
		for _, e := range out.Events {
			events = append(events, cloud.LogEvent{
				At:      time.UnixMilli(sdkaws.ToInt64(e.Timestamp)).UTC(),
				Stream:  sdkaws.ToString(s.LogStreamName),
				Message: strings.TrimRight(sdkaws.ToString(e.Message), "\n"),
			})
		}
	}
	return newestEvents(events, limit), nil
}

// newestEvents keeps the limit newest of events, oldest first.
func newestEvents(events []cloud.LogEvent, limit int) []cloud.LogEvent {
	slices.SortStableFunc(events, func(a, b cloud.LogEvent) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return strings.Compare(a.Stream, b.Stream)
	})
	if len(events) > limit {
		events = events[len(events)-limit:]
	}
	return events
}
