package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// postfixLog writes Postfix traffic: SASL and non-SASL smtpd connections
// with their cleanup/qmgr/smtp lines, in traditional syslog format.
func postfixLog(w *bufio.Writer, rng *rand.Rand, size int64, span time.Duration, end time.Time) error {
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

// distinctUsers writes n lines of 130 bytes (newline included), each the
// connection of a user seen nowhere else.
func distinctUsers(w *bufio.Writer, n int, end time.Time) error {
	start := end.Add(-30 * time.Minute)
	var buf []byte
	for i := range n {
		t := start.Add(time.Duration(int64(30*time.Minute) * int64(i) / int64(n)))
		buf = t.AppendFormat(buf[:0], time.Stamp)
		buf = fmt.Appendf(buf, " mx1 postfix/smtpd[%d]: %X: client=unknown[10.%d.%d.%d], sasl_method=PLAIN, sasl_username=",
			1000+i%60000, 0xA00000+i, i>>16&255, i>>8&255, i&255)
		user := fmt.Appendf(nil, "u%07d@", i)
		for len(buf)+len(user)+len("e.net\n") < 130 {
			user = append(user, 'x')
		}
		buf = append(buf, user...)
		buf = append(buf, "e.net\n"...)
		if len(buf) != 130 {
			return fmt.Errorf("line %d is %d bytes, want 130", i, len(buf))
		}
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	return nil
}
