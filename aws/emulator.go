package aws

import (
	"bytes"
	"context"
	"encoding/json"
	"io"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// moto (5.x) writes an ECS task container's "cpu" as a JSON number (0) where
// the ECS API has a string, and the SDK's strict deserializer then rejects
// the whole DescribeTasks response ("expected string, got 0"). Real AWS never
// does this, so the fix below is installed only when deckhand talks to a
// custom endpoint (moto, LocalStack), and only touches container fields the
// API defines as strings.
//
// emulatorFix is an ECS client APIOption. It sits after the operation's
// deserializer in the Deserialize step, i.e. between it and the transport,
// so it sees the raw response before the SDK parses it.
func emulatorFix(stack *middleware.Stack) error {
	return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("deckhandEmulatorFix",
		func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (
			middleware.DeserializeOutput, middleware.Metadata, error,
		) {
			out, md, err := next.HandleDeserialize(ctx, in)
			if err != nil {
				return out, md, err
			}
			switch awsmiddleware.GetOperationName(ctx) {
			case "DescribeTasks", "RunTask", "StartTask", "StopTask":
			default:
				return out, md, nil
			}
			resp, ok := out.RawResponse.(*smithyhttp.Response)
			if !ok || resp.StatusCode != 200 || resp.Body == nil {
				return out, md, nil
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				return out, md, err
			}
			resp.Body = io.NopCloser(bytes.NewReader(quoteContainerNumbers(body)))
			return out, md, nil
		}), middleware.After)
}

// quoteContainerNumbers turns numeric cpu/memory/memoryReservation of every
// container of "tasks"[] or "task" into strings. It returns body unchanged
// when there is nothing to fix or the body is not what it expects.
func quoteContainerNumbers(body []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // keep timestamps and counts exactly as sent
	var doc map[string]any
	if dec.Decode(&doc) != nil {
		return body
	}
	var tasks []any
	if ts, ok := doc["tasks"].([]any); ok {
		tasks = ts
	}
	if t, ok := doc["task"]; ok {
		tasks = append(tasks, t)
	}
	changed := false
	for _, t := range tasks {
		task, _ := t.(map[string]any)
		containers, _ := task["containers"].([]any)
		for _, c := range containers {
			ct, _ := c.(map[string]any)
			for _, k := range []string{"cpu", "memory", "memoryReservation"} {
				if n, ok := ct[k].(json.Number); ok {
					ct[k] = n.String()
					changed = true
				}
			}
		}
	}
	if !changed {
		return body
	}
	fixed, err := json.Marshal(doc)
	if err != nil {
		return body
	}
	return fixed
}
