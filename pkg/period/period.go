// Package period parses the PERIOD argument of the checkers ("1hour",
// "30minutes", "1hour30minutes") and turns it into the start of the scan
// window. It replaces the old tools' `date -d "-PERIOD"` with a small,
// strict grammar so that a typo is a usage error instead of a silent
// window in the future or over the whole log (SPEC §1, §7 items 2 and 12).
//
// Grammar, case-insensitive, no other characters anywhere:
//
//	PERIOD = ITEM { ITEM }
//	ITEM   = [ DIGITS [ BLANKS ] ] UNIT
//	UNIT   = a maximal run of ASCII letters naming one of the units below
//
// BLANKS are spaces and tabs and are allowed only between a number and its
// unit, so leading and trailing blanks are errors ("1hour " and " 1hour" are
// rejected, like "1hour 30min"). A unit is the whole run of letters, so items
// without numbers must be separated by a number ("hour30min" is valid,
// "hourmin" is not). Units: sec secs second seconds s, min mins minute
// minutes m, hour hours h, day days d, week weeks w, fortnight fortnights,
// month months, year years. Days, weeks and fortnights are fixed multiples
// of 24 hours; months and years are calendar arithmetic. A missing number
// means 1; numbers are decimal ("010" is ten) and zero is allowed ("0hour"
// is an empty window). Repeated units add up ("1hour1hour" is two hours).
package period

import (
	"fmt"
	"math"
	"time"

	"github.com/spam-gear/spamcheck/pkg/timestamp"
)

// MaxMonths bounds the calendar part (years×12 + months): a million years
// is far beyond any log, and the bound keeps the date arithmetic in Start
// from overflowing.
const MaxMonths = 12 * 1_000_000

// Period is a parsed PERIOD such as "1hour30minutes".
type Period struct {
	// Years and Months are the calendar part, each the sum of its items.
	Years, Months int
	// Fixed is the sum of the second, minute, hour, day, week and
	// fortnight items.
	Fixed time.Duration
	// Text is PERIOD exactly as typed, for report headers (see Header).
	Text string
}

type unit struct {
	fixed  time.Duration // for fixed units
	months int           // for calendar units: 1 (month) or 12 (year)
}

// unitNamed returns the unit a lower-case name stands for. (A switch, not
// a map filled by init: every run of every checker would pay for the map,
// and most never parse a period.)
func unitNamed(name string) (unit, bool) {
	const day = 24 * time.Hour
	switch name {
	case "s", "sec", "secs", "second", "seconds":
		return unit{fixed: time.Second}, true
	case "m", "min", "mins", "minute", "minutes":
		return unit{fixed: time.Minute}, true
	case "h", "hour", "hours":
		return unit{fixed: time.Hour}, true
	case "d", "day", "days":
		return unit{fixed: day}, true
	case "w", "week", "weeks":
		return unit{fixed: 7 * day}, true
	case "fortnight", "fortnights":
		return unit{fixed: 14 * day}, true
	case "month", "months":
		return unit{months: 1}, true
	case "year", "years":
		return unit{months: 12}, true
	}
	return unit{}, false
}

const expected = "expected [N]UNIT items such as 1hour, 30minutes, 1hour30minutes " +
	"(units: sec, min, hour, day, week, fortnight, month, year)"

func syntaxError(s string) error {
	return fmt.Errorf("invalid period %q: %s", s, expected)
}

func rangeError(s string) error {
	return fmt.Errorf("invalid period %q: too long (at most %d hours of fixed units and %d years of months and years)",
		s, int64(math.MaxInt64/int64(time.Hour)), MaxMonths/12)
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isBlank(c byte) bool  { return c == ' ' || c == '\t' }
func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

// Parse parses PERIOD. Errors name the value and say what is expected, so
// they can be shown to the user as they are.
func Parse(s string) (Period, error) {
	p := Period{Text: s}
	if s == "" {
		return Period{}, syntaxError(s)
	}
	var months int64 // years×12 + months, checked against MaxMonths
	var lower [16]byte
	for i := 0; i < len(s); {
		// Optional number.
		n, hasNum, overflow := int64(0), false, false
		for ; i < len(s) && isDigit(s[i]); i++ {
			hasNum = true
			d := int64(s[i] - '0')
			if n > (math.MaxInt64-d)/10 {
				overflow = true
			} else {
				n = n*10 + d
			}
		}
		if !hasNum {
			n = 1
		} else {
			for i < len(s) && isBlank(s[i]) {
				i++
			}
		}
		// Unit: the whole run of letters.
		j := i
		for j < len(s) && isLetter(s[j]) {
			j++
		}
		name := s[i:j]
		if name == "" || len(name) > len(lower) {
			return Period{}, syntaxError(s)
		}
		for k := range len(name) {
			lower[k] = name[k] | 0x20
		}
		u, ok := unitNamed(string(lower[:len(name)]))
		if !ok {
			return Period{}, syntaxError(s)
		}
		i = j
		if overflow {
			return Period{}, rangeError(s)
		}
		if u.months != 0 {
			if n > (MaxMonths-months)/int64(u.months) {
				return Period{}, rangeError(s)
			}
			months += n * int64(u.months)
			if u.months == 12 {
				p.Years += int(n)
			} else {
				p.Months += int(n)
			}
			continue
		}
		if n > (math.MaxInt64-int64(p.Fixed))/int64(u.fixed) {
			return Period{}, rangeError(s)
		}
		p.Fixed += time.Duration(n) * u.fixed
	}
	return p, nil
}

// Start returns now − p, the start of the scan window (exclusive). The
// calendar part is applied first, like time.AddDate on now's wall clock in
// now's Location, so "1month" keeps the wall-clock time across a DST change
// and normalises like AddDate does (1month before March 31 is March 3 in a
// non-leap year). The resulting wall time is converted with timestamp.Wall,
// which settles DST gaps and repeats as SPEC §8 says. The fixed part is
// then subtracted as real elapsed time, so "1day" is always 24 hours.
func (p Period) Start(now time.Time) time.Time {
	t := now
	if p.Years != 0 || p.Months != 0 {
		// Skipped for a zero calendar part: converting now's own wall
		// clock back could move an instant in a repeated DST hour.
		y, mo, d := now.Date()
		h, mi, s := now.Clock()
		t = timestamp.Wall(y, mo-time.Month(12*p.Years+p.Months), d, h, mi, s, now.Nanosecond(), now.Location())
	}
	return t.Add(-p.Fixed)
}

// Header renders PERIOD for report headers exactly the way the old tools
// did (their output must stay byte-identical): the text as typed with one
// space inserted after its leading run of digits, at the very start when it
// begins with something else ("30minutes" → "30 minutes", "1 hour" →
// "1  hour", "hour30min" → " hour30min").
func Header(text string) string {
	i := 0
	for i < len(text) && isDigit(text[i]) {
		i++
	}
	return text[:i] + " " + text[i:]
}

// Value is a kingpin.Value that parses into a Period, so that a bad PERIOD
// is rejected while the command line is parsed (a usage error) rather than
// later. Use it as
//
//	app.Flag("period", …).Short('p').SetValue(period.NewValue(&opts.Period, "1hour"))
type Value struct {
	p *Period
}

// NewValue returns a Value that stores into target (a fresh Period when
// target is nil) and sets it to the default def right away, so the default
// holds even if kingpin never calls Set. def is a constant of the program,
// so an invalid one panics.
func NewValue(target *Period, def string) *Value {
	p, err := Parse(def)
	if err != nil {
		panic(err)
	}
	if target == nil {
		target = new(Period)
	}
	*target = p
	return &Value{p: target}
}

// Set parses s into the target; on error the target is unchanged.
func (v *Value) Set(s string) error {
	p, err := Parse(s)
	if err != nil {
		return err
	}
	*v.p = p
	return nil
}

// String returns the text of the held PERIOD as typed.
func (v *Value) String() string { return v.p.Text }

// Period returns the held PERIOD.
func (v *Value) Period() Period { return *v.p }
