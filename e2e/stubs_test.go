package e2e

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// stubs is a directory of recording stand-ins for the programs
// postfix-spam-check runs (passwd, ssh, sendmail, hostname, and lock-user
// for --disable-command). Put first on the checker's PATH, they record
// every call (argv, and sendmail's stdin) instead of acting, so that a test
// sees exactly what would have been locked and mailed.
type stubs struct {
	dir   string // holds the programs
	calls string // one NNN.argv (NUL-separated) and NNN.stdin per call
}

// stubPasswdOutput is what Debian's passwd -l prints; the stub prints it too.
const stubPasswdOutput = "passwd: password expiry information changed."

// stubDomain and stubFQDN are what the hostname stub answers to -d and -f.
const (
	stubDomain = "e2e.test"
	stubFQDN   = "mx.e2e.test"
)

const stubScript = `#!/bin/sh
# Recording stub of the spamcheck e2e tests: never acts.
rec=%[1]s/$(date +%%s%%N).$$
printf '%%s\0' %[2]s "$@" > "$rec.argv"
case %[2]s in
sendmail) cat > "$rec.stdin" ;;
passwd) echo '%[3]s' ;;
hostname)
	case "$1" in
	-d) echo %[4]s ;;
	-f) echo %[5]s ;;
	esac ;;
esac
exit 0
`

// newStubs writes the stubs into a fresh directory of t.
func newStubs(t *testing.T) *stubs {
	t.Helper()
	base := t.TempDir()
	s := &stubs{dir: filepath.Join(base, "bin"), calls: filepath.Join(base, "calls")}
	for _, d := range []string{s.dir, s.calls} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"passwd", "ssh", "sendmail", "hostname", "lock-user"} {
		script := fmt.Sprintf(stubScript, s.calls, name, stubPasswdOutput, stubDomain, stubFQDN)
		if err := os.WriteFile(filepath.Join(s.dir, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// env is the checker's environment: the stubs first on PATH, then only
// the system directories (date, cat for the stubs).
func (s *stubs) env() []string {
	env := []string{"PATH=" + s.dir + ":/usr/bin:/bin"}
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k == "TZ" || k == "LANG" || k == "LC_ALL" {
			env = append(env, kv)
		}
	}
	return env
}

// call is one recorded run of a stub.
type call struct {
	argv  []string
	stdin string // sendmail only
}

func (c call) String() string {
	s := fmt.Sprintf("%q", c.argv)
	if c.stdin != "" {
		s += fmt.Sprintf(" <<< %q", c.stdin)
	}
	return s
}

// recorded returns every call since the stubs were made, in order, except
// hostname's (asked for the mail's domain and host name), which must have
// been -d or -f.
func (s *stubs) recorded(t *testing.T) []call {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(s.calls, "*.argv"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	var out []call
	for _, name := range names {
		b := []byte(readFile(t, name))
		argv := strings.Split(string(bytes.TrimSuffix(b, []byte{0})), "\x00")
		if argv[0] == "hostname" {
			if len(argv) != 2 || (argv[1] != "-d" && argv[1] != "-f") {
				t.Errorf("unexpected hostname call %q", argv)
			}
			continue
		}
		c := call{argv: argv}
		if argv[0] == "sendmail" {
			c.stdin = readFile(t, strings.TrimSuffix(name, ".argv")+".stdin")
		}
		out = append(out, c)
	}
	return out
}

// expectCalls compares the recorded calls with want (order kept).
func (s *stubs) expectCalls(t *testing.T, want []call) {
	t.Helper()
	got := s.recorded(t)
	if !slices.EqualFunc(got, want, func(a, b call) bool { return slices.Equal(a.argv, b.argv) && a.stdin == b.stdin }) {
		t.Errorf("commands run:\n%s\nwant:\n%s", callList(got), callList(want))
	}
}

func callList(cs []call) string {
	if len(cs) == 0 {
		return "  (none)"
	}
	var b strings.Builder
	for i, c := range cs {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("  " + c.String())
	}
	return b.String()
}
