package timestamp

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestWall(t *testing.T) {
	type wall struct {
		y                 int
		mo                time.Month
		d, h, mi, s, nsec int
	}
	tests := []struct {
		name string
		zone string
		in   wall
		want time.Time
	}{
		{"madrid/winter", "Europe/Madrid", wall{2026, 1, 15, 12, 0, 0, 0}, at3339("2026-01-15T11:00:00Z")},
		{"madrid/summer", "Europe/Madrid", wall{2026, 7, 15, 12, 0, 0, 0}, at3339("2026-07-15T10:00:00Z")},
		{"madrid/last-second-before-gap", "Europe/Madrid", wall{2026, 3, 29, 1, 59, 59, 0}, at3339("2026-03-29T00:59:59Z")},
		{"madrid/gap-start", "Europe/Madrid", wall{2026, 3, 29, 2, 0, 0, 0}, at3339("2026-03-29T01:00:00Z")},
		{"madrid/gap-uses-offset-before", "Europe/Madrid", wall{2026, 3, 29, 2, 30, 0, 0}, at3339("2026-03-29T01:30:00Z")},
		{"madrid/gap-end", "Europe/Madrid", wall{2026, 3, 29, 2, 59, 59, 999999999}, at3339("2026-03-29T01:59:59.999999999Z")},
		{"madrid/after-gap", "Europe/Madrid", wall{2026, 3, 29, 3, 0, 0, 0}, at3339("2026-03-29T01:00:00Z")},
		{"madrid/before-repeat", "Europe/Madrid", wall{2026, 10, 25, 1, 59, 59, 0}, at3339("2026-10-24T23:59:59Z")},
		{"madrid/repeat-start-is-later", "Europe/Madrid", wall{2026, 10, 25, 2, 0, 0, 0}, at3339("2026-10-25T01:00:00Z")},
		{"madrid/repeat-is-later-instant", "Europe/Madrid", wall{2026, 10, 25, 2, 30, 0, 0}, at3339("2026-10-25T01:30:00Z")},
		{"madrid/after-repeat", "Europe/Madrid", wall{2026, 10, 25, 3, 0, 0, 0}, at3339("2026-10-25T02:00:00Z")},
		{"melbourne/repeat-is-later-instant", "Australia/Melbourne", wall{2026, 4, 5, 2, 30, 0, 0}, at3339("2026-04-04T16:30:00Z")},
		{"melbourne/gap-uses-offset-before", "Australia/Melbourne", wall{2026, 10, 4, 2, 30, 0, 0}, at3339("2026-10-03T16:30:00Z")},
		{"new-york/repeat-is-later-instant", "America/New_York", wall{2026, 11, 1, 1, 30, 0, 0}, at3339("2026-11-01T06:30:00Z")},
		{"new-york/gap-uses-offset-before", "America/New_York", wall{2026, 3, 8, 2, 30, 0, 0}, at3339("2026-03-08T07:30:00Z")},
		{"utc", "UTC", wall{2026, 11, 27, 18, 35, 55, 5}, at3339("2026-11-27T18:35:55.000000005Z")},
		{"normalises-like-time-date", "UTC", wall{2026, 12, 31, 23, 59, 60, 0}, at3339("2027-01-01T00:00:00Z")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			loc := mustLoad(t, tc.zone)
			w := tc.in
			got := Wall(w.y, w.mo, w.d, w.h, w.mi, w.s, w.nsec, loc)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Wall(%+v, %s) mismatch (-want +got):\n%s", w, tc.zone, diff)
			}
			if got.Location() != loc {
				t.Errorf("Wall(%+v, %s) location = %s", w, tc.zone, got.Location())
			}
		})
	}
}

// TestDaysFromCivil compares the arithmetic of wallTime.unix with
// time.Date on every day of years around every century rule and far into
// the past and future, at the first and the leap second of the day.
func TestDaysFromCivil(t *testing.T) {
	for _, y0 := range []int{-401, -1, 0, 1, 99, 1600, 1699, 1899, 1968, 1999, 2024, 2099, 2399, 9998} {
		for y := y0; y <= y0+2; y++ {
			for d := time.Date(y, time.January, 1, 0, 0, 0, 0, time.UTC); d.Year() == y; d = d.AddDate(0, 0, 1) {
				for _, sec := range []int{0, 60} {
					wt := wallTime{year: y, month: d.Month(), day: d.Day(), hour: 23, min: 59, sec: sec}
					want := time.Date(y, d.Month(), d.Day(), 23, 59, sec, 0, time.UTC).Unix()
					if got := wt.unix(); got != want {
						t.Fatalf("%+v.unix() = %d, time.Date gives %d", wt, got, want)
					}
				}
			}
		}
	}
}
