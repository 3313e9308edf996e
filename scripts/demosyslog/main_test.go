package main

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestLine(t *testing.T) {
	now := time.Date(2026, 12, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct{ name, rec, want string }{
		{"syslog(3) record", "<22>Nov 27 17:30:11 www[42]: sendmail-php url=x", "Dec  2 03:04:05 web1 www[42]: sendmail-php url=x\n"},
		{"stream record's newline", "<22>Nov 27 17:30:11 www[42]: m\n", "Dec  2 03:04:05 web1 www[42]: m\n"},
		{"no priority", "Nov 27 17:30:11 www[42]: m", "Dec  2 03:04:05 web1 www[42]: m\n"},
		{"no timestamp", "<22>www[42]: m", "Dec  2 03:04:05 web1 www[42]: m\n"},
		{"control bytes escaped", "<22>Nov 27 17:30:11 www[42]: a\nb\tc\x7f", "Dec  2 03:04:05 web1 www[42]: a#012b#011c#177\n"},
		{"not a priority", "<bad", "Dec  2 03:04:05 web1 <bad\n"},
		{"empty", "", "Dec  2 03:04:05 web1 \n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := string(Line(now, "web1", []byte(tc.rec)))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Line(%q) (-want +got):\n%s", tc.rec, diff)
			}
		})
	}
}

func FuzzLine(f *testing.F) {
	for _, s := range []string{"<22>Nov 27 17:30:11 www[42]: m", "<bad", "", "<1>\n"} {
		f.Add([]byte(s))
	}
	now := time.Date(2026, 12, 2, 3, 4, 5, 0, time.UTC)
	f.Fuzz(func(t *testing.T, rec []byte) {
		b := Line(now, "h", rec)
		for i, c := range b[:len(b)-1] {
			if c < 0x20 || c == 0x7f {
				t.Fatalf("Line(%q) has control byte %#x at %d", rec, c, i)
			}
		}
		if b[len(b)-1] != '\n' {
			t.Fatalf("Line(%q) does not end with a newline", rec)
		}
	})
}
