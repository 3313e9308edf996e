// Package scripts_test tests the shell scripts under scripts/: install.sh
// (install_test.go) and the --disable-command examples in scripts/disable/
// (disable_test.go). The binaries are built once per test process with
// `go build`; the scripts run as real processes.
package scripts_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// tools are the five binaries, in install.sh's order.
var tools = []string{"postfix-spam-check", "exim-spam-check", "php-spam-check", "php-legacy-spam-check", "phpsendmail"}

// checkers answer --version; phpsendmail has no options and must never be
// run by a test (it would hand the argument to sendmail).
var checkers = tools[:4]

// testVersion is linked into the test build, so --version proves the
// installed file is the one built here.
const testVersion = "v0.0.0-scripts-test"

// manStamp is the first line of every page install.sh writes.
const manStamp = ".\\\" installed by spamcheck scripts/install.sh\n"

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// repoRoot is the module root (the tests run in scripts/).
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// binaries builds the five commands once per test process, into one
// directory, and returns it.
func binaries(t *testing.T) string {
	t.Helper()
	root := repoRoot(t)
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "spamcheck-scripts-bin-")
		if buildErr != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", "build", "-trimpath",
			"-ldflags", "-X github.com/spam-gear/spamcheck/pkg/cli.Version="+testVersion,
			"-o", buildDir+string(filepath.Separator), "./cmd/...")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/...: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildDir
}

// result of one script run.
type result struct {
	stdout, stderr string
	code           int
}

// run runs argv with exactly env (plus PATH and HOME from the test's
// environment unless env sets them), in dir, with a bounded time.
func run(t *testing.T, dir string, env []string, stdin string, argv ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.WaitDelay = 2 * time.Second
	cmd.Env = baseEnv(env)
	cmd.Stdin = strings.NewReader(stdin)
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
		t.Fatalf("%s: %v\nstderr: %s", strings.Join(argv, " "), err, r.stderr)
	}
	return r
}

// baseEnv is a small, predictable environment: PATH, HOME and TZ=UTC from
// the test process unless env overrides them, then env.
func baseEnv(env []string) []string {
	out := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TZ=UTC", "LC_ALL=C"}
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		out = slices.DeleteFunc(out, func(o string) bool { return strings.HasPrefix(o, name+"=") })
		out = append(out, kv)
	}
	return out
}

// install runs scripts/install.sh with env from a directory outside the
// repository (so BINDIR is what makes it run).
func install(t *testing.T, env []string, args ...string) result {
	t.Helper()
	script := filepath.Join(repoRoot(t), "scripts", "install.sh")
	if !slices.ContainsFunc(env, func(kv string) bool { return strings.HasPrefix(kv, "STATEDIR=") }) {
		// Never the real /var/lib/spamcheck: under PREFIX, so that runs on
		// one PREFIX share it.
		state := filepath.Join(t.TempDir(), "state")
		for _, kv := range env {
			if p, ok := strings.CutPrefix(kv, "PREFIX="); ok && !strings.HasPrefix(p, "/opt/") {
				state = filepath.Join(p, "var", "lib", "spamcheck")
			}
		}
		env = append(env, "STATEDIR="+state)
	}
	return run(t, t.TempDir(), env, "", append([]string{script}, args...)...)
}

func mustInstall(t *testing.T, env []string, args ...string) result {
	t.Helper()
	r := install(t, env, args...)
	if r.code != 0 {
		t.Fatalf("install.sh %s: exit status %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// snapshot describes every entry under root: path, type and mode, symlink
// target or file content.
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	snap := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		desc := info.Mode().String()
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(path)
			if err != nil {
				return err
			}
			desc += " -> " + target
		case d.Type().IsRegular():
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			desc += " " + string(b)
		}
		snap[path] = desc
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// checkInstalled asserts the five binaries are in binDir, mode 0755,
// byte-identical to the build, and that the checkers answer --version.
func checkInstalled(t *testing.T, binDir string) {
	t.Helper()
	src := binaries(t)
	for _, tool := range tools {
		path := filepath.Join(binDir, tool)
		info, err := os.Lstat(path)
		if err != nil {
			t.Errorf("%s: %v", tool, err)
			continue
		}
		if !info.Mode().IsRegular() || info.Mode().Perm() != 0o755 {
			t.Errorf("%s: mode %v, want a regular file with -rwxr-xr-x", path, info.Mode())
		}
		if !bytes.Equal(readFile(t, path), readFile(t, filepath.Join(src, tool))) {
			t.Errorf("%s differs from the built %s", path, tool)
		}
	}
	for _, tool := range checkers {
		r := run(t, t.TempDir(), nil, "", filepath.Join(binDir, tool), "--version")
		if want := tool + ", version " + testVersion + " (revision "; r.code != 0 || !strings.HasPrefix(r.stdout, want) {
			t.Errorf("%s --version: exit %d, stdout %q, stderr %q; want %q…", tool, r.code, r.stdout, r.stderr, want)
		}
	}
}

func TestInstallFresh(t *testing.T) {
	prefix := t.TempDir()
	r := mustInstall(t, []string{"BINDIR=" + binaries(t), "PREFIX=" + prefix})
	checkInstalled(t, filepath.Join(prefix, "bin"))
	for _, tool := range tools {
		want := "install " + filepath.Join(binaries(t), tool) + " -> " + filepath.Join(prefix, "bin", tool) + "\n"
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "backup") {
		t.Errorf("nothing to back up, but stdout says:\n%s", r.stdout)
	}
	if _, err := os.Stat(filepath.Join(prefix, "share", "man")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("man pages installed without --man or MANDIR (stat: %v)", err)
	}
}

// TestInstallPHPFilesAndStateDir: the files phpsendmail.ini and
// phpsendmail(1) point at are where they say, and the README crontab's
// --state directory exists, root's alone (issue 14 items 1 and 7).
func TestInstallPHPFilesAndStateDir(t *testing.T) {
	prefix := t.TempDir()
	stateDir := filepath.Join(t.TempDir(), "var", "lib", "spamcheck")
	env := []string{"BINDIR=" + binaries(t), "PREFIX=" + prefix, "STATEDIR=" + stateDir}
	mustInstall(t, env)
	for _, f := range []string{"put_environment_variables.php", "phpsendmail.ini"} {
		want := readFile(t, filepath.Join(repoRoot(t), "scripts", "php", f))
		got := filepath.Join(prefix, "share", "phpsendmail", f)
		if !bytes.Equal(readFile(t, got), want) {
			t.Errorf("%s differs from scripts/php/%s", got, f)
		}
		if fi, err := os.Stat(got); err != nil || fi.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v, err %v; want 0644", got, fi.Mode(), err)
		}
	}
	ini := string(readFile(t, filepath.Join(repoRoot(t), "scripts", "php", "phpsendmail.ini")))
	if !strings.Contains(ini, "auto_prepend_file = /usr/local/share/phpsendmail/put_environment_variables.php") {
		t.Errorf("phpsendmail.ini no longer names the path install.sh uses")
	}
	fi, err := os.Stat(stateDir)
	if err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
		t.Fatalf("state dir %s: %v, %v; want a directory with mode 0700", stateDir, fi, err)
	}
	r := mustInstall(t, env)
	if strings.Contains(r.stdout, "mkdir") || strings.Contains(r.stdout, "install "+filepath.Join(repoRoot(t), "scripts")) {
		t.Errorf("second install redid work:\n%s", r.stdout)
	}
}

// TestInstallBackupRestore: an old script in the way is kept, a second
// install changes nothing, a backup is never overwritten, and --restore
// puts the old script back byte for byte.
func TestInstallBackupRestore(t *testing.T) {
	prefix := t.TempDir()
	bin := filepath.Join(prefix, "bin")
	env := []string{"BINDIR=" + binaries(t), "PREFIX=" + prefix}
	const old = "#!/bin/bash\n# the old postfix-spam-check\nPERIOD=1hour\necho \"$@\"\n"
	oldPath := filepath.Join(bin, "postfix-spam-check")
	writeFile(t, oldPath, old, 0o750)
	backup := filepath.Join(bin, ".spamcheck-backup", "postfix-spam-check")

	r := mustInstall(t, env)
	if got := string(readFile(t, backup)); got != old {
		t.Fatalf("backup = %q, want the old script %q", got, old)
	}
	checkMode(t, backup, 0o750)
	if want := "backup " + oldPath + " -> " + backup + "\n"; !strings.Contains(r.stdout, want) {
		t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
	}
	if n := strings.Count(r.stdout, "backup "); n != 1 {
		t.Errorf("%d backup lines, want 1 (only postfix-spam-check was in the way):\n%s", n, r.stdout)
	}
	checkInstalled(t, bin)

	// Second run: idempotent, every line "unchanged", backup untouched.
	before := snapshot(t, prefix)
	r = mustInstall(t, env)
	unchanged := len(tools) + 2 // + the two PHP files
	if got := strings.Count(r.stdout, "unchanged "); got != unchanged || strings.Count(r.stdout, "\n") != unchanged {
		t.Errorf("second install: want %d unchanged lines and nothing else, got:\n%s", unchanged, r.stdout)
	}
	if diff := diffSnap(before, snapshot(t, prefix)); diff != "" {
		t.Errorf("second install changed the tree:\n%s", diff)
	}

	// Something else put a different old script back: the existing backup
	// must not be overwritten, nor the file replaced.
	const other = "#!/bin/sh\necho another old version\n"
	writeFile(t, oldPath, other, 0o755)
	r = install(t, env)
	if r.code != 1 || !strings.Contains(r.stderr, "differs from the existing backup") {
		t.Errorf("install over a foreign file with a backup: exit %d, stderr %q; want 1 and a message", r.code, r.stderr)
	}
	if got := string(readFile(t, backup)); got != old {
		t.Errorf("backup overwritten: %q", got)
	}
	if got := string(readFile(t, oldPath)); got != other {
		t.Errorf("foreign file replaced although its backup could not be kept: %q", got)
	}

	// The operator resolves it by putting our binary back; then restore.
	writeFile(t, oldPath, string(readFile(t, filepath.Join(binaries(t), "postfix-spam-check"))), 0o755)
	r = mustInstall(t, env, "--restore")
	if want := "restore " + backup + " -> " + oldPath + "\n"; !strings.Contains(r.stdout, want) {
		t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
	}
	if got := string(readFile(t, oldPath)); got != old {
		t.Errorf("restored file = %q, want the old script byte for byte", got)
	}
	checkMode(t, oldPath, 0o750)
	if _, err := os.Lstat(filepath.Dir(backup)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("backup directory left after restoring everything (lstat: %v)", err)
	}
	// Tools that had no backup keep our binary.
	for _, tool := range tools[1:] {
		if !bytes.Equal(readFile(t, filepath.Join(bin, tool)), readFile(t, filepath.Join(binaries(t), tool))) {
			t.Errorf("%s: --restore touched a tool without a backup", tool)
		}
	}
	// Restoring again finds nothing to do.
	before = snapshot(t, prefix)
	r = mustInstall(t, env, "--restore")
	if !strings.Contains(r.stdout, "nothing to restore") {
		t.Errorf("second --restore: stdout %q", r.stdout)
	}
	if diff := diffSnap(before, snapshot(t, prefix)); diff != "" {
		t.Errorf("second --restore changed the tree:\n%s", diff)
	}
}

// TestInstallSymlinkAndForeignBinary: a symlink and a non-script program in
// the way are also backed up (as they are) and restored.
func TestInstallSymlinkAndForeignBinary(t *testing.T) {
	prefix := t.TempDir()
	bin := filepath.Join(prefix, "bin")
	env := []string{"BINDIR=" + binaries(t), "PREFIX=" + prefix}
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/usr/local/lib/old/phpsendmail.sh", filepath.Join(bin, "phpsendmail")); err != nil {
		t.Fatal(err)
	}
	foreign := "\x7fELF not ours\x00\x01"
	writeFile(t, filepath.Join(bin, "exim-spam-check"), foreign, 0o755)

	mustInstall(t, env)
	checkInstalled(t, bin)
	if target, err := os.Readlink(filepath.Join(bin, ".spamcheck-backup", "phpsendmail")); err != nil || target != "/usr/local/lib/old/phpsendmail.sh" {
		t.Errorf("symlink backup: %q, %v", target, err)
	}
	if got := string(readFile(t, filepath.Join(bin, ".spamcheck-backup", "exim-spam-check"))); got != foreign {
		t.Errorf("foreign binary backup = %q", got)
	}

	mustInstall(t, env, "--restore")
	if target, err := os.Readlink(filepath.Join(bin, "phpsendmail")); err != nil || target != "/usr/local/lib/old/phpsendmail.sh" {
		t.Errorf("restored symlink: %q, %v", target, err)
	}
	if got := string(readFile(t, filepath.Join(bin, "exim-spam-check"))); got != foreign {
		t.Errorf("restored foreign binary = %q", got)
	}
}

// TestInstallUpgrade: an older build of ours is replaced, not backed up.
func TestInstallUpgrade(t *testing.T) {
	prefix := t.TempDir()
	bin := filepath.Join(prefix, "bin")
	env := []string{"BINDIR=" + binaries(t), "PREFIX=" + prefix}
	older := string(readFile(t, filepath.Join(binaries(t), "php-spam-check"))) + "older build"
	writeFile(t, filepath.Join(bin, "php-spam-check"), older, 0o755)

	r := mustInstall(t, env)
	if strings.Contains(r.stdout, "backup") {
		t.Errorf("our own older binary was backed up:\n%s", r.stdout)
	}
	if _, err := os.Lstat(filepath.Join(bin, ".spamcheck-backup")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("backup directory created for an upgrade (lstat: %v)", err)
	}
	checkInstalled(t, bin)
}

func TestInstallMan(t *testing.T) {
	staticPage := readFile(t, filepath.Join(repoRoot(t), "scripts", "man", "phpsendmail.1"))
	check := func(t *testing.T, manDir string) {
		t.Helper()
		entries, err := os.ReadDir(manDir)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		var want []string
		for _, tool := range tools {
			want = append(want, tool+".1")
		}
		slices.Sort(want)
		if !slices.Equal(names, want) {
			t.Errorf("%s holds %q, want %q", manDir, names, want)
		}
		for _, tool := range tools {
			page, ok := strings.CutPrefix(string(readFile(t, filepath.Join(manDir, tool+".1"))), manStamp)
			if !ok {
				t.Errorf("%s.1 does not start with %q", tool, manStamp)
			}
			if !strings.HasPrefix(page, ".TH "+tool+" 1 ") {
				t.Errorf("%s.1 does not start with .TH %s 1: %.60q", tool, tool, page)
			}
			// A whatis entry: "name \- description" right after .SH NAME.
			if _, after, ok := strings.Cut(page, "\n.SH "); !ok || !strings.Contains(after, "\n"+tool+` \- `) {
				t.Errorf("%s.1: no %q line in NAME", tool, tool+` \- `)
			}
			if !strings.Contains(page, "\n.SH ") || !strings.Contains(page, "SYNOPSIS") {
				t.Errorf("%s.1 has no SYNOPSIS section", tool)
			}
			if tool == "phpsendmail" {
				if page != string(staticPage) {
					t.Errorf("phpsendmail.1 is not scripts/man/phpsendmail.1")
				}
			} else if !strings.Contains(page, `"spamcheck `+strings.ReplaceAll(testVersion, "-", `\-`)+`"`) || !strings.Contains(page, `\fB\-\-log\fR=\fIFILE\fR`) {
				// generated by the binary built here, from its flags
				t.Errorf("%s.1 does not look generated by %s --help-man:\n%s", tool, tool, page)
			}
		}
	}

	t.Run("flag", func(t *testing.T) {
		prefix := t.TempDir()
		r := mustInstall(t, []string{"BINDIR=" + binaries(t), "PREFIX=" + prefix}, "--man")
		manDir := filepath.Join(prefix, "share", "man", "man1")
		check(t, manDir)
		if n := strings.Count(r.stdout, "\nman "+manDir+"/"); n != len(tools) {
			t.Errorf("%d man lines, want %d:\n%s", n, len(tools), r.stdout)
		}
		before := snapshot(t, prefix)
		r = mustInstall(t, []string{"BINDIR=" + binaries(t), "PREFIX=" + prefix}, "--man")
		if n := strings.Count(r.stdout, "unchanged "); n != 2*len(tools)+2 { // + the two PHP files
			t.Errorf("second --man install: %d unchanged lines, want %d:\n%s", n, 2*len(tools)+2, r.stdout)
		}
		if diff := diffSnap(before, snapshot(t, prefix)); diff != "" {
			t.Errorf("second --man install changed the tree:\n%s", diff)
		}
	})
	t.Run("MANDIR", func(t *testing.T) {
		prefix, mandir := t.TempDir(), t.TempDir()
		mustInstall(t, []string{"BINDIR=" + binaries(t), "PREFIX=" + prefix, "MANDIR=" + mandir})
		check(t, filepath.Join(mandir, "man1"))
	})
	t.Run("DESTDIR", func(t *testing.T) {
		dest := t.TempDir()
		mustInstall(t, []string{"BINDIR=" + binaries(t), "PREFIX=/opt/spamcheck", "DESTDIR=" + dest}, "--man")
		checkInstalled(t, filepath.Join(dest, "opt", "spamcheck", "bin"))
		check(t, filepath.Join(dest, "opt", "spamcheck", "share", "man", "man1"))
	})
}

func TestInstallDryRun(t *testing.T) {
	prefix := t.TempDir()
	env := []string{"BINDIR=" + binaries(t), "PREFIX=" + prefix}
	writeFile(t, filepath.Join(prefix, "bin", "php-spam-check"), "#!/bin/sh\necho old\n", 0o755)
	before := snapshot(t, prefix)
	r := mustInstall(t, env, "--dry-run", "--man")
	if diff := diffSnap(before, snapshot(t, prefix)); diff != "" {
		t.Errorf("--dry-run changed the tree:\n%s", diff)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	for _, l := range lines {
		if !strings.HasPrefix(l, "[dry-run] ") {
			t.Errorf("--dry-run line without the [dry-run] prefix: %q", l)
		}
	}
	for _, want := range []string{
		"[dry-run] backup " + filepath.Join(prefix, "bin", "php-spam-check"),
		"[dry-run] install " + filepath.Join(binaries(t), "phpsendmail"),
		"[dry-run] man " + filepath.Join(prefix, "share", "man", "man1", "phpsendmail.1"),
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("--dry-run output lacks %q:\n%s", want, r.stdout)
		}
	}

	// After a real install, --restore --dry-run changes nothing either.
	mustInstall(t, env, "--man")
	before = snapshot(t, prefix)
	r = mustInstall(t, env, "--restore", "--man", "--dry-run")
	if !strings.Contains(r.stdout, "[dry-run] restore ") {
		t.Errorf("--restore --dry-run: stdout %q", r.stdout)
	}
	if diff := diffSnap(before, snapshot(t, prefix)); diff != "" {
		t.Errorf("--restore --dry-run changed the tree:\n%s", diff)
	}
}

func TestInstallRefusals(t *testing.T) {
	t.Run("outside the repository without BINDIR", func(t *testing.T) {
		prefix := t.TempDir()
		r := install(t, []string{"PREFIX=" + prefix})
		if r.code == 0 || !strings.Contains(r.stderr, "repository root") {
			t.Errorf("exit %d, stderr %q; want a refusal naming the repository root", r.code, r.stderr)
		}
		if entries, _ := os.ReadDir(prefix); len(entries) != 0 {
			t.Errorf("refused run wrote into PREFIX: %v", entries)
		}
	})
	t.Run("missing binary", func(t *testing.T) {
		prefix, bindir := t.TempDir(), t.TempDir()
		for _, tool := range tools[:4] {
			writeFile(t, filepath.Join(bindir, tool), string(readFile(t, filepath.Join(binaries(t), tool))), 0o755)
		}
		r := install(t, []string{"BINDIR=" + bindir, "PREFIX=" + prefix})
		if r.code == 0 || !strings.Contains(r.stderr, "phpsendmail") {
			t.Errorf("exit %d, stderr %q; want a refusal naming phpsendmail", r.code, r.stderr)
		}
		if entries, _ := os.ReadDir(prefix); len(entries) != 0 {
			t.Errorf("refused run wrote into PREFIX: %v", entries)
		}
	})
	t.Run("BINDIR not ours", func(t *testing.T) {
		prefix, bindir := t.TempDir(), t.TempDir()
		for _, tool := range tools {
			writeFile(t, filepath.Join(bindir, tool), "#!/bin/sh\necho old\n", 0o755)
		}
		r := install(t, []string{"BINDIR=" + bindir, "PREFIX=" + prefix})
		if r.code == 0 || !strings.Contains(r.stderr, "not a spamcheck binary") {
			t.Errorf("exit %d, stderr %q; want a refusal", r.code, r.stderr)
		}
		if entries, _ := os.ReadDir(prefix); len(entries) != 0 {
			t.Errorf("refused run wrote into PREFIX: %v", entries)
		}
	})
	t.Run("unknown argument", func(t *testing.T) {
		r := install(t, []string{"BINDIR=" + binaries(t), "PREFIX=" + t.TempDir()}, "--prefix=/x")
		if r.code != 2 {
			t.Errorf("exit %d, want 2; stderr %q", r.code, r.stderr)
		}
	})
}

func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	info, err := os.Lstat(path)
	if err != nil {
		t.Error(err)
		return
	}
	if info.Mode() != want {
		t.Errorf("%s: mode %v, want %v", path, info.Mode(), want)
	}
}

// diffSnap lists the paths whose description differs.
func diffSnap(a, b map[string]string) string {
	var out []string
	for p, d := range a {
		if e, ok := b[p]; !ok {
			out = append(out, "- "+p)
		} else if e != d {
			out = append(out, "~ "+p)
		}
	}
	for p := range b {
		if _, ok := a[p]; !ok {
			out = append(out, "+ "+p)
		}
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}

// TestRestoreRemovesOwnManPage: --restore without --man takes away the man
// page install.sh wrote over the restored tool (it would describe our
// binary, not the old script), and leaves a page it did not write.
func TestRestoreRemovesOwnManPage(t *testing.T) {
	prefix := t.TempDir()
	bin := filepath.Join(prefix, "bin")
	man1 := filepath.Join(prefix, "share", "man", "man1")
	env := []string{"BINDIR=" + binaries(t), "PREFIX=" + prefix}
	for _, tool := range []string{"postfix-spam-check", "exim-spam-check"} {
		writeFile(t, filepath.Join(bin, tool), "#!/bin/bash\n# the old "+tool+"\n", 0o755)
	}
	mustInstall(t, env, "--man")
	foreign := ".TH exim-spam-check 1 \"\" \"\" \"written by hand\"\n"
	writeFile(t, filepath.Join(man1, "exim-spam-check.1"), foreign, 0o644)

	mustInstall(t, env, "--restore")
	if _, err := os.Stat(filepath.Join(man1, "postfix-spam-check.1")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("our postfix-spam-check.1 left over the restored old tool (stat: %v)", err)
	}
	if got := string(readFile(t, filepath.Join(man1, "exim-spam-check.1"))); got != foreign {
		t.Errorf("a man page install.sh did not write was changed: %q", got)
	}
	// Tools without a backup keep their binary and their page.
	if _, err := os.Stat(filepath.Join(man1, "php-spam-check.1")); err != nil {
		t.Errorf("php-spam-check.1 (no backup) removed: %v", err)
	}
}
