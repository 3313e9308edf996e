package scripts_test

import (
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spam-gear/spamcheck/pkg/testenv"
)

// TestDemoCommandsPaste runs the demo, then pastes every command it printed
// into a shell of its own (from the repository root, as the README says)
// and checks that each prints exactly what the demo printed under it
// (issue 14: the banners once showed a command other than the one run).
func TestDemoCommandsPaste(t *testing.T) {
	root := repoRoot(t)
	bin := binaries(t)
	r := run(t, root, nil, "", "bash", filepath.Join(root, "scripts", "demo.sh"), bin, "2026-11-27 18:00:00")
	if r.code != 0 {
		t.Fatalf("demo.sh: exit %d\nstderr: %s", r.code, r.stderr)
	}
	// phpsendmail logs one mail and php-legacy-spam-check reads it back,
	// in a user namespace or as root (CI); elsewhere the demo says why not.
	const readBack = "\n/var/www/shop/contact.php\n"
	if !strings.Contains(r.stdout, bin+"/demo/phpsendmail -f contact@shop.example < examples/contact-form.eml\n") || !strings.HasSuffix(r.stdout, readBack) {
		if os.Geteuid() == 0 || !strings.Contains(r.stderr, "demo: phpsendmail skipped:") {
			t.Errorf("demo did not show phpsendmail logging a mail and php-legacy-spam-check reading it back (ending %q); stdout:\n%s\nstderr: %s", readBack, r.stdout, r.stderr)
		}
	}
	blocks := strings.Split(strings.TrimPrefix(r.stdout, "\n"), "\n\n# ")
	if len(blocks) < 9 {
		t.Fatalf("demo printed %d commands, want at least 9:\n%s", len(blocks), r.stdout)
	}
	for i, b := range blocks {
		if i == 0 {
			b = strings.TrimPrefix(b, "# ")
		}
		comment, rest, ok := strings.Cut(b, "\n")
		if !ok {
			t.Fatalf("block %d has no command line: %q", i, b)
		}
		command, want, _ := strings.Cut(rest, "\n")
		if i < len(blocks)-1 {
			want += "\n" // the blank line before the next "# " was the last output line's end
		}
		if !strings.HasPrefix(command, "TZ=UTC "+bin+"/") {
			t.Errorf("%s: command %q does not start with TZ=UTC and a binary", comment, command)
		}
		cmd := exec.Command("bash", "-c", command)
		cmd.Dir = root
		cmd.Env = baseEnv([]string{"TZ=Europe/Madrid"}) // the command line's own TZ=UTC must be what counts
		out, err := cmd.Output()
		if err != nil {
			t.Errorf("%s: pasting %q: %v", comment, command, err)
			continue
		}
		if diff := cmp.Diff(want, string(out)); diff != "" {
			t.Errorf("%s: %q prints something else than the demo showed (-demo +pasted):\n%s", comment, command, diff)
		}
	}
}

// TestDemoUnprivileged runs the demo as nobody, the user the README's
// "make demo" is for: phpsendmail trusts only a root-owned config, so the
// demo runs it in a user namespace; its mail must still be read back. It
// needs root to become nobody.
func TestDemoUnprivileged(t *testing.T) {
	if os.Geteuid() != 0 {
		testenv.Missing(t, "needs root to run the demo as nobody (setpriv); run go test as root to check it")
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Fatalf("no user nobody: %v", err)
	}
	uid, _ := strconv.Atoi(nobody.Uid)
	gid, _ := strconv.Atoi(nobody.Gid)
	root := repoRoot(t)
	// nobody's own BINDIR, Go caches and HOME.
	// (t.TempDir's parent is root's, 0700.)
	dir, err := os.MkdirTemp("", "spamcheck-demo-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "bin")
	home := filepath.Join(dir, "home")
	for _, d := range []string{bin, home} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, tool := range tools {
		data, err := os.ReadFile(filepath.Join(binaries(t), tool))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(bin, tool), data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{dir, bin, home} {
		if err := os.Chown(p, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, root, []string{"PATH=" + filepath.Dir(goBin) + ":/usr/bin:/bin", "HOME=" + home,
		"GOCACHE=" + filepath.Join(home, "cache"), "GOMODCACHE=" + filepath.Join(home, "mod"), "GOTOOLCHAIN=local",
		// The clone is root's; git refuses another user's repository
		// ("dubious ownership"), which go build's VCS stamping reports
		// as exit status 128. A user's own clone has no such problem.
		"GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=safe.directory", "GIT_CONFIG_VALUE_0=" + root}, "",
		"setpriv", "--reuid="+nobody.Uid, "--regid="+nobody.Gid, "--clear-groups",
		"bash", filepath.Join(root, "scripts", "demo.sh"), bin, "2026-11-27 18:00:00")
	if r.code != 0 {
		t.Fatalf("demo.sh as nobody: exit %d\nstderr: %s", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, "demo: phpsendmail skipped:") {
		testenv.Missing(t, "unprivileged user namespaces are unavailable here (sysctl kernel.unprivileged_userns_clone=1 enables them): %s", r.stderr)
	}
	if !strings.HasSuffix(r.stdout, "\n/var/www/shop/contact.php\n") {
		t.Errorf("demo as nobody did not read phpsendmail's mail back; stdout ends:\n%s\nstderr: %s", r.stdout[max(0, len(r.stdout)-800):], r.stderr)
	}
}
