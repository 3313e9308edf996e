package timestamp

import (
	"math"
	"time"
)

// Parser reads the timestamp that starts a log line. It holds the "now" that
// yearless syslog stamps are placed against, the local zone, and caches that
// make the common case free of allocations: the UTC offset of the current
// stretch of local time, and the zones PHP lines name.
//
// A Parser is not safe for concurrent use: Parse updates the caches. Use one
// per goroutine; they are cheap.
//
// Accepted, at the very start of the line (nothing may precede the stamp):
//
//	Dec  4 18:35:55[.uuuuuu]                     traditional syslog, journalctl short(-precise)
//	2026-11-27T18:35:55[.fff…][Z|±hh:mm|±hhmm]   RFC 3339 (rsyslog), journalctl short-iso(-precise)
//	2026-11-27 18:35:55[.fff…][ ±hhmm]           Exim (+millisec, log_timezone)
//	[27-Nov-2026 18:35:55 ZONE]                  PHP mail.log; ZONE is an IANA name, UTC or ±hh:mm/±hhmm
//
// Month names are accepted only as written by every known writer (C-locale
// %b and PHP's M: "Jan" … "Dec"); "JAN" or "jan" is not a timestamp, so that
// a message-only line starting with such a word is never misread. The day of
// a syslog stamp may be space-padded, zero-padded or a single digit. Every
// stamp except PHP's (which ends at its "]") must be followed by the end of
// the line or a blank (space, tab, CR or LF), so "10:00:001" or
// "18:35:55+01" is not read as a shorter stamp. Fields are range-checked
// (Apr 31 and Feb 29 of a common year are rejected), except that second 60
// (a leap second, which time.Time cannot hold) is accepted and read as the
// first instant of the next minute, so such a line is still counted rather
// than silently dropped. A fraction of any length is accepted; digits past
// the ninth are ignored.
//
// Times without an offset (syslog, ISO without one, Exim without a zone, PHP
// zone names) are wall-clock times converted with Wall, so DST is settled
// the SPEC §8 way. Every returned time is in the Parser's location,
// whatever offset the line carried.
type Parser struct {
	loc   *time.Location
	limit time.Time // now + 24h: the latest instant a yearless stamp may denote
	year  int       // now's year in loc; the year search starts at year+1
	// nextYearTooLate is set when no stamp of year+1 can be within limit,
	// so the search starts at year and a line costs one time.Date, not two
	// (always, except in the last few days of December).
	nextYearTooLate bool
	local           zoneCache // conversions in loc
	// zones caches PHP zone names; a nil value records a name that did not
	// load, so a bad name costs one LoadLocation, not one per line.
	zones map[string]*zoneCache
}

// maxZones bounds the PHP zone cache: a real mail.log names a handful of
// zones; garbage must not make the cache grow without limit.
const maxZones = 256

// maxZoneName bounds a PHP zone name; the longest IANA name is about 30 bytes.
const maxZoneName = 64

// NewParser returns a Parser that infers the year of syslog stamps as of now
// (SPEC §1: the year that puts the stamp no more than 24 h after now) and
// reads times without an offset in loc. It panics if loc is nil, as
// time.Date does: silently choosing a zone would shift every line.
func NewParser(now time.Time, loc *time.Location) *Parser {
	if loc == nil {
		panic("timestamp: NewParser with nil location")
	}
	p := &Parser{
		loc:   loc,
		limit: now.Add(24 * time.Hour),
		year:  now.In(loc).Year(),
		local: zoneCache{loc: loc},
	}
	nextYear := time.Date(p.year+1, time.January, 1, 0, 0, 0, 0, time.UTC).Unix()
	p.nextYearTooLate = nextYear-maxOffset > p.limit.Unix()
	return p
}

// Parse returns the instant of the timestamp that starts line and the number
// of bytes n it occupies, so line[n:] is the rest of the line (starting with
// the blank that follows the stamp, if any). ok is false when the line does
// not start with a timestamp of a known shape, or its fields are out of
// range; Parse never panics, whatever the bytes.
func (p *Parser) Parse(line []byte) (t time.Time, n int, ok bool) {
	if len(line) == 0 {
		return time.Time{}, 0, false
	}
	switch c := line[0]; {
	case c == '[':
		return p.parsePHP(line)
	case isDigit(c):
		return p.parseISO(line)
	case 'A' <= c && c <= 'S': // first letters of the English month names
		return p.parseSyslog(line)
	}
	return time.Time{}, 0, false
}

// parseSyslog reads "Mmm dd hh:mm:ss[.frac]" and infers the year.
func (p *Parser) parseSyslog(line []byte) (time.Time, int, bool) {
	month := monthOf(at(line, 0), at(line, 1), at(line, 2))
	if month == 0 || at(line, 3) != ' ' {
		return time.Time{}, 0, false
	}
	var day, i int
	switch c4, c5 := at(line, 4), at(line, 5); {
	case c4 == ' ' && isDigit(c5): // "Dec  4"
		day, i = int(c5-'0'), 6
	case isDigit(c4) && isDigit(c5): // "Dec 04", "Dec 14"
		day, i = int(c4-'0')*10+int(c5-'0'), 6
	case isDigit(c4) && c5 == ' ': // "Dec 4"
		day, i = int(c4-'0'), 5
	default:
		return time.Time{}, 0, false
	}
	// 2000 is a leap year: Feb 29 passes here and is checked per year below.
	if at(line, i) != ' ' || day < 1 || day > daysIn(month, 2000) {
		return time.Time{}, 0, false
	}
	wt := wallTime{month: month, day: day}
	i, ok := scanClock(line, i+1, &wt)
	if !ok || !isBoundary(line, i) {
		return time.Time{}, 0, false
	}
	// Candidates from the latest down; a year far enough ahead is skipped
	// by arithmetic on the wall time alone, so the usual line costs one
	// conversion.
	first := p.year + 1
	if p.nextYearTooLate {
		first = p.year
	}
	for y := first; y >= p.year-8; y-- {
		if wt.day > daysIn(month, y) {
			continue // Feb 29 of a common year
		}
		wt.year = y
		w := wt.unix()
		if w-maxOffset > p.limit.Unix() {
			continue
		}
		t := p.local.instant(wt, w)
		if !t.After(p.limit) {
			return t.In(p.loc), i, true
		}
	}
	return time.Time{}, 0, false
}

// maxOffset exceeds any UTC offset a zone has ever had (the extremes are
// local mean times near ±16 h), so wall-time arithmetic can rule out a year.
const maxOffset = 48 * 3600

// parseISO reads the RFC 3339 and Exim shapes, which share the date.
func (p *Parser) parseISO(line []byte) (time.Time, int, bool) {
	var wt wallTime
	i, sep, ok := scanDateTime(line, &wt)
	if !ok {
		return time.Time{}, 0, false
	}
	off, hasOff := 0, false
	switch {
	case sep == 'T' && at(line, i) == 'Z':
		hasOff, i = true, i+1
	case sep == 'T' && (at(line, i) == '+' || at(line, i) == '-'):
		var j int
		off, j, ok = scanOffset(line, i, true)
		if !ok {
			return time.Time{}, 0, false
		}
		hasOff, i = true, j
	case sep == ' ' && at(line, i) == ' ' && (at(line, i+1) == '+' || at(line, i+1) == '-'):
		// Exim's log_timezone zone is part of the stamp only when it is a
		// whole word of sign and four digits; anything else is message text.
		if j := i + 6; allDigits(line, i+2, j) && isBoundary(line, j) {
			off, _, ok = scanOffset(line, i+1, true)
			if !ok {
				return time.Time{}, 0, false
			}
			hasOff, i = true, j
		}
	}
	if !isBoundary(line, i) {
		return time.Time{}, 0, false
	}
	if hasOff {
		return time.Unix(wt.unix()-int64(off), int64(wt.nsec)).In(p.loc), i, true
	}
	return p.local.instant(wt, wt.unix()).In(p.loc), i, true
}

// parsePHP reads "[dd-Mmm-yyyy hh:mm:ss ZONE]".
func (p *Parser) parsePHP(line []byte) (time.Time, int, bool) {
	var wt wallTime
	if !allDigits(line, 1, 3) || at(line, 3) != '-' || at(line, 7) != '-' ||
		!allDigits(line, 8, 12) || at(line, 12) != ' ' {
		return time.Time{}, 0, false
	}
	wt.day = num(line, 1, 3)
	wt.month = monthOf(at(line, 4), at(line, 5), at(line, 6))
	wt.year = num(line, 8, 12)
	if wt.month == 0 || wt.day < 1 || wt.day > daysIn(wt.month, wt.year) {
		return time.Time{}, 0, false
	}
	i, ok := scanClock(line, 13, &wt)
	if !ok || i != 21 || at(line, 21) != ' ' {
		return time.Time{}, 0, false // PHP writes no fraction
	}
	start := 22
	end := start
	for end < len(line) && end-start < maxZoneName && line[end] != ']' {
		if !isZoneByte(line[end]) {
			return time.Time{}, 0, false
		}
		end++
	}
	if end == start || at(line, end) != ']' {
		return time.Time{}, 0, false
	}
	name := line[start:end]
	if name[0] == '+' || name[0] == '-' {
		off, j, ok := scanOffset(line, start, true)
		if !ok || j != end {
			return time.Time{}, 0, false
		}
		return time.Unix(wt.unix()-int64(off), 0).In(p.loc), end + 1, true
	}
	z := p.zone(name)
	if z == nil {
		return time.Time{}, 0, false
	}
	return z.instant(wt, wt.unix()).In(p.loc), end + 1, true
}

// zone returns the cache for a PHP zone name, loading it on first sight, or
// nil when the name is not a zone. "Local" is refused: it would mean this
// process's TZ, which is not what PHP wrote.
func (p *Parser) zone(name []byte) *zoneCache {
	if z, seen := p.zones[string(name)]; seen {
		return z
	}
	var z *zoneCache
	if string(name) != "Local" {
		if loc, err := time.LoadLocation(string(name)); err == nil {
			z = &zoneCache{loc: loc}
		}
	}
	if p.zones == nil {
		p.zones = make(map[string]*zoneCache)
	}
	if len(p.zones) < maxZones {
		p.zones[string(name)] = z
	}
	return z
}

// isZoneByte reports whether c may appear in a PHP zone: IANA names
// ("America/Port-au-Prince", "Etc/GMT+5") or an offset ("+01:00").
func isZoneByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || isDigit(c) ||
		c == '/' || c == '_' || c == '-' || c == '+' || c == ':'
}

// wallTime is a wall-clock reading, fields already range-checked.
type wallTime struct {
	year                      int
	month                     time.Month
	day, hour, min, sec, nsec int
}

// unix returns the wall time's whole seconds as if it were UTC; the
// fraction is kept apart so that values compare and shift as integers.
//
// It is plain arithmetic on the proleptic Gregorian calendar (what
// time.Date computes for range-checked fields, second 60 included, at a
// sixth of the cost; every counted log line pays for it).
func (wt wallTime) unix() int64 {
	return daysFromCivil(int64(wt.year), int64(wt.month), int64(wt.day))*86400 +
		int64(wt.hour)*3600 + int64(wt.min)*60 + int64(wt.sec)
}

// daysFromCivil returns the number of days from 1970-01-01 to y-m-d, a
// valid date of the proleptic Gregorian calendar: years counted from
// March, so that the leap day ends a year, in 400-year eras of 146097
// days.
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era-- // floor division
	}
	yoe := y - era*400                     // [0, 399]
	mp := (m + 9) % 12                     // March = 0
	doy := (153*mp+2)/5 + d - 1            // [0, 365]
	doe := yoe*365 + yoe/4 - yoe/100 + doy // [0, 146096]
	return era*146097 + doe - 719468
}

// zoneCache converts wall times of one location and remembers the stretch
// of wall times [lo, hi) (seconds as if UTC) over which the conversion is a
// plain subtraction of off, so that only lines near a zone change pay for a
// full Wall call.
type zoneCache struct {
	loc    *time.Location
	lo, hi int64
	off    int64
}

// instant returns Wall for wt, whose seconds as if UTC are w.
func (z *zoneCache) instant(wt wallTime, w int64) time.Time {
	if z.lo <= w && w < z.hi {
		return time.Unix(w-z.off, int64(wt.nsec))
	}
	t := Wall(wt.year, wt.month, wt.day, wt.hour, wt.min, wt.sec, wt.nsec, z.loc)
	z.learn(t)
	return t
}

// learn records the wall times for which Wall is sure to give wall − off,
// with off the offset in force at t. Wall looks up the offsets 12 h either
// side of the wall time read as UTC and checks the candidate instant; when
// all three lie in t's zone period, it has no choice but wall − off. So the
// stretch is t's period shrunk by 12 h (or by the offset, when larger) at
// each end; near a zone change Wall is called every time.
func (z *zoneCache) learn(t time.Time) {
	_, off := t.Zone()
	start, end := t.ZoneBounds()
	const margin = 12 * 3600
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if !start.IsZero() {
		lo = start.Unix() + max(margin, int64(off))
	}
	if !end.IsZero() {
		hi = end.Unix() - max(margin, -int64(off))
	}
	z.lo, z.hi, z.off = lo, hi, int64(off)
}

// scanDateTime reads "yyyy-mm-dd" then 'T' or ' ' then the clock and an
// optional fraction into wt, and returns the index after it and the
// separator. Fields are range-checked.
func scanDateTime(b []byte, wt *wallTime) (i int, sep byte, ok bool) {
	cc, yy, mm, dd := digits2(b, 0), digits2(b, 2), digits2(b, 5), digits2(b, 8)
	if cc < 0 || yy < 0 || at(b, 4) != '-' || mm < 0 || at(b, 7) != '-' || dd < 0 {
		return 0, 0, false
	}
	sep = at(b, 10)
	if sep != 'T' && sep != ' ' {
		return 0, 0, false
	}
	wt.year = cc*100 + yy
	wt.month = time.Month(mm)
	wt.day = dd
	if wt.month < time.January || wt.month > time.December ||
		wt.day < 1 || wt.day > daysIn(wt.month, wt.year) {
		return 0, 0, false
	}
	i, ok = scanClock(b, 11, wt)
	return i, sep, ok
}

// scanClock reads "hh:mm:ss" at i and an optional ".digits" fraction.
func scanClock(b []byte, i int, wt *wallTime) (int, bool) {
	hh, mm, ss := digits2(b, i), digits2(b, i+3), digits2(b, i+6)
	if hh < 0 || at(b, i+2) != ':' || mm < 0 || at(b, i+5) != ':' || ss < 0 {
		return 0, false
	}
	wt.hour, wt.min, wt.sec = hh, mm, ss
	if wt.hour > 23 || wt.min > 59 || wt.sec > 60 {
		return 0, false
	}
	i += 8
	if at(b, i) != '.' {
		return i, true
	}
	i++
	start, scale := i, int(1e9)
	for i < len(b) && isDigit(b[i]) {
		if scale > 1 {
			scale /= 10
			wt.nsec += int(b[i]-'0') * scale
		}
		i++
	}
	return i, i > start
}

// scanOffset reads a UTC offset "±hh:mm" (or, with colonOptional,
// also "±hhmm") at i and returns it in seconds east of UTC.
func scanOffset(b []byte, i int, colonOptional bool) (secs, next int, ok bool) {
	sign := 1
	switch at(b, i) {
	case '+':
	case '-':
		sign = -1
	default:
		return 0, 0, false
	}
	if !allDigits(b, i+1, i+3) {
		return 0, 0, false
	}
	h, j := num(b, i+1, i+3), i+3
	if at(b, j) == ':' {
		j++
	} else if !colonOptional {
		return 0, 0, false
	}
	if !allDigits(b, j, j+2) {
		return 0, 0, false
	}
	m := num(b, j, j+2)
	if h > 23 || m > 59 {
		return 0, 0, false
	}
	return sign * (h*3600 + m*60), j + 2, true
}

// at returns b[i], or 0 past the end, so scanners need no length checks of
// their own and cannot index out of range.
func at(b []byte, i int) byte {
	if i < len(b) {
		return b[i]
	}
	return 0
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isBoundary reports whether b[i] may follow a stamp: the end of the line
// or a blank.
func isBoundary(b []byte, i int) bool {
	if i >= len(b) {
		return true
	}
	c := b[i]
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'
}

// allDigits reports whether b[i:j] exists and is all ASCII digits.
func allDigits(b []byte, i, j int) bool {
	if j > len(b) {
		return false
	}
	for ; i < j; i++ {
		if !isDigit(b[i]) {
			return false
		}
	}
	return true
}

// digits2 returns the value of the two decimal digits b[i:i+2], or -1 when
// they are not both there. (The stamps' fixed fields, read without a loop:
// the Exim and ISO date and clock cost a call and a loop per field
// otherwise, on every line a scan counts.)
func digits2(b []byte, i int) int {
	if i < 0 || i+2 > len(b) {
		return -1
	}
	x, y := b[i]-'0', b[i+1]-'0' // a non-digit wraps above 9
	if x > 9 || y > 9 {
		return -1
	}
	return int(x)*10 + int(y)
}

// num returns the decimal value of b[i:j], already known to be digits.
func num(b []byte, i, j int) int {
	n := 0
	for ; i < j; i++ {
		n = n*10 + int(b[i]-'0')
	}
	return n
}

// monthOf returns the month of an English abbreviation with exactly its
// usual capitalisation, or 0. The three bytes are packed into one integer
// so the lookup is a single switch with no string built.
func monthOf(a, b, c byte) time.Month {
	switch uint32(a)<<16 | uint32(b)<<8 | uint32(c) {
	case 'J'<<16 | 'a'<<8 | 'n':
		return time.January
	case 'F'<<16 | 'e'<<8 | 'b':
		return time.February
	case 'M'<<16 | 'a'<<8 | 'r':
		return time.March
	case 'A'<<16 | 'p'<<8 | 'r':
		return time.April
	case 'M'<<16 | 'a'<<8 | 'y':
		return time.May
	case 'J'<<16 | 'u'<<8 | 'n':
		return time.June
	case 'J'<<16 | 'u'<<8 | 'l':
		return time.July
	case 'A'<<16 | 'u'<<8 | 'g':
		return time.August
	case 'S'<<16 | 'e'<<8 | 'p':
		return time.September
	case 'O'<<16 | 'c'<<8 | 't':
		return time.October
	case 'N'<<16 | 'o'<<8 | 'v':
		return time.November
	case 'D'<<16 | 'e'<<8 | 'c':
		return time.December
	}
	return 0
}

// daysIn returns the length of month m in year y (proleptic Gregorian).
func daysIn(m time.Month, y int) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}
