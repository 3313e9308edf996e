package timestamp

import (
	"strings"
	"sync"
	"testing"
	"time"
)

// fuzzZones are the locations a fuzz input can pick: no DST, the usual
// European rule, a 30-minute DST shift, a half-hour offset, a skipped day.
var fuzzZones = []string{"UTC", "Europe/Madrid", "Australia/Lord_Howe", "America/St_Johns", "Pacific/Apia"}

// fuzzLoc returns the fuzz zone an input picks, loaded once: reading the
// zone file on every input made minimisation crawl.
var fuzzLoc = func() func(uint8) *time.Location {
	locs := sync.OnceValue(func() []*time.Location {
		var locs []*time.Location
		for _, name := range fuzzZones {
			loc, err := time.LoadLocation(name)
			if err != nil {
				panic(err)
			}
			locs = append(locs, loc)
		}
		return locs
	})
	return func(i uint8) *time.Location { return locs()[int(i)%len(fuzzZones)] }
}()

// warm is one long-lived Parser per zone, shared by all fuzz inputs, so
// that results reached through caches filled by other lines are checked.
var warm struct {
	sync.Mutex
	parsers map[string]*Parser
}

// fuzzNow maps any int64 onto an instant between the years 1 and 9998, so
// the year search stays within what time.Date represents plainly.
func fuzzNow(sec int64) time.Time {
	const span = 9997 * 365 * 24 * 3600
	const year1 = -62135596800 // 0001-01-01T00:00:00Z
	m := sec % span
	if m < 0 {
		m += span
	}
	return time.Unix(year1+m, 0)
}

func FuzzParse(f *testing.F) {
	for _, line := range []string{
		"Oct  1 11:47:51 u86 postfix/smtpd[10242]: DBED828417: client=unknown[192.168.9.1]",
		"Jun 04 22:24:28 machine postfix/smtpd[3967801]: x",
		"Aug 3 15:30:49 ksusha postfix/smtpd[17041]: warning",
		"Jun 04 22:24:28.123456 machine x",
		"Feb 29 12:00:00 h",
		"Dec 31 23:59:60 h",
		"2024-08-29T01:08:59.764590+00:00 machine postfix/smtpd[1938053]: NOQUEUE",
		"2024-02-16T22:06:02+01:00 h",
		"2026-11-27T18:35:55+0100 h",
		"2026-11-27T18:35:55Z",
		"2026-11-27T18:35:55",
		"2023-05-30 06:10:13.345 login authenticator failed",
		"2003-04-25 11:17:07 +0100 1AbC-0000Ab-00 <= x",
		"2013-06-10 18:33:32 [10099] H=(yakult.com.tw)",
		"[27-Nov-2026 18:35:55 Europe/Madrid] mail() on [/x.php:1]: To: a",
		"[01-Apr-2015 08:49:33 Australia/Melbourne] mail()",
		"[20-Feb-2018 01:49:06 CST6CDT] mail() on",
		"[27-Nov-2026 18:35:55 +01:00] x",
		"[27-Nov-2026 18:35:55 -0500] x",
		"mail() on [/home/x/public_html/a.php:12]: To: a@b",
		"Apr 31 10:00:00 h",
		"",
	} {
		f.Add([]byte(line), int64(1795800955), uint8(1))
	}
	f.Fuzz(func(t *testing.T, line []byte, nowSec int64, zone uint8) {
		// Past 256 bytes nothing new happens (a long fraction is still
		// long), and Go's minimiser is quadratic in the input length: a
		// 2 KiB interesting input stalled a 20 s run for its whole length.
		if len(line) > 256 {
			line = line[:256]
		}
		loc := fuzzLoc(zone)
		now := fuzzNow(nowSec)
		p := NewParser(now, loc)
		got, n, ok := p.Parse(line)
		if !ok {
			if n != 0 || !got.IsZero() {
				t.Fatalf("Parse(%q) = %v, %d, false; want zero values", line, got, n)
			}
		} else {
			if n <= 0 || n > len(line) {
				t.Fatalf("Parse(%q) n = %d, out of (0, %d]", line, n, len(line))
			}
			// A stamp is printable ASCII, so n cannot split a UTF-8
			// sequence or swallow a control byte.
			for _, c := range line[:n] {
				if c < ' ' || c > '~' {
					t.Fatalf("Parse(%q) n = %d: stamp %q holds byte %#x", line, n, line[:n], c)
				}
			}
			if n < len(line) && line[0] != '[' && !isBoundary(line, n) {
				t.Fatalf("Parse(%q) n = %d: stamp followed by %q", line, n, line[n])
			}
			if got.Location() != loc {
				t.Fatalf("Parse(%q) location %s, want %s", line, got.Location(), loc)
			}
			t2, n2, ok2 := p.Parse(line[:n])
			if !ok2 || n2 != n || !t2.Equal(got) {
				t.Fatalf("Parse(%q) = %v, %d; its stamp %q reparses as %v, %d, %v", line, got, n, line[:n], t2, n2, ok2)
			}
		}

		// The oracle reads the contract independently, with no caches.
		wt, wn, wok := oracle{now: now, loc: loc}.parse(string(line))
		if wok != ok || wn != n || !wt.Equal(got) {
			t.Fatalf("Parse(%q) now %v in %s = %v, %d, %v; oracle says %v, %d, %v", line, now, loc, got, n, ok, wt, wn, wok)
		}

		// A Parser whose caches were filled by all earlier inputs must
		// still agree with the oracle.
		fixedNow := at3339(testNow)
		warm.Lock()
		defer warm.Unlock()
		if warm.parsers == nil {
			warm.parsers = map[string]*Parser{}
		}
		wp := warm.parsers[loc.String()]
		if wp == nil {
			wp = NewParser(fixedNow, loc)
			warm.parsers[loc.String()] = wp
		}
		ct, cn, cok := wp.Parse(line)
		ot, on, ook := oracle{now: fixedNow, loc: loc}.parse(string(line))
		if cok != ook || cn != on || !ct.Equal(ot) {
			t.Fatalf("Parse(%q) with a warm Parser = %v, %d, %v; oracle says %v, %d, %v", line, ct, cn, cok, ot, on, ook)
		}
	})
}

func FuzzParseNow(f *testing.F) {
	for _, s := range []string{
		"2026-11-27T18:35:55",
		"2026-11-27 18:35:55",
		"2026-11-27T18:35:55.123456789",
		"2026-11-27T18:35:55+01:00",
		"2026-11-27T18:35:55-03:30",
		"2026-11-27T18:35:55Z",
		"2026-03-29T02:30:00",
		"2026-02-29T00:00:00",
		"2026-11-27T18:35:55+0100",
		"yesterday",
		"",
	} {
		f.Add(s, uint8(1))
	}
	f.Fuzz(func(t *testing.T, s string, zone uint8) {
		loc := fuzzLoc(zone)
		got, err := ParseNow(s, loc)
		if err != nil {
			if !got.IsZero() {
				t.Fatalf("ParseNow(%q) = %v with error %v", s, got, err)
			}
			if msg := err.Error(); !strings.Contains(msg, "2006-01-02T15:04:05+01:00") {
				t.Fatalf("ParseNow(%q) error %q does not list the accepted forms", s, msg)
			}
		} else {
			if got.Location() != loc {
				t.Fatalf("ParseNow(%q) location %s, want %s", s, got.Location(), loc)
			}
			// Printed back as RFC 3339 in UTC it is the same instant (not
			// in loc: local mean time offsets have seconds RFC 3339 drops).
			if u := got.UTC(); u.Year() >= 0 && u.Year() <= 9999 {
				back := u.Format(time.RFC3339Nano)
				again, err := ParseNow(back, loc)
				if err != nil || !again.Equal(got) {
					t.Fatalf("ParseNow(%q) = %v; ParseNow(%q) = %v, %v", s, got, back, again, err)
				}
			}
		}
		// Whatever ParseNow accepts is, with its blank made a "T", one
		// whole RFC 3339 stamp to Parse, at the same instant.
		if err == nil {
			pt, pn, pok := NewParser(got, loc).Parse([]byte(strings.Replace(s, " ", "T", 1)))
			if !pok || pn != len(s) || !pt.Equal(got) {
				t.Fatalf("ParseNow(%q) = %v; Parse = %v, %d, %v", s, got, pt, pn, pok)
			}
		}
	})
}
