package tui

import (
	"testing"
	"time"
)

func TestFormatting(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{-time.Second, "0s"}, {0, "0s"}, {42 * time.Second, "42s"}, {3*time.Minute + 20*time.Second, "3m20s"},
		{time.Hour, "1h"}, {5*time.Hour + 2*time.Minute, "5h2m"}, {12*24*time.Hour + 3*time.Hour, "12d3h"},
		{99*24*time.Hour + 23*time.Hour, "99d23h"}, {400 * 24 * time.Hour, "400d"},
	} {
		if got := fmtAge(c.d); got != c.want {
			t.Errorf("fmtAge(%v) = %q, want %q", c.d, got, c.want)
		}
		if len(fmtAge(c.d)) > 6 {
			t.Errorf("fmtAge(%v) wider than an age column", c.d)
		}
	}
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -5: "-5"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
	if got := clean("a\nb\x1b[31mc\td"); got != "a b [31mc d" {
		t.Errorf("clean = %q", got)
	}
	if got := width("日本"); got != 4 {
		t.Errorf("width of wide runes = %d", got)
	}
	if got := pad("日本語", 5, false); width(got) != 5 {
		t.Errorf("pad of wide runes is %d wide: %q", width(got), got)
	}
	if got := shortID("3f2a9c1e0b7d", 8); got != "3f2a9c1e…" {
		t.Errorf("shortID = %q", got)
	}
	for s, want := range map[string]tone{
		"running": toneOK, "RUNNING": toneOK, "ACTIVE": toneOK, "HEALTHY": toneOK, "COMPLETED": toneOK,
		"pending": toneTrans, "stopping": toneTrans, "PROVISIONING": toneTrans, "IN_PROGRESS": toneTrans, "shutting-down": toneTrans,
		"stopped": toneMuted, "exited": toneMuted, "STOPPED": toneMuted,
		"terminated": toneErr, "FAILED": toneErr, "UNHEALTHY": toneErr,
		"ACTIVE IN_PROGRESS 1/2": toneTrans, "ACTIVE COMPLETED 2/2": toneOK, "ACTIVE FAILED 0/2": toneErr,
		"Up 3 minutes (healthy)": toneOK, "Exited (137) 2 minutes ago": toneErr, "Exited (0) 1 minute ago": toneMuted,
		"": toneNone, "whatever": toneNone,
	} {
		if got := toneOf(s); got != want {
			t.Errorf("toneOf(%q) = %d, want %d", s, got, want)
		}
	}
	if exitTone("0") != toneMuted || exitTone("137") != toneErr || exitTone("") != toneNone {
		t.Error("exitTone")
	}
}

// TestFmtColAge: a table's ages keep their seconds for ten minutes, then
// change once a minute until the hour, as fmtAge does after it.
func TestFmtColAge(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{42 * time.Second, "42s"},
		{9*time.Minute + 59*time.Second, "9m59s"},
		{10*time.Minute + 1*time.Second, "10m"},
		{53*time.Minute + 49*time.Second, "53m"},
		{time.Hour + 5*time.Minute + 7*time.Second, "1h5m"},
	} {
		if got := fmtColAge(c.d); got != c.want {
			t.Errorf("fmtColAge(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}
