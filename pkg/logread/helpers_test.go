package logread

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// tinyTuning puts read-buffer and probe boundaries every few bytes, so that
// small test inputs exercise buffer growth, carried partial lines, probes
// that read several steps, and probes that give up on long lines: generated
// lines are 40 to 70 bytes, a probe sees 160, huge lines are 200 and more.
var tinyTuning = tuning{bufSize: 8, probeStep: 16, probeLimit: 160, searchGap: 16}

// naiveLines is the reference splitter: split at '\n', the text after the
// last '\n' is a line when not empty, keep lines whose text without one
// trailing '\r' contains marker, delivered with every byte.
func naiveLines(data, marker []byte) []string {
	var out []string
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if bytes.Contains(bytes.TrimSuffix(line, []byte("\r")), marker) {
			out = append(out, string(line))
		}
	}
	return out
}

// collect runs scan and returns copies of the delivered lines.
func collect(src Source, tu tuning) ([]string, error) {
	var got []string
	err := scan(src, func(line []byte) { got = append(got, string(line)) }, tu)
	return got, err
}

// chunkReader returns at most n bytes per Read, to put read boundaries
// everywhere.
type chunkReader struct {
	r io.Reader
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	return c.r.Read(p[:min(len(p), c.n)])
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func tempPath(t testing.TB, name string) string {
	return filepath.Join(t.TempDir(), name)
}

// isoTimeOf reads the RFC 3339 timestamp that starts a generated line.
func isoTimeOf(line []byte) (time.Time, bool) {
	i := bytes.IndexByte(line, ' ')
	if i < 0 {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, string(line[:i]))
	return t, err == nil
}

// postfixSession appends one realistic Postfix SMTP session (7 to 10
// lines, about 1.3 KiB) stamped at t to b; about a third of the sessions
// authenticate and so carry sasl_username=.
func postfixSession(b []byte, rng *rand.Rand, t time.Time, stamp func([]byte, time.Time) []byte) []byte {
	pid := 1000 + rng.IntN(60000)
	qid := fmt.Sprintf("%010X", rng.Uint64()&0xFFFFFFFFFF)
	ip := fmt.Sprintf("198.51.%d.%d", rng.IntN(256), rng.IntN(256))
	host := "unknown"
	if rng.IntN(3) > 0 {
		host = fmt.Sprintf("%d-%d-%d.dyn.example%d.net", rng.IntN(256), rng.IntN(256), rng.IntN(256), rng.IntN(50))
	}
	line := func(tag string, tagPid int, format string, args ...any) {
		b = stamp(b, t)
		b = fmt.Appendf(b, " mx1 postfix/%s[%d]: ", tag, tagPid)
		b = fmt.Appendf(b, format, args...)
		b = append(b, '\n')
	}
	line("smtpd", pid, "connect from %s[%s]", host, ip)
	line("smtpd", pid, "Anonymous TLS connection established from %s[%s]: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)", host, ip)
	if rng.IntN(3) == 0 {
		line("smtpd", pid, "%s: client=%s[%s], sasl_method=PLAIN, sasl_username=user%d@example.org", qid, host, ip, rng.IntN(500))
	} else {
		line("smtpd", pid, "%s: client=%s[%s]", qid, host, ip)
	}
	line("cleanup", pid+1, "%s: message-id=<%d.%d@example.com>", qid, rng.Uint32(), rng.Uint32())
	line("qmgr", 812, "%s: from=<sender%d@example.com>, size=%d, nrcpt=1 (queue active)", qid, rng.IntN(1000), 1000+rng.IntN(90000))
	for range 1 + rng.IntN(3) {
		line("smtp", pid+2, "%s: to=<rcpt%d@example.net>, relay=mx.example.net[203.0.113.%d]:25, delay=0.%d, delays=0.1/0/0.2/0.3, dsn=2.0.0, status=sent (250 2.0.0 OK %d - gsmtp)", qid, rng.IntN(10000), rng.IntN(256), rng.IntN(10), rng.Uint32())
	}
	line("qmgr", 812, "%s: removed", qid)
	line("smtpd", pid, "disconnect from %s[%s] ehlo=2 starttls=1 mail=1 rcpt=1 data=1 quit=1 commands=7", host, ip)
	return b
}

// syslogStamp writes a traditional syslog timestamp ("Oct  1 11:47:51").
func syslogStamp(b []byte, t time.Time) []byte { return t.AppendFormat(b, time.Stamp) }

// isoStamp writes rsyslog's high-precision timestamp.
func isoStamp(b []byte, t time.Time) []byte {
	return t.AppendFormat(b, "2006-01-02T15:04:05.000000Z07:00")
}

// postfixLog generates about size bytes of Postfix log covering span up to
// end, sessions evenly spread.
func postfixLog(size int, end time.Time, span time.Duration, stamp func([]byte, time.Time) []byte) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	const perSession = 1300
	n := size / perSession
	b := make([]byte, 0, size+size/8)
	for i := range n {
		t := end.Add(-span + time.Duration(int64(span)/int64(n)*int64(i)))
		b = postfixSession(b, rng, t, stamp)
	}
	return b
}

func TestNaiveLines(t *testing.T) {
	// The reference itself, on the cases where it is easy to get wrong.
	got := naiveLines([]byte("a\r\r\n\nb\r\nc\n\r"), nil)
	want := []string{"a\r\r", "", "b\r", "c", "\r"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("naiveLines mismatch (-want +got):\n%s", diff)
	}
}
