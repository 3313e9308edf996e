// Package phpsendmail is the logic of the phpsendmail wrapper (SPEC §6).
// PHP's sendmail_path points at the wrapper; for every mail() call it writes
// one syslog line naming the PHP script that sent the mail, which
// php-legacy-spam-check later counts, and then replaces itself with the real
// sendmail so the message on standard input reaches it untouched.
//
// Decisions the SPEC leaves open:
//
//   - Untrusted values (the environment, the arguments, the user name) have
//     every control character (C0, DEL, C1, and U+2028/U+2029, which some
//     viewers treat as line breaks) and every byte that is not valid UTF-8
//     replaced by '?'. One call is therefore always exactly one line, the
//     line never contains a raw escape sequence for the terminal the admin
//     reads it on, and journald never stores it as a binary blob. A space
//     was not chosen as the replacement because the old tool's readers split
//     the line on blanks.
//   - Each value (the joined arguments count as one) is cut to MaxValue
//     bytes (SPEC: "e.g. 1 KiB"), on a UTF-8 boundary, without a marker. The whole text is then held to MaxMessage
//     by shortening the longest values to a common length, so that short
//     values — an address, a user name, an ordinary script path — survive
//     whole when a hostile REQUEST_URI is long. MaxMessage leaves room for the
//     syslog header so a record is at most 2048 bytes, the size RFC 5424
//     says every receiver should accept (rsyslog's default is 8 KiB, the old
//     tool's logger stopped at 1 KiB).
//   - In url= and client= a blank becomes %20 (see escapeBlanks), so those
//     values can never hold the ", " that separates fields.
//   - The arguments are passed to sendmail exactly as received, one argv
//     element each. The old script used an unquoted $*, which split them
//     again on blanks and expanded globs; in the log they are joined by one
//     space, as $* showed them.
//   - The wrapper has no options of its own: every argument is sendmail's, so
//     even --help is passed on.
//   - In filename= a '%' is written %25 and a ',' %2C (see
//     escapeFilename), so a SCRIPT_FILENAME holding ", uid=0, user=root"
//     cannot end the field early; php-legacy-spam-check decodes exactly
//     those two. A cut never splits such an escape.
//   - Logging waits at most SyslogTimeout, then warns and sends anyway.
//   - The user name comes from os/user: /etc/passwd in the static
//     (CGO_ENABLED=0) build; a name it cannot find is logged as the number.
//
// PHP scripts can putenv() before mail(), so every environment value is the
// script's to choose. The logged request values come from the environment
// (the prepend file puts them there), but nothing that decides what
// phpsendmail does: the program it executes and the socket it logs to come
// only from ConfigPath, and only when root owns that file (LoadConfig);
// the tag, uid= and user= come from the kernel and /etc/passwd.
package phpsendmail

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/user"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"
)

const (
	// MaxValue is the most bytes kept of any one value.
	MaxValue = 1024
	// MaxMessage is the most bytes of message text (after "TAG[PID]: ").
	MaxMessage = 1920
	// MaxRecord bounds a whole syslog record: MaxMessage plus the longest
	// header Record writes.
	MaxRecord = 2048
	// MaxTag is the most bytes of the syslog tag (RFC 3164's 32).
	MaxTag = 32

	// ExitTempFail is sendmail's EX_TEMPFAIL: PHP's mail() then returns
	// false and the caller may retry.
	ExitTempFail = 75

	// DefaultSocket is the local syslog socket used unless
	// phpsendmail.conf names another.
	DefaultSocket = "/dev/log"

	// SyslogTimeout bounds the wait for room in a full syslog socket: a
	// hung daemon must not hold PHP's mail() forever (a mail is never lost
	// to logging), but a busy one should still get every record.
	SyslogTimeout = 5 * time.Second

	priMailInfo = 2*8 + 6 // facility mail (2), severity info (6)
)

// sendmailCandidates are tried in order unless phpsendmail.conf names a
// program;
// the last is used even if it does not exist, so the error names it.
var sendmailCandidates = []string{"/usr/lib/sendmail", "/usr/sbin/sendmail"}

// Run does one call: log, then exec sendmail. It returns only if sendmail
// could not be executed, with ExitTempFail. environ is passed to sendmail
// unchanged; standard input is never read, so the message reaches sendmail
// byte for byte.
func Run(args, environ []string, stderr io.Writer) int {
	return run(LoadConfig(ConfigPath, stderr), args, environ, stderr)
}

// run is Run with the configuration already read.
func run(conf Config, args, environ []string, stderr io.Writer) int {
	getenv := envLookup(environ)
	name := userName(os.Geteuid())
	msg := Message(getenv, os.Getuid(), name, args)

	sock := SocketPath(conf)
	if err := Send(sock, Record(time.Now(), Tag(name), os.Getpid(), msg), SyslogTimeout); err != nil {
		fmt.Fprintf(stderr, "phpsendmail: warning: cannot log to syslog (%s): %v\n", sanitize(sock, MaxValue), err)
	}

	path := SendmailPath(conf, exists)
	argv := append([]string{path, "-t", "-i"}, args...)
	err := syscall.Exec(path, argv, environ)
	fmt.Fprintf(stderr, "phpsendmail: cannot execute %s: %v\n", sanitize(path, MaxValue), err)
	return ExitTempFail
}

// Message returns the log text for one call, with every value cleaned and
// capped (see the package comment), never longer than MaxMessage.
func Message(getenv func(string) string, uid int, user string, args []string) string {
	v := []string{
		escapeBlanks(sanitize(getenv("HTTP_HOST"), MaxValue)),
		escapeBlanks(sanitize(getenv("REQUEST_URI"), MaxValue)),
		escapeBlanks(sanitize(getenv("REMOTE_ADDR"), MaxValue)),
		escapeFilename(sanitize(getenv("SCRIPT_FILENAME"), MaxValue)),
		sanitize(user, MaxValue),
		sanitize(strings.Join(args, " "), MaxValue),
	}
	id := strconv.Itoa(uid)
	const fixed = len("sendmail-php url=, client=, filename=, uid=, user=, args=")
	level(v, MaxMessage-fixed-len(id))
	v[3] = trimEscape(v[3])
	return "sendmail-php url=" + v[0] + v[1] + ", client=" + v[2] + ", filename=" + v[3] +
		", uid=" + id + ", user=" + v[4] + ", args=" + v[5]
}

// level shortens the longest strings in v to a common length so that their
// total is at most budget; strings below that length are left whole.
func level(v []string, budget int) {
	total := 0
	for _, s := range v {
		total += len(s)
	}
	if total <= budget {
		return
	}
	// Find the cut length: give each string, shortest first, its full
	// length while the rest could still get as much; share what remains.
	lens := make([]int, len(v))
	for i, s := range v {
		lens[i] = len(s)
	}
	slices.Sort(lens)
	remain, cut := max(budget, 0), 0
	for k, l := range lens {
		rest := len(lens) - k
		if l*rest > remain {
			cut = remain / rest
			break
		}
		remain -= l
	}
	for i, s := range v {
		v[i] = truncate(s, cut)
	}
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// sanitize replaces control characters and invalid UTF-8 by '?' and keeps
// at most limit bytes; it stops reading once the limit is reached, so a
// 100 MiB value costs no more than a short one.
func sanitize(s string, limit int) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || unsafeRune(r) {
			r = '?' // a valid C1 or separator is 2-3 bytes: all of them go
		}
		w := utf8.RuneLen(r)
		if b.Len()+w > limit {
			break
		}
		b.WriteRune(r)
		i += size
	}
	return b.String()
}

// escapeBlanks writes a blank as %20, cut back to MaxValue. Used for url=
// and client=, which come before filename=: a Host header or URI holding
// ", filename=/other.php, uid=" must not decide which script
// php-legacy-spam-check blames. No valid host, URI or address has a blank.
func escapeBlanks(s string) string {
	if !strings.Contains(s, " ") {
		return s
	}
	return truncate(strings.ReplaceAll(s, " ", "%20"), MaxValue)
}

// escapeFilename writes '%' as %25 and ',' as %2C, cut back to MaxValue
// without splitting an escape.
func escapeFilename(s string) string {
	if !strings.ContainsAny(s, "%,") {
		return s
	}
	var b strings.Builder
	for _, r := range s { // s is sanitized: valid UTF-8
		e := string(r)
		switch r {
		case '%':
			e = "%25"
		case ',':
			e = "%2C"
		}
		if b.Len()+len(e) > MaxValue {
			break
		}
		b.WriteString(e)
	}
	return b.String()
}

// trimEscape removes an escape that a cut left incomplete at the end of s
// ("%" or "%2"), so the field never ends in half an escape.
func trimEscape(s string) string {
	if n := len(s); n >= 1 && s[n-1] == '%' {
		return s[:n-1]
	} else if n >= 2 && s[n-2] == '%' {
		return s[:n-2]
	}
	return s
}

// unsafeRune reports whether r could break a log line or drive a terminal:
// C0, DEL, C1, and the Unicode line and paragraph separators.
func unsafeRune(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == '\u2028' || r == '\u2029'
}

// Tag returns the syslog tag for the user name: sanitized, with the bytes a
// syslog parser would end the tag at (blank, ':', '[', ']') and any
// non-ASCII byte replaced by '_', cut to MaxTag. An empty name gives "-".
func Tag(name string) string {
	b := []byte(sanitize(name, MaxTag))
	for i, c := range b {
		if c <= ' ' || c >= 0x7f || c == ':' || c == '[' || c == ']' {
			b[i] = '_'
		}
	}
	if len(b) == 0 {
		return "-"
	}
	return string(b)
}

// Record returns one syslog record for facility mail, severity info, in the
// local format syslog(3) writes and rsyslog's imuxsock reads:
// "<22>Mmm dd hh:mm:ss TAG[PID]: MSG". tag should come from Tag.
func Record(now time.Time, tag string, pid int, msg string) []byte {
	b := make([]byte, 0, 64+len(msg))
	b = fmt.Appendf(b, "<%d>", priMailInfo)
	b = now.AppendFormat(b, time.Stamp)
	b = fmt.Appendf(b, " %s[%d]: ", tag, pid)
	return append(b, msg...)
}

// Send writes record to the local syslog socket at path: as one datagram,
// or, if path is a stream socket, newline-terminated. It gives up when the
// socket has had no room for timeout. The error is the underlying system error (for example
// "connect: no such file or directory"), without the path.
func Send(path string, record []byte, timeout time.Duration) error {
	// Connecting a datagram socket never blocks; a stream connect can wait
	// on a full backlog.
	c, err := net.Dial("unixgram", path)
	stream := errors.Is(err, syscall.EPROTOTYPE)
	if stream {
		c, err = net.DialTimeout("unix", path, timeout)
	}
	if err != nil {
		return bareError(err)
	}
	defer c.Close()
	if stream {
		record = append(record[:len(record):len(record)], '\n')
	}
	n, err := writeNow(c.(*net.UnixConn), record)
	if err != nil || n == len(record) {
		return err
	}
	// The daemon's queue is full: wait for room, but not forever.
	if err := c.SetWriteDeadline(time.Now().Add(timeout)); err != nil {
		return bareError(err)
	}
	if _, err := c.Write(record[n:]); err != nil {
		return bareError(err)
	}
	return nil
}

// writeNow makes one write attempt that does not wait and returns how much
// was written; a full socket is not an error. Send starts its timeout only
// after this: on a loaded server this process may wait seconds for the CPU,
// and a clock running meanwhile would drop records the daemon has room for.
func writeNow(c *net.UnixConn, b []byte) (int, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0, err
	}
	var n int
	var werr error
	if err := rc.Write(func(fd uintptr) bool {
		n, werr = syscall.Write(int(fd), b)
		return true // one attempt; the poller must not wait here
	}); err != nil {
		return 0, bareError(err)
	}
	switch {
	case errors.Is(werr, syscall.EAGAIN) || errors.Is(werr, syscall.EINTR):
		return 0, nil
	case werr != nil:
		return 0, os.NewSyscallError("write", werr)
	}
	return n, nil
}

// bareError drops net.OpError's "dial unixgram PATH:" prefix; the caller
// names the socket itself.
func bareError(err error) error {
	var op *net.OpError
	if errors.As(err, &op) {
		return op.Err
	}
	return err
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// envLookup returns a getenv over environ; the first entry for a name wins,
// as with getenv(3), so we log what sendmail will see.
func envLookup(environ []string) func(string) string {
	return func(name string) string {
		for _, kv := range environ {
			if k, v, ok := strings.Cut(kv, "="); ok && k == name {
				return v
			}
		}
		return ""
	}
}

// userName returns the name of uid, or the number if it has none. os/user
// reads /etc/passwd when built with CGO_ENABLED=0 (the static build); a
// cgo build asks NSS, which also knows LDAP/NIS users.
func userName(uid int) string {
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil && u.Username != "" {
		return u.Username
	}
	return strconv.Itoa(uid)
}
