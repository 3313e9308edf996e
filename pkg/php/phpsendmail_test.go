package php

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/spam-gear/spamcheck/pkg/phpsendmail"
)

// TestPhpsendmailLines: whatever the web request put in the environment,
// ParseLegacy reads SCRIPT_FILENAME back from the message the phpsendmail
// wrapper logs, behind the syslog prefixes a mail log gives it.
func TestPhpsendmailLines(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string // "" when the line must not be counted
	}{
		{"web request", map[string]string{
			"HTTP_HOST": "www.example.com", "REQUEST_URI": "/contact.php?x=1", "REMOTE_ADDR": "192.0.2.7",
			"SCRIPT_FILENAME": "/var/www/example.com/contact.php"}, []string{"-f", "a@example.com"},
			"/var/www/example.com/contact.php"},
		{"URI forging the filename field", map[string]string{
			"HTTP_HOST": "x", "REQUEST_URI": "/?, filename=/fake.php, uid=0", "REMOTE_ADDR": "2001:db8::1",
			"SCRIPT_FILENAME": "/var/www/real.php"}, nil,
			"/var/www/real.php"},
		{"Host header forging the filename field", map[string]string{
			"HTTP_HOST": "a, client=1, filename=/fake.php, uid=1", "REQUEST_URI": "/", "REMOTE_ADDR": "192.0.2.7",
			"SCRIPT_FILENAME": "/var/www/real.php"}, nil,
			"/var/www/real.php"},
		{"blanks and ', ' in the script name", map[string]string{
			"SCRIPT_FILENAME": "/home/bob/public_html/my site/a, b.php"}, nil,
			"/home/bob/public_html/my site/a, b.php"},
		{"a script name forging the uid field", map[string]string{
			"SCRIPT_FILENAME": "/x.php, uid=0, user=root, args=-t, filename=/y.php"}, nil,
			"/x.php, uid=0, user=root, args=-t, filename=/y.php"},
		{"percent signs in the script name", map[string]string{
			"SCRIPT_FILENAME": "/home/bob/100%/a%2C%25.php"}, nil,
			"/home/bob/100%/a%2C%25.php"},
		{"cron: no environment", map[string]string{}, []string{"-t"}, ""},
	}
	prefixes := []string{
		"Nov 27 18:00:01 web1 www-data: ",
		"Nov 27 18:00:01 web1 www-data[4242]: ",
		"2026-11-27T18:00:01.123456+01:00 web1 www-data: ",
	}
	for _, tc := range tests {
		msg := phpsendmail.Message(func(k string) string { return tc.env[k] }, 33, "www-data", tc.args)
		for _, prefix := range prefixes {
			line := []byte(prefix + msg)
			key, ok := ParseLegacy(line)
			key = DecodeFilename(nil, key)
			if ok != (tc.want != "") || string(key) != tc.want {
				t.Errorf("%s: ParseLegacy(%q) = %q, %v; want %q", tc.name, line, key, ok, tc.want)
			}
		}
	}
}

// FuzzFilenameRoundTrip: whatever SCRIPT_FILENAME and the other request
// values hold, php-legacy-spam-check reads back exactly the script name
// phpsendmail logged (after phpsendmail's own cleaning and 1 KiB cap), so
// no value can make it blame another script.
func FuzzFilenameRoundTrip(f *testing.F) {
	f.Add("/x.php, uid=0, user=root, args=", "h, filename=/y.php, uid=1", "/u")
	f.Add("/a%2C%25%.php", "", "")
	f.Add("/home/bob/my site/a, b.php", "www.example.com", "/?a=1, filename=/z.php")
	f.Fuzz(func(t *testing.T, file, host, uri string) {
		if file == "" || strings.ContainsFunc(file, func(r rune) bool {
			return r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == utf8.RuneError || r == '\u2028' || r == '\u2029'
		}) || len(file) > 300 {
			return // cleaned or cut by phpsendmail: other tests cover that
		}
		env := map[string]string{"SCRIPT_FILENAME": file, "HTTP_HOST": host, "REQUEST_URI": uri}
		msg := phpsendmail.Message(func(k string) string { return env[k] }, 33, "www-data", []string{"-f", file})
		line := []byte("Nov 27 18:00:01 web1 www-data[1]: " + msg)
		key, ok := ParseLegacy(line)
		if !ok {
			t.Fatalf("ParseLegacy(%q) not counted", line)
		}
		if got := string(DecodeFilename(nil, key)); got != file {
			t.Fatalf("SCRIPT_FILENAME %q logged as %q, read back as %q", file, line, got)
		}
	})
}
