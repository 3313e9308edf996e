package window

import (
	"testing"
	"time"
)

func TestContains(t *testing.T) {
	start := time.Date(2026, 11, 27, 17, 0, 0, 0, time.UTC)
	end := start.Add(time.Hour)
	tests := []struct {
		name string
		w    Window
		t    time.Time
		want bool
	}{
		{"strict excludes start", Window{Start: start}, start, false},
		{"strict includes after", Window{Start: start}, start.Add(time.Nanosecond), true},
		{"inclusive includes start", Window{Start: start, Inclusive: true}, start, true},
		{"inclusive excludes before", Window{Start: start, Inclusive: true}, start.Add(-time.Nanosecond), false},
		{"unbounded counts the future", Window{Start: start, End: end}, end.Add(time.Hour), true},
		{"bounded includes end", Window{Start: start, End: end, Bounded: true}, end, true},
		{"bounded excludes after end", Window{Start: start, End: end, Bounded: true}, end.Add(time.Nanosecond), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.w.Contains(tc.t); got != tc.want {
				t.Errorf("%+v.Contains(%v) = %v, want %v", tc.w, tc.t, got, tc.want)
			}
		})
	}
}
