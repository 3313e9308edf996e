package period

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Madrid even where the system has no zoneinfo

	"github.com/alecthomas/kingpin/v2"
	"github.com/google/go-cmp/cmp"
)

func syntaxMsg(s string) string {
	return fmt.Sprintf("invalid period %q: expected [N]UNIT items such as 1hour, 30minutes, 1hour30minutes (units: sec, min, hour, day, week, fortnight, month, year)", s)
}

func rangeMsg(s string) string {
	return fmt.Sprintf("invalid period %q: too long (at most 2562047 hours of fixed units and 1000000 years of months and years)", s)
}

func TestParse(t *testing.T) {
	const day = 24 * time.Hour
	tests := []struct {
		name    string
		in      string
		want    Period
		wantErr string
	}{
		{name: "hour", in: "1hour", want: Period{Fixed: time.Hour}},
		{name: "minutes", in: "30minutes", want: Period{Fixed: 30 * time.Minute}},
		{name: "items add up", in: "1hour30minutes", want: Period{Fixed: 90 * time.Minute}},
		{name: "repeated unit adds up", in: "1hour1hour", want: Period{Fixed: 2 * time.Hour}},
		{name: "blank between number and unit", in: "1 hour", want: Period{Fixed: time.Hour}},
		{name: "several blanks and tab", in: "1 \t hour", want: Period{Fixed: time.Hour}},
		{name: "blank in each item", in: "1 hour30 min", want: Period{Fixed: 90 * time.Minute}},
		{name: "missing number means 1", in: "hour", want: Period{Fixed: time.Hour}},
		{name: "missing number then item", in: "hour30min", want: Period{Fixed: 90 * time.Minute}},
		{name: "case-insensitive", in: "1HoUr2MINS", want: Period{Fixed: time.Hour + 2*time.Minute}},
		{name: "leading zeros are decimal", in: "010min", want: Period{Fixed: 10 * time.Minute}},
		{name: "09 is nine", in: "09s", want: Period{Fixed: 9 * time.Second}},
		{name: "zero", in: "0hour", want: Period{}},
		{name: "long zero prefix", in: "000000000000000000000000001s", want: Period{Fixed: time.Second}},
		{name: "short units", in: "1w2d3h4m5s", want: Period{Fixed: 9*day + 3*time.Hour + 4*time.Minute + 5*time.Second}},
		{name: "sec", in: "1sec", want: Period{Fixed: time.Second}},
		{name: "secs", in: "2secs", want: Period{Fixed: 2 * time.Second}},
		{name: "second", in: "1second", want: Period{Fixed: time.Second}},
		{name: "seconds", in: "3600seconds", want: Period{Fixed: time.Hour}},
		{name: "min", in: "1min", want: Period{Fixed: time.Minute}},
		{name: "mins", in: "2mins", want: Period{Fixed: 2 * time.Minute}},
		{name: "minute", in: "1minute", want: Period{Fixed: time.Minute}},
		{name: "hours", in: "2hours", want: Period{Fixed: 2 * time.Hour}},
		{name: "day", in: "1day", want: Period{Fixed: day}},
		{name: "days", in: "2days", want: Period{Fixed: 2 * day}},
		{name: "week", in: "week", want: Period{Fixed: 7 * day}},
		{name: "weeks", in: "2weeks", want: Period{Fixed: 14 * day}},
		{name: "fortnight", in: "fortnight", want: Period{Fixed: 14 * day}},
		{name: "fortnights", in: "2fortnights", want: Period{Fixed: 28 * day}},
		{name: "month", in: "1month", want: Period{Months: 1}},
		{name: "months", in: "3months", want: Period{Months: 3}},
		{name: "year", in: "year", want: Period{Years: 1}},
		{name: "years", in: "2years", want: Period{Years: 2}},
		{name: "calendar and fixed", in: "1year2months3days", want: Period{Years: 1, Months: 2, Fixed: 3 * day}},
		{name: "calendar summed", in: "1month1month1year", want: Period{Years: 1, Months: 2}},
		{name: "max int64 seconds overflow the duration", in: "9223372036854775807s", wantErr: rangeMsg("9223372036854775807s")},
		{name: "fixed at the limit", in: "2562047hours", want: Period{Fixed: 2562047 * time.Hour}},
		{name: "fixed sum at the limit", in: "2562047hours2836s", want: Period{Fixed: time.Duration(math.MaxInt64/int64(time.Second)) * time.Second}},

		{name: "fixed just past the limit", in: "2562048hours", wantErr: rangeMsg("2562048hours")},
		{name: "fixed sum past the limit", in: "2562047hours2837s", wantErr: rangeMsg("2562047hours2837s")},
		{name: "number overflows int64", in: "99999999999999999999s", wantErr: rangeMsg("99999999999999999999s")},
		{name: "years at the limit", in: "1000000years", want: Period{Years: 1000000}},
		{name: "years past the limit", in: "1000001years", wantErr: rangeMsg("1000001years")},
		{name: "months past the limit", in: "12000001months", wantErr: rangeMsg("12000001months")},
		{name: "calendar sum past the limit", in: "1000000years1month", wantErr: rangeMsg("1000000years1month")},
		{name: "fractional", in: "1.5hour", wantErr: syntaxMsg("1.5hour")},
		{name: "unknown word", in: "foo", wantErr: syntaxMsg("foo")},
		{name: "empty", in: "", wantErr: syntaxMsg("")},
		{name: "negative", in: "-1hour", wantErr: syntaxMsg("-1hour")},
		{name: "plus", in: "+1hour", wantErr: syntaxMsg("+1hour")},
		{name: "number without unit", in: "3600", wantErr: syntaxMsg("3600")},
		{name: "trailing number", in: "1hour30", wantErr: syntaxMsg("1hour30")},
		{name: "blank between items", in: "1hour 30min", wantErr: syntaxMsg("1hour 30min")},
		{name: "leading blank", in: " 1hour", wantErr: syntaxMsg(" 1hour")},
		{name: "trailing blank", in: "1hour ", wantErr: syntaxMsg("1hour ")},
		{name: "blank before bare unit", in: " hour", wantErr: syntaxMsg(" hour")},
		{name: "only blanks", in: "  ", wantErr: syntaxMsg("  ")},
		{name: "newline is not a blank", in: "1\nhour", wantErr: syntaxMsg("1\nhour")},
		{name: "adjacent units need a number", in: "hourmin", wantErr: syntaxMsg("hourmin")},
		{name: "abbreviation not listed", in: "1hr", wantErr: syntaxMsg("1hr")},
		{name: "ms is not minute+second", in: "1ms", wantErr: syntaxMsg("1ms")},
		{name: "m for month is minute only", in: "1mo", wantErr: syntaxMsg("1mo")},
		{name: "date's ago", in: "1hour ago", wantErr: syntaxMsg("1hour ago")},
		{name: "non-ASCII letter", in: "1hοur", wantErr: syntaxMsg("1hοur")},
		{name: "kelvin sign is not k", in: "1wee\u212a", wantErr: syntaxMsg("1wee\u212a")},
		{name: "overlong letter run", in: "1fortnightsfortnights", wantErr: syntaxMsg("1fortnightsfortnights")},
		{name: "syntax error wins over overflow", in: "99999999999999999999x", wantErr: syntaxMsg("99999999999999999999x")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.in)
			if tc.wantErr != "" {
				if err == nil {
					t.Fatalf("Parse(%q) = %+v, want error %q", tc.in, got, tc.wantErr)
				}
				if diff := cmp.Diff(tc.wantErr, err.Error()); diff != "" {
					t.Errorf("Parse(%q) error (-want +got):\n%s", tc.in, diff)
				}
				if diff := cmp.Diff(Period{}, got); diff != "" {
					t.Errorf("Parse(%q) on error returned a non-zero Period (-want +got):\n%s", tc.in, diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.in, err)
			}
			tc.want.Text = tc.in
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Parse(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestHeader(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{name: "digits then unit", in: "30minutes", want: "30 minutes"},
		{name: "default", in: "1hour", want: "1 hour"},
		{name: "blank already there is kept", in: "1 hour", want: "1  hour"},
		{name: "starts with a letter", in: "hour", want: " hour"},
		{name: "only the leading run", in: "hour30min", want: " hour30min"},
		{name: "several items", in: "1hour30minutes", want: "1 hour30minutes"},
		{name: "leading zeros kept as typed", in: "010min", want: "010 min"},
		{name: "case kept as typed", in: "2HOURS", want: "2 HOURS"},
		{name: "empty", in: "", want: " "},
		{name: "only digits", in: "3600", want: "3600 "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Header(tc.in)); diff != "" {
				t.Errorf("Header(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestStart(t *testing.T) {
	madrid := mustLoad(t, "Europe/Madrid")
	date := func(y int, mo time.Month, d, h, mi, s int, loc *time.Location) time.Time {
		return time.Date(y, mo, d, h, mi, s, 0, loc)
	}
	utc := func(y int, mo time.Month, d, h, mi, s int) time.Time {
		return time.Date(y, mo, d, h, mi, s, 0, time.UTC)
	}
	// 2026-10-25 in Madrid: 03:00 CEST becomes 02:00 CET; 02:30 happens at
	// 00:30 UTC and again at 01:30 UTC.
	firstTwoThirty := utc(2026, 10, 25, 0, 30, 0).In(madrid)
	tests := []struct {
		name   string
		period string
		now    time.Time
		want   time.Time // compared as instants
	}{
		{name: "one hour", period: "1hour", now: utc(2026, 11, 27, 18, 35, 55), want: utc(2026, 11, 27, 17, 35, 55)},
		{name: "items add up", period: "1hour30minutes", now: utc(2026, 11, 27, 18, 35, 55), want: utc(2026, 11, 27, 17, 5, 55)},
		{name: "zero period is now", period: "0s", now: utc(2026, 11, 27, 18, 35, 55), want: utc(2026, 11, 27, 18, 35, 55)},
		{name: "nanoseconds kept", period: "1s", now: time.Date(2026, 1, 1, 0, 0, 0, 123, time.UTC), want: time.Date(2025, 12, 31, 23, 59, 59, 123, time.UTC)},
		// Calendar arithmetic follows AddDate: Feb 31 normalises to Mar 3.
		{name: "month from March 31 follows AddDate", period: "1month", now: date(2026, 3, 31, 12, 0, 0, time.UTC), want: date(2026, 3, 3, 12, 0, 0, time.UTC)},
		{name: "month from March 31 leap year", period: "1month", now: date(2028, 3, 31, 12, 0, 0, time.UTC), want: date(2028, 3, 2, 12, 0, 0, time.UTC)},
		{name: "year from Feb 29", period: "1year", now: date(2028, 2, 29, 12, 0, 0, time.UTC), want: date(2027, 3, 1, 12, 0, 0, time.UTC)},
		{name: "years and months summed first", period: "1year13months", now: date(2026, 3, 31, 12, 0, 0, time.UTC), want: date(2024, 3, 2, 12, 0, 0, time.UTC)},
		{name: "calendar before fixed", period: "1month1day", now: date(2026, 3, 31, 12, 0, 0, time.UTC), want: date(2026, 3, 2, 12, 0, 0, time.UTC)},
		// DST in Madrid: 2026-03-29 02:00 CET → 03:00 CEST.
		{name: "day across spring-forward is 24h elapsed", period: "1day", now: date(2026, 3, 29, 12, 0, 0, madrid), want: date(2026, 3, 28, 11, 0, 0, madrid)},
		{name: "24hours same as 1day", period: "24hours", now: date(2026, 3, 29, 12, 0, 0, madrid), want: date(2026, 3, 28, 11, 0, 0, madrid)},
		{name: "month across spring-forward keeps the wall clock", period: "1month", now: date(2026, 4, 15, 12, 0, 0, madrid), want: date(2026, 3, 15, 12, 0, 0, madrid)},
		{name: "month across fall-back keeps the wall clock", period: "1month", now: date(2026, 11, 15, 12, 0, 0, madrid), want: date(2026, 10, 15, 12, 0, 0, madrid)},
		{name: "month into the spring-forward gap uses the offset before", period: "1month", now: date(2026, 4, 29, 2, 30, 0, madrid), want: utc(2026, 3, 29, 1, 30, 0)},
		{name: "month into the repeated hour is the later instant", period: "1month", now: date(2026, 11, 25, 2, 30, 0, madrid), want: utc(2026, 10, 25, 1, 30, 0)},
		{name: "fixed from the first repeated hour is elapsed time", period: "1hour", now: firstTwoThirty, want: utc(2026, 10, 24, 23, 30, 0)},
		{name: "zero from the first repeated hour is now", period: "0month", now: firstTwoThirty, want: firstTwoThirty},
		{name: "huge calendar part", period: "1000000years", now: date(2026, 1, 1, 0, 0, 0, madrid), want: date(2026-1000000, 1, 1, 0, 0, 0, madrid)},
		{name: "largest fixed part", period: "2562047hours", now: utc(2026, 1, 1, 0, 0, 0), want: utc(2026, 1, 1, 0, 0, 0).Add(-2562047 * time.Hour)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse(tc.period)
			if err != nil {
				t.Fatal(err)
			}
			got := p.Start(tc.now)
			if !got.Equal(tc.want) {
				t.Errorf("Parse(%q).Start(%v) = %v, want %v", tc.period, tc.now, got, tc.want)
			}
			if got.Location() != tc.now.Location() {
				t.Errorf("Start returned location %v, want now's %v", got.Location(), tc.now.Location())
			}
		})
	}
}

func TestValue(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    Period
		wantErr string
	}{
		{name: "default", args: nil, want: Period{Fixed: time.Hour, Text: "1hour"}},
		{name: "short flag", args: []string{"-p", "30minutes"}, want: Period{Fixed: 30 * time.Minute, Text: "30minutes"}},
		{name: "long flag with =", args: []string{"--period=1 hour"}, want: Period{Fixed: time.Hour, Text: "1 hour"}},
		{name: "bad value", args: []string{"-p", "1.5hour"}, wantErr: syntaxMsg("1.5hour")},
		{name: "repeated flag", args: []string{"-p", "1hour", "-p", "2hours"}, wantErr: "flag 'period' cannot be repeated"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			app := kingpin.New("test", "")
			var target Period
			v := NewValue(&target, "1hour")
			app.Flag("period", "").Short('p').SetValue(v)
			_, err := app.Parse(tc.args)
			if tc.wantErr != "" {
				if err == nil {
					t.Fatalf("Parse(%q) succeeded, want error %q", tc.args, tc.wantErr)
				}
				if diff := cmp.Diff(tc.wantErr, err.Error()); diff != "" {
					t.Errorf("error (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, target); diff != "" {
				t.Errorf("target (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, v.Period()); diff != "" {
				t.Errorf("Period() (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want.Text, v.String()); diff != "" {
				t.Errorf("String() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValueSetKeepsOldOnError(t *testing.T) {
	var target Period
	v := NewValue(&target, "2hours")
	if err := v.Set("nonsense"); err == nil {
		t.Fatal("Set(nonsense) succeeded")
	}
	if diff := cmp.Diff(Period{Fixed: 2 * time.Hour, Text: "2hours"}, target); diff != "" {
		t.Errorf("target after failed Set (-want +got):\n%s", diff)
	}
}

func TestNewValueNilTarget(t *testing.T) {
	v := NewValue(nil, "30minutes")
	if err := v.Set("2hours"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Period{Fixed: 2 * time.Hour, Text: "2hours"}, v.Period()); diff != "" {
		t.Errorf("Period() (-want +got):\n%s", diff)
	}
}

func TestNewValuePanicsOnBadDefault(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewValue(\"bad\") did not panic")
		}
	}()
	NewValue(nil, "bad")
}

var fuzzNows = func() []time.Time {
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		panic(err)
	}
	return []time.Time{
		time.Date(2026, 11, 27, 18, 35, 55, 123456789, time.UTC),
		time.Date(2026, 3, 29, 3, 30, 0, 0, madrid),
		time.Unix(1792888200, 0).In(madrid), // 2026-10-25 02:30 CEST, first of two
		time.Date(2028, 2, 29, 0, 0, 0, 0, madrid),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
	}
}()

func FuzzParse(f *testing.F) {
	for _, s := range []string{"1hour", "30minutes", "1hour30minutes", "1 hour", "hour", "hour30min",
		"1.5hour", "foo", "", "-1hour", "1hour ", "2562047hours", "1000000years", "1month1day",
		"99999999999999999999s", "1W2d3H4m5S", "fortnight"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if h := Header(s); len(h) != len(s)+1 || !strings.Contains(h, " ") {
			t.Errorf("Header(%q) = %q: want %d bytes with a blank", s, h, len(s)+1)
		}
		p, err := Parse(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "invalid period ") {
				t.Errorf("Parse(%q) error %q does not name the value", s, err)
			}
			return
		}
		if p.Text != s {
			t.Errorf("Parse(%q).Text = %q", s, p.Text)
		}
		if p.Fixed < 0 || p.Years < 0 || p.Months < 0 || 12*p.Years+p.Months > MaxMonths {
			t.Errorf("Parse(%q) = %+v: out of range", s, p)
		}
		for _, now := range fuzzNows {
			if start := p.Start(now); start.After(now) {
				t.Errorf("Parse(%q).Start(%v) = %v, after now", s, now, start)
			}
		}
	})
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("1hour30minutes"); err != nil {
			b.Fatal(err)
		}
	}
}

// TestEveryUnitName parses "2NAME" for each unit name of the package
// comment, in lower and upper case.
func TestEveryUnitName(t *testing.T) {
	day := 24 * time.Hour
	units := map[string]Period{
		"s": {Fixed: 2 * time.Second}, "sec": {Fixed: 2 * time.Second}, "secs": {Fixed: 2 * time.Second},
		"second": {Fixed: 2 * time.Second}, "seconds": {Fixed: 2 * time.Second},
		"m": {Fixed: 2 * time.Minute}, "min": {Fixed: 2 * time.Minute}, "mins": {Fixed: 2 * time.Minute},
		"minute": {Fixed: 2 * time.Minute}, "minutes": {Fixed: 2 * time.Minute},
		"h": {Fixed: 2 * time.Hour}, "hour": {Fixed: 2 * time.Hour}, "hours": {Fixed: 2 * time.Hour},
		"d": {Fixed: 2 * day}, "day": {Fixed: 2 * day}, "days": {Fixed: 2 * day},
		"w": {Fixed: 14 * day}, "week": {Fixed: 14 * day}, "weeks": {Fixed: 14 * day},
		"fortnight": {Fixed: 28 * day}, "fortnights": {Fixed: 28 * day},
		"month": {Months: 2}, "months": {Months: 2},
		"year": {Years: 2}, "years": {Years: 2},
	}
	for name, want := range units {
		for _, in := range []string{"2" + name, "2" + strings.ToUpper(name)} {
			want.Text = in
			got, err := Parse(in)
			if err != nil || got != want {
				t.Errorf("Parse(%q) = %+v, %v; want %+v", in, got, err, want)
			}
		}
	}
	for _, in := range []string{"2sek", "2hr", "2mo", "2y", "2weekss", "2ss"} {
		if _, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) succeeded, want an error", in)
		}
	}
}
