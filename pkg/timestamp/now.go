package timestamp

import (
	"fmt"
	"time"
)

// nowForms is the list of accepted forms that every ParseNow error names,
// so that a mistyped --now tells the administrator what to type instead.
const nowForms = "want 2006-01-02T15:04:05 or 2006-01-02 15:04:05 in local time, " +
	"or RFC 3339 with an offset such as 2006-01-02T15:04:05+01:00 or 2006-01-02T15:04:05Z " +
	"(seconds may have a fraction)"

// ParseNow parses the value of the --now flag (SPEC §1, §8): a local
// wall-clock time "2006-01-02T15:04:05" or "2006-01-02 15:04:05", read in
// loc with Wall's DST rules, or an RFC 3339 time with "Z" or an offset that
// has its colon ("+01:00"; "+0100" is refused as RFC 3339 refuses it). All
// forms take an optional fraction of the second, and the "T" may be a space
// in all of them. The result is in loc. The whole string must match: no
// surrounding blanks. It panics if loc is nil.
func ParseNow(s string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		panic("timestamp: ParseNow with nil location")
	}
	b := []byte(s)
	var wt wallTime
	i, _, ok := scanDateTime(b, &wt)
	if !ok {
		if _, _, shapeOK := scanDateTime(neutralDigits(b), &wallTime{}); shapeOK {
			return time.Time{}, fmt.Errorf("invalid time %q: a field is out of range; %s", s, nowForms)
		}
		return time.Time{}, fmt.Errorf("invalid time %q: %s", s, nowForms)
	}
	switch {
	case i == len(b):
		return Wall(wt.year, wt.month, wt.day, wt.hour, wt.min, wt.sec, wt.nsec, loc), nil
	case b[i] == 'Z' && i+1 == len(b):
		return time.Unix(wt.unix(), int64(wt.nsec)).In(loc), nil
	}
	if off, j, ok := scanOffset(b, i, false); ok && j == len(b) {
		return time.Unix(wt.unix()-int64(off), int64(wt.nsec)).In(loc), nil
	}
	return time.Time{}, fmt.Errorf("invalid time %q: %s", s, nowForms)
}

// neutralDigits returns a copy of b with every digit replaced by '1', which
// keeps the shape and passes every range check (1111-11-11 11:11:11); it
// lets ParseNow tell "wrong shape" from "no such date or time".
func neutralDigits(b []byte) []byte {
	c := make([]byte, len(b))
	for i, x := range b {
		if isDigit(x) {
			x = '1'
		}
		c[i] = x
	}
	return c
}
