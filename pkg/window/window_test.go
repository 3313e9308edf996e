package window

import (
	"testing"
	"time"
)

func TestContains(t *testing.T) {
	start := time.Date(2026, 11, 27, 17, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		w    Window
		t    time.Time
		want bool
	}{
		{"strict excludes start", Window{Start: start}, start, false},
		{"strict includes after", Window{Start: start}, start.Add(time.Nanosecond), true},
		{"strict excludes before", Window{Start: start}, start.Add(-time.Nanosecond), false},
		{"inclusive includes start", Window{Start: start, Inclusive: true}, start, true},
		{"inclusive excludes before", Window{Start: start, Inclusive: true}, start.Add(-time.Nanosecond), false},
		// No end: a line stamped after now (a clock running ahead) is
		// counted, as a live run counts it.
		{"no end", Window{Start: start}, start.Add(24 * time.Hour), true},
		{"no end inclusive", Window{Start: start, Inclusive: true}, start.Add(1000 * time.Hour), true},
		{"zero start counts everything", Window{Inclusive: true}, time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.w.Contains(tc.t); got != tc.want {
				t.Errorf("%+v.Contains(%v) = %v, want %v", tc.w, tc.t, got, tc.want)
			}
		})
	}
}
