package aws

import (
	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// deployClients are the SDK clients of the deploy capabilities (elb is
// Elastic Load Balancing v2: the LoadBalancers capability).
type deployClients struct {
	ecr     *ecr.Client
	elb     *elasticloadbalancingv2.Client
	iam     *iam.Client
	logs    *cloudwatchlogs.Client
	ssm     *ssm.Client
	tagging *resourcegroupstaggingapi.Client
}

// newDeployClients builds them like load builds the others: an explicit
// endpoint (base, nil for none) wins over the SDK's own endpoint settings.
func newDeployClients(cfg sdkaws.Config, base *string) deployClients {
	return deployClients{
		ecr: ecr.NewFromConfig(cfg, func(o *ecr.Options) {
			if base != nil {
				o.BaseEndpoint = base
			}
		}),
		elb: elasticloadbalancingv2.NewFromConfig(cfg, func(o *elasticloadbalancingv2.Options) {
			if base != nil {
				o.BaseEndpoint = base
			}
		}),
		iam: iam.NewFromConfig(cfg, func(o *iam.Options) {
			if base != nil {
				o.BaseEndpoint = base
			}
		}),
		logs: cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) {
			if base != nil {
				o.BaseEndpoint = base
			}
		}),
		ssm: ssm.NewFromConfig(cfg, func(o *ssm.Options) {
			if base != nil {
				o.BaseEndpoint = base
			}
		}),
		tagging: resourcegroupstaggingapi.NewFromConfig(cfg, func(o *resourcegroupstaggingapi.Options) {
			if base != nil {
				o.BaseEndpoint = base
			}
		}),
	}
}
