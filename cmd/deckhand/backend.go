package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"deckhand/aws"
	"deckhand/aws/sandbox"
	"deckhand/dockerops"
	"deckhand/internal/budget"
	"deckhand/internal/cloud"
)

// awsBackend is the AWS account deckhand shows: the SDK client against AWS
// (or an AWS-compatible endpoint), or the built-in sandbox account.
type awsBackend struct {
	cloud.Account
	region, endpoint string
	sandbox          bool
	// budget is the API budget every call waits for: the SDK client's
	// (its middleware) or the sandbox's (its calls, which the sandbox's own
	// buckets may refuse as AWS would).
	budget *budget.Budget
	// why is a line for the status bar saying why the sandbox opened, or "".
	why string
	// box is the sandbox account, nil for AWS.
	box *sandbox.Account
	// eng is the sandbox's own engine client, closed with it (a switch
	// opens and closes sandboxes while deckhand runs).
	eng *dockerops.Engine
}

// close finishes the sandbox's engine work, waiting up to wait (what the
// last calls decided: a container to start or remove), and stops its
// engine worker; what is left undone then is done when deckhand next opens
// the account. The AWS client has nothing to close.
func (b *awsBackend) close(wait time.Duration) {
	if b == nil || b.box == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	_ = b.box.Flush(ctx)
	_ = b.box.Close()
	if b.eng != nil {
		_ = b.eng.Close()
	}
}

// chooseBackend picks the account: --sandbox asks for the sandbox; otherwise
// the standard AWS chain, falling back to the sandbox when it finds no
// credentials and the user did not name a profile or an endpoint (naming
// one means they meant a real account, so its problem is shown instead).
func chooseBackend(ctx context.Context, o options) (*awsBackend, error) {
	return chooseBackendWith(ctx, o, nil)
}

// chooseBackendWith is chooseBackend with the API budget of each
// endpoint, profile and region from budgetFor (the TUI keeps one per
// account and region across switches: switch.go); nil = a new one.
func chooseBackendWith(ctx context.Context, o options, budgetFor func(endpoint, profile, region string) *budget.Budget) (*awsBackend, error) {
	// The sandbox's budget is per region too; nil = openSandbox makes one.
	sandboxBudget := func() *budget.Budget {
		if budgetFor == nil {
			return nil
		}
		region := o.region
		if region == "" {
			region = "us-east-1" // sandbox.Open's default: one budget for both spellings
		}
		return budgetFor("sandbox", "", region)
	}
	if o.sandbox {
		return openSandbox(o, "", sandboxBudget())
	}
	region := o.region // o.region stays as given: the fallback sandbox below opens there
	var b *budget.Budget
	if budgetFor != nil {
		// The region is the profile's when none is named: ask the
		// configuration for it (files only, no AWS call) to find the budget.
		if region == "" {
			if c, err := aws.Load(ctx, aws.Options{Profile: o.profile, EndpointURL: o.endpointURL}); err == nil {
				region = c.Region()
			}
		}
		b = budgetFor(o.endpointURL, o.profile, region)
	} else {
		b = budget.New(o.apiRate, nil)
	}
	c, err := aws.Load(ctx, aws.Options{Profile: o.profile, Region: region, EndpointURL: o.endpointURL, Readonly: o.readonly, Budget: b})
	if err == nil {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err = c.CheckCredentials(cctx)
		cancel()
	}
	if err == nil {
		return &awsBackend{Account: c, region: c.Region(), endpoint: c.Endpoint(), budget: b}, nil
	}
	if o.profile != "" || o.endpointURL != "" {
		return nil, err
	}
	return openSandbox(o, "no AWS credentials found, so this is the sandbox account; see --help to use a real one", sandboxBudget())
}

// openSandbox opens the sandbox account with budget b (nil = a new one).
func openSandbox(o options, why string, b *budget.Budget) (*awsBackend, error) {
	// Tasks whose image the local Docker engine has run there for real;
	// without an engine (or when it is down) the sandbox simulates them.
	eng, engErr := dockerops.New(dockerops.Options{Host: o.dockerHost, ReadOnly: o.readonly})
	if engErr != nil {
		eng = nil
	}
	if b == nil {
		b = budget.New(o.apiRate, nil)
	}
	a, err := sandbox.Open(sandbox.Options{Speed: o.sandboxSpeed, Reset: o.sandboxReset, Readonly: o.readonly, Region: o.region, Docker: eng,
		ProxyBinary: proxyBinary, Throttle: true, APIRate: o.sandboxAPIRate, Budget: b})
	if err != nil {
		if eng != nil {
			eng.Close()
		}
		return nil, fmt.Errorf("sandbox account: %w", err)
	}
	if b := a.Backup(); b != "" {
		// Before the TUI takes the screen: the user must learn where the
		// account they reset went.
		fmt.Fprintf(os.Stderr, "deckhand: the previous sandbox state is kept in %s\n", b)
	}
	return &awsBackend{Account: a, region: a.Region(), sandbox: true, why: why, box: a, budget: b, eng: eng}, nil
}

// watchSources makes the ECS and EC2 watch sources of b. They are given
// the account itself, not b: awsBackend embeds cloud.Account, an
// interface, so b's method set lacks what the SDK client adds beyond it
// (cloud.TargetedReader, cloud.ServicePager), and a source given b fell
// back to re-reading the whole account on every fetch (issue 8: 313 calls
// in the idle minute of a 2,000-service cluster, every one of them a full
// read; TestWatchSourcesTargeted).
func watchSources(b *awsBackend) (*cloud.ECSSource, *cloud.EC2Source) {
	return cloud.NewECSSource(b.Account), cloud.NewEC2Source(b.Account)
}
