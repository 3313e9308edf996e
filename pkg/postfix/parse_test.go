package postfix

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

type conn struct{ Host, IP, User string }

func parsed(line string) (conn, bool) {
	c, ok := ParseLine([]byte(line))
	return conn{string(c.Host), string(c.IP), string(c.User)}, ok
}

func TestParseLine(t *testing.T) {
	tests := []struct {
		name string
		line string
		want conn
		ok   bool
	}{
		{"traditional unknown client", "Oct  1 11:47:51 u86 postfix/smtpd[10242]: DBED828417: client=unknown[192.168.9.1], sasl_method=PLAIN, sasl_username=macaco@monos.org",
			conn{"unknown", "192.168.9.1", "macaco@monos.org"}, true},
		{"named client", "Mar 16 09:20:54 kif postfix/smtpd[18488]: A99A53D8DA: client=205.163.16.95.dynamic.jazztel.es[95.16.163.205], sasl_method=PLAIN, sasl_username=baboon@zzz.com",
			conn{"205.163.16.95.dynamic.jazztel.es", "95.16.163.205", "baboon@zzz.com"}, true},
		{"bare user name", "Mar  9 00:23:03 c946 postfix/smtpd[58436]: 15F1A140088: client=unknown[186.185.3.41], sasl_method=LOGIN, sasl_username=cgomeznt",
			conn{"unknown", "186.185.3.41", "cgomeznt"}, true},
		{"sasl_sender suffix ends the user", "Nov 27 18:00:01 mx postfix/submission/smtpd[1]: 4AB: client=mail.example.net[198.51.100.7], sasl_method=PLAIN, sasl_username=bob@example.org, sasl_sender=bob@example.org",
			conn{"mail.example.net", "198.51.100.7", "bob@example.org"}, true},
		{"ipv6 client", "2026-11-27T18:00:01.123456+01:00 mx postfix/smtpd[1]: 4AB: client=unknown[2001:db8::5], sasl_method=PLAIN, sasl_username=eve",
			conn{"unknown", "2001:db8::5", "eve"}, true},
		{"client port logging", "Nov 27 18:00:01 mx postfix/smtpd[1]: 4AB: client=host.example[192.0.2.1]:51234, sasl_method=PLAIN, sasl_username=eve",
			conn{"host.example", "192.0.2.1", "eve"}, true},
		{"no sasl fields", "Oct  1 12:22:56 u86 postfix/smtpd[12395]: 81CBA28781: client=unknown[192.168.9.1]", conn{}, false},
		{"failed auth with username", "Nov  4 09:11:01 mail postfix/smtpd[1234]: warning: unknown[192.0.2.152]: SASL LOGIN authentication failed: (reason unavailable), sasl_username=admin", conn{}, false},
		{"reject line with space-separated sasl", "Nov 27 18:00:01 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from unknown[192.0.2.9]: 554 5.7.1 denied; from=<a@b> to=<c@d> proto=ESMTP helo=<x> sasl_method=PLAIN sasl_username=joe", conn{}, false},
		{"orig_client is not a word-start client", "Nov 27 18:00:01 mx postfix/smtpd[1]: 4AB: orig_client=host[192.0.2.1], sasl_username=joe", conn{}, false},
		{"empty user", "Nov 27 18:00:01 mx postfix/smtpd[1]: 4AB: client=host[192.0.2.1], sasl_method=PLAIN, sasl_username=", conn{}, false},
		{"user with space kept", "Nov 27 18:00:01 mx postfix/smtpd[1]: 4AB: client=host[192.0.2.1], sasl_method=PLAIN, sasl_username=x y",
			conn{"host", "192.0.2.1", "x y"}, true},
		{"message only", "4104E3D: client=a.example[61.238.241.86], sasl_method=PLAIN, sasl_username=u",
			conn{"a.example", "61.238.241.86", "u"}, true},
		{"line starts with client", "client=h[192.0.2.1], sasl_username=u", conn{"h", "192.0.2.1", "u"}, true},
		{"unterminated bracket", "x: client=h[192.0.2.1, sasl_username=u", conn{}, false},
		{"empty host", "x: client=[192.0.2.1], sasl_username=u", conn{}, false},
		{"empty", "", conn{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parsed(tc.line)
			if ok != tc.ok {
				t.Fatalf("ParseLine(%q) ok = %v, want %v", tc.line, ok, tc.ok)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseLine(%q) mismatch (-want +got):\n%s", tc.line, diff)
			}
		})
	}
}

func TestNetName(t *testing.T) {
	tests := map[string]string{
		"89-1-2-3.dyn.example.net":         "dyn.example.net",
		"mail-ed1-f68.google.com":          "google.com",
		"unknown":                          "unknown",
		"mailhost1":                        "mailhost1",
		"static-1-2-3-4":                   "4",
		"205.163.16.95.dynamic.jazztel.es": "dynamic.jazztel.es",
		"a1b":                              "",
		"":                                 "",
		"9":                                "9",
		"host.example.org":                 "host.example.org",
	}
	for host, want := range tests {
		if got := string(NetName([]byte(host))); got != want {
			t.Errorf("NetName(%q) = %q, want %q", host, got, want)
		}
	}
}

func FuzzParseLine(f *testing.F) {
	f.Add("Oct  1 11:47:51 u86 postfix/smtpd[10242]: DBED828417: client=unknown[192.168.9.1], sasl_method=PLAIN, sasl_username=macaco@monos.org")
	f.Add("x: client=h[::1]:25, sasl_username=a, sasl_sender=b")
	f.Add("client=client=h[1], sasl_username=")
	f.Fuzz(func(t *testing.T, line string) {
		c, ok := ParseLine([]byte(line))
		if !ok {
			return
		}
		if len(c.User) == 0 || len(c.IP) == 0 || len(c.Host) == 0 {
			t.Fatalf("ParseLine(%q) = %+v: empty field in an accepted line", line, c)
		}
		for _, field := range [][]byte{c.User, c.Host, c.IP} {
			for _, b := range field {
				if b == '\n' {
					t.Fatalf("ParseLine(%q): field %q holds a newline", line, field)
				}
			}
		}
		if containsSep(c.User) {
			t.Fatalf("ParseLine(%q): user %q holds \", \"", line, c.User)
		}
		if n := NetName(c.Host); len(n) > len(c.Host) {
			t.Fatalf("NetName(%q) = %q grew", c.Host, n)
		}
	})
}

func containsSep(b []byte) bool {
	for i := 0; i+1 < len(b); i++ {
		if b[i] == ',' && b[i+1] == ' ' {
			return true
		}
	}
	return false
}
