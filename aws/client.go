// Package aws is deckhand's read path into AWS: it loads the standard SDK
// configuration, lists EC2 instances and ECS clusters, services and tasks,
// and returns them as the plain values of internal/resource. SDK types and
// SDK errors never leave this package: errors come out as *Error.
package aws

import (
	"deckhand/internal/budget"
	"deckhand/internal/cloud"

	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/logging"
)

// Options select the account, region and endpoint. Zero values mean "what
// the standard AWS configuration chain says".
type Options struct {
	Profile     string // shared config profile (--profile); "" = AWS_PROFILE or default
	Region      string // "" = AWS_REGION / profile region
	EndpointURL string // e.g. http://127.0.0.1:5000 for moto or LocalStack
	Readonly    bool   // refuse every mutation (see ErrReadonly)
	// Budget, when set, is the API budget every call of every client waits
	// for (internal/budget); nil = no client-side limit (tests that seed).
	Budget *budget.Budget
}

// Client holds one configured SDK client per service. It is safe for
// concurrent use.
// The SDK adapter implements every contract; the compiler checks it here,
// as the sandbox's files do for the Account.
var (
	_ cloud.Account = (*Client)(nil)
)

type Client struct {
	cfg      sdkaws.Config
	endpoint string
	profile  string // for messages only
	readonly bool
	ec2      *ec2.Client
	ecs      *ecs.Client
	sts      *sts.Client
	deploy   deployClients      // ECR, ELBv2, IAM, Logs, SSM, tagging: deploy_clients.go
	cw       *cloudwatch.Client // metrics.go

	// ec2PageSize is DescribeInstances' MaxResults; a field so tests can
	// make moto return several pages without seeding thousands of instances.
	ec2PageSize int32
	// ec2FirstPage is the first page's MaxResults when the rows are shown
	// page by page (InstancesEach with a page callback).
	ec2FirstPage int32
}

// Load reads the standard configuration chain (environment, shared config
// and credentials files, SSO, web identity, EC2 instance role) and builds
// the service clients. It does not contact AWS; call CheckCredentials for an
// early, readable failure when there are no credentials.
func Load(ctx context.Context, o Options) (*Client, error) {
	return load(ctx, o)
}

// load is Load with extra SDK load options, which tests use to attach
// middleware that checks the requests deckhand sends.
func load(ctx context.Context, o Options, extra ...func(*config.LoadOptions) error) (*Client, error) {
	// The SDK logs warnings (e.g. "falling back to IMDSv1") to stderr, which
	// would scribble over the terminal UI; failures reach the caller as
	// errors instead.
	opts := []func(*config.LoadOptions) error{config.WithLogger(logging.Nop{})}
	if o.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(o.Profile))
	}
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	opts = append(opts, extra...)
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	var missing config.SharedConfigProfileNotExistError
	if errors.As(err, &missing) {
		return nil, fmt.Errorf("AWS profile %q not found in %s; list profiles with `aws configure list-profiles`",
			missing.Profile, strings.Join(sharedFiles(missing.Filename), " or "))
	}
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %s", redact(err.Error()))
	}
	if cfg.Region == "" {
		return nil, errors.New("no AWS region: set AWS_REGION, pass --region, or set region in your profile (~/.aws/config)")
	}

	if o.Budget != nil {
		// Full slice expression: never append into a shared array.
		cfg.APIOptions = append(cfg.APIOptions[:len(cfg.APIOptions):len(cfg.APIOptions)], withBudget(o.Budget))
	}

	endpoint := o.EndpointURL
	if endpoint == "" && cfg.BaseEndpoint != nil {
		// AWS_ENDPOINT_URL or endpoint_url in the profile: the SDK applies it
		// itself; we only remember it so the UI can say where it talks to.
		endpoint = *cfg.BaseEndpoint
	}
	profile := o.Profile
	if profile == "" {
		profile = os.Getenv("AWS_PROFILE")
	}
	c := &Client{cfg: cfg, endpoint: endpoint, profile: profile, readonly: o.Readonly, ec2PageSize: 1000, ec2FirstPage: 50}

	// An explicit --endpoint-url is set on each client after the SDK has
	// resolved its own endpoint settings, so that it wins over the
	// service-specific ones (AWS_ENDPOINT_URL_EC2, [services] in the profile).
	var base *string
	if o.EndpointURL != "" {
		base = sdkaws.String(o.EndpointURL)
	}
	c.ec2 = ec2.NewFromConfig(cfg, func(so *ec2.Options) {
		if base != nil {
			so.BaseEndpoint = base
		}
	})
	c.ecs = ecs.NewFromConfig(cfg, func(so *ecs.Options) {
		if base != nil {
			so.BaseEndpoint = base
		}
		if endpoint != "" {
			// Full slice expression: never append into cfg's shared array.
			so.APIOptions = append(so.APIOptions[:len(so.APIOptions):len(so.APIOptions)], emulatorFix)
		}
	})
	c.sts = sts.NewFromConfig(cfg, func(so *sts.Options) {
		if base != nil {
			so.BaseEndpoint = base
		}
	})
	c.deploy = newDeployClients(cfg, base)
	c.cw = newMetricsClient(cfg, base)
	return c, nil
}

// Region is the region every call goes to.
func (c *Client) Region() string { return c.cfg.Region }

// Endpoint is the custom endpoint (Options.EndpointURL or AWS_ENDPOINT_URL),
// or "" when the SDK's regular AWS endpoints are used.
func (c *Client) Endpoint() string { return c.endpoint }

// Readonly reports whether mutations are refused.
func (c *Client) Readonly() bool { return c.readonly }

// Identity asks STS who the credentials belong to. It needs no IAM
// permission, which makes it the cheapest check that credentials work.
func (c *Client) Identity(ctx context.Context) (cloud.Identity, error) {
	out, err := c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return cloud.Identity{}, wrap("sts", "GetCallerIdentity", err)
	}
	return cloud.Identity{
		Account: sdkaws.ToString(out.Account),
		ARN:     sdkaws.ToString(out.Arn),
		UserID:  sdkaws.ToString(out.UserId),
	}, nil
}

// sharedFiles names the shared config files the SDK read for a profile. The
// SDK's error carries an empty list when the default files were used, which
// printed "not found in ;", so the defaults (or AWS_CONFIG_FILE and
// AWS_SHARED_CREDENTIALS_FILE, which replace them) are named instead.
func sharedFiles(fromSDK []string) []string {
	if len(fromSDK) > 0 {
		return fromSDK
	}
	files := []string{config.DefaultSharedConfigFilename(), config.DefaultSharedCredentialsFilename()}
	if f := os.Getenv("AWS_CONFIG_FILE"); f != "" {
		files[0] = f
	}
	if f := os.Getenv("AWS_SHARED_CREDENTIALS_FILE"); f != "" {
		files[1] = f
	}
	return files
}
