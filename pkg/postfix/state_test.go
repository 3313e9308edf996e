package postfix

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const stateNow = "2026-11-27 18:00:00"

// stateRun runs -m 3 -d 1,1 --state path with a recording
// --disable-command on a log where bob is eligible, and returns the exit
// status, stdout, stderr and the users locked.
func stateRun(t *testing.T, statePath string, extra ...string) (int, string, string, []string) {
	t.Helper()
	lock, locked := lockRecorder(t)
	log := eligibleLog(t, "bob")
	var stdout, stderr bytes.Buffer
	args := append([]string{"-m", "3", "-d", "1,1", "--disable-command", lock, "--state", statePath, "-l", log, "--now", stateNow}, extra...)
	code := run(args, nil, &stdout, &stderr, time.Now(), time.UTC)
	return code, stdout.String(), stderr.String(), fileLines(t, locked)
}

func readState(t *testing.T, path string) stateFile {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f stateFile
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("%s: %v\n%s", path, err, data)
	}
	return f
}

func writeState(t *testing.T, path string, f stateFile) {
	t.Helper()
	data, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, string(data), 0o600)
}

var stateTime = time.Date(2026, 11, 27, 18, 0, 0, 0, time.UTC)

// TestStateUnusable: a state file that is not a regular file of ours that
// only we may write, or that is too big or not a state file, is unusable:
// nobody is disabled, stderr says why, exit 1, the report is complete, the
// file is left alone; nothing blocks (a FIFO) or fills the memory
// (/dev/zero).
func TestStateUnusable(t *testing.T) {
	stubCommands(t)
	tests := []struct {
		name  string
		setup func(t *testing.T, path string) string // returns the --state path
		why   string
	}{
		{"symlink to /dev/zero", func(t *testing.T, path string) string {
			if err := os.Symlink("/dev/zero", path); err != nil {
				t.Fatal(err)
			}
			return path
		}, "it is a symbolic link"},
		{"symlink to a good state file", func(t *testing.T, path string) string {
			good := path + ".real"
			writeState(t, good, stateFile{Version: stateVersion})
			if err := os.Symlink(good, path); err != nil {
				t.Fatal(err)
			}
			return path
		}, "it is a symbolic link"},
		{"/dev/zero itself", func(t *testing.T, path string) string { return "/dev/zero" }, "not a regular file"},
		{"FIFO", func(t *testing.T, path string) string {
			if err := syscall.Mkfifo(path, 0o600); err != nil {
				t.Fatal(err)
			}
			return path
		}, "not a regular file"},
		{"directory", func(t *testing.T, path string) string {
			if err := os.Mkdir(path, 0o700); err != nil {
				t.Fatal(err)
			}
			return path
		}, "not a regular file"},
		{"writable by others", func(t *testing.T, path string) string {
			writeState(t, path, stateFile{Version: stateVersion})
			if err := os.Chmod(path, 0o606); err != nil {
				t.Fatal(err)
			}
			return path
		}, "group or others may write it (mode 0606)"},
		{"writable by the group", func(t *testing.T, path string) string {
			writeState(t, path, stateFile{Version: stateVersion})
			if err := os.Chmod(path, 0o620); err != nil {
				t.Fatal(err)
			}
			return path
		}, "group or others may write it (mode 0620)"},
		{"owned by someone else", func(t *testing.T, path string) string {
			if os.Geteuid() != 0 {
				if os.Getenv("CI") == "true" {
					t.Fatal("this case needs root (to chown the state file)")
				}
				t.Skip("needs root to chown the state file; run the tests as root (CI does)")
			}
			writeState(t, path, stateFile{Version: stateVersion})
			if err := os.Chown(path, 65534, 65534); err != nil {
				t.Fatal(err)
			}
			return path
		}, "owned by uid 65534, not by the running user"},
		{"too big", func(t *testing.T, path string) string {
			writeFile(t, path, `{"version": 2, "users": {}}`+strings.Repeat(" ", maxStateFile), 0o600)
			return path
		}, "larger than 4 MiB"},
		{"not JSON", func(t *testing.T, path string) string {
			writeFile(t, path, `{"version": 2, "users": {"bob":`, 0o600)
			return path
		}, "is corrupt"},
		{"unknown version", func(t *testing.T, path string) string {
			writeFile(t, path, `{"version": 3}`, 0o600)
			return path
		}, "is corrupt: unknown version 3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.setup(t, filepath.Join(t.TempDir(), "st.json"))
			before, _ := os.Lstat(path)
			code, stdout, stderr, locked := stateRun(t, path)
			if code != 1 || len(locked) != 0 || strings.Contains(stdout, "DISABLED") || strings.Count(stdout, "\n") != 3 {
				t.Errorf("exit %d, locked %q, stdout:\n%s", code, locked, stdout)
			}
			if !strings.Contains(stderr, "state file "+path) || !strings.Contains(stderr, tc.why) || !strings.Contains(stderr, "nobody is disabled") {
				t.Errorf("stderr %q does not say %q", stderr, tc.why)
			}
			if after, _ := os.Lstat(path); before != nil && (after == nil || !after.ModTime().Equal(before.ModTime()) || after.Mode() != before.Mode()) {
				t.Errorf("the unusable state file was replaced")
			}
		})
	}
}

// TestStateEntries: a confirmed entry within the period stops the lock
// (the line keeps [DISABLED], no label, no mail); an entry from before the
// period, a pending entry (a run killed before its lock ended), a version
// 1 entry (written before the lock, never confirmed) and an entry stamped
// in the future do not, and are replaced by a confirmed one.
func TestStateEntries(t *testing.T) {
	calls := stubCommands(t)
	tests := []struct {
		name   string
		state  string
		locked bool
	}{
		{"confirmed in the period", `{"version": 2, "users": {"bob": {"at": "2026-11-27T17:30:00Z", "confirmed": true}}}`, false},
		{"confirmed before the period", `{"version": 2, "users": {"bob": {"at": "2026-11-27T16:59:00Z", "confirmed": true}}}`, true},
		{"pending in the period", `{"version": 2, "users": {"bob": {"at": "2026-11-27T17:30:00Z", "confirmed": false}}}`, true},
		{"version 1 in the period", `{"version": 1, "acted": {"bob": "2026-11-27T17:30:00Z"}}`, true},
		{"confirmed in the future", `{"version": 2, "users": {"bob": {"at": "2026-11-27T18:00:01Z", "confirmed": true}}}`, true},
		{"confirmed far in the future", `{"version": 2, "users": {"bob": {"at": "2099-01-01T00:00:00Z", "confirmed": true}}}`, true},
		{"another user", `{"version": 2, "users": {"alice": {"at": "2026-11-27T17:30:00Z", "confirmed": true}}}`, true},
		{"no file", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(calls)
			path := filepath.Join(t.TempDir(), "st.json")
			if tc.state != "" {
				writeFile(t, path, tc.state, 0o600)
			}
			code, stdout, stderr, locked := stateRun(t, path)
			if code != 0 || stderr != "" || !strings.HasSuffix(stdout, " [DISABLED]\n") {
				t.Fatalf("exit %d, stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			mailed := strings.Contains(strings.Join(fileLines(t, calls), "\n"), "sendmail ")
			if got := len(locked) == 1; got != tc.locked || mailed != tc.locked {
				t.Fatalf("locked %q, mailed %v; want locked and mailed = %v", locked, mailed, tc.locked)
			}
			f := readState(t, path)
			if tc.locked {
				want := map[string]stateEntry{"bob": {At: stateTime, Confirmed: true}}
				if tc.name == "another user" {
					want["alice"] = stateEntry{At: stateTime.Add(-30 * time.Minute), Confirmed: true}
				}
				if diff := cmp.Diff(want, f.Users); f.Version != stateVersion || diff != "" {
					t.Errorf("state after the lock: version %d (-want +got):\n%s", f.Version, diff)
				}
			}
		})
	}
}

// TestStateDirectoryCreated: the state's missing directory is created with
// mode 0700 and the file is 0600.
func TestStateDirectoryCreated(t *testing.T) {
	stubCommands(t)
	dir := filepath.Join(t.TempDir(), "lib", "spamcheck")
	path := filepath.Join(dir, "postfix.state")
	code, _, stderr, locked := stateRun(t, path)
	if code != 0 || len(locked) != 1 {
		t.Fatalf("exit %d, locked %q, stderr %q", code, locked, stderr)
	}
	for p, want := range map[string]os.FileMode{dir: 0o700 | os.ModeDir, filepath.Dir(dir): 0o700 | os.ModeDir, path: 0o600} {
		if info, err := os.Stat(p); err != nil || info.Mode() != want {
			t.Errorf("%s: %v, mode %v, want %v", p, err, info.Mode(), want)
		}
	}
	// The next run uses it.
	code, stdout, _, locked := stateRun(t, path)
	if code != 0 || len(locked) != 0 || !strings.HasSuffix(stdout, " [DISABLED]\n") {
		t.Errorf("second run: exit %d, locked %q, stdout:\n%s", code, locked, stdout)
	}
}

// TestStateKilledBeforeTheLockEnds runs the built binary with a
// --disable-command that blocks, kills it (SIGTERM, then SIGKILL) once the
// lock has started, and checks that the state holds only a pending entry,
// which the next run does not count: it locks the user.
func TestStateKilledBeforeTheLockEnds(t *testing.T) {
	bin := buildTool(t)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			stubCommands(t)
			started := filepath.Join(dir, "started")
			blocker := filepath.Join(dir, "block")
			writeFile(t, blocker, "#!/bin/sh\ntouch "+started+"\nexec sleep 600\n", 0o755)
			statePath := filepath.Join(dir, "state", "st.json")
			log := eligibleLog(t, "bob")
			out, err := os.Create(filepath.Join(dir, "out"))
			if err != nil {
				t.Fatal(err)
			}
			defer out.Close()
			cmd := exec.Command(bin, "-m", "3", "-d", "1,1", "--disable-command", blocker, "--state", statePath, "-l", log, "--now", stateNow)
			cmd.Stdout, cmd.Stderr = out, out
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // the sleep, whatever happens
			for i := 0; ; i++ {
				if _, err := os.Stat(started); err == nil {
					break
				}
				if i == 6000 {
					t.Fatal("the lock command never started")
				}
				time.Sleep(10 * time.Millisecond)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if err := cmd.Wait(); err == nil {
				t.Fatal("the killed run exited 0")
			}
			f := readState(t, statePath)
			if diff := cmp.Diff(map[string]stateEntry{"bob": {At: stateTime}}, f.Users); diff != "" {
				t.Fatalf("state of the killed run (-want +got):\n%s", diff)
			}

			code, stdout, stderr, locked := stateRun(t, statePath)
			if code != 0 || len(locked) != 1 || !strings.HasSuffix(stdout, " [DISABLED]\n") {
				t.Errorf("next run: exit %d, locked %q, stdout:\n%s\nstderr:\n%s", code, locked, stdout, stderr)
			}
			if f := readState(t, statePath); !f.Users["bob"].Confirmed {
				t.Errorf("state after the next run: %+v", f)
			}
		})
	}
}

// buildTool builds postfix-spam-check with the tests' passwd and
// login.defs compiled in.
func buildTool(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go tool is needed to build the binary: %v", err)
	}
	passwd, _ := filepath.Abs("testdata/passwd")
	defs, _ := filepath.Abs("testdata/login.defs")
	bin := filepath.Join(t.TempDir(), "postfix-spam-check")
	const pkg = "github.com/spam-gear/spamcheck/pkg/postfix"
	build := exec.Command(goTool, "build", "-o", bin,
		"-ldflags", "-X "+pkg+".PasswdFile="+passwd+" -X "+pkg+".LoginDefsFile="+defs,
		"github.com/spam-gear/spamcheck/cmd/postfix-spam-check")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
