package postfix

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spam-gear/spamcheck/pkg/timestamp"
)

type conn struct{ Host, IP, User string }

func parsed(line string) (conn, bool) {
	c, ok := ParseLine([]byte(line))
	return conn{string(c.Host), string(c.IP), string(c.User)}, ok
}

func TestParseLine(t *testing.T) {
	const (
		pfx   = "Nov 27 18:00:01 mx postfix/smtpd[1]: "
		valid = "4AB: client=unknown[192.0.2.1], sasl_method=PLAIN, sasl_username=bob"
	)
	bob := conn{"unknown", "192.0.2.1", "bob"}
	tests := []struct {
		name string
		line string
		want conn
		ok   bool
	}{
		// Real lines (corpus, e2e logs written by Postfix 3.7).
		{"traditional unknown client", "Oct  1 11:47:51 u86 postfix/smtpd[10242]: DBED828417: client=unknown[192.168.9.1], sasl_method=PLAIN, sasl_username=macaco@monos.org",
			conn{"unknown", "192.168.9.1", "macaco@monos.org"}, true},
		{"named client", "Mar 16 09:20:54 kif postfix/smtpd[18488]: A99A53D8DA: client=205.163.16.95.dynamic.jazztel.es[95.16.163.205], sasl_method=PLAIN, sasl_username=baboon@zzz.com",
			conn{"205.163.16.95.dynamic.jazztel.es", "95.16.163.205", "baboon@zzz.com"}, true},
		{"bare user name", "Mar  9 00:23:03 c946 postfix/smtpd[58436]: 15F1A140088: client=unknown[186.185.3.41], sasl_method=LOGIN, sasl_username=cgomeznt",
			conn{"unknown", "186.185.3.41", "cgomeznt"}, true},
		{"submission service", "Nov 27 21:21:46 mx postfix/submission/smtpd[18687]: B54AE9868A8: client=h2-2.dyn.net-a.example[127.0.0.2], sasl_method=PLAIN, sasl_username=spammer",
			conn{"h2-2.dyn.net-a.example", "127.0.0.2", "spammer"}, true},
		{"rsyslog RFC 3339", "2026-11-27T21:21:40.741137+00:00 vm postfix/smtpd[17825]: B4EDB9861D5: client=webmail.e2e.test[127.0.0.20], sasl_method=LOGIN, sasl_username=carol@e2e.test",
			conn{"webmail.e2e.test", "127.0.0.20", "carol@e2e.test"}, true},
		{"journalctl short-iso", "2026-11-27T16:40:01+0100 mx postfix/smtpd[811]: 1A2B3C: client=unknown[203.0.113.7], sasl_method=LOGIN, sasl_username=shop@example.com",
			conn{"unknown", "203.0.113.7", "shop@example.com"}, true},
		{"RFC 3339 Z", "2026-11-27T17:30:00Z mx postfix/smtpd[9]: R3: client=unknown[2001:db8::52], sasl_method=PLAIN, sasl_username=iso",
			conn{"unknown", "2001:db8::52", "iso"}, true},
		{"zero-padded day", "Jun 04 22:24:28 mx postfix/smtpd[1]: " + valid, bob, true},
		{"unpadded day", "Aug 3 15:30:49 mx postfix/smtpd[1]: " + valid, bob, true},
		{"syslog stamp with fraction", "Nov 27 18:00:01.123456 mx postfix/smtpd[1]: " + valid, bob, true},
		{"Exim-shaped stamp", "2026-11-27 18:00:01 mx postfix/smtpd[1]: " + valid, bob, true},
		{"sasl_sender suffix ends the user", "Nov 27 18:00:01 mx postfix/submission/smtpd[1]: 4AB: client=mail.example.net[198.51.100.7], sasl_method=PLAIN, sasl_username=bob@example.org, sasl_sender=bob@example.org",
			conn{"mail.example.net", "198.51.100.7", "bob@example.org"}, true},
		{"ipv6 client", "2026-11-27T18:00:01.123456+01:00 mx postfix/smtpd[1]: 4AB: client=unknown[2001:db8::5], sasl_method=PLAIN, sasl_username=eve",
			conn{"unknown", "2001:db8::5", "eve"}, true},
		{"client port logging", pfx + "4AB: client=host.example[192.0.2.1]:51234, sasl_method=PLAIN, sasl_username=eve",
			conn{"host.example", "192.0.2.1", "eve"}, true},
		{"unknown client port", pfx + "4AB: client=host.example[192.0.2.1]:unknown, sasl_method=PLAIN, sasl_username=eve",
			conn{"host.example", "192.0.2.1", "eve"}, true},
		{"address unavailable", pfx + "4AB: client=unknown[unknown], sasl_method=PLAIN, sasl_username=eve",
			conn{"unknown", "unknown", "eve"}, true},
		{"long queue id", pfx + "4Pt2mN2VXxznjll: client=unknown[192.0.2.1], sasl_method=PLAIN, sasl_username=bob", bob, true},
		{"multi-instance smtps", "Nov 27 18:00:01 mx postfix-in/smtps/smtpd[77]: " + valid, bob, true},
		{"bare smtpd tag", "Nov 27 18:00:01 mx smtpd[77]: " + valid, bob, true},
		{"fields after the user", pfx + valid + ", sasl_sender=x, orig_queue_id=ABC, orig_client=h[192.0.2.9]", bob, true},
		{"XFORWARD fields before an (impossible) user", pfx + "4AB: client=h[192.0.2.1], orig_queue_id=ABC, sasl_username=bob", conn{"h", "192.0.2.1", "bob"}, true},
		{"user with space kept", pfx + "4AB: client=host[192.0.2.1], sasl_method=PLAIN, sasl_username=x y",
			conn{"host", "192.0.2.1", "x y"}, true},
		{"user ends at comma blank", pfx + "4AB: client=host[192.0.2.1], sasl_method=PLAIN, sasl_username=a,b, c",
			conn{"host", "192.0.2.1", "a,b"}, true},
		{"trailing CR ignored", pfx + valid + "\r", bob, true},
		{"only one trailing CR ignored", pfx + valid + "\r\r", conn{"unknown", "192.0.2.1", "bob\r"}, true},
		{"message only (Scan never counts it: no time)", "4104E3D: client=a.example[61.238.241.86], sasl_method=PLAIN, sasl_username=u",
			conn{"a.example", "61.238.241.86", "u"}, true},

		// Client-chosen text elsewhere in the log (issue 12): never a connection.
		{"Message-ID in cleanup", "Nov 27 18:00:01 mx postfix/cleanup[2]: 4AB: message-id=<a client=h1[10.7.0.1], sasl_username=root, b@x>", conn{}, false},
		{"Message-ID in cleanup, RFC 3339", "2026-11-27T18:00:01.5+00:00 mx postfix/cleanup[2]: 4AB: message-id=<a client=h1[10.7.0.1], sasl_method=PLAIN, sasl_username=root, b@x>", conn{}, false},
		{"quoted MAIL FROM in a reject", pfx + `NOQUEUE: reject: RCPT from unknown[192.0.2.9]: 554 5.7.1 <c@d>: Relay access denied; from=<"x client=h[1.2.3.4], sasl_username=root"@b> to=<c@d> proto=ESMTP helo=<x>`, conn{}, false},
		{"failed AUTH login", pfx + "warning: unknown[1.2.3.4]: SASL LOGIN authentication failed: UGFzc3dvcmQ6, sasl_username=root", conn{}, false},
		{"failed AUTH with client= in the login", pfx + "warning: unknown[1.2.3.4]: SASL LOGIN authentication failed: (reason unavailable), sasl_username=a client=h[1.2.3.4], sasl_username=root", conn{}, false},
		{"failed auth with username", "Nov  4 09:11:01 mail postfix/smtpd[1234]: warning: unknown[192.0.2.152]: SASL LOGIN authentication failed: (reason unavailable), sasl_username=admin", conn{}, false},
		{"reject line with space-separated sasl", pfx + "NOQUEUE: reject: RCPT from unknown[192.0.2.9]: 554 5.7.1 denied; from=<a@b> to=<c@d> proto=ESMTP helo=<x> sasl_method=PLAIN sasl_username=joe", conn{}, false},
		{"HELO in a reject", pfx + "NOQUEUE: reject: RCPT from unknown[192.0.2.9]: 554 5.7.1 denied; from=<a@b> to=<c@d> proto=ESMTP helo=<x: client=h[1.2.3.4], sasl_username=root>", conn{}, false},
		{"NOQUEUE client line", pfx + "NOQUEUE: client=unknown[192.0.2.1], sasl_method=PLAIN, sasl_username=root", conn{}, false},
		{"client= later in the message", pfx + "4AB: x client=unknown[192.0.2.1], sasl_method=PLAIN, sasl_username=root", conn{}, false},
		{"logger line from a user", "Nov 27 18:00:01 mx www-data: 4AB: client=unknown[192.0.2.1], sasl_method=PLAIN, sasl_username=root", conn{}, false},
		{"orig_client is not client", pfx + "4AB: orig_client=host[192.0.2.1], sasl_username=joe", conn{}, false},
		{"no sasl fields", "Oct  1 12:22:56 u86 postfix/smtpd[12395]: 81CBA28781: client=unknown[192.168.9.1]", conn{}, false},
		{"sasl_username inside another field", pfx + "4AB: client=h[192.0.2.1], sasl_method=x sasl_username=root", conn{}, false},
		{"field without a name", pfx + "4AB: client=h[192.0.2.1], junk, sasl_username=root", conn{}, false},
		{"field separator without blank", pfx + "4AB: client=h[192.0.2.1],sasl_username=root", conn{}, false},
		{"text after the address", pfx + "4AB: client=h[192.0.2.1]x, sasl_username=root", conn{}, false},
		{"empty port", pfx + "4AB: client=h[192.0.2.1]:, sasl_username=root", conn{}, false},
		{"empty user", pfx + "4AB: client=host[192.0.2.1], sasl_method=PLAIN, sasl_username=", conn{}, false},
		{"empty user then another", pfx + "4AB: client=host[192.0.2.1], sasl_username=, sasl_username=root", conn{}, false},
		{"unterminated bracket", pfx + "4AB: client=h[192.0.2.1, sasl_username=u", conn{}, false},
		{"empty host", pfx + "4AB: client=[192.0.2.1], sasl_username=u", conn{}, false},
		{"empty address", pfx + "4AB: client=h[], sasl_username=u", conn{}, false},
		{"blank in host", pfx + "4AB: client=a b[192.0.2.1], sasl_username=u", conn{}, false},
		{"comma in host", pfx + "4AB: client=a,b[192.0.2.1], sasl_username=u", conn{}, false},
		{"blank in address", pfx + "4AB: client=h[1 2], sasl_username=u", conn{}, false},
		{"no bracket", pfx + "4AB: client=host.example, sasl_username=u", conn{}, false},
		{"unclosed bracket", pfx + "4AB: client=h[192.0.2.1, sasl_username=u", conn{}, false},
		{"blank after the address's bracket", pfx + "4AB: client=h[192.0.2.1 ], sasl_username=u", conn{}, false},
		{"blank in host before a second bracket", pfx + "4AB: client=h x[1][192.0.2.1], sasl_username=u", conn{}, false},
		{"']' in host", pfx + "4AB: client=h]x[192.0.2.1], sasl_username=u", conn{"h]x", "192.0.2.1", "u"}, true},
		{"queue id with punctuation", pfx + "4A-B: client=h[192.0.2.1], sasl_username=u", conn{}, false},
		{"no queue id", pfx + ": client=h[192.0.2.1], sasl_username=u", conn{}, false},
		{"line starts with client", "client=h[192.0.2.1], sasl_username=u", conn{}, false},

		// The syslog prefix.
		{"xsmtpd is not smtpd", "Nov 27 18:00:01 mx postfix/xsmtpd[1]: " + valid, conn{}, false},
		{"smtpd as a suffix of a word", "Nov 27 18:00:01 mx postfixsmtpd[1]: " + valid, conn{}, false},
		{"tag without pid", "Nov 27 18:00:01 mx postfix/smtpd: " + valid, conn{}, false},
		{"empty pid", "Nov 27 18:00:01 mx postfix/smtpd[]: " + valid, conn{}, false},
		{"pid not digits", "Nov 27 18:00:01 mx postfix/smtpd[1a]: " + valid, conn{}, false},
		{"tag without colon", "Nov 27 18:00:01 mx postfix/smtpd[1] " + valid, conn{}, false},
		{"smtpd tag as host", "Nov 27 18:00:01 postfix/smtpd[1]: " + valid, conn{}, false},
		{"no host", "Nov 27 18:00:01  postfix/smtpd[1]: " + valid, conn{}, false},
		{"two blanks before the message", "Nov 27 18:00:01 mx postfix/smtpd[1]:  " + valid, conn{}, false},
		{"other program's tag", "Nov 27 18:00:01 mx postfix/cleanup[1]: " + valid, conn{}, false},
		{"smtp client tag", "Nov 27 18:00:01 mx postfix/smtp[1]: " + valid, conn{}, false},
		{"smtpd tag in the message of another", "Nov 27 18:00:01 mx logger: postfix/smtpd[1]: " + valid, conn{}, false},
		{"stamp then nothing", "Nov 27 18:00:01", conn{}, false},
		{"stamp then blank", "Nov 27 18:00:01 ", conn{}, false},
		{"invalid stamp (Apr 31)", "Apr 31 18:00:01 mx postfix/smtpd[1]: " + valid, conn{}, false},
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

// TestParseAfterStamp: with the stamp length that timestamp.Parser reports,
// ParseAfterStamp gives what ParseLine gives.
func TestParseAfterStamp(t *testing.T) {
	p := timestamp.NewParser(time.Date(2026, 11, 27, 18, 0, 0, 0, time.UTC), time.UTC)
	for _, line := range []string{
		"Oct  1 11:47:51 u86 postfix/smtpd[10242]: DBED828417: client=unknown[192.168.9.1], sasl_method=PLAIN, sasl_username=macaco@monos.org\r",
		"2026-11-27T16:40:01+0100 mx postfix/smtpd[811]: 1A2B3C: client=unknown[203.0.113.7], sasl_method=LOGIN, sasl_username=shop@example.com",
		"Nov 27 18:00:01 mx postfix/cleanup[2]: 4AB: message-id=<a client=h1[10.7.0.1], sasl_username=root, b@x>",
		"Nov 27 18:00:01 mx postfix/smtpd[1]: NOQUEUE: client=unknown[192.0.2.1], sasl_method=PLAIN, sasl_username=root",
	} {
		_, n, ok := p.Parse([]byte(line))
		if !ok {
			t.Fatalf("no stamp in %q", line)
		}
		want, wantOK := ParseLine([]byte(line))
		got, gotOK := ParseAfterStamp([]byte(line), n)
		if gotOK != wantOK || string(got.User) != string(want.User) || string(got.Host) != string(want.Host) || string(got.IP) != string(want.IP) {
			t.Errorf("ParseAfterStamp(%q, %d) = %+v, %v; ParseLine gives %+v, %v", line, n, got, gotOK, want, wantOK)
		}
	}
	if _, ok := ParseAfterStamp([]byte("x"), 5); ok {
		t.Error("ParseAfterStamp accepted a stamp longer than the line")
	}
}

// TestParseCorpus: every smtpd connection line of the corpus files with a
// sasl_username is counted, and nothing else is.
func TestParseCorpus(t *testing.T) {
	want := map[string][]string{
		"corpus-postfix-sasl.log":         {"macaco@monos.org", "macaco@monos.org", "baboon@zzz.com", "user@domain", "cgomeznt"},
		"corpus-postfix-other.log":        nil,
		"corpus-postfix-rfc3339.log":      nil,
		"corpus-postfix-message-only.log": nil, // no sasl_username at all
		"real-postfix-syslog.log":         {"spammer", "carol@e2e.test", "spammer"},
		"real-postfix-syslog-rfc3339.log": {"spammer", "carol@e2e.test", "spammer"},
		"real-postfix-maillog.log":        {"spammer", "carol@e2e.test", "spammer"},
		"journal-short-iso.log":           {"shop@example.com", "shop@example.com", "shop@example.com", "shop@example.com"},
	}
	for file, users := range want {
		data, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, line := range strings.Split(string(data), "\n") {
			if c, ok := ParseLine([]byte(line)); ok {
				got = append(got, string(c.User))
			}
		}
		if diff := cmp.Diff(users, got); diff != "" {
			t.Errorf("%s: users counted (-want +got):\n%s", file, diff)
		}
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

// hostileLines are long lines built to make a parser rescan: many
// " client=" words without a bracket, many "[" without a "]", many fields.
func hostileLines() map[string][]byte {
	const size = 4_700_000
	pfx := "Nov 27 18:00:01 mx postfix/smtpd[1]: 4AB: "
	rep := func(unit string) string { return strings.Repeat(unit, size/len(unit)) }
	return map[string][]byte{
		"clients":  []byte(pfx + rep(" client=h") + ", sasl_username=x"),
		"brackets": []byte(pfx + "client=" + rep("h[") + ", sasl_username=x"),
		"fields":   []byte(pfx + "client=h[192.0.2.1]" + rep(", a=b") + ", sasl_username=x"),
		"message":  []byte("Nov 27 18:00:01 mx postfix/cleanup[1]: 4AB: message-id=<" + rep(" client=h[1.2.3.4], sasl_username=root") + ">"),
	}
}

func BenchmarkParseLineHostile(b *testing.B) {
	for name, line := range hostileLines() {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(line)))
			for b.Loop() {
				ParseLine(line)
			}
		})
	}
}
