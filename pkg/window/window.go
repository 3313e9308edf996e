// Package window decides whether a log line's time falls in the period a
// checker looks at.
package window

import "time"

// Window is the interval a run counts. The old tools compared only against
// the start, so End is applied only when the caller sets Bounded (--now
// replays an old log and must not count what was written after that instant).
type Window struct {
	Start time.Time
	// Inclusive keeps a line exactly at Start (exim's positional form
	// compared now-t <= SECONDS); every other form is strict.
	Inclusive bool
	End       time.Time
	Bounded   bool
}

// Contains reports whether t is in the window.
func (w Window) Contains(t time.Time) bool {
	if w.Bounded && t.After(w.End) {
		return false
	}
	if w.Inclusive {
		return !t.Before(w.Start)
	}
	return t.After(w.Start)
}
