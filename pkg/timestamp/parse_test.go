package timestamp

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// parsed bundles Parse's results so one cmp.Diff covers all three.
type parsed struct {
	T  time.Time
	N  int
	OK bool
}

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// at3339 is an RFC 3339 instant for expectations; a typo fails loudly.
func at3339(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// testNow is the default "now" of the tables: a Friday evening in Madrid,
// in winter time (+01:00).
const testNow = "2026-11-27T18:35:55+01:00"

func TestParse(t *testing.T) {
	madrid := mustLoad(t, "Europe/Madrid")
	utc := time.UTC
	ok := func(ts string, n int) parsed { return parsed{at3339(ts), n, true} }
	bad := parsed{}
	tests := []struct {
		name string
		now  string         // default testNow
		loc  *time.Location // default madrid
		line string
		want parsed
	}{
		// Traditional syslog.
		{name: "syslog/space-padded", line: "Nov  4 10:00:00 host postfix/smtpd[1]: x", want: ok("2026-11-04T10:00:00+01:00", 15)},
		{name: "syslog/zero-padded", line: "Nov 04 10:00:00 host x", want: ok("2026-11-04T10:00:00+01:00", 15)},
		{name: "syslog/unpadded", line: "Nov 4 10:00:00 host x", want: ok("2026-11-04T10:00:00+01:00", 14)},
		{name: "syslog/two-digit-day", line: "Nov 27 18:00:00 host x", want: ok("2026-11-27T18:00:00+01:00", 15)},
		{name: "syslog/summer-time", line: "Jul 18 23:12:56 xxx postfix/smtpd[8738]: NOQUEUE", want: ok("2026-07-18T23:12:56+02:00", 15)},
		{name: "syslog/end-of-line", line: "Nov 27 18:00:00", want: ok("2026-11-27T18:00:00+01:00", 15)},
		{name: "syslog/tab-after", line: "Nov 27 18:00:00\tx", want: ok("2026-11-27T18:00:00+01:00", 15)},
		{name: "syslog/cr-after", line: "Nov 27 18:00:00\r", want: ok("2026-11-27T18:00:00+01:00", 15)},
		{name: "syslog/precise", line: "Nov 27 18:00:00.123456 host x", want: ok("2026-11-27T18:00:00.123456+01:00", 22)},
		{name: "syslog/one-digit-fraction", line: "Nov 27 18:00:00.5 host", want: ok("2026-11-27T18:00:00.5+01:00", 17)},
		{name: "syslog/utc", loc: utc, line: "Nov 27 17:00:00 h", want: ok("2026-11-27T17:00:00Z", 15)},
		{name: "syslog/unpadded-january", line: "Jan 2 03:04:05 x", want: ok("2026-01-02T03:04:05+01:00", 14)},
		{name: "syslog/leap-second-is-next-minute", line: "Nov 27 17:59:60 h", want: ok("2026-11-27T18:00:00+01:00", 15)},

		// Year inference (SPEC §1: not more than 24 h after now).
		{name: "year/dec-15-on-nov-27-is-last-year", line: "Dec 15 10:00:00 h", want: ok("2025-12-15T10:00:00+01:00", 15)},
		{name: "year/23h-ahead-is-this-year", line: "Nov 28 17:35:55 h", want: ok("2026-11-28T17:35:55+01:00", 15)},
		{name: "year/exactly-24h-ahead-is-this-year", line: "Nov 28 18:35:55 h", want: ok("2026-11-28T18:35:55+01:00", 15)},
		{name: "year/24h-and-a-bit-ahead-is-last-year", line: "Nov 28 18:35:55.000001 h", want: ok("2025-11-28T18:35:55.000001+01:00", 22)},
		{name: "year/dec-31-read-on-jan-1", now: "2027-01-01T00:30:00+01:00", line: "Dec 31 23:59:00 h", want: ok("2026-12-31T23:59:00+01:00", 15)},
		{name: "year/jan-1-read-on-dec-31-is-next-year", now: "2026-12-31T23:30:00+01:00", line: "Jan  1 00:10:00 h", want: ok("2027-01-01T00:10:00+01:00", 15)},
		{name: "year/now-given-in-utc", now: "2026-12-31T23:30:00Z", line: "Jan  1 00:10:00 h", want: ok("2027-01-01T00:10:00+01:00", 15)},
		{name: "year/feb-29-in-2027-is-2024", now: "2027-06-01T12:00:00+02:00", line: "Feb 29 12:00:00 h", want: ok("2024-02-29T12:00:00+01:00", 15)},
		{name: "year/feb-29-in-leap-year", now: "2028-03-01T12:00:00+01:00", line: "Feb 29 12:00:00 h", want: ok("2028-02-29T12:00:00+01:00", 15)},
		{name: "year/feb-29-too-far-ahead", now: "2028-02-28T10:00:00+01:00", line: "Feb 29 12:00:00 h", want: ok("2024-02-29T12:00:00+01:00", 15)},
		{name: "year/feb-29-seven-years-back-across-2100", now: "2103-06-01T00:00:00Z", loc: utc, line: "Feb 29 00:00:00 h", want: ok("2096-02-29T00:00:00Z", 15)},
		{name: "year/feb-29-eight-years-back", now: "2104-01-15T00:00:00Z", loc: utc, line: "Feb 29 00:00:00 h", want: ok("2096-02-29T00:00:00Z", 15)},

		// Syslog shapes that are not stamps.
		{name: "syslog/apr-31", line: "Apr 31 10:00:00 h", want: bad},
		{name: "syslog/feb-30", line: "Feb 30 10:00:00 h", want: bad},
		{name: "syslog/day-0", line: "Nov  0 10:00:00 h", want: bad},
		{name: "syslog/day-32", line: "Dec 32 10:00:00 h", want: bad},
		{name: "syslog/lower-case-month", line: "nov 27 18:00:00 h", want: bad},
		{name: "syslog/upper-case-month", line: "NOV 27 18:00:00 h", want: bad},
		{name: "syslog/hour-24", line: "Nov 27 24:00:00 h", want: bad},
		{name: "syslog/minute-60", line: "Nov 27 18:60:00 h", want: bad},
		{name: "syslog/second-61", line: "Nov 27 18:00:61 h", want: bad},
		{name: "syslog/one-digit-hour", line: "Nov 27 8:00:00 h", want: bad},
		{name: "syslog/digit-after", line: "Nov 27 18:00:001 h", want: bad},
		{name: "syslog/colon-after", line: "Nov 27 18:00:00: h", want: bad},
		{name: "syslog/dot-without-digits", line: "Nov 27 18:00:00. h", want: bad},
		{name: "syslog/two-spaces-two-digits", line: "Nov  27 18:00:00 h", want: bad},
		{name: "syslog/three-digit-day", line: "Nov 127 18:00:00 h", want: bad},
		{name: "syslog/nul-after", line: "Nov 27 18:00:00\x00", want: bad},
		{name: "syslog/leading-space", line: " Nov 27 18:00:00 h", want: bad},

		// RFC 3339 / ISO 8601.
		{name: "iso/rsyslog", line: "2024-08-29T01:08:59.764590+00:00 machine postfix/smtpd[1938053]: x", want: ok("2024-08-29T01:08:59.76459Z", 32)},
		{name: "iso/colon-offset", line: "2026-11-27T18:35:55.123456+01:00 host", want: ok("2026-11-27T17:35:55.123456Z", 32)},
		{name: "iso/no-fraction", line: "2024-02-16T22:06:02+01:00 host", want: ok("2024-02-16T21:06:02Z", 25)},
		{name: "iso/journal-offset-without-colon", line: "2026-11-27T18:35:55+0100 host", want: ok("2026-11-27T17:35:55Z", 24)},
		{name: "iso/journal-precise-without-colon", line: "2026-11-27T18:35:55.000001+0100 host", want: ok("2026-11-27T17:35:55.000001Z", 31)},
		{name: "iso/negative-offset", line: "2026-11-27T18:35:55-03:00 h", want: ok("2026-11-27T21:35:55Z", 25)},
		{name: "iso/half-hour-offset", line: "2026-11-27T18:35:55+05:30 h", want: ok("2026-11-27T13:05:55Z", 25)},
		{name: "iso/z", line: "2026-11-27T18:35:55Z h", want: ok("2026-11-27T18:35:55Z", 20)},
		{name: "iso/z-fraction", line: "2026-11-27T18:35:55.5Z", want: ok("2026-11-27T18:35:55.5Z", 22)},
		{name: "iso/no-offset-is-local", line: "2026-07-27T18:35:55 h", want: ok("2026-07-27T18:35:55+02:00", 19)},
		{name: "iso/no-offset-fraction", line: "2026-11-27T18:35:55.25 h", want: ok("2026-11-27T18:35:55.25+01:00", 22)},
		{name: "iso/long-fraction-truncated", line: "2026-11-27T18:35:55.123456789123Z h", want: ok("2026-11-27T18:35:55.123456789Z", 33)},
		{name: "iso/far-future-year-kept", line: "2099-01-01T00:00:00Z", want: ok("2099-01-01T00:00:00Z", 20)},
		{name: "iso/feb-29-leap", line: "2024-02-29T00:00:00Z", want: ok("2024-02-29T00:00:00Z", 20)},
		{name: "iso/feb-29-common-year", line: "2026-02-29T00:00:00Z", want: bad},
		{name: "iso/month-13", line: "2026-13-01T00:00:00Z", want: bad},
		{name: "iso/month-0", line: "2026-00-01T00:00:00Z", want: bad},
		{name: "iso/lower-t", line: "2026-11-27t18:35:55Z", want: bad},
		{name: "iso/lower-z", line: "2026-11-27T18:35:55z", want: bad},
		{name: "iso/hour-only-offset", line: "2026-11-27T18:35:55+01 h", want: bad},
		{name: "iso/offset-hour-24", line: "2026-11-27T18:35:55+24:00 h", want: bad},
		{name: "iso/offset-minute-60", line: "2026-11-27T18:35:55+01:60 h", want: bad},
		{name: "iso/text-after-offset", line: "2026-11-27T18:35:55+01:00host", want: bad},
		{name: "iso/exim-zone-after-t-is-not-read", line: "2026-11-27T18:35:55 +0500 h", want: ok("2026-11-27T18:35:55+01:00", 19)},

		// Exim.
		{name: "exim/plain", line: "2020-02-22 01:01:56 1j5IF1-0006A7-Ub <= root@x", want: ok("2020-02-22T01:01:56+01:00", 19)},
		{name: "exim/millisec", line: "2023-05-30 06:10:13.345 login authenticator failed", want: ok("2023-05-30T06:10:13.345+02:00", 23)},
		{name: "exim/zone", line: "2003-04-25 11:17:07 +0100 1AbC-0000Ab-00 <= x", want: ok("2003-04-25T10:17:07Z", 25)},
		{name: "exim/negative-zone", line: "2003-04-25 11:17:07 -0530 x", want: ok("2003-04-25T16:47:07Z", 25)},
		{name: "exim/zone-end-of-line", line: "2003-04-25 11:17:07 +0100", want: ok("2003-04-25T10:17:07Z", 25)},
		{name: "exim/pid-not-part", line: "2013-06-10 18:33:32 [10099] H=(yakult.com.tw)", want: ok("2013-06-10T18:33:32+02:00", 19)},
		{name: "exim/all-additions", line: "2013-06-10 18:33:32.001 +0000 [10099] H=x", want: ok("2013-06-10T18:33:32.001Z", 29)},
		{name: "exim/five-digit-word-is-text", line: "2013-06-10 18:33:32 +01000 x", want: ok("2013-06-10T18:33:32+02:00", 19)},
		{name: "exim/zone-glued-to-text-is-text", line: "2013-06-10 18:33:32 +0100x", want: ok("2013-06-10T18:33:32+02:00", 19)},
		{name: "exim/colon-zone-is-text", line: "2013-06-10 18:33:32 +01:00 x", want: ok("2013-06-10T18:33:32+02:00", 19)},
		{name: "exim/zone-out-of-range", line: "2013-06-10 18:33:32 +2500 x", want: bad},
		{name: "exim/two-spaces", line: "2013-06-10  18:33:32 x", want: bad},
		{name: "exim/offset-glued", line: "2013-06-10 18:33:32+01:00 x", want: bad},
		{name: "exim/apr-31", line: "2026-04-31 10:00:00 x", want: bad},

		// PHP mail.log.
		{name: "php/europe-madrid", line: "[27-Nov-2026 18:35:55 Europe/Madrid] mail() on [/x.php:1]: To: a", want: ok("2026-11-27T17:35:55Z", 36)},
		{name: "php/africa-lagos", line: "[17-Dec-2016 07:06:26 Africa/Lagos] mail() on", want: ok("2016-12-17T06:06:26Z", 35)},
		{name: "php/cst6cdt-winter", line: "[20-Feb-2018 01:49:06 CST6CDT] mail() on", want: ok("2018-02-20T07:49:06Z", 30)},
		{name: "php/cst6cdt-summer", line: "[25-May-2018 01:07:31 CST6CDT] mail() on", want: ok("2018-05-25T06:07:31Z", 30)},
		{name: "php/australia-melbourne-dst", line: "[01-Apr-2015 08:49:33 Australia/Melbourne] mail()", want: ok("2015-03-31T21:49:33Z", 42)},
		{name: "php/utc", line: "[15-Jan-2017 02:55:42 UTC] mail() on", want: ok("2017-01-15T02:55:42Z", 26)},
		{name: "php/zone-ignores-parser-loc", loc: utc, line: "[27-Nov-2026 18:35:55 Europe/Madrid]", want: ok("2026-11-27T17:35:55Z", 36)},
		{name: "php/offset-colon", line: "[27-Nov-2026 18:35:55 +01:00] x", want: ok("2026-11-27T17:35:55Z", 29)},
		{name: "php/offset-no-colon", line: "[27-Nov-2026 18:35:55 -0500] x", want: ok("2026-11-27T23:35:55Z", 28)},
		{name: "php/text-glued-after-bracket", line: "[27-Nov-2026 18:35:55 UTC]mail()", want: ok("2026-11-27T18:35:55Z", 26)},
		{name: "php/unknown-zone", line: "[27-Nov-2026 18:35:55 Mars/Olympus_Mons] x", want: bad},
		{name: "php/local-refused", line: "[27-Nov-2026 18:35:55 Local] x", want: bad},
		{name: "php/path-in-zone", line: "[27-Nov-2026 18:35:55 ../../etc/passwd] x", want: bad},
		{name: "php/empty-zone", line: "[27-Nov-2026 18:35:55 ] x", want: bad},
		{name: "php/no-zone", line: "[27-Nov-2026 18:35:55] x", want: bad},
		{name: "php/unclosed", line: "[27-Nov-2026 18:35:55 UTC mail() on [/x.php:1]", want: bad},
		{name: "php/bad-offset", line: "[27-Nov-2026 18:35:55 +1:00] x", want: bad},
		{name: "php/one-digit-day", line: "[7-Nov-2026 18:35:55 UTC] x", want: bad},
		{name: "php/apr-31", line: "[31-Apr-2026 18:35:55 UTC] x", want: bad},
		{name: "php/lower-case-month", line: "[27-nov-2026 18:35:55 UTC] x", want: bad},
		{name: "php/fraction", line: "[27-Nov-2026 18:35:55.5 UTC] x", want: bad},

		// Not timestamps at all.
		{name: "garbage/empty", line: "", want: bad},
		{name: "garbage/word", line: "x", want: bad},
		{name: "garbage/php-undated", line: "mail() on [/home/x/public_html/a.php:12]: To: a@b", want: bad},
		{name: "garbage/postfix-message-only", line: "NOQUEUE: reject: RCPT from x[1.2.3.4]", want: bad},
		{name: "garbage/stamp-not-at-start", line: "mail.example.com exim[3751842]: 2021-07-17 23:20:49 plain_server", want: bad},
		{name: "garbage/month-word", line: "March 4 10:00:00 x", want: bad},
		{name: "garbage/date-only", line: "2026-11-27 x", want: bad},
		{name: "garbage/unix-seconds", line: "1795000000.123456 host x", want: bad},
		{name: "garbage/bracket", line: "[", want: bad},
		{name: "garbage/binary", line: "\xff\xfe\x00Nov 27 18:00:00", want: bad},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now := tc.now
			if now == "" {
				now = testNow
			}
			loc := tc.loc
			if loc == nil {
				loc = madrid
			}
			var got parsed
			got.T, got.N, got.OK = NewParser(at3339(now), loc).Parse([]byte(tc.line))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Parse(%q) now %s in %s mismatch (-want +got):\n%s", tc.line, now, loc, diff)
			}
			if got.OK && got.T.Location() != loc {
				t.Errorf("Parse(%q) location = %s, want %s", tc.line, got.T.Location(), loc)
			}
		})
	}
}

// TestParseEveryMonthAndDay walks every day of a leap year through the
// three day paddings, so each month name and day count is exercised.
func TestParseEveryMonthAndDay(t *testing.T) {
	loc := time.UTC
	// At 11:00 on Dec 31, "Jan 1 12:00" is 25 h ahead, so 2028 for every day.
	p := NewParser(at3339("2028-12-31T11:00:00Z"), loc)
	for d := time.Date(2028, 1, 1, 12, 0, 0, 0, loc); d.Year() == 2028; d = d.AddDate(0, 0, 1) {
		for _, layout := range []string{"Jan _2 15:04:05", "Jan 02 15:04:05", "Jan 2 15:04:05"} {
			line := d.Format(layout) + " host"
			var got parsed
			got.T, got.N, got.OK = p.Parse([]byte(line))
			want := parsed{d, len(line) - len(" host"), true}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("Parse(%q) mismatch (-want +got):\n%s", line, diff)
			}
		}
	}
}

// TestParseTruncated checks every prefix of full stamps: a prefix parses
// only where it is a complete stamp itself (or one followed by a blank).
func TestParseTruncated(t *testing.T) {
	madrid := mustLoad(t, "Europe/Madrid")
	tests := []struct {
		stamp string
		want  map[int]int // prefix length -> n; absent: ok must be false
	}{
		{"Nov 27 18:00:00.123", map[int]int{15: 15, 17: 17, 18: 18, 19: 19}},
		{"Nov  4 18:00:00", map[int]int{15: 15}},
		{"Nov 4 18:00:00", map[int]int{14: 14}},
		{"2026-11-27T18:35:55.123456+01:00", map[int]int{19: 19, 21: 21, 22: 22, 23: 23, 24: 24, 25: 25, 26: 26, 32: 32}},
		{"2026-11-27T18:35:55+0100", map[int]int{19: 19, 24: 24}},
		{"2026-11-27T18:35:55Z", map[int]int{19: 19, 20: 20}},
		// Cut inside " +0100", the stamp is what precedes the blank.
		{"2023-05-30 06:10:13.345 +0100", map[int]int{19: 19, 21: 21, 22: 22, 23: 23, 24: 23, 25: 23, 26: 23, 27: 23, 28: 23, 29: 29}},
		{"[27-Nov-2026 18:35:55 Europe/Madrid]", map[int]int{36: 36}},
		{"[27-Nov-2026 18:35:55 +01:00]", map[int]int{29: 29}},
	}
	for _, tc := range tests {
		t.Run(tc.stamp, func(t *testing.T) {
			p := NewParser(at3339(testNow), madrid)
			if tc.want[len(tc.stamp)] != len(tc.stamp) {
				t.Fatalf("table error: full length %d not listed", len(tc.stamp))
			}
			for k := 0; k <= len(tc.stamp); k++ {
				wantN, wantOK := tc.want[k]
				_, n, ok := p.Parse([]byte(tc.stamp[:k]))
				if ok != wantOK || n != wantN {
					t.Errorf("Parse(%q) = n %d, ok %v; want n %d, ok %v", tc.stamp[:k], n, ok, wantN, wantOK)
				}
			}
		})
	}
}

// TestParseDST reads the two 2026 Madrid changes through every shape: the
// spring-forward gap takes the offset before the change (+01:00) and the
// repeated hour its later instant (+01:00 too), both 01:30 UTC.
func TestParseDST(t *testing.T) {
	madrid := mustLoad(t, "Europe/Madrid")
	tests := []struct {
		name string
		now  string
		loc  *time.Location
		line string
		want time.Time
	}{
		{"syslog/gap", "2026-06-01T00:00:00+02:00", madrid, "Mar 29 02:30:00 h", at3339("2026-03-29T01:30:00Z")},
		{"syslog/before-gap", "2026-06-01T00:00:00+02:00", madrid, "Mar 29 01:59:59 h", at3339("2026-03-29T00:59:59Z")},
		{"syslog/after-gap", "2026-06-01T00:00:00+02:00", madrid, "Mar 29 03:00:00 h", at3339("2026-03-29T01:00:00Z")},
		{"syslog/repeated-hour", testNow, madrid, "Oct 25 02:30:00 h", at3339("2026-10-25T01:30:00Z")},
		{"syslog/before-repeat", testNow, madrid, "Oct 25 01:59:59 h", at3339("2026-10-24T23:59:59Z")},
		{"syslog/after-repeat", testNow, madrid, "Oct 25 03:00:00 h", at3339("2026-10-25T02:00:00Z")},
		{"iso/gap", testNow, madrid, "2026-03-29T02:30:00 h", at3339("2026-03-29T01:30:00Z")},
		{"iso/repeated-hour", testNow, madrid, "2026-10-25T02:30:00.5 h", at3339("2026-10-25T01:30:00.5Z")},
		{"iso/explicit-offset-first-pass", testNow, madrid, "2026-10-25T02:30:00+02:00 h", at3339("2026-10-25T00:30:00Z")},
		{"exim/gap", testNow, madrid, "2026-03-29 02:30:00 x", at3339("2026-03-29T01:30:00Z")},
		{"exim/repeated-hour", testNow, madrid, "2026-10-25 02:30:00 x", at3339("2026-10-25T01:30:00Z")},
		{"php/gap", testNow, time.UTC, "[29-Mar-2026 02:30:00 Europe/Madrid] x", at3339("2026-03-29T01:30:00Z")},
		{"php/repeated-hour", testNow, time.UTC, "[25-Oct-2026 02:30:00 Europe/Madrid] x", at3339("2026-10-25T01:30:00Z")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _, ok := NewParser(at3339(tc.now), tc.loc).Parse([]byte(tc.line))
			if !ok {
				t.Fatalf("Parse(%q) ok = false", tc.line)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tc.line, diff)
			}
		})
	}
}

// TestParseMatchesWall drives one Parser (so its offset cache is warm and
// moves) through a year of wall times in zones with awkward changes and
// checks every result against a direct Wall call. This is what proves the
// cache never answers where Wall would answer differently.
func TestParseMatchesWall(t *testing.T) {
	zones := []struct {
		name     string
		from, to time.Time
		step     time.Duration
	}{
		{"Europe/Madrid", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), 7*time.Minute + 13*time.Second},
		{"Australia/Lord_Howe", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), 7*time.Minute + 13*time.Second},
		{"America/St_Johns", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), 7*time.Minute + 13*time.Second},
		{"Europe/Dublin", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), 7*time.Minute + 13*time.Second},
		{"Africa/Casablanca", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), 7*time.Minute + 13*time.Second},
		// Samoa skipped 30 Dec 2011 entirely.
		{"Pacific/Apia", time.Date(2011, 12, 25, 0, 0, 0, 0, time.UTC), time.Date(2012, 1, 5, 0, 0, 0, 0, time.UTC), 59 * time.Second},
		// Local mean time to WET, an offset with seconds (-0:14:44).
		{"Europe/Madrid", time.Date(1900, 12, 31, 12, 0, 0, 0, time.UTC), time.Date(1901, 1, 1, 12, 0, 0, 0, time.UTC), 7 * time.Second},
		{"UTC", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC), 17 * time.Minute},
	}
	for _, z := range zones {
		t.Run(fmt.Sprintf("%s/%d", z.name, z.from.Year()), func(t *testing.T) {
			loc := mustLoad(t, z.name)
			p := NewParser(z.to, loc)
			checked := 0
			for w := z.from; w.Before(z.to); w = w.Add(z.step) {
				// w is a wall reading, carried in a UTC time.
				line := w.Format("2006-01-02 15:04:05") + " x"
				got, _, ok := p.Parse([]byte(line))
				want := Wall(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, loc)
				if !ok || !got.Equal(want) {
					t.Fatalf("Parse(%q) = %v, %v; Wall gives %v", line, got, ok, want)
				}
				checked++
			}
			if checked < 100 {
				t.Fatalf("only %d wall times checked", checked)
			}
		})
	}
}

// TestParseZoneCacheBounded feeds more bogus PHP zone names than the cache
// holds; they must all be refused and the cache must stop growing.
func TestParseZoneCacheBounded(t *testing.T) {
	p := NewParser(at3339(testNow), time.UTC)
	for i := range maxZones + 50 {
		line := fmt.Sprintf("[27-Nov-2026 18:35:55 Nowhere/Zone%d] x", i)
		if _, _, ok := p.Parse([]byte(line)); ok {
			t.Fatalf("Parse(%q) ok = true, want false", line)
		}
	}
	if len(p.zones) != maxZones {
		t.Errorf("zone cache holds %d names, want %d", len(p.zones), maxZones)
	}
	// A real zone still works once the cache is full.
	if _, _, ok := p.Parse([]byte("[27-Nov-2026 18:35:55 Asia/Tokyo] x")); !ok {
		t.Error("Parse with a real zone after a full cache: ok = false")
	}
}

// TestParseAllocs holds the hot paths to zero allocations (SPEC §1:
// no per-line allocations in the hot path).
func TestParseAllocs(t *testing.T) {
	madrid := mustLoad(t, "Europe/Madrid")
	for _, line := range []string{
		"Nov 27 18:00:00 host postfix/smtpd[1]: x",
		"Nov 27 18:00:00.123456 host x",
		"2026-11-27T18:35:55.123456+01:00 host x",
		"2026-11-27T18:35:55+0100 host x",
		"2026-11-27T18:35:55 host x",
		"2026-11-27 18:35:55.123 +0100 [123] x",
		"[27-Nov-2026 18:35:55 Europe/Madrid] mail() on",
		"[27-Nov-2026 18:35:55 +01:00] mail() on",
		"mail() on [/x.php:1]",
	} {
		p := NewParser(at3339(testNow), madrid)
		b := []byte(line)
		p.Parse(b) // fill the caches
		if got := testing.AllocsPerRun(100, func() { p.Parse(b) }); got != 0 {
			t.Errorf("Parse(%q) allocates %v times per call, want 0", line, got)
		}
	}
}

func TestNewParserNilLocation(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewParser(now, nil) did not panic")
		}
	}()
	NewParser(time.Now(), nil)
}
