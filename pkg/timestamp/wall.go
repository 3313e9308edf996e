// Package timestamp parses the timestamps that start mail and PHP log lines
// and turns local wall-clock times into instants with fixed DST rules.
package timestamp

import "time"

// Wall returns the instant at which the clocks of loc show the given wall
// time. Unlike time.Date, which leaves the choice unspecified, it settles
// the two DST cases the way SPEC §8 says: a wall time that occurs twice
// (fall-back) is the later instant; one that does not exist (spring-forward)
// is read with the UTC offset in force before the change. Out-of-range
// fields are normalised as time.Date does.
func Wall(year int, month time.Month, day, hour, min, sec, nsec int, loc *time.Location) time.Time {
	asUTC := time.Date(year, month, day, hour, min, sec, nsec, time.UTC)
	// Zone transitions are never closer than a day, so the offsets in force
	// half a day either side are the only candidates.
	_, before := asUTC.Add(-12 * time.Hour).In(loc).Zone()
	_, after := asUTC.Add(12 * time.Hour).In(loc).Zone()
	var best time.Time
	found := false
	for _, off := range []int{before, after} {
		inst := asUTC.Add(-time.Duration(off) * time.Second)
		if _, got := inst.In(loc).Zone(); got != off {
			continue
		}
		if !found || inst.After(best) {
			best, found = inst, true
		}
	}
	if !found {
		// In the gap of a spring-forward change.
		best = asUTC.Add(-time.Duration(before) * time.Second)
	}
	return best.In(loc)
}
