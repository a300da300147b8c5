package aws

import (
	"context"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"

	"deckhand/internal/budget"
)

// withBudget puts every call of every client built from the config through
// b: one stack step, so no call path can forget it. It sits after the
// retryer's step, so each attempt (a retry is a call AWS counts too) waits
// for a token of its family and reports a throttling answer, and the SDK's
// retryer still handles single failures.
func withBudget(b *budget.Budget) func(*middleware.Stack) error {
	return func(s *middleware.Stack) error {
		m := budgetStep{b: b}
		if err := s.Finalize.Insert(m, "Retry", middleware.After); err != nil {
			// A stack without a retryer: first in Finalize then.
			return s.Finalize.Add(m, middleware.Before)
		}
		return nil
	}
}

type budgetStep struct{ b *budget.Budget }

func (budgetStep) ID() string { return "deckhand/Budget" }

func (m budgetStep) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	fam := budget.FamilyOf(awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx))
	if err := m.b.Wait(ctx, fam); err != nil {
		return middleware.FinalizeOutput{}, middleware.Metadata{}, err
	}
	out, md, err := next.HandleFinalize(ctx, in)
	m.b.Observe(fam, throttleCode(err))
	return out, md, err
}

// throttleCode reports whether err is one of AWS's throttling answers; the
// sandbox decides with the same function (budget.IsThrottle).
func throttleCode(err error) bool { return budget.IsThrottle(err) }
