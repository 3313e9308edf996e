package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// phpGen writes PHP mail logs. For php, PHP's own mail.log (php.ini
// mail.log = FILE): records `mail() on [FILE:LINE]: To: … -- Headers: …`,
// most with PHP's `[dd-Mon-yyyy hh:mm:ss UTC] ` prefix, some without
// (older PHP), from `scripts` scripts of which three are very chatty
// (newsletters, a compromised form), some with folded headers on
// blank-led lines. For legacy, a syslog mail.log where the phpsendmail
// wrapper's `sendmail-php url=…, filename=…` lines are interleaved with the
// Postfix lines of the mails they send.
type phpGen struct {
	rng     *rand.Rand
	scripts int
	legacy  bool
	buf     []byte
}

// script picks a script: 1 in 4 records from the three chatty ones, the
// rest spread over all, low numbers more often.
func (g *phpGen) script() (path string, line int, site int) {
	r := g.rng
	var n int
	if r.IntN(4) == 0 {
		n = r.IntN(3)
	} else {
		x := r.Float64()
		n = int(float64(g.scripts) * x * x)
	}
	site = n % 700
	names := [...]string{"contact.php", "wp-includes/class-phpmailer.php", "newsletter/send.php", "index.php",
		"wp-content/plugins/contact-form-7/includes/mail.php", "lib/mailer.php", "cron/digest.php"}
	path = fmt.Sprintf("/home/site%d/public_html/%d/%s", site, n/700, names[n%len(names)])
	return path, 20 + n%400, site
}

func (g *phpGen) writer(size int64, span time.Duration, end time.Time) func(*bufio.Writer) error {
	return func(w *bufio.Writer) error { return g.write(w, size, span, end) }
}

func (g *phpGen) write(w *bufio.Writer, size int64, span time.Duration, end time.Time) error {
	r := g.rng
	start := end.Add(-span)
	var written int64
	for i := int64(0); written < size; i++ {
		t := start.Add(time.Duration(float64(span) * float64(written) / float64(size)))
		g.buf = g.buf[:0]
		path, line, site := g.script()
		to := "rcpt" + strconv.Itoa(r.IntN(100000)) + "@mailbox" + strconv.Itoa(r.IntN(50)) + ".example"
		if g.legacy {
			g.legacyRecord(t, i, path, site, to)
		} else {
			g.mailRecord(t, path, line, site, to)
		}
		n, err := w.Write(g.buf)
		if err != nil {
			return err
		}
		written += int64(n)
	}
	return nil
}

func (g *phpGen) mailRecord(t time.Time, path string, line, site int, to string) {
	r := g.rng
	if r.IntN(10) > 0 { // PHP >= 5.x dates its records
		g.buf = append(g.buf, '[')
		g.buf = t.AppendFormat(g.buf, "02-Jan-2006 15:04:05")
		g.buf = append(g.buf, " UTC] "...)
	}
	g.buf = fmt.Appendf(g.buf, "mail() on [%s:%d]: To: %s -- Headers: From: Site %d <noreply@site%d.example>",
		path, line, to, site, site)
	if r.IntN(8) == 0 { // folded headers: the record goes on over lines that start with a blank
		g.buf = append(g.buf, "\n  Reply-To: office@site"...)
		g.buf = strconv.AppendInt(g.buf, int64(site), 10)
		g.buf = append(g.buf, ".example\n  X-Mailer: PHP/8.2.7"...)
	} else {
		g.buf = append(g.buf, "  MIME-Version: 1.0  Content-Type: text/plain; charset=UTF-8"...)
	}
	g.buf = append(g.buf, '\n')
}

func (g *phpGen) legacyRecord(t time.Time, i int64, path string, site int, to string) {
	r := g.rng
	stamp := t.Format(time.Stamp)
	uid := 1000 + site
	g.buf = fmt.Appendf(g.buf, "%s web1 site%d: sendmail-php url=site%d.example/%s?id=%d, client=%d.%d.%d.%d, filename=%s, uid=%d, user=site%d, args=-t -i\n",
		stamp, site, site, "form.php", i, 1+r.IntN(223), r.IntN(256), r.IntN(256), 1+r.IntN(254), path, uid, site)
	// The mail then goes through Postfix: pickup, cleanup, qmgr, smtp.
	qid := strconv.FormatUint(0x2B0000000+uint64(i), 16)
	pid := 1000 + r.IntN(60000)
	for _, l := range [...]string{
		"postfix/pickup[" + strconv.Itoa(pid) + "]: " + qid + ": uid=" + strconv.Itoa(uid) + " from=<site" + strconv.Itoa(site) + ">",
		"postfix/cleanup[" + strconv.Itoa(pid+1) + "]: " + qid + ": message-id=<" + qid + "@web1>",
		"postfix/qmgr[900]: " + qid + ": from=<site" + strconv.Itoa(site) + "@web1>, size=" + strconv.Itoa(900+r.IntN(9000)) + ", nrcpt=1 (queue active)",
		"postfix/smtp[" + strconv.Itoa(pid+2) + "]: " + qid + ": to=<" + to + ">, relay=mx.example.net[203.0.113.5]:25, delay=0.4, delays=0.1/0/0.1/0.2, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
		"postfix/qmgr[900]: " + qid + ": removed",
	} {
		g.buf = append(g.buf, stamp...)
		g.buf = append(g.buf, " web1 "...)
		g.buf = append(g.buf, l...)
		g.buf = append(g.buf, '\n')
	}
}
