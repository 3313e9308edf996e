package journal_test

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spam-gear/spamcheck/pkg/journal"
	"github.com/spam-gear/spamcheck/pkg/journal/journaltest"
)

type got struct {
	Line, Comm, UID string
	HasComm         bool
}

func scanAll(t *testing.T, src journal.Source) []got {
	t.Helper()
	var all []got
	err := journal.Scan(src, func(e *journal.Entry) {
		all = append(all, got{Line: string(e.ShortLine(nil, time.Local)), Comm: string(e.Comm), UID: string(e.UID), HasComm: e.HasComm})
	})
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// TestRealJournald writes through the real journald and reads back through
// the real journalctl: the lines Scan reconstructs are exactly the lines
// journalctl -o short prints, and _COMM/_UID are journald's.
func TestRealJournald(t *testing.T) {
	j := journaltest.Start(t)
	smtpd := journaltest.CopyProgram(t, "logger", "smtpd")
	j.Log(t, "", "", "postfix/smtpd", "forged by root: sasl_username=a")
	j.Log(t, "nobody", "", "postfix/submission/smtpd", "forged by nobody: sasl_username=b")
	j.Log(t, "postfix", smtpd, "postfix/submission/smtpd", "ABC123: client=x[192.0.2.1], sasl_method=PLAIN, sasl_username=c")

	all := scanAll(t, journal.Source{Dir: j.Dir, Marker: []byte("sasl_username=")})
	short, err := exec.Command("journalctl", "--directory="+j.Dir, "-q", "-o", "short", "--grep=sasl_username=").Output()
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, g := range all {
		lines = append(lines, g.Line)
	}
	if diff := cmp.Diff(strings.Split(strings.TrimSuffix(string(short), "\n"), "\n"), lines); diff != "" {
		t.Errorf("lines differ from journalctl -o short (-want +got):\n%s", diff)
	}
	if len(all) != 3 {
		t.Fatalf("got %d entries, want 3", len(all))
	}
	want := []got{
		{Comm: "logger", UID: "0", HasComm: true},
		{Comm: "logger", UID: "65534", HasComm: true},
		{Comm: "smtpd", UID: uidOf(t, "postfix"), HasComm: true},
	}
	for i := range all {
		all[i].Line = ""
	}
	if diff := cmp.Diff(want, all); diff != "" {
		t.Errorf("trusted fields (-want +got):\n%s", diff)
	}

	// --since: nothing from before the window start (less the slack).
	if n := len(scanAll(t, journal.Source{Dir: j.Dir, Since: time.Now().Add(time.Hour)})); n != 0 {
		t.Errorf("--since an hour ahead: %d entries, want 0", n)
	}
	if n := len(scanAll(t, journal.Source{Dir: j.Dir, Since: time.Now().Add(time.Minute), Slack: 5 * time.Minute, Marker: []byte("sasl_username=")})); n != 3 {
		t.Errorf("--since within the slack: %d entries, want 3", n)
	}
	// The local journal: journalctl without --directory, in the namespace.
	if n := len(scanAll(t, journal.Source{Command: append(j.CommandPrefix(), "journalctl"), Marker: []byte("sasl_username=")})); n != 3 {
		t.Errorf("local journal: %d entries, want 3", n)
	}
}

func uidOf(t *testing.T, user string) string {
	out, err := exec.Command("id", "-u", user).Output()
	if err != nil {
		t.Fatalf("id -u %s: %v", user, err)
	}
	return strings.TrimSpace(string(out))
}

// export builds journal export text: fields of one entry, text or binary.
func export(entries ...[]string) []byte {
	var b bytes.Buffer
	for _, e := range entries {
		for _, f := range e {
			name, val, _ := strings.Cut(f, "=")
			if strings.ContainsAny(val, "\n\x00\x01") {
				b.WriteString(name + "\n")
				n := len(val)
				b.Write([]byte{byte(n), byte(n >> 8), byte(n >> 16), byte(n >> 24), 0, 0, 0, 0})
				b.WriteString(val + "\n")
			} else {
				b.WriteString(f + "\n")
			}
		}
		b.WriteString("\n")
	}
	return b.Bytes()
}

func TestRead(t *testing.T) {
	utc := time.UTC
	base := []string{"__CURSOR=s=1", "__REALTIME_TIMESTAMP=1796140832000000", "_HOSTNAME=mx1"}
	entry := func(extra ...string) []string { return append(append([]string{}, base...), extra...) }
	tests := []struct {
		name  string
		in    []byte
		want  []string
		fails bool
	}{
		{"ident and _PID", export(entry("SYSLOG_IDENTIFIER=postfix/submission/smtpd", "_PID=19165", "SYSLOG_PID=1", "_COMM=smtpd", "MESSAGE=hello")),
			[]string{"Dec 01 16:00:32 mx1 postfix/submission/smtpd[19165]: hello"}, false},
		{"SYSLOG_PID without _PID", export(entry("SYSLOG_IDENTIFIER=x", "SYSLOG_PID=7", "MESSAGE=m")),
			[]string{"Dec 01 16:00:32 mx1 x[7]: m"}, false},
		{"comm without ident", export(entry("_COMM=smtpd", "MESSAGE=m")),
			[]string{"Dec 01 16:00:32 mx1 smtpd: m"}, false},
		{"neither", export(entry("MESSAGE=m")),
			[]string{"Dec 01 16:00:32 mx1 unknown: m"}, false},
		{"source realtime wins", export(entry("_SOURCE_REALTIME_TIMESTAMP=1796140800000000", "MESSAGE=m")),
			[]string{"Dec 01 16:00:00 mx1 unknown: m"}, false},
		{"bad source realtime ignored", export(entry("_SOURCE_REALTIME_TIMESTAMP=x", "MESSAGE=m")),
			[]string{"Dec 01 16:00:32 mx1 unknown: m"}, false},
		{"binary message, first line only", export(entry("SYSLOG_IDENTIFIER=t", "MESSAGE=a\x01b\nsecond")),
			[]string{"Dec 01 16:00:32 mx1 t: a\x01b"}, false},
		{"non-printable ident falls back", export(entry("SYSLOG_IDENTIFIER=t\x01", "_COMM=c", "MESSAGE=m")),
			[]string{"Dec 01 16:00:32 mx1 c: m"}, false},
		{"no message", export(entry()), nil, false},
		{"no time", export([]string{"MESSAGE=m"}), nil, false},
		{"two entries, last unterminated", append(export(entry("MESSAGE=1")), []byte("__REALTIME_TIMESTAMP=1796140832000000\nMESSAGE=2\n")...),
			[]string{"Dec 01 16:00:32 mx1 unknown: 1", "Dec 01 16:00:32 unknown: 2"}, false},
		{"truncated binary", []byte("MESSAGE\n\x05\x00\x00\x00\x00\x00\x00\x00ab"), nil, true},
		{"binary without newline", []byte("MESSAGE\n\x01\x00\x00\x00\x00\x00\x00\x00ab\n"), nil, true},
		{"truncated text", []byte("MESSAGE=abc"), nil, true},
		{"impossible length", []byte("X\n\xff\xff\xff\xff\xff\xff\xff\xff\n"), nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var lines []string
			err := journal.Read(bytes.NewReader(tt.in), &journal.Source{}, func(e *journal.Entry) {
				lines = append(lines, string(e.ShortLine(nil, utc)))
			})
			if (err != nil) != tt.fails {
				t.Fatalf("err = %v, want failure %v", err, tt.fails)
			}
			if diff := cmp.Diff(tt.want, lines); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestMarker: only messages holding the marker, in their first line.
func TestMarker(t *testing.T) {
	in := export(
		[]string{"__REALTIME_TIMESTAMP=1", "MESSAGE=has sasl_username=x"},
		[]string{"__REALTIME_TIMESTAMP=1", "MESSAGE=none"},
		[]string{"__REALTIME_TIMESTAMP=1", "MESSAGE=first\nsasl_username=x"},
	)
	n := 0
	if err := journal.Read(bytes.NewReader(in), &journal.Source{Marker: []byte("sasl_username=")}, func(*journal.Entry) { n++ }); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d entries, want 1", n)
	}
}

func FuzzRead(f *testing.F) {
	f.Add(export([]string{"__REALTIME_TIMESTAMP=1796140832000000", "MESSAGE=a\x00b", "_COMM=smtpd"}))
	f.Add([]byte("MESSAGE\n\x05\x00\x00\x00\x00\x00\x00\x00ab"))
	f.Add([]byte("__REALTIME_TIMESTAMP=1\nMESSAGE=x\n\n\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		journal.Read(bytes.NewReader(in), &journal.Source{}, func(e *journal.Entry) {
			e.ShortLine(nil, time.UTC)
		})
	})
}
