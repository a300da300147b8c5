package budget

import "time"

// The AIMD constants. A throttling answer halves the rate (at most once per
// cutEvery: the calls in flight when AWS started refusing all come back
// throttled, and that is one signal, not eight); the rate then grows back
// by recoverPerSec of the configured rate each second, so from half to
// full in about 50 s: slowly, because AWS's bucket is shared and someone
// else may still be draining it.
const (
	cutEvery      = time.Second
	recoverPerSec = 0.01
	floorShare    = 1.0 / 32 // the rate never falls below this share
)

// SweepShare is the share of a family's rate the sweep may use: the rest
// stays free for what is on screen and in transition.
const SweepShare = 0.2

// bucket is one family's token bucket with its AIMD state. It is plain
// arithmetic on the times it is given; Budget serialises access.
type bucket struct {
	base   float64 // configured calls per second
	burst  float64
	tokens float64
	sweep  float64 // the sweep's own tokens, at SweepShare of the rate
	// sweepBurst is the sweep's burst: burstSeconds of its share (4 calls
	// at the default rate), so that a sweep of a few calls a family (the
	// ECS list sweep: ListClusters and DescribeClusters, ListServices, two
	// ListTasks) runs without waiting and the header does not say the
	// budget holds it back when it keeps its interval; a sweep of more
	// calls (200 DescribeServices, 20 list pages) is paced at the share.
	sweepBurst float64
	at         time.Time

	cutRate float64   // the rate set by the last cut; 0 = never cut
	cutAt   time.Time // when
}

func newBucket(rate float64, burst int, now time.Time) *bucket {
	sb := max(1, rate*SweepShare*burstSeconds)
	return &bucket{base: rate, burst: float64(burst), tokens: float64(burst), sweep: sb, sweepBurst: sb, at: now}
}

// rate is the current rate: the configured one, or the cut one growing
// back additively since the cut.
func (b *bucket) rate(now time.Time) float64 {
	if b.cutRate == 0 {
		return b.base
	}
	r := b.cutRate + b.base*recoverPerSec*now.Sub(b.cutAt).Seconds()
	if r >= b.base {
		return b.base
	}
	return r
}

// refill adds the tokens earned since the last refill.
func (b *bucket) refill(now time.Time) {
	dt := now.Sub(b.at).Seconds()
	if dt <= 0 {
		return
	}
	r := b.rate(now)
	b.tokens = min(b.burst, b.tokens+r*dt)
	b.sweep = min(b.sweepBurst, b.sweep+r*SweepShare*dt)
	b.at = now
	if b.cutRate != 0 && r >= b.base {
		b.cutRate = 0 // fully recovered
	}
}

// wait is how long a call of priority p must wait for its tokens; 0 means
// they are there now. Call refill first.
func (b *bucket) wait(now time.Time, p Priority) time.Duration {
	r := b.rate(now)
	need := max(0, 1-b.tokens) / r
	if p >= Sweep {
		need = max(need, max(0, 1-b.sweep)/(r*SweepShare))
	}
	if need == 0 {
		return 0
	}
	// Round up so that the tokens are there when the caller wakes.
	return time.Duration(need*float64(time.Second)) + time.Millisecond
}

// take spends the tokens of one call; the caller checked wait == 0.
func (b *bucket) take(p Priority) {
	b.tokens--
	if p >= Sweep {
		b.sweep--
	}
}

// throttled is AIMD's decrease: halve the rate and drop the tokens saved
// up, so the next calls wait at the new rate. It reports whether it cut.
func (b *bucket) throttled(now time.Time) bool {
	b.refill(now)
	if b.cutRate != 0 && now.Sub(b.cutAt) < cutEvery {
		return false
	}
	b.cutRate = max(b.base*floorShare, b.rate(now)/2)
	b.cutAt = now
	b.tokens = min(b.tokens, 0)
	b.sweep = min(b.sweep, 0)
	return true
}
