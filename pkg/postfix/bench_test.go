package postfix

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/spam-gear/spamcheck/pkg/cli"
	"github.com/spam-gear/spamcheck/pkg/period"
	"github.com/spam-gear/spamcheck/pkg/window"
)

func BenchmarkParseLine(b *testing.B) {
	line := []byte("Nov 27 17:00:32 mx1 postfix/submission/smtpd[19165]: 3A1F0021: client=130-250-157-103.pool.comcast.example[103.157.250.130], sasl_method=PLAIN, sasl_username=jdoe@example.com, sasl_sender=jdoe@example.com")
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := ParseLine(line); !ok {
			b.Fatal("not parsed")
		}
	}
}

// BenchmarkScan is one whole pass (read, timestamps, parse, count) over the
// sample log, whose every user is in the 2-hour window.
func BenchmarkScan(b *testing.B) {
	const log = "../../examples/mail.log"
	info, err := os.Stat(log)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 11, 27, 18, 0, 0, 0, time.UTC)
	p, err := period.Parse("2hours")
	if err != nil {
		b.Fatal(err)
	}
	o := &Options{Common: cli.Common{Logs: []string{log}, Now: now, Loc: time.UTC}, Period: p}
	w := window.Window{Start: p.Start(now)}
	b.SetBytes(info.Size())
	b.ReportAllocs()
	for b.Loop() {
		c, err := Scan(o, bytes.NewReader(nil), w)
		if err != nil || c.Len() != 7 {
			b.Fatalf("Scan: %d users, %v", c.Len(), err)
		}
	}
}
