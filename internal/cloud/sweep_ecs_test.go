package cloud

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"deckhand/internal/resource"
)

// TestApplyPatch is how a step of the list sweep changes the snapshot: the
// merge rules, with the sweep's own reads against moto and the sandbox in
// aws/sweep_moto_test.go and the contract suite.
func TestApplyPatch(t *testing.T) {
	const cl = "arn:aws:ecs:us-east-1:1:cluster/c"
	svc := func(name, status string, desired int32) resource.Service {
		return resource.Service{ARN: "arn:aws:ecs:us-east-1:1:service/c/" + name, Name: name, ClusterARN: cl, Status: status, Desired: desired}
	}
	task := func(id, desired string, at int) resource.Task {
		arn := "arn:aws:ecs:us-east-1:1:task/c/" + id
		return resource.Task{ARN: arn, ID: id, ClusterARN: cl, LastStatus: "RUNNING", DesiredStatus: desired,
			CreatedAt: time.Unix(int64(at), 0), Containers: []resource.Container{{TaskARN: arn, Name: "web"}}}
	}
	start := time.Unix(1000, 0)
	cur := resource.Set{
		Kinds:    []resource.Kind{resource.KindCluster, resource.KindService, resource.KindTask, resource.KindContainer},
		Scope:    []string{cl},
		Clusters: []resource.Cluster{{ARN: cl, Name: "c", Status: "ACTIVE"}},
		Services: []resource.Service{svc("a", "ACTIVE", 1), svc("c", "ACTIVE", 1), svc("e", "ACTIVE", 1)},
		Tasks:    []resource.Task{task("t1", "RUNNING", 1), task("t2", "RUNNING", 2)},
	}
	cur.Containers = append(cur.Tasks[0].Containers, cur.Tasks[1].Containers...)
	arn := func(name string) string { return svc(name, "", 0).ARN }
	tarn := func(id string) string { return task(id, "", 0).ARN }
	all := func(extra ...string) map[string]bool { // every ARN of cur listed, and extra
		m := map[string]bool{}
		for _, x := range cur.Services {
			m[x.ARN] = true
		}
		for _, x := range cur.Tasks {
			m[x.ARN] = true
		}
		for _, k := range extra {
			m[k] = true
		}
		return m
	}
	without := func(m map[string]bool, k string) map[string]bool { delete(m, k); return m }
	ptr := func(s resource.Service) *resource.Service { return &s }
	tptr := func(x resource.Task) *resource.Task { return &x }

	for _, tc := range []struct {
		name     string
		p        ecsPatch
		readAt   map[string]time.Time // reads by ARN (the fast ticks)
		changed  bool
		services string // names, in order, with desired counts
		tasks    string // ids with desired status
		dropped  int
	}{
		{name: "lists as before, re-reads equal: the same snapshot",
			p:        ecsPatch{listed: all(), svcs: map[string]*resource.Service{arn("a"): ptr(svc("a", "ACTIVE", 1))}},
			services: "a1 c1 e1", tasks: "t1:RUNNING t2:RUNNING"},
		{name: "a new ARN listed and described: added in name order",
			p:       ecsPatch{listed: all(arn("b")), svcs: map[string]*resource.Service{arn("b"): ptr(svc("b", "ACTIVE", 2))}},
			changed: true, services: "a1 b2 c1 e1", tasks: "t1:RUNNING t2:RUNNING"},
		{name: "a service no longer listed: dropped",
			p:       ecsPatch{listed: without(all(), arn("c"))},
			changed: true, services: "a1 e1", tasks: "t1:RUNNING t2:RUNNING", dropped: 1},
		{name: "described INACTIVE or MISSING (gone): dropped although listed (moto)",
			p:       ecsPatch{listed: all(), gone: map[string]bool{arn("e"): true}},
			changed: true, services: "a1 c1", tasks: "t1:RUNNING t2:RUNNING", dropped: 1},
		{name: "a task no longer listed (ECS forgot it): dropped with its containers",
			p:       ecsPatch{listed: without(all(), tarn("t1"))},
			changed: true, services: "a1 c1 e1", tasks: "t2:RUNNING", dropped: 1},
		{name: "a task listed as stopped now, re-described: replaced",
			p:       ecsPatch{listed: all(), tasks: map[string]*resource.Task{tarn("t2"): tptr(task("t2", "STOPPED", 2))}},
			changed: true, services: "a1 c1 e1", tasks: "t1:RUNNING t2:STOPPED"},
		{name: "a round-robin re-read that differs (no lists): replaced, nothing dropped",
			p:       ecsPatch{svcs: map[string]*resource.Service{arn("c"): ptr(svc("c", "ACTIVE", 5))}},
			changed: true, services: "a1 c5 e1", tasks: "t1:RUNNING t2:RUNNING"},
		{name: "re-read by ARN after the sweep began: the fast tick's copy stays, listed or not",
			p:        ecsPatch{listed: without(all(), arn("a")), svcs: map[string]*resource.Service{arn("c"): ptr(svc("c", "ACTIVE", 5))}},
			readAt:   map[string]time.Time{arn("a"): start.Add(time.Second), arn("c"): start.Add(time.Second)},
			services: "a1 c1 e1", tasks: "t1:RUNNING t2:RUNNING"},
		{name: "re-read by ARN before the sweep began: the sweep's copy is newer",
			p:       ecsPatch{svcs: map[string]*resource.Service{arn("c"): ptr(svc("c", "ACTIVE", 5))}},
			readAt:  map[string]time.Time{arn("c"): start.Add(-time.Second)},
			changed: true, services: "a1 c5 e1", tasks: "t1:RUNNING t2:RUNNING"},
		{name: "found gone by a fast tick after the sweep began: the sweep does not bring it back",
			p:        ecsPatch{listed: all(arn("z")), svcs: map[string]*resource.Service{arn("z"): ptr(svc("z", "ACTIVE", 1))}},
			readAt:   map[string]time.Time{arn("z"): start.Add(time.Second)},
			services: "a1 c1 e1", tasks: "t1:RUNNING t2:RUNNING"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			next, changed, dropped := applyPatch(cur, &tc.p, tc.readAt, start)
			var ss, ts, cs []string
			for _, x := range next.Services {
				ss = append(ss, x.Name+strconv.Itoa(int(x.Desired)))
			}
			for _, x := range next.Tasks {
				ts = append(ts, x.ID+":"+x.DesiredStatus)
			}
			for _, x := range next.Containers {
				cs = append(cs, x.TaskARN[strings.LastIndexByte(x.TaskARN, '/')+1:])
			}
			if changed != tc.changed || strings.Join(ss, " ") != tc.services || strings.Join(ts, " ") != tc.tasks || dropped != tc.dropped {
				t.Errorf("changed %v, services %q, tasks %q, dropped %d; want %v, %q, %q, %d",
					changed, strings.Join(ss, " "), strings.Join(ts, " "), dropped, tc.changed, tc.services, tc.tasks, tc.dropped)
			}
			if wantC := strings.Join(strings.Fields(strings.NewReplacer(":RUNNING", "", ":STOPPED", "").Replace(tc.tasks)), " "); strings.Join(cs, " ") != wantC {
				t.Errorf("containers of %q, want those of %q", strings.Join(cs, " "), wantC)
			}
			// Unchanged: the very slices, so the watcher and the TUI skip it.
			if !changed && (!resource.SameSlice(next, cur, resource.KindService) || !resource.SameSlice(next, cur, resource.KindTask)) {
				t.Error("unchanged, but not the same slices")
			}
			if cur.Services[1].Desired != 1 || len(cur.Services) != 3 || cur.Tasks[1].DesiredStatus != "RUNNING" {
				t.Error("the snapshot handed out before was changed in place")
			}
		})
	}
}

// TestRoundRobin: batches of one cluster, oldest first, at least one batch,
// then until the time is up.
func TestRoundRobin(t *testing.T) {
	cluster := func(k string) string { return k[:1] }
	for _, tc := range []struct {
		name  string
		keys  []string
		until time.Duration
		want  string
	}{
		{"all in time, batches of one cluster, of at most 2", []string{"a1", "b1", "a2", "a3"}, time.Minute, "a1,a2 b1 a3"},
		{"the time is up: one batch still", []string{"a1", "b1", "a2"}, -time.Second, "a1,a2"},
		{"nothing to read", nil, time.Minute, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			err := roundRobin(t.Context(), tc.keys, 2, time.Now().Add(tc.until), cluster, func(_ context.Context, cl string, arns []string) error {
				for _, a := range arns {
					if cluster(a) != cl {
						t.Errorf("batch of %s has %s", cl, a)
					}
				}
				got = append(got, strings.Join(arns, ","))
				return nil
			})
			if err != nil || strings.Join(got, " ") != tc.want {
				t.Errorf("batches %q (err %v), want %q", strings.Join(got, " "), err, tc.want)
			}
		})
	}
}
