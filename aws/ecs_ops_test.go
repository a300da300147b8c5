package aws

import (
	"context"
	"errors"
	"maps"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"deckhand/internal/budget"
	"deckhand/internal/cloud"
)

// TestServiceDeployerMoto: force new deployment sends UpdateService with
// forceNewDeployment and nothing else; a new image revision is a copy of
// the revision (other container, env, sizes, role, tags) with one image
// changed; bad input is refused before any call.
func TestServiceDeployerMoto(t *testing.T) {
	f := newFixture(t)
	subnet, group := f.defaultNetwork(t)
	ctx := context.Background()
	c, rec := recordingClient(t, Options{EndpointURL: f.m.URL, Region: "us-east-1"})
	if _, err := c.CreateCluster(ctx, "ops", nil); err != nil {
		t.Fatal(err)
	}
	tags := map[string]string{"team": "deck"}
	tdARN, err := c.RegisterTaskDefinition(ctx, cloud.TaskDefSpec{
		Family: "ops", CPU: "512", Memory: "1024", Fargate: true,
		ExecutionRoleARN: "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
		Containers: []cloud.ContainerSpec{
			{Name: "web", Image: "nginx:1.25", Port: 80, Essential: true, Env: map[string]string{"MODE": "prod"}},
			{Name: "side", Image: "busybox:1.36", Essential: false},
		},
		Tags: tags,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateService(ctx, cloud.ServiceSpec{Cluster: "ops", Name: "api", TaskDefinition: tdARN, Desired: 1,
		LaunchType: "FARGATE", Subnets: []string{subnet}, SecurityGroups: []string{group}}); err != nil {
		t.Fatal(err)
	}

	t.Run("force new deployment", func(t *testing.T) {
		svc, err := c.ForceNewDeployment(ctx, "ops", "api")
		if err != nil {
			t.Fatal(err)
		}
		in := last[*ecs.UpdateServiceInput](t, rec, "UpdateService")
		if !in.ForceNewDeployment || in.TaskDefinition != nil || in.DesiredCount != nil ||
			sdkaws.ToString(in.Cluster) != "ops" || sdkaws.ToString(in.Service) != "api" {
			t.Errorf("UpdateService input = %+v", in)
		}
		if svc.Name != "api" || svc.Desired != 1 {
			t.Errorf("returned service %+v", svc)
		}
	})

	t.Run("new image revision", func(t *testing.T) {
		arn, err := c.RegisterImageRevision(ctx, "ops:1", "web", "nginx:1.27")
		if err != nil {
			t.Fatal(err)
		}
		d, err := f.ecs.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{
			TaskDefinition: sdkaws.String(arn), Include: []ecstypes.TaskDefinitionField{ecstypes.TaskDefinitionFieldTags},
		})
		if err != nil {
			t.Fatal(err)
		}
		td := d.TaskDefinition
		if td.Revision != 2 || sdkaws.ToString(td.Family) != "ops" {
			t.Errorf("registered %s revision %d, want ops:2", sdkaws.ToString(td.Family), td.Revision)
		}
		images := map[string]string{}
		for _, cd := range td.ContainerDefinitions {
			images[sdkaws.ToString(cd.Name)] = sdkaws.ToString(cd.Image)
			if sdkaws.ToString(cd.Name) == "web" && (len(cd.Environment) != 1 || sdkaws.ToString(cd.Environment[0].Name) != "MODE") {
				t.Errorf("web's environment not copied: %+v", cd.Environment)
			}
		}
		if want := map[string]string{"web": "nginx:1.27", "side": "busybox:1.36"}; !maps.Equal(images, want) {
			t.Errorf("images = %v, want %v", images, want)
		}
		if sdkaws.ToString(td.Cpu) != "512" || sdkaws.ToString(td.Memory) != "1024" || td.NetworkMode != "awsvpc" ||
			sdkaws.ToString(td.ExecutionRoleArn) != "arn:aws:iam::123456789012:role/ecsTaskExecutionRole" {
			t.Errorf("copy lost settings: cpu %s memory %s mode %s role %s", sdkaws.ToString(td.Cpu), sdkaws.ToString(td.Memory), td.NetworkMode, sdkaws.ToString(td.ExecutionRoleArn))
		}
		if got := ecsTagMap(d.Tags); !maps.Equal(got, tags) {
			t.Errorf("tags = %v, want %v", got, tags)
		}
	})

	t.Run("refusals", func(t *testing.T) {
		for _, tt := range []struct {
			name, taskDef, container, image string
			field, code                     string
			sent                            bool // a call reaches moto
		}{
			{"empty image", "ops:1", "web", "", "Image", "ClientException", false},
			{"space in image", "ops:1", "web", "nginx 1.27", "Image", "ClientException", false},
			{"tag separator without tag", "ops:1", "web", "nginx:", "Image", "ClientException", false},
			{"no container", "ops:1", "", "nginx:1.27", "Container", "ClientException", false},
			{"bad revision", "ops:0", "web", "nginx:1.27", "TaskDefinition", "ClientException", false},
			{"unknown container", "ops:1", "nope", "nginx:1.27", "Container", "ClientException", true},
		} {
			t.Run(tt.name, func(t *testing.T) {
				before := len(rec.reqs)
				_, err := c.RegisterImageRevision(ctx, tt.taskDef, tt.container, tt.image)
				var ce *cloud.Error
				if !errors.As(err, &ce) || ce.Field != tt.field || ce.Code != tt.code {
					t.Fatalf("err = %v, want field %s code %s", err, tt.field, tt.code)
				}
				rec.mu.Lock()
				n := len(rec.reqs) - before
				sentRegister := false
				for _, r := range rec.reqs[before:] {
					sentRegister = sentRegister || r.Op == "RegisterTaskDefinition"
				}
				rec.mu.Unlock()
				if (n > 0) != tt.sent || sentRegister {
					t.Errorf("%d calls sent (register: %v), want calls %v and no register", n, sentRegister, tt.sent)
				}
			})
		}
	})

	t.Run("readonly", func(t *testing.T) {
		ro, roRec := recordingClient(t, Options{EndpointURL: f.m.URL, Region: "us-east-1", Readonly: true})
		if _, err := ro.ForceNewDeployment(ctx, "ops", "api"); !errors.Is(err, cloud.ErrReadonly) {
			t.Errorf("ForceNewDeployment = %v, want ErrReadonly", err)
		}
		if _, err := ro.RegisterImageRevision(ctx, "ops:1", "web", "nginx:1.27"); !errors.Is(err, cloud.ErrReadonly) {
			t.Errorf("RegisterImageRevision = %v, want ErrReadonly", err)
		}
		if len(roRec.reqs) != 0 {
			t.Errorf("readonly sent %v", roRec.reqs)
		}
	})
}

// TestServiceMetricsMoto puts AWS/ECS data points into moto (which serves
// GetMetricData only for metrics put with PutMetricData), then reads
// three services' last hour in one GetMetricData call through the budget.
func TestServiceMetricsMoto(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"))
	if err != nil {
		t.Fatal(err)
	}
	cw := newMetricsClient(cfg, sdkaws.String(f.m.URL)) // awsQuery, which moto speaks
	end := time.Now().UTC().Truncate(time.Minute)
	type point struct {
		service, metric string
		ago             time.Duration
		value           float64
	}
	put := []point{
		{"api", "CPUUtilization", 30 * time.Minute, 10}, {"api", "CPUUtilization", 20 * time.Minute, 30},
		{"api", "MemoryUtilization", 30 * time.Minute, 50}, {"api", "MemoryUtilization", 20 * time.Minute, 55},
		{"worker", "CPUUtilization", 5 * time.Minute, 90},
		{"api", "CPUUtilization", 2 * time.Hour, 99}, // outside the window
	}
	for _, p := range put {
		_, err := cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: sdkaws.String("AWS/ECS"),
			MetricData: []cwtypes.MetricDatum{{
				MetricName: sdkaws.String(p.metric), Value: sdkaws.Float64(p.value), Timestamp: sdkaws.Time(end.Add(-p.ago)),
				Unit: cwtypes.StandardUnitPercent,
				Dimensions: []cwtypes.Dimension{
					{Name: sdkaws.String("ClusterName"), Value: sdkaws.String("prod")},
					{Name: sdkaws.String("ServiceName"), Value: sdkaws.String(p.service)},
				},
			}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	b := budget.New(budget.DefaultRate, nil)
	c, rec := recordingClient(t, Options{EndpointURL: f.m.URL, Region: "us-east-1", Budget: b})
	q := cloud.MetricsQuery{
		Services: []cloud.ServiceRef{{Cluster: "prod", Service: "api"}, {Cluster: "prod", Service: "idle"}, {Cluster: "prod", Service: "worker"}},
		Start:    end.Add(-time.Hour), End: end.Add(time.Minute), Period: time.Minute,
	}
	got, err := c.ServiceMetrics(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	values := func(ps []cloud.MetricPoint) []float64 {
		var out []float64
		for _, p := range ps {
			out = append(out, p.Value)
		}
		return out
	}
	for i, tt := range []struct {
		service  string
		cpu, mem []float64
	}{
		{"api", []float64{10, 30}, []float64{50, 55}},
		{"idle", nil, nil},
		{"worker", []float64{90}, nil},
	} {
		g := got[i]
		if g.Ref.Service != tt.service || !floatsEqual(values(g.CPU), tt.cpu) || !floatsEqual(values(g.Memory), tt.mem) {
			t.Errorf("%s: got %s cpu %v mem %v, want cpu %v mem %v", tt.service, g.Ref.Service, values(g.CPU), values(g.Memory), tt.cpu, tt.mem)
		}
	}
	if len(got[0].CPU) == 2 && !got[0].CPU[0].At.Before(got[0].CPU[1].At) {
		t.Errorf("points not oldest first: %v", got[0].CPU)
	}
	calls := 0
	for _, r := range rec.reqs {
		if r.Op == "GetMetricData" {
			calls++
		}
	}
	if calls != 1 {
		t.Errorf("%d GetMetricData calls for 3 services, want 1", calls)
	}
	counted := false
	for _, s := range b.Snapshot() {
		counted = counted || s.Family == budget.OtherRead && s.Total >= 1
	}
	if !counted {
		t.Errorf("GetMetricData did not pass the budget's %q family: %+v", budget.OtherRead, b.Snapshot())
	}

	// Bad queries are refused before any call.
	for _, bad := range []cloud.MetricsQuery{
		{Services: q.Services, Start: q.Start, End: q.End, Period: 30 * time.Second},
		{Services: q.Services, Start: q.End, End: q.Start, Period: time.Minute},
		{Services: []cloud.ServiceRef{{Cluster: "", Service: "api"}}, Start: q.Start, End: q.End, Period: time.Minute},
	} {
		if _, err := c.ServiceMetrics(ctx, bad); !errors.Is(err, cloud.ErrInvalidInput) {
			t.Errorf("ServiceMetrics(%+v) = %v, want invalid input", bad, err)
		}
	}
}

func floatsEqual(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
