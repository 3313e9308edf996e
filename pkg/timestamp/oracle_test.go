package timestamp

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "time/tzdata" // tests must not depend on the host's zoneinfo
)

// oracle is a second, deliberately naive reading of the Parse contract:
// regular expressions for the shapes, strconv for the fields, time.Date for
// the range checks and Wall for local times, with no cache and none of
// parse.go's scanners. Tests and fuzzing compare Parse against it, so a
// mistake has to be made twice, the same way, to go unnoticed.
type oracle struct {
	now time.Time
	loc *time.Location
}

const (
	reMonth    = `(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)`
	reClock    = `(\d\d):(\d\d):(\d\d)`
	reBoundary = `([ \t\r\n]|$)` // a group: the stamp ends where it starts
)

var (
	reSyslog = regexp.MustCompile(`^` + reMonth + ` ( \d|\d\d|\d) ` + reClock + `(\.\d+)?` + reBoundary)
	reISO    = regexp.MustCompile(`^(\d{4})-(\d\d)-(\d\d)T` + reClock + `(\.\d+)?(Z|[+-]\d\d:?\d\d)?` + reBoundary)
	reExim   = regexp.MustCompile(`^(\d{4})-(\d\d)-(\d\d) ` + reClock + `(\.\d+)?(?: ([+-]\d{4}))?` + reBoundary)
	rePHP    = regexp.MustCompile(`^\[(\d\d)-` + reMonth + `-(\d{4}) ` + reClock + ` ([A-Za-z0-9/_+:-]{1,64})\]`)
	reOffset = regexp.MustCompile(`^([+-])(\d\d):?(\d\d)$`)
)

func atoi(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		panic(err)
	}
	return n
}

func monthNum(s string) time.Month {
	return time.Month(strings.Index("JanFebMarAprMayJunJulAugSepOctNovDec", s)/3 + 1)
}

// fracNanos turns ".123" into 123000000, ignoring digits past the ninth.
func fracNanos(s string) int {
	if s == "" {
		return 0
	}
	s = (s[1:] + "000000000")[:9]
	return atoi(s)
}

// validDate reports whether the fields name a real calendar date and clock
// reading (second 60 allowed).
func validDate(y int, m time.Month, d, hh, mm, ss int) bool {
	if m < 1 || m > 12 || hh > 23 || mm > 59 || ss > 60 {
		return false
	}
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return t.Year() == y && t.Month() == m && t.Day() == d
}

// offsetSecs parses "+hh:mm" or "+hhmm".
func offsetSecs(s string) (int, bool) {
	m := reOffset.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	h, mi := atoi(m[2]), atoi(m[3])
	if h > 23 || mi > 59 {
		return 0, false
	}
	secs := h*3600 + mi*60
	if m[1] == "-" {
		secs = -secs
	}
	return secs, true
}

// fixed returns the instant of wall fields at a fixed offset.
func fixed(y int, mo time.Month, d, hh, mm, ss, ns, off int) time.Time {
	return time.Date(y, mo, d, hh, mm, ss, ns, time.UTC).Add(-time.Duration(off) * time.Second)
}

// stampEnd is where the boundary group, always the last, starts.
func stampEnd(m []int) int { return m[len(m)-2] }

func (o oracle) parse(line string) (time.Time, int, bool) {
	if m := reSyslog.FindStringSubmatchIndex(line); m != nil {
		s := submatches(line, m)
		mo, d := monthNum(s[1]), atoi(s[2])
		hh, mm, ss, ns := atoi(s[3]), atoi(s[4]), atoi(s[5]), fracNanos(s[6])
		base := o.now.In(o.loc).Year()
		for y := base + 1; y >= base-8; y-- {
			if !validDate(y, mo, d, hh, mm, ss) {
				continue
			}
			t := Wall(y, mo, d, hh, mm, ss, ns, o.loc)
			if !t.After(o.now.Add(24 * time.Hour)) {
				return t.In(o.loc), stampEnd(m), true
			}
		}
		return time.Time{}, 0, false
	}
	if m := reISO.FindStringSubmatchIndex(line); m != nil {
		return o.dated(line, m, s1(line, m, 8))
	}
	if m := reExim.FindStringSubmatchIndex(line); m != nil {
		return o.dated(line, m, s1(line, m, 8))
	}
	if m := rePHP.FindStringSubmatchIndex(line); m != nil {
		s := submatches(line, m)
		y, mo, d := atoi(s[3]), monthNum(s[2]), atoi(s[1])
		hh, mm, ss := atoi(s[4]), atoi(s[5]), atoi(s[6])
		if !validDate(y, mo, d, hh, mm, ss) {
			return time.Time{}, 0, false
		}
		zone := s[7]
		if zone[0] == '+' || zone[0] == '-' {
			off, ok := offsetSecs(zone)
			if !ok {
				return time.Time{}, 0, false
			}
			return fixed(y, mo, d, hh, mm, ss, 0, off).In(o.loc), m[1], true
		}
		if zone == "Local" {
			return time.Time{}, 0, false
		}
		zl := loadZone(zone)
		if zl == nil {
			return time.Time{}, 0, false
		}
		return Wall(y, mo, d, hh, mm, ss, 0, zl).In(o.loc), m[1], true
	}
	return time.Time{}, 0, false
}

// dated finishes the ISO and Exim shapes, whose groups 1–7 agree; zone is
// "" (local), "Z" or an offset.
func (o oracle) dated(line string, m []int, zone string) (time.Time, int, bool) {
	s := submatches(line, m)
	y, mo, d := atoi(s[1]), time.Month(atoi(s[2])), atoi(s[3])
	hh, mm, ss, ns := atoi(s[4]), atoi(s[5]), atoi(s[6]), fracNanos(s[7])
	if !validDate(y, mo, d, hh, mm, ss) {
		return time.Time{}, 0, false
	}
	end := stampEnd(m)
	switch zone {
	case "":
		return Wall(y, mo, d, hh, mm, ss, ns, o.loc).In(o.loc), end, true
	case "Z":
		return fixed(y, mo, d, hh, mm, ss, ns, 0).In(o.loc), end, true
	}
	off, ok := offsetSecs(zone)
	if !ok {
		return time.Time{}, 0, false
	}
	return fixed(y, mo, d, hh, mm, ss, ns, off).In(o.loc), end, true
}

// zoneMemo remembers time.LoadLocation results: a failed load reads the
// zone directories and zip, tens of microseconds that made fuzzing crawl.
var zoneMemo sync.Map // name -> *time.Location, nil when unknown

func loadZone(name string) *time.Location {
	if v, ok := zoneMemo.Load(name); ok {
		return v.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		loc = nil
	}
	zoneMemo.Store(name, loc)
	return loc
}

func submatches(line string, m []int) []string {
	s := make([]string, len(m)/2)
	for i := range s {
		s[i] = s1(line, m, i)
	}
	return s
}

func s1(line string, m []int, i int) string {
	if m[2*i] < 0 {
		return ""
	}
	return line[m[2*i]:m[2*i+1]]
}
