package report

import "testing"

func TestHeader(t *testing.T) {
	tests := []struct{ period, max, want string }{
		{"1hour", "90", "During the last 1 hour the following senders have made at least 90 SMTP connections."},
		{"30minutes", "010", "During the last 30 minutes the following senders have made at least 010 SMTP connections."},
		{"3600seconds", "60", "During the last 3600 seconds the following senders have made at least 60 SMTP connections."},
		{"hour", "5", "During the last  hour the following senders have made at least 5 SMTP connections."},
	}
	for _, tc := range tests {
		if got := Header(tc.period, tc.max); got != tc.want {
			t.Errorf("Header(%q, %q) = %q, want %q", tc.period, tc.max, got, tc.want)
		}
	}
}
