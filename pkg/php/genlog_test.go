package php

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// writeMailLog writes about size bytes of a deterministic PHP mail.log:
// 3000 scripts of which a few are very chatty, dated records (PHP >= 5.5,
// with and without Subject) and some undated ones (PHP 5.3/5.4), and
// eval'd code. With syslog, the records are wrapped in syslog lines
// among the other traffic of a mail server (one line in 20 is PHP's).
func writeMailLog(w io.Writer, size int64, syslog bool) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	r := rand.New(rand.NewPCG(12, 16))
	scripts := make([]string, 3000)
	for i := range scripts {
		scripts[i] = fmt.Sprintf("/home/user%04d/public_html/site%d/%s/%s.php", i%700, i,
			[]string{"wp-content/plugins/contact-form-7/includes", "app/Mail", "forms", "lib/PHPMailer"}[i%4],
			[]string{"mail", "contact", "class.phpmailer", "send"}[i%4])
	}
	t := time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC)
	var written int64
	for written < size {
		t = t.Add(time.Duration(r.IntN(200)) * time.Millisecond)
		var line string
		if syslog && r.IntN(20) != 0 {
			line = fmt.Sprintf("%s mx1 postfix/smtpd[%d]: %X: client=host%d.example.net[192.0.2.%d], sasl_method=PLAIN, sasl_username=user%d@example.com",
				t.Format(time.Stamp), 1000+r.IntN(9000), r.Uint32(), r.IntN(1000), r.IntN(255), r.IntN(5000))
		} else {
			s := scripts[r.IntN(len(scripts))]
			if r.IntN(4) == 0 {
				s = scripts[r.IntN(5)] // the chatty ones
			}
			if r.IntN(50) == 0 {
				s += fmt.Sprintf("(%d) : eval()'d code", 1+r.IntN(90))
			}
			rec := fmt.Sprintf("mail() on [%s:%d]: To: customer%d@example.org -- Headers: From: shop@example.com  Reply-To: shop@example.com  X-Mailer: PHP/8.2.%d -- Subject: Your order %d",
				s, 10+r.IntN(400), r.IntN(100000), r.IntN(20), r.IntN(1000000))
			switch {
			case syslog:
				line = fmt.Sprintf("%s web1 php[%d]: %s", t.Format(time.Stamp), 1000+r.IntN(9000), rec)
			case r.IntN(10) == 0:
				line = rec
			default:
				line = "[" + t.Format("02-Jan-2006 15:04:05") + " UTC] " + rec
			}
		}
		n, err := bw.WriteString(line + "\n")
		if err != nil {
			return err
		}
		written += int64(n)
	}
	return bw.Flush()
}

// BenchmarkScan runs php-spam-check's whole scan on 32 MB of generated
// mail.log, PHP's own file and the syslog form.
func BenchmarkScan(b *testing.B) {
	for _, syslog := range []bool{false, true} {
		name := "file"
		if syslog {
			name = "syslog"
		}
		b.Run(name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "phpmail.log")
			f, err := os.Create(path)
			if err != nil {
				b.Fatal(err)
			}
			if err := writeMailLog(f, 32<<20, syslog); err != nil {
				b.Fatal(err)
			}
			f.Close()
			fi, _ := os.Stat(path)
			o := &Options{Max: 500}
			o.Logs = []string{path}
			b.SetBytes(fi.Size())
			b.ReportAllocs()
			for b.Loop() {
				c, err := Scan(o, nil)
				if err != nil || len(c.index) < 1000 {
					b.Fatalf("%d keys, %v", len(c.index), err)
				}
			}
		})
	}
}
