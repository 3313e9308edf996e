package php

import (
	"testing"

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
			if ok != (tc.want != "") || string(key) != tc.want {
				t.Errorf("%s: ParseLegacy(%q) = %q, %v; want %q", tc.name, line, key, ok, tc.want)
			}
		}
	}
}
