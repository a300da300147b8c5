package sandbox

import (
	"fmt"
	"time"

	"deckhand/internal/cloud"
)

// seed creates a fresh account: a small, instructive history played
// through the simulation itself from three days ago to now, so every
// timestamp, event and state is one the sandbox could have produced.
//
//   - web-1 running for three days; batch stopped by its user a day ago;
//     old-worker shutting down now (terminated seconds later, then gone after
//     an hour); web-2 just launched (pending, running within 30 s).
//   - Cluster demo: service web, 2 healthy Fargate tasks behind a health
//     check, steady for two days; a one-off db-migrate task (busybox) that
//     ran 20 minutes ago and stopped when its container exited; service
//     broken-worker, created now, whose image was never pushed to the
//     account's ECR: its tasks stop with CannotPullContainerError, and the
//     circuit breaker fails the deployment after 3 failed tasks.
func (a *Account) seed() *state {
	now := a.clock.Now().UTC().Truncate(time.Millisecond)
	st := &state{
		Version: stateVersion, Account: AccountID, Created: now,
		Rand: uint64(now.UnixNano()), Regions: map[string]*region{},
	}
	w := &world{state: st, now: now.Add(-72 * time.Hour), speed: a.speed}
	at := func(ago time.Duration) { w.advance(now.Add(-ago)) }
	must := func(err error) {
		if err != nil {
			panic(fmt.Sprintf("sandbox seed: %v", err)) // a bug in the script below
		}
	}
	r := w.region(a.region)
	r.KeyPairs = append(r.KeyPairs, &keyPair{Name: "sandbox-key", ID: "key-0" + w.hexID(16)})
	ami := r.Images[0].ID
	launch := func(name, typ string) *instance {
		in, err := w.runInstance(r, cloud.InstanceSpec{Name: name, ImageID: ami, InstanceType: typ, KeyName: "sandbox-key"})
		must(err)
		return in
	}

	launch("web-1", "t3.micro")
	batch := launch("batch", "t3.small")
	at(48 * time.Hour)
	_, err := w.createCluster(r, "demo", nil)
	must(err)
	subnets := []string{r.Subnets[0].ID, r.Subnets[1].ID}
	groups := []string{r.SecurityGroups[0].ID}
	web, err := w.register(r, cloud.TaskDefSpec{
		Family: "web", CPU: "256", Memory: "512", NetworkMode: "awsvpc", Fargate: true,
		Containers: []cloud.ContainerSpec{{
			Name: "web", Image: "public.ecr.aws/nginx/nginx:1.27", Port: 80, Essential: true,
			HealthCommand: []string{"CMD-SHELL", "curl -f http://localhost/ || exit 1"},
		}},
	})
	must(err)
	_, _, err = w.createService(r, cloud.ServiceSpec{
		Cluster: "demo", Name: "web", TaskDefinition: web.ARN, Desired: 2, LaunchType: "FARGATE",
		Subnets: subnets, SecurityGroups: groups, PublicIP: true, CircuitBreaker: true,
	})
	must(err)
	at(26 * time.Hour)
	must(stopInstance(w, batch))
	at(2 * time.Hour)
	old := launch("old-worker", "t3.micro")
	at(20 * time.Minute)
	migrate, err := w.register(r, cloud.TaskDefSpec{
		Family: "db-migrate", CPU: "256", Memory: "512", NetworkMode: "awsvpc", Fargate: true,
		Containers: []cloud.ContainerSpec{{Name: "migrate", Image: "busybox:1.36", Essential: true}},
	})
	must(err)
	_, _, err = w.runTask(r, cloud.RunTaskSpec{
		Cluster: "demo", TaskDefinition: migrate.ARN, Count: 1, LaunchType: "FARGATE", Subnets: subnets, SecurityGroups: groups,
	})
	must(err)
	// Half of the shortest shutting-down time ago: still shutting down now.
	at(w.scaled(ec2ShuttingDown.lo / 2))
	must(terminateInstance(w, old))
	at(0)
	launch("web-2", "t3.micro")
	worker, err := w.register(r, cloud.TaskDefSpec{
		Family: "broken-worker", CPU: "256", Memory: "512", NetworkMode: "awsvpc", Fargate: true,
		Containers: []cloud.ContainerSpec{{
			Name: "worker", Image: AccountID + ".dkr.ecr." + r.Name + ".amazonaws.com/broken-worker:latest", Essential: true,
		}},
	})
	must(err)
	_, _, err = w.createService(r, cloud.ServiceSpec{
		Cluster: "demo", Name: "broken-worker", TaskDefinition: worker.ARN, Desired: 2, LaunchType: "FARGATE",
		Subnets: subnets, SecurityGroups: groups, CircuitBreaker: true,
	})
	must(err)
	st.Now = w.now
	return st
}
