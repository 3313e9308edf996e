// Package window decides whether a log line's time falls in the period a
// checker looks at.
package window

import "time"

// Window is the interval a run counts: everything after Start. It has no
// end: a run with --now=T counts what a live run at clock time T counts,
// and a live run counts the lines of hosts whose clocks run ahead (SPEC §1
// "--now"). How far ahead a year-less syslog stamp may be is the timestamp
// package's year inference (at most 24 h after now); a line stamped further
// ahead is read as last year's, so it falls before Start.
type Window struct {
	Start time.Time
	// Inclusive keeps a line exactly at Start (exim's positional form
	// compared now-t <= SECONDS); every other form is strict.
	Inclusive bool
}

// Contains reports whether t is in the window.
func (w Window) Contains(t time.Time) bool {
	if w.Inclusive {
		return !t.Before(w.Start)
	}
	return t.After(w.Start)
}
