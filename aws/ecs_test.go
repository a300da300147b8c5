package aws

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"deckhand/internal/resource"
)

// The counts at which list/describe code classically breaks: one below, at
// and one above the describe batch sizes (10 services, 100 tasks), and a
// count that needs many batches and more than ten list pages on real AWS.
var boundaryCounts = []int{9, 10, 11, 99, 100, 101, 1001}

// TestScale seeds one cluster per count (services and tasks in separate
// motos, since each moto is one CPU-bound Python process) and checks that
// every service and task comes back exactly once, in batches AWS accepts.
// A third moto holds more than 1,000 EC2 instances. The subtests run in
// parallel; seeding 1,001 services dominates (about 15 s).
//
// Cluster names have the same width on purpose: moto's ListTasks filters
// by "cluster name is a substring of the task's cluster ARN", so "n10"
// would also return the tasks of "n100".
func TestScale(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds thousands of resources")
	}
	svcMoto, taskMoto, ec2Moto := newFixture(t), newFixture(t), newFixture(t)
	ctx := context.Background()
	svcTD, taskTD := svcMoto.taskDef(t, "web"), taskMoto.taskDef(t, "job")

	// More instances than one DescribeInstances page of 1,000 holds on AWS.
	// moto pages by reservation, so one RunInstances of 1,001 comes back in
	// a single page; TestInstancesPagination covers following pages.
	t.Run("instances=1001", func(t *testing.T) {
		t.Parallel()
		f := ec2Moto
		c, log := f.client(t)
		want := f.instances(t, f.ami(t), "", 1001)
		got, err := c.Instances(ctx)
		if err != nil {
			t.Fatal(err)
		}
		checkExactlyOnce(t, instanceIDs(got), want)
		for _, call := range log.ops("DescribeInstances") {
			if call.Max != 1000 {
				t.Errorf("DescribeInstances MaxResults = %d, want 1000", call.Max)
			}
		}
		log.check(t)
	})

	// Not parallel: moto's ECS backend is not safe for concurrent use while
	// resources are added (DescribeTasks answered HTTP 500, seen here as a
	// flaky "tasks=101"), so each moto serves one count at a time; the
	// instance count above runs beside them on its own moto.
	for _, n := range boundaryCounts {
		t.Run(fmt.Sprintf("services=%d", n), func(t *testing.T) {
			f := svcMoto
			cluster := f.cluster(t, fmt.Sprintf("n%04d", n))
			want := f.services(t, cluster, svcTD, "svc", n)
			c, log := f.client(t)

			got, err := c.Services(ctx, cluster)
			if err != nil {
				t.Fatal(err)
			}
			checkExactlyOnce(t, arnsOf(got), want)
			if !slices.IsSortedFunc(got, func(a, b resource.Service) int { return cmp.Compare(a.Name, b.Name) }) {
				t.Error("services are not sorted by name")
			}
			for _, s := range got {
				if s.ClusterARN != cluster {
					t.Fatalf("service %s has cluster %q, want %q", s.Name, s.ClusterARN, cluster)
				}
			}
			log.check(t)
			checkBatches(t, log.ops("DescribeServices"), n, 10)
		})
		t.Run(fmt.Sprintf("tasks=%d", n), func(t *testing.T) {
			f := taskMoto
			cluster := f.cluster(t, fmt.Sprintf("n%04d", n))
			want := f.runTasks(t, cluster, taskTD, "", n)
			c, log := f.client(t)

			got, err := c.Tasks(ctx, cluster)
			if err != nil {
				t.Fatal(err)
			}
			ids := make([]string, len(got))
			for i, task := range got {
				ids[i] = task.ARN
			}
			checkExactlyOnce(t, ids, want)
			log.check(t)
			checkBatches(t, log.ops("DescribeTasks"), n, 100)
			if lists := log.ops("ListTasks"); len(lists) < 2 {
				t.Errorf("ListTasks called %d times, want one list per desired status (RUNNING, STOPPED)", len(lists))
			}
		})
	}
}

// checkExactlyOnce fails unless got holds every want ARN exactly once.
func checkExactlyOnce(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d resources, want %d", len(got), len(want))
	}
	seen := map[string]int{}
	for _, a := range got {
		seen[a]++
	}
	for a, k := range seen {
		if k > 1 {
			t.Errorf("%s returned %d times", a, k)
		}
	}
	for _, a := range want {
		if seen[a] == 0 {
			t.Errorf("%s missing", a)
		}
	}
}

// checkBatches checks the describe calls: ceil(n/size) of them, none larger
// than size, every id asked about exactly once.
func checkBatches(t *testing.T, calls []call, n, size int) {
	t.Helper()
	if want := (n + size - 1) / size; len(calls) != want {
		t.Errorf("%d describe calls for %d ids, want %d", len(calls), n, want)
	}
	asked := map[string]bool{}
	for _, c := range calls {
		for _, id := range c.IDs {
			if asked[id] {
				t.Errorf("%s described twice", id)
			}
			asked[id] = true
		}
	}
	if len(asked) != n {
		t.Errorf("described %d distinct ids, want %d", len(asked), n)
	}
}

func arnsOf(ss []resource.Service) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.ARN
	}
	return out
}

// TestECSFields checks the conversion of clusters, services and tasks,
// including stopped tasks, which only the desiredStatus=STOPPED list finds.
func TestECSFields(t *testing.T) {
	f := newFixture(t)
	f.pinTasks(t)
	ctx := context.Background()
	c, log := f.client(t)

	// Clusters, sorted by name whatever the creation order.
	var clusterARNs []string
	for _, name := range []string{"prod", "dev", "staging"} {
		clusterARNs = append(clusterARNs, f.cluster(t, name))
	}
	td := f.taskDef(t, "api")
	f.services(t, clusterARNs[0], td, "api", 2)
	running := f.runTasks(t, clusterARNs[0], td, "service:api-0000", 3)

	clusters, err := c.Clusters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, cl := range clusters {
		names = append(names, cl.Name)
		if cl.Status != "ACTIVE" || cl.ARN == "" {
			t.Errorf("cluster %+v: want ACTIVE with an ARN", cl)
		}
	}
	if !slices.Equal(names, []string{"dev", "prod", "staging"}) {
		t.Errorf("clusters = %v, want dev, prod, staging", names)
	}

	svcs, err := c.Services(ctx, "prod") // a name works as well as an ARN
	if err != nil {
		t.Fatal(err)
	}
	if len(svcs) != 2 {
		t.Fatalf("got %d services, want 2", len(svcs))
	}
	s := svcs[0]
	if s.Name != "api-0000" || s.Status != "ACTIVE" || s.Desired != 1 || s.TaskDefinition != td ||
		s.Deployments != 1 || s.Rollout == "" || s.RolloutReason == "" || s.LaunchType == "" {
		t.Errorf("service = %+v", s)
	}

	// Stop one task: it must still be listed (recently stopped), once.
	if _, err := f.ecs.StopTask(ctx, &ecs.StopTaskInput{
		Cluster: sdkaws.String("prod"), Task: sdkaws.String(running[0]), Reason: sdkaws.String("scaled in by test"),
	}); err != nil {
		t.Fatal(err)
	}
	tasks, err := c.Tasks(ctx, clusterARNs[0])
	if err != nil {
		t.Fatal(err)
	}
	checkExactlyOnce(t, taskARNs(tasks), running)
	for _, task := range tasks {
		if task.ID == "" || task.ARN[len(task.ARN)-len(task.ID):] != task.ID || task.ID == task.ARN {
			t.Errorf("task ID %q is not the last segment of %s", task.ID, task.ARN)
		}
		if task.Group != "service:api-0000" || task.Service() != "api-0000" || task.ClusterARN != clusterARNs[0] {
			t.Errorf("task %s: group %q, cluster %q", task.ID, task.Group, task.ClusterARN)
		}
		if len(task.Containers) != 1 || task.Containers[0].Name != "web" || task.Containers[0].Image != "nginx:1.27" ||
			task.Containers[0].TaskARN != task.ARN {
			t.Errorf("task %s containers = %+v", task.ID, task.Containers)
		}
		want := "RUNNING"
		if task.ARN == running[0] {
			want = "STOPPED"
			if task.DesiredStatus != "STOPPED" || task.StoppedReason != "scaled in by test" {
				t.Errorf("stopped task = %+v", task)
			}
		}
		if task.LastStatus != want {
			t.Errorf("task %s is %s, want %s", task.ID, task.LastStatus, want)
		}
	}
	log.check(t)
}

func taskARNs(ts []resource.Task) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.ARN
	}
	return out
}

// TestMotoWalksDescribedTasks documents a moto behaviour that differs from
// AWS: by default every DescribeTasks moves each described task one state
// along RUNNING → DEACTIVATING → STOPPING → DEPROVISIONING → STOPPED, while
// desiredStatus stays RUNNING. (Real tasks stay RUNNING until something
// stops them.) If moto changes this, the tests that pin tasks can be
// simplified.
func TestMotoWalksDescribedTasks(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c, _ := f.client(t)
	cluster := f.cluster(t, "walk")
	f.runTasks(t, cluster, f.taskDef(t, "w"), "", 1)

	var seen []string
	for range 5 {
		tasks, err := c.Tasks(ctx, cluster)
		if err != nil {
			t.Fatal(err)
		}
		if len(tasks) != 1 {
			t.Fatalf("got %d tasks, want 1", len(tasks))
		}
		seen = append(seen, tasks[0].LastStatus+"/"+tasks[0].DesiredStatus)
	}
	want := []string{"DEACTIVATING/RUNNING", "STOPPING/RUNNING", "DEPROVISIONING/RUNNING", "STOPPED/RUNNING", "STOPPED/RUNNING"}
	if !slices.Equal(seen, want) {
		t.Errorf("moto's task walk = %v, want %v (moto changed: update the comments that describe it)", seen, want)
	}
}
