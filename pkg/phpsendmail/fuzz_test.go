package phpsendmail

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzMessage checks the one-line property on arbitrary input: the text
// and the whole record never contain LF, CR or NUL, are valid UTF-8, and
// stay within MaxMessage and MaxRecord; and the filename= field cannot be
// forged from url= or client=. Seeds are in testdata/fuzz.
func FuzzMessage(f *testing.F) {
	f.Add("www.example.com", "/a?b=1", "192.0.2.1", "/var/www/x.php", "www-data", "-t -i", 33)
	f.Fuzz(func(t *testing.T, host, uri, client, filename, user, args string, uid int) {
		env := mapEnv(map[string]string{"HTTP_HOST": host, "REQUEST_URI": uri, "REMOTE_ADDR": client, "SCRIPT_FILENAME": filename})
		msg := Message(env, uid, user, strings.Split(args, " "))
		if i := strings.IndexAny(msg, "\n\r\x00"); i >= 0 {
			t.Fatalf("Message has %q at %d: %q", msg[i], i, msg)
		}
		if !utf8.ValidString(msg) {
			t.Fatalf("Message is not valid UTF-8: %q", msg)
		}
		if len(msg) > MaxMessage {
			t.Fatalf("len(Message) = %d > MaxMessage %d", len(msg), MaxMessage)
		}
		if !strings.HasPrefix(msg, "sendmail-php url=") {
			t.Fatalf("Message = %q, want the sendmail-php url= prefix", msg)
		}
		// url= and client= hold no ", ", so the first ", filename=" is
		// the real field, as php-legacy-spam-check assumes.
		if head, _, _ := strings.Cut(msg, ", filename="); strings.Count(head, ", ") != 1 {
			t.Fatalf("url= or client= holds a field separator: %q", msg)
		}
		// The largest pid Linux allows (pid_max <= 2^22) has 7 digits.
		rec := Record(time.Date(2026, 12, 31, 23, 59, 59, 0, time.Local), Tag(user), 4194304, msg)
		if len(rec) > MaxRecord {
			t.Fatalf("len(Record) = %d > MaxRecord %d", len(rec), MaxRecord)
		}
		if i := strings.IndexAny(string(rec), "\n\r\x00"); i >= 0 {
			t.Fatalf("Record has %q at %d: %q", rec[i], i, rec)
		}
	})
}
