package exim

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spam-gear/spamcheck/pkg/timestamp"
)

// FuzzParseLine checks ParseLine on any bytes: it never panics, an arrival
// holds the marker, every key is a non-empty piece of the line without a
// newline, and a line counts as local or SMTP, never both. The seed corpus
// in testdata/fuzz/FuzzParseLine holds every line of the shared corpus's
// Exim logs and of the real Exim 4.96 logs captured by e2e.
func FuzzParseLine(f *testing.F) {
	f.Add("2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= \"a b\"@x H=x (a) [::1]:25 U= P=esmtpa A=n:i:s T=\"\\\"U=y\" for z")
	f.Add("2026-11-27 17:30:00 [1] 1-2 <= x H=(a) [b] c) [d] P=p\nU=n")
	f.Add("2026-11-27 17:30:00.5 +0100 a <= \"")
	f.Fuzz(func(t *testing.T, s string) {
		line := []byte(s)
		p := timestamp.NewParser(time.Date(2026, 11, 27, 18, 0, 0, 0, time.UTC), time.UTC)
		_, n, _ := p.Parse(line)
		for _, stamp := range []int{n, 0, len(line) / 2} {
			a, ok := ParseLine(line, stamp)
			if !ok {
				continue
			}
			if !bytes.Contains(line, Marker) {
				t.Fatalf("ParseLine(%q, %d): an arrival without %q", line, stamp, Marker)
			}
			keys := map[string][]byte{"local": a.LocalKey(), "smtp": a.SMTPKey(), "auth": a.AuthKey()}
			for name, k := range keys {
				if k == nil {
					continue
				}
				if len(k) == 0 || bytes.IndexByte(k, '\n') >= 0 || !bytes.Contains(line, k) {
					t.Fatalf("ParseLine(%q, %d): %s key %q is empty, holds a newline or is not in the line", line, stamp, name, k)
				}
			}
			if keys["local"] != nil && keys["smtp"] != nil {
				t.Fatalf("ParseLine(%q, %d): both local %q and SMTP %q", line, stamp, keys["local"], keys["smtp"])
			}
			if bytes.IndexByte(keys["auth"], ':') >= 0 {
				t.Fatalf("ParseLine(%q, %d): auth id %q holds ':'", line, stamp, keys["auth"])
			}
			for _, field := range [][]byte{a.Sender, a.User, a.Proto, a.Auth, a.Host.Name, a.Host.HELO, a.Host.Addr, a.Host.Port} {
				if bytes.IndexByte(field, '\n') >= 0 || !bytes.Contains(line, field) {
					t.Fatalf("ParseLine(%q, %d): field %q holds a newline or is not in the line", line, stamp, field)
				}
			}
		}
	})
}

// span is where a field lies in its line; nil marks a field not logged.
type span struct {
	Off, Len int
	Nil      bool
}

// spans describes where each field of a lies in line, so that two parses
// compare equal only when they picked the same bytes and told nil from
// empty the same way.
type spans struct {
	OK, HasHost                                           bool
	Sender, User, Proto, Auth, HostName, HELO, Addr, Port span
}

func spansOf(line []byte, a Arrival, ok bool) spans {
	at := func(b []byte) span {
		if b == nil {
			return span{Nil: true}
		}
		return span{Off: cap(line) - cap(b), Len: len(b)}
	}
	return spans{ok, a.HasHost, at(a.Sender), at(a.User), at(a.Proto), at(a.Auth),
		at(a.Host.Name), at(a.Host.HELO), at(a.Host.Addr), at(a.Host.Port)}
}

// checkOracle fails unless ParseLine and the old parser (oracle_test.go)
// read line the same way, for the stamp the timestamp parser finds and a
// few others.
func checkOracle(t *testing.T, p *timestamp.Parser, line []byte) {
	t.Helper()
	_, n, _ := p.Parse(line)
	for _, stamp := range []int{n, 0, 19, len(line) / 2, len(line), -1} {
		a, ok := ParseLine(line, stamp)
		oa, ook := oldParseLine(line, stamp)
		if want, got := spansOf(line, oa, ook), spansOf(line, a, ok); got != want {
			t.Fatalf("ParseLine(%q, %d) differs from the old parser (-old +new):\n%s", line, stamp, cmp.Diff(want, got))
		}
	}
}

// oracleSeeds are shapes the one-pass parser handles on paths of its own:
// the fields right after H=, stop words next to other bytes, quotes, and
// names that are almost U, P, A or H.
var oracleSeeds = []string{
	"2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= a@b H=[192.0.2.1]U=x P=p",
	"2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= a@b H=(h)U=x P=p",
	"2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= a@b H=(h) [192.0.2.1]:25P=x U=y",
	"2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= a@b H=(h) [192.0.2.1]:x",
	"2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= a@b H=n (h) x) [192.0.2.1] P=p",
	"2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= a@b H=n (h)) ( [ P=p",
	"2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= a@b H=n (h P=p",
	"2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= a@b H=n [x P=p",
	"2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= a@b H=n P=p H=(m) [1] U=u U=v",
	"2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= a@b P=p from=x U=u from<x for",
	"2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= a@b fromm U=u forx P=p FROM A=a:b for U=z",
	"2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= a@b P=p for\tU=u",
	"2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= a@b H=(h) [192.0.2.1] for x@y U=u A=a:b",
	"2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= a@b H=(h) [192.0.2.1] from <x> U=u P=p",
	"2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= a@b P=p from",
	"2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= a@b P=p fo",
	"2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= a@b UU=x U*=y u=z U= P= A= H=",
	"2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= a@b =x 1U=y *=z U=\"a b\" P=\"c\\\" d\"e f",
	"2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= a@b T=\"U=x P=y\" U=\"unclosed P=q",
	"2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= \"a b\\\" c\"@d U=u",
	"2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= a\"b c U=u",
	"2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= \"a b U=u",
	"2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= ",
	"2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <=",
	"2026-11-27 17:30:00 1vXyZa-0001Ab-Cd  <= a U=u",
	"2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= a U=u\nP=p",
	"2026-11-27 17:30:00 exim[1]: 1vXyZa-0001Ab-Cd <= a U=u",
	"2026-11-27 17:30:00 eximx <= a U=u",
	"2026-11-27 17:30:00 [7] 1vXyZa-0001Ab-Cd <= a U=u",
	"2026-11-27 17:30:00 1vXyZa-0001Ab-Cd <= a@b H=mx.example (mx.example) [192.0.2.1] P=esmtps X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no A=dovecot_plain:box1@example S=1 id=1@example",
}

// oracleLines are the seeds and every line of the sample logs.
func oracleLines(tb testing.TB) []string {
	lines := append([]string(nil), oracleSeeds...)
	names, err := filepath.Glob("testdata/*.log")
	if err != nil {
		tb.Fatal(err)
	}
	for _, name := range append(names, "../../examples/exim-mainlog") {
		data, err := os.ReadFile(name)
		if err != nil {
			tb.Fatal(err)
		}
		lines = append(lines, strings.Split(string(data), "\n")...)
	}
	return lines
}

func oracleParser() *timestamp.Parser {
	return timestamp.NewParser(time.Date(2026, 11, 27, 18, 0, 0, 0, time.UTC), time.UTC)
}

// TestParseLineOracle compares ParseLine with the old parser on every
// seed and sample line, and on each prefix of the arrivals among them, so
// that the comparison runs in every go test, not only under -fuzz.
func TestParseLineOracle(t *testing.T) {
	p := oracleParser()
	for _, line := range oracleLines(t) {
		checkOracle(t, p, []byte(line))
		if !strings.Contains(line, string(Marker)) {
			continue
		}
		for n := len(line) - 1; n >= 0; n-- {
			checkOracle(t, p, []byte(line[:n]))
		}
	}
}

// FuzzParseLineOracle checks that ParseLine reads any bytes exactly as the
// parser it replaced did (the same fields, the same bytes, nil and empty
// told apart the same way).
func FuzzParseLineOracle(f *testing.F) {
	for _, line := range oracleSeeds {
		f.Add(line)
	}
	p := oracleParser()
	f.Fuzz(func(t *testing.T, s string) { checkOracle(t, p, []byte(s)) })
}
