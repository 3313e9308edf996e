package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// eximGen writes an Exim mainlog: local submissions (U=), SMTP arrivals
// (H= with a HELO, some authenticated), deliveries, completions,
// rejections and queue runs. A share (oneOff) of the arrivals come from
// scanners that each appear once with an IP-literal HELO, the one-off keys
// that dominate a real server's key count.
type eximGen struct {
	rng    *rand.Rand
	oneOff float64
	buf    []byte
	stamp  string
	id     string
}

// zipf picks 0..n-1, low values far more often (a few chatty senders, a
// long tail of occasional ones).
func (g *eximGen) zipf(n int) int {
	x := g.rng.Float64()
	return int(float64(n) * x * x * x)
}

func (g *eximGen) line(parts ...string) {
	g.buf = append(g.buf, g.stamp...)
	for _, p := range parts {
		g.buf = append(g.buf, ' ')
		g.buf = append(g.buf, p...)
	}
	g.buf = append(g.buf, '\n')
}

const b62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// msgID is an Exim 4.97 message id for message i at time t.
func msgID(t time.Time, i int64) string {
	b := make([]byte, 0, 23)
	enc := func(v int64, n int) {
		s := make([]byte, n)
		for k := n - 1; k >= 0; k-- {
			s[k] = b62[v%62]
			v /= 62
		}
		b = append(b, s...)
	}
	enc(t.Unix(), 6)
	b = append(b, '-')
	enc(i, 12)
	b = append(b, '-')
	enc(i*7919, 4)
	return string(b)
}

func (g *eximGen) writer(size int64, span time.Duration, end time.Time) func(*bufio.Writer) error {
	return func(w *bufio.Writer) error { return g.write(w, size, span, end) }
}

func (g *eximGen) write(w *bufio.Writer, size int64, span time.Duration, end time.Time) error {
	rng := g.rng
	start := end.Add(-span)
	var written int64
	for i := int64(0); written < size; i++ {
		t := start.Add(time.Duration(float64(span) * float64(written) / float64(size)))
		g.stamp = t.Format("2006-01-02 15:04:05")
		g.id = msgID(t, i)
		g.buf = g.buf[:0]
		size := "S=" + strconv.Itoa(600+rng.IntN(60000))
		switch r := rng.IntN(100); {
		case r < 25: // local submission: a script or a user's mail client
			u := g.zipf(400)
			user := "user" + strconv.Itoa(u)
			if u%7 == 0 {
				user = "www-data"
			}
			g.line(g.id, "<=", user+"@web1.hosting.example", "U="+user, "P=local", size,
				"id="+strconv.FormatInt(i, 10)+".contact@web1.hosting.example")
			g.delivery(fmt.Sprintf("customer%d@mailbox.example", rng.IntN(9000)))
		case r < 27: // a rejected connection: no arrival
			ip := g.ip()
			g.line("H=(User) ["+ip+"]:"+strconv.Itoa(1024+rng.IntN(60000)), "I=[192.0.2.10]:25",
				"F=<x"+strconv.Itoa(rng.IntN(999))+"@spam.example>", "rejected RCPT <info@florist.example>:",
				"rejected because "+ip+" is in a black list at zen.spamhaus.org")
		case r < 28:
			pid := strconv.Itoa(1000 + rng.IntN(60000))
			g.line("Start queue run: pid=" + pid)
			g.line("End queue run: pid=" + pid)
		default: // SMTP arrival
			ip := g.ip()
			var host string
			switch {
			case rng.Float64() < g.oneOff/0.72:
				host = "([" + ip + "]) [" + ip + "]:" + strconv.Itoa(1024+rng.IntN(60000))
			case rng.IntN(5) == 0:
				n := g.zipf(3000)
				host = "(client" + strconv.Itoa(n) + ".example) [" + ip + "]:" + strconv.Itoa(1024+rng.IntN(60000))
			default:
				n := g.zipf(8000)
				name := "mx" + strconv.Itoa(n%4) + ".sender" + strconv.Itoa(n) + ".example"
				host = name + " (" + name + ") [" + ip + "]"
			}
			domain := "sender" + strconv.Itoa(rng.IntN(8000)) + ".example"
			from := "someone" + strconv.Itoa(rng.IntN(100)) + "@" + domain
			parts := []string{g.id, "<=", from, "H=" + host}
			if rng.IntN(10) == 0 {
				parts = append(parts, "P=esmtpsa", "X=TLS1.3:TLS_AES_256_GCM_SHA384:256", "CV=no",
					"A=dovecot_plain:"+fmt.Sprintf("box%d@hosting.example", g.zipf(500)))
			} else {
				parts = append(parts, "P=esmtps", "X=TLS1.3:TLS_AES_256_GCM_SHA384:256", "CV=no")
			}
			parts = append(parts, size, "id="+strconv.FormatInt(i*31, 10)+"@"+domain)
			g.line(parts...)
			g.delivery(fmt.Sprintf("box%d@hosting.example", rng.IntN(500)))
		}
		n, err := w.Write(g.buf)
		if err != nil {
			return err
		}
		written += int64(n)
	}
	return nil
}

func (g *eximGen) ip() string {
	r := g.rng
	return fmt.Sprintf("%d.%d.%d.%d", 1+r.IntN(223), r.IntN(256), r.IntN(256), 1+r.IntN(254))
}

func (g *eximGen) delivery(to string) {
	if g.rng.IntN(2) == 0 {
		g.line(g.id, "=>", to, "R=virtual_user", "T=dovecot_lmtp")
	} else {
		g.line(g.id, "=>", to, "R=dnslookup", "T=remote_smtp", "H=mx.mailbox.example [198.51.100.3]",
			"X=TLS1.3:TLS_AES_256_GCM_SHA384:256", "CV=yes")
	}
	g.line(g.id, "Completed")
}
