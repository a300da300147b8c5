package contract

import (
	"context"
	"slices"
	"strings"

	"deckhand/internal/cloud"
)

// readTaskDefs reads back the two revisions ecs registered: described by
// family (the latest), listed among the families, and listed newest first;
// the environment's names come back, never its values; an unknown revision
// is ECS's ClientException.
func (r *run) readTaskDefs(family, latestARN string) {
	t, ctx := r.t, context.Background()
	tdr, ok := r.b.(cloud.TaskDefinitionReader)
	if !ok {
		t.Fatalf("%T does not read task definitions (cloud.TaskDefinitionReader)", r.b)
	}
	td, err := tdr.DescribeTaskDefinition(ctx, family)
	if err != nil {
		t.Fatalf("DescribeTaskDefinition(%s): %v", family, err)
	}
	if td.ARN != latestARN || td.Revision != 2 || td.Family != family || td.Status != "ACTIVE" || td.CPU != "256" || td.Memory != "512" {
		t.Errorf("DescribeTaskDefinition(%s) = %+v, want revision 2 (%s), ACTIVE, 256/512", family, td, latestARN)
	}
	if len(td.Containers) != 1 {
		t.Fatalf("containers %+v, want web", td.Containers)
	}
	c := td.Containers[0]
	if c.Name != "web" || c.Image != r.fx.Image || !slices.Equal(c.EnvNames, []string{"GREETING"}) || len(c.Ports) != 1 || c.Ports[0].ContainerPort != 80 {
		t.Errorf("container %+v, want web on port 80 with the env name GREETING", c)
	}
	if strings.Contains(strings.ToLower(strings.Join(c.EnvNames, " ")), "hello") {
		t.Errorf("an environment value leaked: %v", c.EnvNames)
	}
	first, err := tdr.DescribeTaskDefinition(ctx, family+":1")
	if err != nil || first.Revision != 1 {
		t.Errorf("DescribeTaskDefinition(%s:1) = %+v, %v", family, first, err)
	}
	fams, err := tdr.TaskDefinitionFamilies(ctx)
	if err != nil || !slices.Contains(fams, family) {
		t.Errorf("TaskDefinitionFamilies = %v, %v; want %s among them", fams, err, family)
	}
	revs, err := tdr.TaskDefinitionRevisions(ctx, family)
	if err != nil || !slices.Equal(revs, []string{family + ":2", family + ":1"}) {
		t.Errorf("TaskDefinitionRevisions(%s) = %v, %v; want newest first", family, revs, err)
	}
	_, err = tdr.DescribeTaskDefinition(ctx, family+":99")
	r.wantCode(err, "ecs", "DescribeTaskDefinition", "ClientException")
}
