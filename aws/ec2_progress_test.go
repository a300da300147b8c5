package aws

import (
	"context"
	"slices"
	"testing"

	"deckhand/internal/cloud"
	"deckhand/internal/resource"
)

// TestEC2SourcePartialFirstLoad: a first read of the instances reports
// every DescribeInstances page as it arrives (20,000 instances are 20 pages
// of 1,000; here 25 in pages of 10), and the whole snapshot,
// sorted and with status checks, follows. Later fetches are targeted and
// report nothing partial.
func TestEC2SourcePartialFirstLoad(t *testing.T) {
	f := newFixture(t)
	c, _ := f.client(t)
	c.ec2PageSize = 10
	ami := f.ami(t)
	for range 25 { // one reservation each: moto pages reservations
		f.instances(t, ami, "paged", 1)
	}
	src := cloud.NewEC2Source(c)

	var sizes []int
	set, err := src.FetchProgress(context.Background(), func(s resource.Set) {
		if !slices.Equal(s.Kinds, []resource.Kind{resource.KindInstance}) {
			t.Errorf("partial kinds %v, want instances only", s.Kinds)
		}
		sizes = append(sizes, len(s.Instances))
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Instances) != 25 {
		t.Fatalf("final set has %d instances, want 25", len(set.Instances))
	}
	// After each page but the last, which the whole snapshot is.
	if want := []int{10, 20}; !slices.Equal(sizes, want) {
		t.Errorf("partial instance counts = %v, want %v", sizes, want)
	}
	sizes = nil
	if _, err := src.FetchProgress(context.Background(), func(s resource.Set) { sizes = append(sizes, len(s.Instances)) }); err != nil {
		t.Fatal(err)
	}
	if len(sizes) != 0 {
		t.Errorf("a later fetch reported partial sets %v; only a first read does", sizes)
	}
}
