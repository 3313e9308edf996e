package php

import (
	"bufio"
	"os"
	"path/filepath"
	"testing"
	"time"
	_ "time/tzdata" // PHP zone names must load where the host has no zoneinfo

	"github.com/google/go-cmp/cmp"
)

type parseCase struct {
	name string
	line string
	key  string
	ok   bool
}

// mailLogCases are lines of PHP's mail.log in every shape PHP writes them
// (FORMATS §4.1) and the traps of FORMATS §4.2.
var mailLogCases = []parseCase{
	// Real lines from testdata/corpus (see its SOURCES.md).
	{"undated PHP 5.3, empty headers with trailing space",
		"mail() on [/home/gssreo/public_html/app/routes.php:35]: To: shahrooz.devronix@gmail.com -- Headers: ",
		"/home/gssreo/public_html/app/routes.php", true},
	{"undated, headers without trailing space",
		"mail() on [/home/tracksom/public_html/oursitterlistnashville.com/family_membership.php:47]: To: sethcriedel@gmail.com -- Headers:",
		"/home/tracksom/public_html/oursitterlistnashville.com/family_membership.php", true},
	{"undated, empty To",
		"mail() on [/home/tracksom/public_html/oursitterlistnashville.com/tools/PHPMailer-master/class.phpmailer.php:664]: To:  -- Headers: Date: Sun, 21 Feb 2016 19:30:25 -0900 To: undisclosed-recipients:; From: Our Sitter List - Nashville <karlyandwhitney@oursitterlistnashville.com>",
		"/home/tracksom/public_html/oursitterlistnashville.com/tools/PHPMailer-master/class.phpmailer.php", true},
	{"undated, quoted display name with comma",
		`mail() on [/home/mycoinor/public_html/inc/classes/PHPMailer/class.phpmailer.php:769]: To: "Board,Dre" <dre.board+2@gmail.com> -- Headers: Date: Sun, 11 May 2014 00:56:18 +0000`,
		"/home/mycoinor/public_html/inc/classes/PHPMailer/class.phpmailer.php", true},
	{"dated Europe/Moscow",
		"[09-Jul-2019 06:24:28 Europe/Moscow] mail() on [/var/www/u0473342/data/www/hostingmmit.ru/up.php:2]: To: email@domain.ru -- Headers: ",
		"/var/www/u0473342/data/www/hostingmmit.ru/up.php", true},
	{"dated Africa/Lagos",
		"[17-Dec-2016 07:06:26 Africa/Lagos] mail() on [/home/gcpm1108/public_html/iiardpub.org/contact.php:20]: To: lo.obasuyi@uniben.edu -- Headers: From:editor@iiardpub.org",
		"/home/gcpm1108/public_html/iiardpub.org/contact.php", true},
	{"dated CST6CDT, three spaces between headers",
		"[20-Feb-2018 01:49:06 CST6CDT] mail() on [/home/hackersc/public_html/twenty23/form-to-email.php:34]: To: vils.in.town@gmail.com -- Headers: From: admin@twenty23.com   Reply-To: lauravillegas.villegas@gmail.com",
		"/home/hackersc/public_html/twenty23/form-to-email.php", true},
	{"dated UTC, display name with spaces",
		"[15-Jan-2017 02:55:42 UTC] mail() on [/home/werbear4/public_html/vendor/magento/zendframework1/library/Zend/Mail/Transport/Sendmail.php:106]: To: admin admin <admin234@werbeartikel-werbegeschenke-online.de> -- Headers: From: Owner <owner@example.com>",
		"/home/werbear4/public_html/vendor/magento/zendframework1/library/Zend/Mail/Transport/Sendmail.php", true},
	{"dated Australia/Melbourne, .inc file",
		`[01-Apr-2015 08:49:33 Australia/Melbourne] mail() on [/home/pjra9633/public_stage/modules/system/system.mail.inc:83]: To: maria.tsoulakas@keepers.com.au -- Headers: MIME-Version: 1.0 From: "Peter J Ramsay & Associates" <chin.lim@keepe`,
		"/home/pjra9633/public_stage/modules/system/system.mail.inc", true},
	{"subject, empty headers (two spaces)",
		"[25-May-2018 01:07:31 CST6CDT] mail() on [/home/texting8/public_html/mail_example.php:10]: To: na1464@gmail.com -- Headers:  -- Subject: email testing",
		"/home/texting8/public_html/mail_example.php", true},
	{"subject, literal $from in headers",
		"[25-May-2018 02:08:19 CST6CDT] mail() on [/home/texting8/public_html/get_single_email.php:25]: To: sampan1983@gmail.com -- Headers: From: $from  Reply-To: $add_reply  X-Mailer: PHP/7.1.17 -- Subject: texting84.com Notification",
		"/home/texting8/public_html/get_single_email.php", true},
	{"mixed file, dated line after undated ones",
		"[06-Sep-2016 07:16:35 CST6CDT] mail() on [/home/tracksom/public_html/oursitterlistnashville.com/family_membership.php:92]: To: sethcriedel@gmail.com -- Headers: From: oursitterlist@gmail.com",
		"/home/tracksom/public_html/oursitterlistnashville.com/family_membership.php", true},
	{"header folding TAB kept in headers",
		"mail() on [/home/u/public_html/a.php:9]: To: x@example.org -- Headers: Content-Type: multipart/alternative; \tboundary=\"b1\"",
		"/home/u/public_html/a.php", true},

	// Code compiled from a string (Zend's "%s(%d) : %s").
	{"eval'd code",
		"[27-Nov-2026 18:00:00 UTC] mail() on [/var/www/site/index.php(12) : eval()'d code:3]: To: a@example.org -- Headers: ",
		"/var/www/site/index.php", true},
	{"runtime-created function",
		"mail() on [/var/www/site/lib.php(40) : runtime-created function:1]: To: a@example.org -- Headers: ",
		"/var/www/site/lib.php", true},
	{"regexp code",
		"mail() on [/var/www/site/old.php(7) : regexp code:1]: To: a@example.org -- Headers: ",
		"/var/www/site/old.php", true},
	{"assert code",
		"mail() on [/var/www/site/x.php(2) : assert code:1]: To: a@example.org -- Headers: ",
		"/var/www/site/x.php", true},
	{"nested eval names the outer file",
		"mail() on [/var/www/site/index.php(12) : eval()'d code(3) : eval()'d code:1]: To: a@example.org -- Headers: ",
		"/var/www/site/index.php", true},
	{"eval inside a runtime-created function",
		"mail() on [/var/www/site/x.php(5) : runtime-created function(1) : eval()'d code(2) : assert code:1]: To: a@example.org -- Headers: ",
		"/var/www/site/x.php", true},
	{"eval in php -r",
		"mail() on [Command line code(1) : eval()'d code:1]: To: a@example.org -- Headers: ",
		"Command line code", true},
	{"php -r itself",
		"mail() on [Command line code:1]: To: a@example.org -- Headers: ",
		"Command line code", true},
	{"eval of a file whose name has a space and a colon",
		"mail() on [/home/u/public_html/my site/a:b.php(4) : eval()'d code:2]: To: a@example.org -- Headers: ",
		"/home/u/public_html/my site/a:b.php", true},
	{"non-numeric line in parentheses is not an eval suffix",
		"mail() on [/var/www/x.php(ab) : eval()'d code:1]: To: a@example.org -- Headers: ",
		"/var/www/x.php(ab) : eval()'d code", true},
	{"unknown description is kept",
		"mail() on [/var/www/x.php(3) : something else:1]: To: a@example.org -- Headers: ",
		"/var/www/x.php(3) : something else", true},
	{"eval suffix with nothing before it is kept",
		"mail() on [(12) : eval()'d code:1]: To: a@example.org -- Headers: ",
		"(12) : eval()'d code", true},
	{"eval description without the parenthesised line is kept",
		"mail() on [/var/www/x.php : eval()'d code:1]: To: a@example.org -- Headers: ",
		"/var/www/x.php : eval()'d code", true},

	// File names.
	{"space in the path",
		"mail() on [/home/u/public_html/my site/contact form.php:4]: To: a@example.org -- Headers: ",
		"/home/u/public_html/my site/contact form.php", true},
	{"colon in the path",
		"mail() on [/home/u/public_html/a:b/c.php:4]: To: a@example.org -- Headers: ",
		"/home/u/public_html/a:b/c.php", true},
	{"Windows drive letter",
		`mail() on [C:\inetpub\wwwroot\mail.php:12]: To: a@example.org -- Headers: `,
		`C:\inetpub\wwwroot\mail.php`, true},
	{"parentheses in the path",
		"mail() on [/home/u/public_html/copy (2)/mail(1).php:9]: To: a@example.org -- Headers: ",
		"/home/u/public_html/copy (2)/mail(1).php", true},
	{"apostrophe in the path",
		"mail() on [/home/u/public_html/o'brien/mail.php:3]: To: a@example.org -- Headers: ",
		"/home/u/public_html/o'brien/mail.php", true},
	{"phar path",
		"[27-Nov-2026 18:00:00 Europe/Madrid] mail() on [phar:///var/www/app.phar/src/Mailer.php:88]: To: a@example.org -- Headers: ",
		"phar:///var/www/app.phar/src/Mailer.php", true},
	{"bracket in the path",
		"mail() on [/home/u/public_html/[old]/mail.php:3]: To: a@example.org -- Headers: ",
		"/home/u/public_html/[old]/mail.php", true},

	// Free text after the bracket is the sender's: only the first bracket counts.
	{"Headers marker inside To",
		`mail() on [/var/www/real.php:5]: To: "x -- Headers: y" <a@example.org> -- Headers: From: b@example.org`,
		"/var/www/real.php", true},
	{"a second mail() bracket inside To",
		"mail() on [/var/www/real.php:5]: To: mail() on [/var/www/evil.php:1]: To: x -- Headers: ",
		"/var/www/real.php", true},
	{"]: To: inside the headers",
		"mail() on [/var/www/real.php:5]: To: a@example.org -- Headers: X-A: [b:1]: To: c -- Subject: ]: To:",
		"/var/www/real.php", true},
	{"first bracket without :LINE is not rescued by a later one",
		"mail() on [/var/www/x.php]: To: mail() on [/var/www/y.php:1]: To: z -- Headers: ",
		"", false},

	// Through syslog (mail.log = syslog).
	{"syslog traditional, no PHP date (PHP >= 7.1.2)",
		"Nov 27 18:00:01 web1 php: mail() on [/var/www/a.php:3]: To: a@example.org -- Headers: From: b@example.org -- Subject: hi",
		"/var/www/a.php", true},
	{"syslog with PHP's date too (PHP < 7.1.2)",
		"Nov 27 18:00:01 web1 php-fpm: [27-Nov-2026 18:00:01 Europe/Madrid] mail() on [/var/www/a.php:3]: To: a@example.org -- Headers: ",
		"/var/www/a.php", true},
	{"syslog RFC 3339 with pid",
		"2026-11-27T18:00:01.123456+01:00 web1 php[4242]: mail() on [/var/www/a.php:3]: To: a@example.org -- Headers: ",
		"/var/www/a.php", true},
	{"journalctl short-iso",
		"2026-11-27T18:00:01+0100 web1 php-fpm8.2[4242]: mail() on [/var/www/b.php:30]: To: a@example.org -- Headers: ",
		"/var/www/b.php", true},

	// Not counted.
	{"bracket without :LINE", "mail() on [/var/www/x.php]: To: a@example.org -- Headers: ", "", false},
	{"empty LINE", "mail() on [/var/www/x.php:]: To: a@example.org -- Headers: ", "", false},
	{"LINE not all digits", "mail() on [/var/www/x.php:12a]: To: a@example.org -- Headers: ", "", false},
	{"colon only in the directory", "mail() on [/var/a:b/x.php]: To: a@example.org -- Headers: ", "", false},
	{"empty FILE", "mail() on [:3]: To: a@example.org -- Headers: ", "", false},
	{"no ]: To: after the bracket", "mail() on [/var/www/x.php:3] To: a@example.org", "", false},
	{"truncated inside the bracket", "[27-Nov-2026 18:00:00 UTC] mail() on [/var/www/x.ph", "", false},
	{"newline inside FILE (a record joined from two lines)", "mail() on [/var/www/x\n.php:3]: To: a@example.org", "/var/www/x\n.php", true},
	{"other PHP log line", "[27-Nov-2026 18:00:00 UTC] PHP Warning:  mail(): Failed to connect to mailserver at \"localhost\" port 25 in /var/www/x.php on line 3", "", false},
	{"postfix line", "Nov 27 18:00:01 mx postfix/smtpd[1]: 4AB: client=h[192.0.2.1], sasl_method=PLAIN, sasl_username=u", "", false},
	{"empty line", "", "", false},

	// Ends of lines.
	{"To: at the very end", "mail() on [/var/www/x.php:3]: To:", "/var/www/x.php", true},
}

func TestParseMailLog(t *testing.T) {
	for _, tc := range mailLogCases {
		t.Run(tc.name, func(t *testing.T) {
			key, ok := ParseMailLog([]byte(tc.line))
			if ok != tc.ok {
				t.Fatalf("ParseMailLog(%q) ok = %v, want %v (key %q)", tc.line, ok, tc.ok, key)
			}
			if diff := cmp.Diff(tc.key, string(key)); diff != "" {
				t.Errorf("ParseMailLog(%q) key mismatch (-want +got):\n%s", tc.line, diff)
			}
		})
	}
}

func TestStripEval(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/x.php", "/x.php"},
		{"/x.php(12) : eval()'d code", "/x.php"},
		{"/x.php(12) : eval()'d code(3) : eval()'d code", "/x.php"},
		{"/x.php(1) : regexp code(2) : assert code(3) : runtime-created function", "/x.php"},
		{"/x.php(12) : eval()'d code(3)", "/x.php(12) : eval()'d code(3)"},
		{"/x.php() : eval()'d code", "/x.php() : eval()'d code"},
		{"/x.php(1 ) : eval()'d code", "/x.php(1 ) : eval()'d code"},
		{"(1) : eval()'d code", "(1) : eval()'d code"},
		{"a(1) : eval()'d code", "a"},
		{"/x.php(12): eval()'d code", "/x.php(12): eval()'d code"},
		{"eval()'d code", "eval()'d code"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := string(StripEval([]byte(tc.in))); got != tc.want {
			t.Errorf("StripEval(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestCorpusMailLog parses every line of the real mail.log samples: each
// one is a mail, and the per-script counts are those read off the files by
// hand (grep -o the bracket, drop ":LINE", sort | uniq -c).
func TestCorpusMailLog(t *testing.T) {
	want := map[string]map[string]int{
		"php-maillog-undated.log": {
			"/home/crm65/public_html/phplist3/admin/phpmailer/class.phpmailer.php":                             2,
			"/home/greencub/public_html/Projects/EZI/client-invitations-are-on-their-way.php":                  3,
			"/home/gssreo/public_html/app/routes.php":                                                          1,
			"/home/mycoinor/public_html/inc/classes/PHPMailer/class.phpmailer.php":                             1,
			"/home/tracksom/public_html/oursitterlistnashville.com/family_membership.php":                      2,
			"/home/tracksom/public_html/oursitterlistnashville.com/sitter_dashboard.php":                       4,
			"/home/tracksom/public_html/oursitterlistnashville.com/tools/PHPMailer-master/class.phpmailer.php": 8,
			"/home2/gssreo/public_html/laravelbase.php":                                                        2,
		},
		"php-maillog-dated.log": {
			"/home/gcpm1108/public_html/iiardpub.org/contact.php":                                               4,
			"/home/gcpm1108/public_html/iiardpub.org/inc/class.phpmailer.php":                                   2,
			"/home/gcpm1108/public_html/iiardpub.org/submit.php":                                                2,
			"/home/hackersc/public_html/twenty23/form-to-email.php":                                             3,
			"/home/pjra9633/public_stage/modules/system/system.mail.inc":                                        1,
			"/home/werbear4/public_html/vendor/magento/zendframework1/library/Zend/Mail/Transport/Sendmail.php": 4,
			"/var/www/u0473342/data/www/hostingmmit.ru/up.php":                                                  1,
		},
		"php-maillog-subject.log": {
			"/home/texting8/public_html/get_single_email.php": 7,
			"/home/texting8/public_html/mail_example.php":     7,
		},
		"php-maillog-mixed.log": {
			"/home/tracksom/public_html/oursitterlistnashville.com/apply_job.php":         2,
			"/home/tracksom/public_html/oursitterlistnashville.com/family_membership.php": 8,
		},
	}
	for name, counts := range want {
		t.Run(name, func(t *testing.T) {
			got := map[string]int{}
			for _, line := range readLines(t, filepath.Join("testdata", "corpus", name)) {
				key, ok := ParseMailLog(line)
				if !ok {
					t.Errorf("ParseMailLog(%q) not counted", line)
					continue
				}
				got[string(key)]++
			}
			if diff := cmp.Diff(counts, got); diff != "" {
				t.Errorf("counts of %s mismatch (-want +got):\n%s", name, diff)
			}
		})
	}
}

// TestCorpusTimes checks that the PHP prefixes of the real samples are read
// in the zone they name (the instants worked out by hand from each zone's
// offset on that date), so -p windows them correctly.
func TestCorpusTimes(t *testing.T) {
	tests := []struct{ line, want string }{
		{"[09-Jul-2019 06:24:28 Europe/Moscow] mail() on", "2019-07-09T03:24:28Z"},       // MSK +3
		{"[17-Dec-2016 07:06:26 Africa/Lagos] mail() on", "2016-12-17T06:06:26Z"},        // WAT +1
		{"[17-Dec-2016 14:48:20 Europe/London] mail() on", "2016-12-17T14:48:20Z"},       // GMT
		{"[20-Feb-2018 01:49:06 CST6CDT] mail() on", "2018-02-20T07:49:06Z"},             // CST -6
		{"[06-Sep-2016 07:16:35 CST6CDT] mail() on", "2016-09-06T12:16:35Z"},             // CDT -5
		{"[01-Apr-2015 08:49:33 Australia/Melbourne] mail() on", "2015-03-31T21:49:33Z"}, // AEDT +11 until 5 Apr 2015
		{"[15-Jan-2017 02:55:42 UTC] mail() on", "2017-01-15T02:55:42Z"},                 // UTC
		{"[25-May-2018 13:21:01 CST6CDT] mail() on", "2018-05-25T18:21:01Z"},             // CDT -5
		{"Nov 27 18:00:01 web1 php: mail() on", "2026-11-27T18:00:01Z"},                  // syslog, TZ=UTC
		{"2026-11-27T18:00:01.5+01:00 web1 php[1]: mail() on", "2026-11-27T17:00:01.5Z"}, // RFC 3339
		{"mail() on [/x.php:1]: To: a", ""},                                              // undated
		{"[27-Nov-2026 18:00:01 No/Such_Zone] mail() on [/x.php:1]: To: a", ""},          // unknown zone
	}
	now := time.Date(2026, 11, 27, 18, 30, 0, 0, time.UTC)
	tf := timeOf(now, time.UTC)
	for _, tc := range tests {
		got := ""
		if ts, ok := tf([]byte(tc.line)); ok {
			got = ts.UTC().Format(time.RFC3339Nano)
		}
		if got != tc.want {
			t.Errorf("time of %q = %q, want %q", tc.line, got, tc.want)
		}
	}
}

// legacyCases are lines the phpsendmail wrapper logs (FORMATS §4.3); no
// real one is public, so they are built from the wrapper's format string
// and the syslog prefixes of FORMATS §1.
var legacyCases = []parseCase{
	{"traditional syslog, logger without pid",
		"Nov 27 18:00:01 web1 www-data: sendmail-php url=www.example.com/contact.php, client=192.0.2.7, filename=/var/www/example.com/contact.php, uid=33, user=www-data, args=-t -i",
		"/var/www/example.com/contact.php", true},
	{"journalctl adds a pid",
		"Nov 27 18:00:01 web1 www-data[4242]: sendmail-php url=www.example.com/contact.php, client=192.0.2.7, filename=/var/www/example.com/contact.php, uid=33, user=www-data, args=",
		"/var/www/example.com/contact.php", true},
	{"RFC 3339 prefix shifts the whitespace fields",
		"2026-11-27T18:00:01.123456+01:00 web1 www-data: sendmail-php url=www.example.com/contact.php, client=192.0.2.7, filename=/var/www/example.com/contact.php, uid=33, user=www-data, args=",
		"/var/www/example.com/contact.php", true},
	{"IPv6 client",
		"Nov 27 18:00:01 web1 apache: sendmail-php url=[2001:db8::1]/f.php, client=2001:db8::25, filename=/srv/http/f.php, uid=48, user=apache, args=",
		"/srv/http/f.php", true},
	{"', ' and '=' in the url",
		"Nov 27 18:00:01 web1 www-data: sendmail-php url=shop.example/?a=1, b=2&c=d, client=192.0.2.7, filename=/var/www/shop/index.php, uid=33, user=www-data, args=",
		"/var/www/shop/index.php", true},
	{"spaces in the filename",
		"Nov 27 18:00:01 web1 bob: sendmail-php url=bob.example/my form.php, client=192.0.2.7, filename=/home/bob/public_html/my site/send mail.php, uid=1001, user=bob, args=",
		"/home/bob/public_html/my site/send mail.php", true},
	{"', ' in the filename",
		"Nov 27 18:00:01 web1 bob: sendmail-php url=bob.example/, client=192.0.2.7, filename=/home/bob/public_html/a, b.php, uid=1001, user=bob, args=",
		"/home/bob/public_html/a, b.php", true},
	{"cron or CLI: empty url and client",
		"Nov 27 18:00:01 web1 bob: sendmail-php url=, client=, filename=/home/bob/cron/newsletter.php, uid=1001, user=bob, args=-f bob@example.org",
		"/home/bob/cron/newsletter.php", true},
	{"args containing ', uid=' does not matter",
		"Nov 27 18:00:01 web1 bob: sendmail-php url=x/, client=192.0.2.7, filename=/home/bob/a.php, uid=1001, user=bob, args=-f a, uid=0@example.org",
		"/home/bob/a.php", true},
	{"url holding ', filename=' is read first (SPEC §8: the first after url=)",
		"Nov 27 18:00:01 web1 www-data: sendmail-php url=x/?q=, filename=/fake.php, uid=0, client=192.0.2.7, filename=/var/www/real.php, uid=33, user=www-data, args=",
		"/fake.php", true},
	{"blanks in url escaped as the Go phpsendmail writes them",
		"Nov 27 18:00:01 web1 www-data[4242]: sendmail-php url=x/?q=,%20filename=/fake.php,%20uid=0, client=192.0.2.7, filename=/var/www/real.php, uid=33, user=www-data, args=",
		"/var/www/real.php", true},
	{"message only, no syslog prefix",
		"sendmail-php url=x/, client=192.0.2.7, filename=/var/www/a.php, uid=33, user=www-data, args=",
		"/var/www/a.php", true},

	{"every value empty", "Nov 27 18:00:01 web1 root: sendmail-php url=, client=, filename=, uid=0, user=root, args=", "", false},
	{"no filename field", "Nov 27 18:00:01 web1 www-data: sendmail-php url=x/, client=192.0.2.7, uid=33, user=www-data, args=", "", false},
	{"filename without ', ' before it", "Nov 27 18:00:01 web1 www-data: sendmail-php url=x/ filename=/a.php, uid=33", "", false},
	{"no uid after filename", "Nov 27 18:00:01 web1 www-data: sendmail-php url=x/, client=192.0.2.7, filename=/var/www/a.php", "", false},
	{"logger truncated the line", "Nov 27 18:00:01 web1 www-data: sendmail-php url=x/, client=192.0.2.7, filename=/var/www/a.ph", "", false},
	{"fields before the marker do not count", "Nov 27 18:00:01 web1 x: , filename=/a.php, uid=1 sendmail-php url=x/, client=", "", false},
	{"newline in filename", "sendmail-php url=x/, client=, filename=/a\n.php, uid=1, user=u, args=", "", false},
	{"PHP mail.log line", "mail() on [/var/www/a.php:3]: To: a@example.org -- Headers: ", "", false},
	{"empty line", "", "", false},
}

func TestParseLegacy(t *testing.T) {
	for _, tc := range legacyCases {
		t.Run(tc.name, func(t *testing.T) {
			key, ok := ParseLegacy([]byte(tc.line))
			if ok != tc.ok {
				t.Fatalf("ParseLegacy(%q) ok = %v, want %v (key %q)", tc.line, ok, tc.ok, key)
			}
			if diff := cmp.Diff(tc.key, string(key)); diff != "" {
				t.Errorf("ParseLegacy(%q) key mismatch (-want +got):\n%s", tc.line, diff)
			}
		})
	}
}

// TestLegacyUID: the uid phpsendmail logged, checked against the
// journal's _UID, is the one after the filename ParseLegacy returns.
func TestLegacyUID(t *testing.T) {
	for _, tc := range legacyUIDCases {
		uid, ok := LegacyUID([]byte(tc.line))
		if ok != tc.ok || string(uid) != tc.uid {
			t.Errorf("%s: LegacyUID(%q) = %q, %v; want %q, %v", tc.name, tc.line, uid, ok, tc.uid, tc.ok)
		}
	}
}

// legacyUIDCases are TestLegacyUID's table, also FuzzParseLegacy seeds.
var legacyUIDCases = []struct {
	name, line, uid string
	ok              bool
}{
	{"phpsendmail's line", "Nov 27 18:00:01 web1 www-data[7]: sendmail-php url=x/, client=192.0.2.7, filename=/var/www/a.php, uid=33, user=www-data, args=-t", "33", true},
	{"last field", "sendmail-php url=x/, client=, filename=/a.php, uid=1000", "1000", true},
	{"empty", "sendmail-php url=x/, client=, filename=/a.php, uid=, user=u, args=", "", true},
	// The old wrapper wrote the filename raw: the uid is the one
	// after the first ", uid=", as ParseLegacy splits the line.
	{"uid= inside an unescaped filename", "sendmail-php url=, client=, filename=/a, uid=0, user=root.php, uid=33, user=www-data, args=", "0", true},
	{"uid= in url is not the field", "sendmail-php url=x/?, uid=0, client=, filename=/a.php, uid=33, user=u", "33", true},
	{"no filename", "sendmail-php url=x/, client=, uid=33, user=u", "", false},
	{"not a phpsendmail line", "Nov 27 18:00:01 web1 x: uid=33, user=u", "", false},
}

// TestParseAllocs: counting a line costs no allocation in the parsers.
func TestParseAllocs(t *testing.T) {
	mail := []byte(mailLogCases[0].line)
	legacy := []byte(legacyCases[0].line)
	evald := []byte("mail() on [/var/www/site/index.php(12) : eval()'d code(3) : eval()'d code:1]: To: a -- Headers: ")
	if n := testing.AllocsPerRun(100, func() {
		ParseMailLog(mail)
		ParseMailLog(evald)
		ParseLegacy(legacy)
	}); n != 0 {
		t.Errorf("parsing allocates %v times per run, want 0", n)
	}
}

// readLines returns the lines of a test file, without their newlines.
func readLines(t testing.TB, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, append([]byte(nil), sc.Bytes()...))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

func TestDecodeFilename(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/var/www/a.php", "/var/www/a.php"},
		{"/a%2C b.php", "/a, b.php"},
		{"/100%25/x.php", "/100%/x.php"},
		{"%252C", "%2C"},
		{"/a%2c.php", "/a%2c.php"}, // only the spelling phpsendmail writes
		{"/a%20b%41.php", "/a%20b%41.php"},
		{"/a%", "/a%"},
		{"/a%2", "/a%2"},
		{"%%2C", "%,"},
		{"", ""},
	} {
		if got := string(DecodeFilename([]byte("x:"), []byte(tc.in))); got != "x:"+tc.want {
			t.Errorf("DecodeFilename(%q) = %q, want %q", tc.in, got, "x:"+tc.want)
		}
	}
}
