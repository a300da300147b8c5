package sandbox

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"deckhand/aws/contract"
	"deckhand/internal/cloud"
)

// TestContract runs the backend contract against the sandbox, each group
// on a fresh account with its own driven clock. The sandbox claims to
// behave like AWS, so it sets no quirks.
func TestContract(t *testing.T) {
	contract.Run(t, contract.Target{
		Name: "sandbox",
		New: func(t *testing.T) cloud.Backend {
			a, err := Open(Options{Path: filepath.Join(t.TempDir(), "sandbox.json"), Clock: newClock()})
			if err != nil {
				t.Fatal(err)
			}
			return a
		},
		Advance: func(t *testing.T, b cloud.Backend, d time.Duration) {
			b.(*Account).clock.(*clock).Advance(d)
		},
		Seeded: func(t *testing.T, b cloud.Backend) contract.Fixtures {
			var fx contract.Fixtures
			err := b.(*Account).view(context.Background(), func(w *world, r *region) error {
				fx = contract.Fixtures{
					ImageID: r.Images[0].ID, Subnets: []string{r.Subnets[0].ID},
					SecurityGroup: r.SecurityGroups[0].ID, KeyName: r.KeyPairs[0].Name,
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return fx
		},
	})
}
