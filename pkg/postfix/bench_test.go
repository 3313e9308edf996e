package postfix

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
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

// BenchmarkScanFile is a full read of 32 MB of traffic shaped like
// scripts/genlog's postfix log: six lines a message, a quarter of the
// connections with a SASL user (5000 users and a spammer with a tenth of
// them), a fresh random client address on each.
func BenchmarkScanFile(b *testing.B) {
	path := filepath.Join(b.TempDir(), "mail.log")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i, n := 0, 0; n < 32<<20; i++ {
		ip := fmt.Sprintf("%d.%d.%d.%d", 1+rng.IntN(223), rng.IntN(256), rng.IntN(256), 1+rng.IntN(254))
		host := "unknown"
		if rng.IntN(3) > 0 {
			host = fmt.Sprintf("%d-%d.dyn.isp%d.example", rng.IntN(256), rng.IntN(256), rng.IntN(40))
		}
		client := host + "[" + ip + "]"
		if rng.IntN(4) == 0 {
			user := fmt.Sprintf("user%d@example.com", rng.IntN(5000))
			if rng.IntN(10) == 0 {
				user = "spammer@example.com"
			}
			client += ", sasl_method=PLAIN, sasl_username=" + user
		}
		stamp := start.Add(time.Duration(i) * time.Second).Format(time.Stamp)
		k, _ := fmt.Fprintf(w, "%s mx1 postfix/smtpd[%d]: connect from %s[%s]\n"+
			"%s mx1 postfix/smtpd[%d]: %X: client=%s\n"+
			"%s mx1 postfix/cleanup[%d]: %X: message-id=<%X@%s>\n"+
			"%s mx1 postfix/qmgr[%d]: %X: from=<sender@example.org>, size=%d, nrcpt=1 (queue active)\n"+
			"%s mx1 postfix/smtp[%d]: %X: to=<rcpt@example.net>, relay=mx.example.net[203.0.113.5]:25, delay=0.4, delays=0.1/0/0.1/0.2, dsn=2.0.0, status=sent (250 2.0.0 Ok)\n",
			stamp, 1000+i%60000, host, ip, stamp, 1000+i%60000, 0x1A0000+i, client,
			stamp, 1000+i%60000, 0x1A0000+i, 0x1A0000+i, host, stamp, 1000+i%60000, 0x1A0000+i, 800+rng.IntN(90000),
			stamp, 1000+i%60000, 0x1A0000+i)
		n += k
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	now := start.Add(30 * 24 * time.Hour)
	p, err := period.Parse("1year")
	if err != nil {
		b.Fatal(err)
	}
	o := &Options{Common: cli.Common{Logs: []string{path}, Now: now, Loc: time.UTC}, Period: p}
	fi, _ := os.Stat(path)
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	for b.Loop() {
		c, err := Scan(o, bytes.NewReader(nil), window.Window{Start: p.Start(now)})
		if err != nil || c.Len() < 1000 {
			b.Fatalf("Scan: %d users, %v", c.Len(), err)
		}
	}
}
