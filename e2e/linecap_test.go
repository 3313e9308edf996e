package e2e

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// rssLimitKiB is SPEC §1's bound on peak RSS whatever the line length:
// 128 MB.
const rssLimitKiB = 128_000_000 / 1024

// TestLineCapRSS runs each windowed checker's binary on a 256 MiB file
// without a newline: one warning naming the file and offset 0, exit 0, and
// a peak RSS (the kernel's, from wait4) within 128 MB. The old reader
// buffered the line whole (and a gzip bomb's 4 GiB line ran out of memory).
func TestLineCapRSS(t *testing.T) {
	skipShort(t)
	path := filepath.Join(t.TempDir(), "mail.log")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("Nov 27 17:59:00 mx1 postfix/smtpd[1]: 4A1B: client=x[192.0.2.1], sasl_username=")
	chunk := bytes.Repeat([]byte("a"), 1<<20)
	for range 256 {
		w.Write(chunk)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		tool string
		args []string
	}{
		{"postfix-spam-check", []string{"-p", "1hour"}},
		{"exim-spam-check", []string{"3600", "1"}},
		{"php-spam-check", []string{"-p", "1hour", "1"}},
		{"php-legacy-spam-check", []string{"10", "1"}},
	} {
		t.Run(tc.tool, func(t *testing.T) {
			bin := checker(t, tc.tool)
			args := append([]string{"-l", path, "--now", "2026-11-27T18:00:00Z"}, tc.args...)
			cmd := exec.Command(bin, args...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("%s: %v\nstderr: %s", tc.tool, err, stderr.String())
			}
			rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB
			t.Logf("%s: peak RSS %d KiB", tc.tool, rss)
			if rss > rssLimitKiB {
				t.Errorf("%s: peak RSS %d KiB, want at most %d KiB (128 MB)", tc.tool, rss, rssLimitKiB)
			}
			want := tc.tool + ": warning: " + path + ": line at byte 0 is longer than 64 MiB: skipped\n"
			if stderr.String() != want || stdout.Len() != 0 {
				t.Errorf("%s: stdout %q, stderr %q; want no stdout, stderr %q", tc.tool, stdout.String(), stderr.String(), want)
			}
		})
	}
}

// TestLineCapDevZero reads -l /dev/zero (one endless line) for 10 s and
// stops it: its peak RSS stays within 128 MB (the old reader doubled its
// buffer until the Go runtime died of "out of memory"). The warning comes
// when a scan ends, so this endless one prints none.
func TestLineCapDevZero(t *testing.T) {
	skipShort(t)
	bin := checker(t, "postfix-spam-check")
	cmd := exec.Command(bin, "-p", "1hour", "-l", "/dev/zero")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	time.Sleep(10 * time.Second)
	status, err := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kib, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("peak RSS after 10 s: %d KiB", kib)
			if kib > rssLimitKiB {
				t.Errorf("peak RSS %d KiB, want at most %d KiB (128 MB)", kib, rssLimitKiB)
			}
			return
		}
	}
	t.Fatal("no VmHWM in /proc/PID/status")
}
