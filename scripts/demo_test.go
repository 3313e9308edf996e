package scripts_test

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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
