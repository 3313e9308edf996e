package timestamp

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseNow(t *testing.T) {
	madrid := mustLoad(t, "Europe/Madrid")
	tests := []struct {
		name string
		in   string
		want time.Time
	}{
		{"local-t", "2026-11-27T18:35:55", at3339("2026-11-27T18:35:55+01:00")},
		{"local-space", "2026-11-27 18:35:55", at3339("2026-11-27T18:35:55+01:00")},
		{"local-summer", "2026-07-27 18:35:55", at3339("2026-07-27T18:35:55+02:00")},
		{"local-fraction", "2026-11-27T18:35:55.123456789", at3339("2026-11-27T18:35:55.123456789+01:00")},
		{"local-space-fraction", "2026-11-27 18:35:55.5", at3339("2026-11-27T18:35:55.5+01:00")},
		{"local-gap", "2026-03-29T02:30:00", at3339("2026-03-29T01:30:00Z")},
		{"local-repeated-hour", "2026-10-25 02:30:00", at3339("2026-10-25T01:30:00Z")},
		{"offset", "2026-11-27T18:35:55+01:00", at3339("2026-11-27T17:35:55Z")},
		{"negative-offset", "2026-11-27T18:35:55-03:30", at3339("2026-11-27T22:05:55Z")},
		{"offset-fraction", "2026-11-27T18:35:55.25+05:00", at3339("2026-11-27T13:35:55.25Z")},
		{"z", "2026-11-27T18:35:55Z", at3339("2026-11-27T18:35:55Z")},
		{"z-fraction", "2026-11-27T18:35:55.000001Z", at3339("2026-11-27T18:35:55.000001Z")},
		{"space-with-offset", "2026-11-27 18:35:55+01:00", at3339("2026-11-27T17:35:55Z")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseNow(tc.in, madrid)
			if err != nil {
				t.Fatalf("ParseNow(%q) error: %v", tc.in, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseNow(%q) mismatch (-want +got):\n%s", tc.in, diff)
			}
			if got.Location() != madrid {
				t.Errorf("ParseNow(%q) location = %s, want Europe/Madrid", tc.in, got.Location())
			}
		})
	}
}

func TestParseNowErrors(t *testing.T) {
	tests := []struct {
		name, in string
		reason   string // in the message besides the value and the forms
	}{
		{"empty", "", ""},
		{"word", "yesterday", ""},
		{"offset-without-colon", "2026-11-27T18:35:55+0100", ""},
		{"offset-hour-only", "2026-11-27T18:35:55+01", ""},
		{"exim-zone", "2026-11-27 18:35:55 +0100", ""},
		{"date-only", "2026-11-27", ""},
		{"no-seconds", "2026-11-27T18:35", ""},
		{"syslog", "Nov 27 18:35:55", ""},
		{"leading-blank", " 2026-11-27T18:35:55", ""},
		{"trailing-blank", "2026-11-27T18:35:55 ", ""},
		{"trailing-text", "2026-11-27T18:35:55Zulu", ""},
		{"lower-z", "2026-11-27T18:35:55z", ""},
		{"dot-without-digits", "2026-11-27T18:35:55.", ""},
		{"apr-31", "2026-04-31T12:00:00", "out of range"},
		{"feb-29-common-year", "2026-02-29 12:00:00", "out of range"},
		{"hour-24", "2026-11-27T24:00:00", "out of range"},
		{"offset-out-of-range", "2026-11-27T18:35:55+24:00", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseNow(tc.in, time.UTC)
			if err == nil {
				t.Fatalf("ParseNow(%q) = %v, want an error", tc.in, got)
			}
			msg := err.Error()
			for _, want := range []string{`invalid time "` + tc.in + `"`, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "+01:00", tc.reason} {
				if !strings.Contains(msg, want) {
					t.Errorf("ParseNow(%q) error %q does not contain %q", tc.in, msg, want)
				}
			}
			if msg != strings.ToLower(msg[:1])+msg[1:] {
				t.Errorf("ParseNow(%q) error %q does not start in lower case", tc.in, msg)
			}
		})
	}
}

func TestParseNowNilLocation(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("ParseNow(s, nil) did not panic")
		}
	}()
	ParseNow("2026-11-27T18:35:55Z", nil)
}
