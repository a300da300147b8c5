package awsconf

import "slices"

// Regions are the names :region offers and accepts: the regions of the
// aws (commercial), aws-us-gov and aws-cn partitions in
// aws-sdk-go-v2 v1.47.7's internal/endpoints/awsrulesfn/partitions.json
// (the SDK's own list, which deckhand's go.mod pins), without the
// "aws-global"-style pseudo-regions and the isolated partitions (iso, isob,
// isoe, isof, eusc) that no profile outside them reaches. Refresh it from
// that file when the SDK is upgraded; a region newer than the list still
// works at start-up with --region, which accepts any well-formed name.
var Regions = []string{
	"af-south-1",
	"ap-east-1", "ap-east-2",
	"ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
	"ap-south-1", "ap-south-2",
	"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
	"ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
	"ca-central-1", "ca-west-1",
	"cn-north-1", "cn-northwest-1",
	"eu-central-1", "eu-central-2",
	"eu-north-1",
	"eu-south-1", "eu-south-2",
	"eu-west-1", "eu-west-2", "eu-west-3",
	"il-central-1",
	"me-central-1", "me-south-1",
	"mx-central-1",
	"sa-east-1",
	"us-east-1", "us-east-2",
	"us-gov-east-1", "us-gov-west-1",
	"us-west-1", "us-west-2",
}

// IsRegion reports whether name is in Regions.
func IsRegion(name string) bool { return slices.Contains(Regions, name) }
