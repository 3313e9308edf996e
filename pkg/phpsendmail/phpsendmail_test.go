package phpsendmail

import (
	"bytes"
	"errors"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// TestMessage pins the exact log text, including what happens to hostile
// values. The expected strings are written out by hand.
func TestMessage(t *testing.T) {
	kib := strings.Repeat("k", 1024)
	for _, tc := range []struct {
		name string
		env  map[string]string
		uid  int
		user string
		args []string
		want string
	}{
		{
			name: "empty environment, no arguments",
			uid:  33, user: "www-data",
			want: "sendmail-php url=, client=, filename=, uid=33, user=www-data, args=",
		},
		{
			name: "typical web request",
			env: map[string]string{
				"HTTP_HOST":       "www.example.com",
				"REQUEST_URI":     "/contact.php?a=1,b=2&c=d",
				"REMOTE_ADDR":     "2001:db8::1",
				"SCRIPT_FILENAME": "/var/www/site one/contact, v2.php",
			},
			uid: 1001, user: "site1",
			args: []string{"-t", "-i"},
			want: "sendmail-php url=www.example.com/contact.php?a=1,b=2&c=d, client=2001:db8::1, filename=/var/www/site one/contact%2C v2.php, uid=1001, user=site1, args=-t -i",
		},
		{
			name: "a filename cannot end its field early",
			env:  map[string]string{"SCRIPT_FILENAME": "/x.php, uid=0, user=root, args=%2C%"},
			uid:  33, user: "www-data",
			want: "sendmail-php url=, client=, filename=/x.php%2C uid=0%2C user=root%2C args=%252C%25, uid=33, user=www-data, args=",
		},
		{
			name: "the 1 KiB cut does not split an escape",
			env:  map[string]string{"SCRIPT_FILENAME": strings.Repeat("f", 1022) + ",x"},
			uid:  8, user: "u",
			want: "sendmail-php url=, client=, filename=" + strings.Repeat("f", 1022) + ", uid=8, user=u, args=",
		},
		{
			name: "arguments with spaces are joined by one space",
			uid:  0, user: "root",
			args: []string{"-f", "bounce@example.com", "two words", ""},
			want: "sendmail-php url=, client=, filename=, uid=0, user=root, args=-f bounce@example.com two words ",
		},
		{
			name: "CR, LF, TAB and NUL become ?",
			env: map[string]string{
				"HTTP_HOST":       "evil\r\nJan  1 00:00:00 host root: forged",
				"REQUEST_URI":     "/a\tb",
				"REMOTE_ADDR":     "1.2.3.4\x00",
				"SCRIPT_FILENAME": "/x\n.php",
			},
			uid: 1, user: "u\nv",
			args: []string{"-f\r\n", "a\x00b"},
			want: "sendmail-php url=evil??Jan%20%201%2000:00:00%20host%20root:%20forged/a?b, client=1.2.3.4?, filename=/x?.php, uid=1, user=u?v, args=-f?? a?b",
		},
		{
			name: "a blank in url or client cannot forge the filename field",
			env: map[string]string{
				"HTTP_HOST":       "x, filename=/var/www/innocent.php, uid=33",
				"REQUEST_URI":     "/a b",
				"REMOTE_ADDR":     "1.2.3.4, filename=/x.php",
				"SCRIPT_FILENAME": "/var/www/spam mailer.php",
			},
			uid: 7, user: "u",
			args: []string{"a b"},
			want: "sendmail-php url=x,%20filename=/var/www/innocent.php,%20uid=33/a%20b, client=1.2.3.4,%20filename=/x.php, filename=/var/www/spam mailer.php, uid=7, user=u, args=a b",
		},
		{
			name: "ESC, DEL, C1 and line separators become ?",
			env: map[string]string{
				"REQUEST_URI":     "/\x1b[31mred\x7f",
				"SCRIPT_FILENAME": "/a\u0085b\u2028c\u2029d\u009be",
			},
			uid: 2, user: "u",
			want: "sendmail-php url=/?[31mred?, client=, filename=/a?b?c?d?e, uid=2, user=u, args=",
		},
		{
			name: "invalid UTF-8 bytes become ?, valid non-ASCII is kept",
			env: map[string]string{
				"SCRIPT_FILENAME": "/home/caf\xe9/\x9b2J/\xc3\xa9t\xc3\xa9.php",
				"REQUEST_URI":     "/\xff\xfe\xef\xbf\xbd",
			},
			uid: 3, user: "jos\xc3\xa9",
			want: "sendmail-php url=/??\ufffd, client=, filename=/home/caf?/?2J/été.php, uid=3, user=josé, args=",
		},
		{
			name: "a 100 KiB value is cut to 1 KiB",
			env:  map[string]string{"REMOTE_ADDR": strings.Repeat("k", 100<<10)},
			uid:  4, user: "u",
			want: "sendmail-php url=, client=" + kib + ", filename=, uid=4, user=u, args=",
		},
		{
			name: "the cut does not split a UTF-8 sequence",
			env:  map[string]string{"REMOTE_ADDR": strings.Repeat("k", 1023) + "é"},
			uid:  5, user: "u",
			want: "sendmail-php url=, client=" + kib[:1023] + ", filename=, uid=5, user=u, args=",
		},
		{
			name: "a long URL is shortened so the filename stays whole",
			env: map[string]string{
				"HTTP_HOST":       strings.Repeat("h", 100<<10),
				"REQUEST_URI":     strings.Repeat("r", 100<<10),
				"REMOTE_ADDR":     "192.0.2.1",
				"SCRIPT_FILENAME": "/var/www/x.php",
			},
			uid: 6, user: "u",
			args: []string{strings.Repeat("a", 100<<10)},
			// 1920 - 57 fixed - 1 (uid) - 9 (client) - 14 (filename)
			// - 1 (user) = 1838 bytes shared by url's two parts and
			// args: 612 each, 2 left over.
			want: "sendmail-php url=" + strings.Repeat("h", 612) + strings.Repeat("r", 612) +
				", client=192.0.2.1, filename=/var/www/x.php, uid=6, user=u, args=" + strings.Repeat("a", 612),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Message(mapEnv(tc.env), tc.uid, tc.user, tc.args)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Message(%q, %d, %q, %q) mismatch (-want +got):\n%s", tc.env, tc.uid, tc.user, tc.args, diff)
			}
		})
	}
}

// TestMessageAllHostile fills every value to 100 KiB: the text must fit
// MaxMessage and every value must still be represented.
func TestMessageAllHostile(t *testing.T) {
	big := strings.Repeat("é", 50<<10) // 100 KiB of two-byte runes
	env := map[string]string{"HTTP_HOST": big, "REQUEST_URI": big, "REMOTE_ADDR": big, "SCRIPT_FILENAME": big}
	got := Message(mapEnv(env), 4294967294, big, []string{big})
	if len(got) > MaxMessage || len(got) < MaxMessage-12 {
		t.Errorf("len(Message) = %d, want at most %d and not far below", len(got), MaxMessage)
	}
	re := regexp.MustCompile(`^sendmail-php url=(é+), client=(é+), filename=(é+), uid=4294967294, user=(é+), args=(é+)$`)
	m := re.FindStringSubmatch(got)
	if m == nil {
		t.Fatalf("Message = %q, does not match %s", got, re)
	}
	for i, f := range m[2:] {
		if d := len(f) - len(m[2]); d != 0 {
			t.Errorf("field %d is %d bytes, client is %d: the longest values should be cut to one length", i+2, len(f), len(m[2]))
		}
	}
	if len(m[1]) != 2*len(m[2]) {
		t.Errorf("url is %d bytes, want twice client's %d (host and URI cut alike)", len(m[1]), len(m[2]))
	}
}

func TestTag(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain", "www-data", "www-data"},
		{"empty", "", "-"},
		{"number fallback", "1001", "1001"},
		{"parser stops", "a b:c[d]e", "a_b_c_d_e"},
		{"control and non-ASCII", "jos\xc3\xa9\n", "jos__?"},
		{"cut to 32", strings.Repeat("x", 40), strings.Repeat("x", 32)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Tag(tc.in)); diff != "" {
				t.Errorf("Tag(%q) mismatch (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestRecord(t *testing.T) {
	for _, tc := range []struct {
		name string
		now  time.Time
		want string
	}{
		{"one-digit day is space-padded", time.Date(2026, 3, 4, 5, 6, 7, 8, time.UTC),
			"<22>Mar  4 05:06:07 www-data[4242]: sendmail-php url=x"},
		{"two-digit day", time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC),
			"<22>Dec 31 23:59:59 www-data[4242]: sendmail-php url=x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := string(Record(tc.now, "www-data", 4242, "sendmail-php url=x"))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Record mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSendmailPath(t *testing.T) {
	for _, tc := range []struct {
		name     string
		conf     Config
		existing []string
		want     string
	}{
		{"configured", Config{Sendmail: "/opt/sm"}, []string{"/usr/lib/sendmail"}, "/opt/sm"},
		{"/usr/lib/sendmail exists", Config{}, []string{"/usr/lib/sendmail", "/usr/sbin/sendmail"}, "/usr/lib/sendmail"},
		{"only /usr/sbin/sendmail", Config{}, []string{"/usr/sbin/sendmail"}, "/usr/sbin/sendmail"},
		{"neither exists", Config{}, nil, "/usr/sbin/sendmail"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			exists := func(p string) bool { return slices.Contains(tc.existing, p) }
			if diff := cmp.Diff(tc.want, SendmailPath(tc.conf, exists)); diff != "" {
				t.Errorf("SendmailPath mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSocketPath(t *testing.T) {
	if got := SocketPath(Config{}); got != "/dev/log" {
		t.Errorf("default socket %q, want /dev/log", got)
	}
	if got := SocketPath(Config{SyslogSocket: "/run/x.sock"}); got != "/run/x.sock" {
		t.Errorf("configured socket %q, want /run/x.sock", got)
	}
}

func TestEnvLookupFirstWins(t *testing.T) {
	get := envLookup([]string{"A=1", "B=x=y", "A=2", "C"})
	got := []string{get("A"), get("B"), get("C"), get("D")}
	if diff := cmp.Diff([]string{"1", "x=y", "", ""}, got); diff != "" {
		t.Errorf("envLookup mismatch (-want +got):\n%s", diff)
	}
}

// listenDgram listens on a unix datagram socket in a temporary directory.
func listenDgram(t *testing.T) (*net.UnixConn, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "log.sock")
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, path
}

// receiveAll returns every datagram queued on c. Delivery on a unix socket
// is synchronous, so after the sender has returned, all are queued.
func receiveAll(t *testing.T, c *net.UnixConn) []string {
	t.Helper()
	var got []string
	buf := make([]byte, 1<<16)
	for {
		if err := c.SetReadDeadline(time.Now().Add(100 * time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		n, err := c.Read(buf)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return got
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(buf[:n]))
	}
}

func TestSendDatagram(t *testing.T) {
	c, path := listenDgram(t)
	rec := []byte("<22>Jan  2 15:04:05 u[1]: hello")
	if err := Send(path, rec, time.Second); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{string(rec)}, receiveAll(t, c)); diff != "" {
		t.Errorf("datagrams mismatch (-want +got):\n%s", diff)
	}
}

// TestSendStream covers daemons (syslog-ng's unix-stream) whose socket is
// a stream socket: the record is sent newline-terminated.
func TestSendStream(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	got := make(chan string, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			got <- err.Error()
			return
		}
		defer c.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(c)
		got <- b.String()
	}()
	rec := []byte("<22>Jan  2 15:04:05 u[1]: hello")
	if err := Send(path, rec, time.Second); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(rec)+"\n", <-got); diff != "" {
		t.Errorf("stream mismatch (-want +got):\n%s", diff)
	}
	if string(rec) != "<22>Jan  2 15:04:05 u[1]: hello" {
		t.Errorf("Send modified the caller's record: %q", rec)
	}
}

func TestSendErrors(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, "stale.sock") // a daemon that stopped and left its socket
	l, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: stale, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	for _, tc := range []struct{ name, path, want string }{
		{"missing", filepath.Join(dir, "none.sock"), "connect: no such file or directory"},
		{"nobody listening", stale, "connect: connection refused"},
		{"not a socket", dir, "connect: connection refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Send(tc.path, []byte("<22>x"), time.Second)
			got := "<nil>"
			if err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Send(%s) error mismatch (-want +got):\n%s", tc.path, diff)
			}
		})
	}
}

// TestSendTimeout: a daemon that stops reading must not hang the caller.
func TestSendTimeout(t *testing.T) {
	_, path := listenDgram(t) // bound, never read
	rec := bytes.Repeat([]byte("x"), 1000)
	start := time.Now()
	for i := 0; i < 100000; i++ {
		err := Send(path, rec, 50*time.Millisecond)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			if d := time.Since(start); d > 30*time.Second {
				t.Errorf("gave up only after %v", d)
			}
			return
		}
		if err != nil {
			t.Fatalf("Send #%d: %v, want success or a timeout", i, err)
		}
	}
	t.Fatal("100000 records to a socket nobody reads never timed out")
}

// TestSendWaitsForRoom: when the daemon's queue is full, Send waits for it
// to drain instead of dropping the record.
func TestSendWaitsForRoom(t *testing.T) {
	c, path := listenDgram(t)
	filler := bytes.Repeat([]byte("f"), 1000)
	full := false
	for i := 0; i < 100000 && !full; i++ {
		err := Send(path, filler, time.Millisecond)
		full = errors.Is(err, os.ErrDeadlineExceeded)
		if err != nil && !full {
			t.Fatalf("filling: %v", err)
		}
	}
	if !full {
		t.Fatal("could not fill the socket queue")
	}
	last := make(chan string, 1)
	go func() {
		time.Sleep(100 * time.Millisecond) // Send is waiting by now
		buf := make([]byte, 4096)
		for {
			n, err := c.Read(buf)
			if err != nil {
				last <- err.Error()
				return
			}
			if string(buf[:n]) != string(filler) {
				last <- string(buf[:n])
				return
			}
		}
	}()
	if err := Send(path, []byte("<22>x u[1]: the one that waited"), 10*time.Second); err != nil {
		t.Fatalf("Send to a queue that drains: %v", err)
	}
	if got := <-last; got != "<22>x u[1]: the one that waited" {
		t.Errorf("received %q after the fillers", got)
	}
}

// TestRunLogsOnceThenFails runs the whole call in process: sendmail is
// missing (a successful exec would replace the test), so Run must log
// exactly one record and return 75 with a message naming the path.
func TestRunLogsOnceThenFails(t *testing.T) {
	c, sock := listenDgram(t)
	missing := filepath.Join(t.TempDir(), "no-sendmail")
	conf := Config{Sendmail: missing, SyslogSocket: sock}
	env := []string{
		"HTTP_HOST=example.org",
		"REQUEST_URI=/mail.php?x=1",
		"REMOTE_ADDR=192.0.2.7",
		"SCRIPT_FILENAME=/srv/www/mail.php",
		"SCRIPT_FILENAME=/ignored/second.php",
	}
	var stderr bytes.Buffer
	if got := run(conf, []string{"-f", "a b@example.com"}, env, &stderr); got != ExitTempFail {
		t.Errorf("Run = %d, want %d", got, ExitTempFail)
	}
	if diff := cmp.Diff("phpsendmail: cannot execute "+missing+": no such file or directory\n", stderr.String()); diff != "" {
		t.Errorf("stderr mismatch (-want +got):\n%s", diff)
	}

	name := effectiveUser()
	recs := receiveAll(t, c)
	if len(recs) != 1 {
		t.Fatalf("received %d records, want 1: %q", len(recs), recs)
	}
	head := regexp.MustCompile(`^<22>[A-Z][a-z]{2} [ 1-3]\d \d\d:\d\d:\d\d ` + regexp.QuoteMeta(name) + `\[` + strconv.Itoa(os.Getpid()) + `\]: `)
	loc := head.FindStringIndex(recs[0])
	if loc == nil {
		t.Fatalf("record %q does not start with %s", recs[0], head)
	}
	want := "sendmail-php url=example.org/mail.php?x=1, client=192.0.2.7, filename=/srv/www/mail.php, uid=" +
		strconv.Itoa(os.Getuid()) + ", user=" + name + ", args=-f a b@example.com"
	if diff := cmp.Diff(want, recs[0][loc[1]:]); diff != "" {
		t.Errorf("record text mismatch (-want +got):\n%s", diff)
	}
}

// TestRunSyslogDown: both failures reported, the logging one as a warning.
func TestRunSyslogDown(t *testing.T) {
	dir := t.TempDir()
	conf := Config{
		SyslogSocket: filepath.Join(dir, "no.sock"),
		Sendmail:     dir, // a directory: exec fails with EACCES
	}
	var stderr bytes.Buffer
	if got := run(conf, nil, nil, &stderr); got != ExitTempFail {
		t.Errorf("Run = %d, want %d", got, ExitTempFail)
	}
	want := "phpsendmail: warning: cannot log to syslog (" + dir + "/no.sock): connect: no such file or directory\n" +
		"phpsendmail: cannot execute " + dir + ": permission denied\n"
	if diff := cmp.Diff(want, stderr.String()); diff != "" {
		t.Errorf("stderr mismatch (-want +got):\n%s", diff)
	}
}

func BenchmarkMessage(b *testing.B) {
	env := mapEnv(map[string]string{
		"HTTP_HOST": "www.example.com", "REQUEST_URI": "/wp-content/plugins/x/mail.php?id=123",
		"REMOTE_ADDR": "2001:db8::1", "SCRIPT_FILENAME": "/var/www/example.com/wp-content/plugins/x/mail.php",
	})
	args := []string{"-t", "-i", "-fwordpress@example.com"}
	b.ReportAllocs()
	for b.Loop() {
		Message(env, 33, "www-data", args)
	}
}
