package sandbox

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"deckhand/internal/cloud"
)

// check is what decode asks of a state file beyond being valid JSON: the
// simulation dereferences every resource it lists and trusts that IDs are
// unique and states are ones it moves through, so a file edited by hand (or
// damaged without breaking its JSON) must be refused here, with a message
// naming what is wrong, rather than crash deckhand later.
func check(st *state) error {
	if err := noNils(reflect.ValueOf(st).Elem(), ""); err != nil {
		return err
	}
	for _, name := range sortedKeys(st.Regions) {
		r := st.Regions[name]
		at := "regions." + name
		if r.Name != name {
			return fmt.Errorf("%s is named %q", at, r.Name)
		}
		if err := unique(at+".instances", r.Instances, func(in *instance) string { return in.ID }); err != nil {
			return err
		}
		for _, in := range r.Instances {
			if _, ok := stateCodes[in.State]; !ok {
				return fmt.Errorf("%s.instances: instance %s has state %q, which EC2 does not have", at, in.ID, in.State)
			}
		}
		if err := unique(at+".clusters", r.Clusters, func(c *cluster) string { return c.Name }); err != nil {
			return err
		}
		for _, c := range r.Clusters {
			cat := at + ".clusters." + c.Name
			if err := unique(cat+".services", c.Services, func(s *service) string { return s.Name }); err != nil {
				return err
			}
			for _, s := range c.Services {
				if s.Desired < 0 || s.Desired > cloud.MaxDesired {
					return fmt.Errorf("%s.services: service %s has desired count %d, outside 0–%d", cat, s.Name, s.Desired, cloud.MaxDesired)
				}
			}
			if err := unique(cat+" tasks", slices.Concat(c.Tasks, c.Stopped), func(t *task) string { return t.ARN }); err != nil {
				return err
			}
			for _, t := range c.Tasks {
				if !slices.Contains(taskStatuses, t.LastStatus) || t.LastStatus == "STOPPED" {
					return fmt.Errorf("%s.tasks: task %s has lastStatus %q, which is not one of a task that has not stopped", cat, t.ARN, t.LastStatus)
				}
			}
			for _, t := range c.Stopped {
				if t.LastStatus != "STOPPED" {
					return fmt.Errorf("%s.stoppedTasks: task %s has lastStatus %q, not STOPPED", cat, t.ARN, t.LastStatus)
				}
			}
		}
		if err := unique(at+".loadBalancers", r.LoadBalancers, func(lb *loadBalancer) string { return lb.ARN }); err != nil {
			return err
		}
	}
	return nil
}

// taskStatuses are the lastStatus values of an ECS task, in order.
var taskStatuses = []string{"PROVISIONING", "PENDING", "ACTIVATING", "RUNNING", "DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED"}

// unique fails when two of xs have the same key.
func unique[T any](at string, xs []T, key func(T) string) error {
	seen := make(map[string]bool, len(xs))
	for _, x := range xs {
		k := key(x)
		if seen[k] {
			return fmt.Errorf("%s: %q appears twice", at, k)
		}
		seen[k] = true
	}
	return nil
}

// noNils fails on a null element of a list or a map (a region, an
// instance…) anywhere in v: each is a resource the simulation dereferences.
// at is v's path in the file, in JSON names. Optional parts (a task's
// network, a service's load balancer) are pointer fields, and may be null.
func noNils(v reflect.Value, at string) error {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return noNils(v.Elem(), at)
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if err := noNils(v.Field(i), join(at, name)); err != nil {
				return err
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			e, eat := v.Index(i), fmt.Sprintf("%s[%d]", at, i)
			if e.Kind() == reflect.Pointer && e.IsNil() {
				return fmt.Errorf("%s is null", eat)
			}
			if err := noNils(e, eat); err != nil {
				return err
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			e, eat := iter.Value(), join(at, fmt.Sprint(iter.Key()))
			if e.Kind() == reflect.Pointer && e.IsNil() {
				return fmt.Errorf("%s is null", eat)
			}
			if err := noNils(e, eat); err != nil {
				return err
			}
		}
	}
	return nil
}

func join(at, name string) string {
	if at == "" {
		return name
	}
	return at + "." + name
}
