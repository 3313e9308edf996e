package timestamp

import (
	"testing"
	"time"
)

// BenchmarkParse times one line of each shape through a warm Parser, the
// way a scan meets them: the same zone and day line after line.
func BenchmarkParse(b *testing.B) {
	madrid := mustLoad(b, "Europe/Madrid")
	for _, bc := range []struct{ name, line string }{
		{"syslog", "Oct  1 11:47:51 u86 postfix/smtpd[10242]: DBED828417: client=unknown[192.168.9.1], sasl_method=PLAIN"},
		{"syslog-precise", "Jun 04 22:24:28.123456 machine postfix/smtpd[3967801]: x"},
		{"rfc3339", "2024-08-29T01:08:59.764590+00:00 machine postfix/smtpd[1938053]: NOQUEUE: reject"},
		{"iso-no-colon", "2026-11-27T18:35:55+0100 machine postfix/smtpd[1]: x"},
		{"iso-local", "2026-11-27T18:35:55 machine postfix/smtpd[1]: x"},
		{"exim", "2020-02-22 01:01:56 1j5IF1-0006A7-Ub <= root@example.org U=root P=local S=123"},
		{"exim-zone-pid", "2023-05-30 06:10:13.345 +0100 [10099] H=(yakult.com.tw) [192.0.2.1]"},
		{"php-zone", "[27-Nov-2026 18:35:55 Europe/Madrid] mail() on [/home/x/public_html/a.php:12]: To: a@b"},
		{"php-offset", "[27-Nov-2026 18:35:55 +01:00] mail() on [/home/x/public_html/a.php:12]: To: a@b"},
		{"undated", "mail() on [/home/x/public_html/a.php:12]: To: a@b"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			p := NewParser(time.Date(2026, 11, 27, 18, 35, 55, 0, madrid), madrid)
			line := []byte(bc.line)
			_, n, _ := p.Parse(line)
			b.SetBytes(int64(max(n, 1)))
			b.ReportAllocs()
			for b.Loop() {
				p.Parse(line)
			}
		})
	}
}

// BenchmarkParseCold is the worst case for the cache: a fresh Parser per
// line, so every conversion goes through Wall (and, for PHP, LoadLocation).
func BenchmarkParseCold(b *testing.B) {
	madrid := mustLoad(b, "Europe/Madrid")
	now := time.Date(2026, 11, 27, 18, 35, 55, 0, madrid)
	for _, bc := range []struct{ name, line string }{
		{"syslog", "Oct  1 11:47:51 u86 postfix/smtpd[10242]: x"},
		{"php-zone", "[27-Nov-2026 18:35:55 Europe/Madrid] mail() on"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			line := []byte(bc.line)
			b.ReportAllocs()
			for b.Loop() {
				NewParser(now, madrid).Parse(line)
			}
		})
	}
}
