// Command genlog writes a large, realistic Postfix mail.log for the
// benchmarks: SASL and non-SASL smtpd traffic, cleanup/qmgr/smtp lines,
// evenly spread over SPAN ending at END, in traditional syslog format.
// Deterministic for a given seed.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"time"
)

func main() {
	size := flag.Int64("size", 20<<20, "approximate size in bytes")
	span := flag.Duration("span", 30*24*time.Hour, "time covered, ending at -end")
	end := flag.String("end", "2026-11-27T18:00:00Z", "time of the last line (RFC 3339)")
	seed := flag.Uint64("seed", 1, "random seed")
	out := flag.String("o", "-", "output file")
	flag.Parse()
	endTime, err := time.Parse(time.RFC3339, *end)
	if err != nil {
		fmt.Fprintln(os.Stderr, "genlog:", err)
		os.Exit(2)
	}
	f := os.Stdout
	if *out != "-" {
		if f, err = os.Create(*out); err != nil {
			fmt.Fprintln(os.Stderr, "genlog:", err)
			os.Exit(1)
		}
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := generate(w, *size, *span, endTime.UTC(), *seed); err != nil {
		fmt.Fprintln(os.Stderr, "genlog:", err)
		os.Exit(1)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "genlog:", err)
		os.Exit(1)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "genlog:", err)
		os.Exit(1)
	}
}

func generate(w *bufio.Writer, size int64, span time.Duration, end time.Time, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	start := end.Add(-span)
	var buf []byte
	var written int64
	for i := int64(0); written < size; i++ {
		// Time follows the bytes written, so the log ends at end whatever
		// the average message size.
		t := start.Add(time.Duration(float64(span) * float64(written) / float64(size)))
		qid := strconv.FormatUint(0x1A0000000+uint64(i), 16)
		pid := 1000 + rng.IntN(60000)
		a, b, c, d := 1+rng.IntN(223), rng.IntN(256), rng.IntN(256), 1+rng.IntN(254)
		ip := fmt.Sprintf("%d.%d.%d.%d", a, b, c, d)
		host := "unknown"
		if rng.IntN(3) > 0 {
			host = fmt.Sprintf("%d-%d-%d-%d.dyn.isp%d.example", d, c, b, a, rng.IntN(40))
		}
		buf = buf[:0]
		stamp := t.Format(time.Stamp)
		line := func(tag, msg string) {
			buf = append(buf, stamp...)
			buf = append(buf, " mx1 "...)
			buf = append(buf, tag...)
			buf = append(buf, '[')
			buf = strconv.AppendInt(buf, int64(pid), 10)
			buf = append(buf, "]: "...)
			buf = append(buf, msg...)
			buf = append(buf, '\n')
		}
		line("postfix/smtpd", "connect from "+host+"["+ip+"]")
		client := qid + ": client=" + host + "[" + ip + "]"
		if rng.IntN(4) == 0 {
			user := fmt.Sprintf("user%d@example.com", rng.IntN(5000))
			if rng.IntN(10) == 0 {
				user = "spammer@example.com"
			}
			client += ", sasl_method=PLAIN, sasl_username=" + user
		}
		line("postfix/smtpd", client)
		line("postfix/cleanup", qid+": message-id=<"+qid+"@"+host+">")
		line("postfix/qmgr", qid+": from=<sender@example.org>, size="+strconv.Itoa(800+rng.IntN(90000))+", nrcpt=1 (queue active)")
		line("postfix/smtp", qid+": to=<rcpt@example.net>, relay=mx.example.net[203.0.113.5]:25, delay=0.4, delays=0.1/0/0.1/0.2, dsn=2.0.0, status=sent (250 2.0.0 Ok)")
		line("postfix/smtpd", "disconnect from "+host+"["+ip+"] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5")
		n, err := w.Write(buf)
		if err != nil {
			return err
		}
		written += int64(n)
	}
	return nil
}
