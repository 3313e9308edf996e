package e2e

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/real-*.log from the logs of this run")

// scenarioTimeout bounds the traffic of one scenario.
const scenarioTimeout = 90 * time.Second

// modulePath is the import path prefix of the checkers.
const modulePath = "github.com/spam-gear/spamcheck"

// checkerDir holds the binaries built for this test process.
var (
	checkerDirOnce sync.Once
	checkerDir     string
	checkerDirErr  error
	builds         sync.Map // name → *build
)

type build struct {
	once sync.Once
	bin  string
	err  error
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if checkerDir != "" {
		os.RemoveAll(checkerDir)
	}
	os.Exit(code)
}

// checker builds cmd/NAME once per test process and returns the binary.
func checker(t *testing.T, name string) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	checkerDirOnce.Do(func() {
		checkerDir, checkerDirErr = os.MkdirTemp("", "spamcheck-e2e-bin-")
	})
	if checkerDirErr != nil {
		t.Fatal(checkerDirErr)
	}
	v, _ := builds.LoadOrStore(name, &build{})
	b := v.(*build)
	b.once.Do(func() {
		b.bin = filepath.Join(checkerDir, name)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", "build", "-o", b.bin, modulePath+"/cmd/"+name)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("go build %s/cmd/%s: %v\n%s", modulePath, name, err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.bin
}

// result of one checker run.
type result struct {
	stdout, stderr string
	code           int
}

// run runs a checker binary with a bounded time and the test's TZ.
func run(t *testing.T, bin string, args ...string) result {
	t.Helper()
	return runEnv(t, nil, bin, args...)
}

// runEnv is run with env as the checker's environment (nil: the test's).
func runEnv(t *testing.T, env []string, bin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	cmd.WaitDelay = 2 * time.Second
	cmd.Stdin = nil
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ctx.Err() == nil:
		r.code = ee.ExitCode()
	default:
		t.Fatalf("%s %s: %v\nstderr: %s", filepath.Base(bin), strings.Join(args, " "), err, r.stderr)
	}
	return r
}

// expectRun runs a checker and compares its exit status, standard output
// and (when wantStderr is non-nil) standard error.
func expectRun(t *testing.T, bin string, args []string, wantStdout string, wantStderr *string) {
	t.Helper()
	r := run(t, bin, args...)
	cmdline := filepath.Base(bin) + " " + strings.Join(args, " ")
	if r.code != 0 {
		t.Errorf("%s: exit status %d, want 0\nstderr: %s", cmdline, r.code, r.stderr)
	}
	if diff := cmp.Diff(wantStdout, r.stdout); diff != "" {
		t.Errorf("%s: stdout mismatch (-want +got):\n%s", cmdline, diff)
	}
	if wantStderr != nil && r.stderr != *wantStderr {
		t.Errorf("%s: stderr = %q, want %q", cmdline, r.stderr, *wantStderr)
	}
}

// nowArg formats an instant for --now: RFC 3339 with a colon offset, a
// little after everything the servers logged.
func nowArg(at time.Time) string {
	return at.Format("2006-01-02T15:04:05-07:00")
}

// lineWith returns the first line of content containing substr.
func lineWith(t *testing.T, content, substr string) string {
	t.Helper()
	for _, line := range strings.Split(content, "\n") {
		if strings.Contains(line, substr) {
			return line
		}
	}
	t.Fatalf("no log line contains %q", substr)
	return ""
}

// countLines counts the lines of content that match re.
func countLines(content string, re *regexp.Regexp) int {
	n := 0
	for _, line := range strings.Split(content, "\n") {
		if re.MatchString(line) {
			n++
		}
	}
	return n
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// readFileOptional returns the content of name, or "" if it cannot be read.
func readFileOptional(name string) string {
	b, _ := os.ReadFile(name)
	return string(b)
}

// skipShort skips the heavy real-server tests under -short.
func skipShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts real mail servers; skipped with -short")
	}
}

// netName is the old tool's network name of a host: sed 's/.*[0-9].//'.
func netName(host string) string {
	return netRE.ReplaceAllString(host, "")
}

var netRE = regexp.MustCompile(`^.*[0-9].`)

// periodHeader shows PERIOD as the report headers do: one space after
// the leading run of digits.
func periodHeader(period string) string {
	i := 0
	for i < len(period) && period[i] >= '0' && period[i] <= '9' {
		i++
	}
	return period[:i] + " " + period[i:]
}
