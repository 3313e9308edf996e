package postfix

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fuzzSeeds are lines for both fuzz targets: real ones, the forgeries of
// issue 12, and the edges of every part of the shape.
var fuzzSeeds = []string{
	"Oct  1 11:47:51 u86 postfix/smtpd[10242]: DBED828417: client=unknown[192.168.9.1], sasl_method=PLAIN, sasl_username=macaco@monos.org",
	"2026-11-27T16:40:01+0100 mx postfix/submission/smtpd[811]: 1A2B3C: client=dsl-9-8-7-6.isp.example[198.51.100.9]:4711, sasl_method=PLAIN, sasl_username=shop@example.com, sasl_sender=shop@example.com",
	"2026-11-27T21:21:40.741137+00:00 vm postfix-in/smtps/smtpd[17825]: 4Pt2mN2VXxznjll: client=unknown[unknown], sasl_method=LOGIN, sasl_username=carol@e2e.test\r",
	"Nov 27 18:00:01 mx postfix/cleanup[2]: 4AB: message-id=<a client=h1[10.7.0.1], sasl_username=root, b@x>",
	`Nov 27 18:00:01 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from unknown[192.0.2.9]: 554 5.7.1 <c@d>: Relay access denied; from=<"x client=h[1.2.3.4], sasl_username=root"@b> to=<c@d> proto=ESMTP helo=<x>`,
	"Nov 27 18:00:01 mx postfix/smtpd[1]: warning: unknown[1.2.3.4]: SASL LOGIN authentication failed: UGFzc3dvcmQ6, sasl_username=root",
	"Nov 27 18:00:01 mx postfix/smtpd[1]: NOQUEUE: client=unknown[192.0.2.1], sasl_method=PLAIN, sasl_username=root",
	"Nov 27 18:00:01 mx postfix/xsmtpd[1]: 4AB: client=unknown[192.0.2.1], sasl_method=PLAIN, sasl_username=root",
	"Nov 27 18:00:01 mx smtpd[1]: 4AB: client=h[192.0.2.1], orig_queue_id=X, sasl_username=a,, b",
	"Nov 27 18:00:01 mx postfix/smtpd[1]: 4AB: client=h[192.0.2.1], sasl_username=, sasl_username=root",
	"Nov 27 18:00:01 mx postfix/smtpd[1]: 4AB: client=h[192.0.2.1]:, sasl_username=root",
	"4104E3D: client=a.example[61.238.241.86], sasl_method=PLAIN, sasl_username=u",
	"x: client=h[::1]:25, sasl_username=a, sasl_sender=b",
	"client=client=h[1], sasl_username=",
}

// refMessage is an independent reading of SPEC §8's message shape, by
// splitting on ", " and a regexp, to compare ParseMessage against.
var refHead = regexp.MustCompile(`^([A-Za-z0-9]+): client=([^\[ ,]+)\[([^\] ]+)\](?::[A-Za-z0-9]+)?$`)
var refField = regexp.MustCompile(`^[a-z_]+=`)

func refMessage(msg string) (conn, bool) {
	parts := strings.Split(msg, ", ")
	m := refHead.FindStringSubmatch(parts[0])
	if m == nil || m[1] == "NOQUEUE" {
		return conn{}, false
	}
	for _, f := range parts[1:] {
		if user, ok := strings.CutPrefix(f, "sasl_username="); ok {
			if user == "" {
				return conn{}, false
			}
			return conn{m[2], m[3], user}, true
		}
		if !refField.MatchString(f) {
			return conn{}, false
		}
	}
	return conn{}, false
}

var refTag = regexp.MustCompile(`^(?:[^ ]*/)?smtpd\[[0-9]+\]:$`)

// FuzzParseLine compares ParseLine on "STAMP HOST REST" (REST = the fuzzed
// text: a tag, a blank and a message, or anything) with the reference: the
// first word of REST must be an smtpd tag and the rest a message refMessage
// accepts. It also checks the invariants of an accepted line whatever the
// prefix.
func FuzzParseLine(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		checkInvariants(t, line)

		const prefix = "Nov 27 18:00:01 mx "
		full := prefix + line
		got, ok := parsed(full)
		rest := strings.TrimPrefix(strings.TrimSuffix(full, "\r"), prefix)
		var want conn
		wantOK := false
		if tag, msg, found := strings.Cut(rest, " "); found && refTag.MatchString(tag) {
			want, wantOK = refMessage(msg)
		}
		if ok != wantOK || got != want {
			t.Fatalf("ParseLine(%q) = %+v, %v; the reference says %+v, %v", full, got, ok, want, wantOK)
		}
	})
}

// FuzzParseMessage compares the message part alone, after a fixed smtpd
// prefix and with no prefix at all.
func FuzzParseMessage(f *testing.F) {
	for _, s := range fuzzSeeds {
		if i := strings.Index(s, "]: "); i >= 0 {
			s = s[i+3:]
		}
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		want, wantOK := refMessage(strings.TrimSuffix(msg, "\r"))
		for _, prefix := range []string{"2026-11-27T18:00:01.5+01:00 mx postfix/submission/smtpd[7]: ", ""} {
			if prefix == "" && msg != "" && (msg[0] == '[' || '0' <= msg[0] && msg[0] <= '9' || 'A' <= msg[0] && msg[0] <= 'S') {
				continue // may start with a stamp
			}
			got, ok := parsed(prefix + msg)
			if ok != wantOK || got != want {
				t.Fatalf("ParseLine(%q) = %+v, %v; the reference says %+v, %v", prefix+msg, got, ok, want, wantOK)
			}
		}
	})
}

func checkInvariants(t *testing.T, line string) {
	t.Helper()
	c, ok := ParseLine([]byte(line))
	if !ok {
		return
	}
	if len(c.User) == 0 || len(c.IP) == 0 || len(c.Host) == 0 {
		t.Fatalf("ParseLine(%q) = %+v: empty field in an accepted line", line, c)
	}
	if strings.Contains(string(c.User), ", ") {
		t.Fatalf("ParseLine(%q): user %q holds \", \"", line, c.User)
	}
	if strings.ContainsAny(string(c.Host), " ,[") || strings.ContainsAny(string(c.IP), " ]") {
		t.Fatalf("ParseLine(%q): host %q or address %q holds a separator", line, c.Host, c.IP)
	}
	if !strings.Contains(line, ": client="+string(c.Host)+"["+string(c.IP)+"]") {
		t.Fatalf("ParseLine(%q) = %+v: not the client= field", line, c)
	}
	if n := NetName(c.Host); len(n) > len(c.Host) {
		t.Fatalf("NetName(%q) = %q grew", c.Host, n)
	}
}

// FuzzSystemAccounts compares systemAccounts with a reading of passwd by
// strings.Split: every name whose third field is not a number below
// UID_MIN is protected, and no other.
func FuzzSystemAccounts(f *testing.F) {
	f.Add("root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\n", uint16(1000))
	f.Add("+::::::\n-bob::::::\nbroken:x:1e3:1::/:/bin/false\r\nshort:x\nROOT:x:5:5\n\n:x:1:1\n", uint16(1000))
	f.Add("a:b:999\nb:c:1000:\nc:d:-1:\nd:e:+5:\ne:f:4294967296:\n", uint16(0))
	f.Fuzz(func(t *testing.T, passwd string, uidMin uint16) {
		got := systemAccounts([]byte(passwd), uint64(uidMin))
		want := map[string]bool{}
		for _, line := range strings.Split(passwd, "\n") {
			fields := strings.Split(strings.TrimRight(line, "\r"), ":")
			if len(fields) < 2 || fields[0] == "" || fields[0][0] == '+' || fields[0][0] == '-' {
				continue
			}
			uid := ""
			if len(fields) > 2 {
				uid = fields[2]
			}
			if n, err := strconv.ParseUint(uid, 10, 32); err != nil || n < uint64(uidMin) {
				want[strings.ToLower(fields[0])] = true
			}
		}
		if !maps.Equal(got, want) {
			t.Fatalf("systemAccounts(%q, %d) = %v, want %v", passwd, uidMin, got, want)
		}
	})
}

// FuzzParseUIDMin: the result is the last well-formed UID_MIN, or an error
// when the last UID_MIN line is malformed; never a panic.
func FuzzParseUIDMin(f *testing.F) {
	f.Add("UID_MIN 1000\n")
	f.Add("#UID_MIN 5000\nUID_MIN\t\t 2000 # comment\nUID_MAX 60000\n")
	f.Add("UID_MIN 1e3\nUID_MIN\n")
	f.Fuzz(func(t *testing.T, defs string) {
		got, err := parseUIDMin([]byte(defs))
		want, wantErr := uint64(defaultUIDMin), false
		for _, line := range strings.Split(defs, "\n") {
			fields := strings.Fields(line)
			if len(fields) == 0 || fields[0] != "UID_MIN" {
				continue
			}
			value := ""
			if len(fields) > 1 {
				value = fields[1]
			}
			n, perr := strconv.ParseUint(value, 10, 32)
			if perr != nil {
				wantErr = true
				continue
			}
			want, wantErr = n, false
		}
		if (err != nil) != wantErr || !wantErr && got != want {
			t.Fatalf("parseUIDMin(%q) = %d, %v; want %d, error %v", defs, got, err, want, wantErr)
		}
	})
}

// FuzzLoadState: any content of a (well-owned, 0600) state file either
// loads or is reported unusable; never a panic, and a loaded state only
// counts confirmed entries inside the period.
func FuzzLoadState(f *testing.F) {
	f.Add(`{"version": 2, "users": {"bob": {"at": "2026-11-27T17:30:00Z", "confirmed": true}}}`)
	f.Add(`{"version": 1, "acted": {"bob": "2026-11-27T17:30:00Z"}}`)
	f.Add(`{"version": 2, "users": {"bob": {"at": "2099-01-01T00:00:00Z", "confirmed": true}}}`)
	f.Add(`{"version": 2, "users": {"bob": null}}`)
	f.Add(`{"version": 3}`)
	f.Add(`[]`)
	f.Add("")
	path := filepath.Join(f.TempDir(), "st.json")
	since := stateTime.Add(-time.Hour)
	f.Fuzz(func(t *testing.T, content string) {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		s := loadState(path)
		if s.broken != nil {
			return
		}
		for user, e := range s.users {
			if s.actedSince(user, since, stateTime) != (e.Confirmed && e.At.After(since) && !e.At.After(stateTime)) {
				t.Fatalf("actedSince(%q) disagrees with entry %+v", user, e)
			}
		}
	})
}
