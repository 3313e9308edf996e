package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/spam-gear/spamcheck/e2e/internal/mtatest"
	"github.com/spam-gear/spamcheck/pkg/journal/journaltest"
)

// eximGroup is what a run reports per key, from its JSON document.
type eximGroup struct {
	Kind  string
	Key   string
	Count int64
}

// eximDoc is the part of exim-spam-check's JSON document the journal test
// compares.
type eximDoc struct {
	Logs           []string
	UntrustedLines *int64 `json:"untrusted_lines"`
	Groups         []eximGroup
}

func parseEximDoc(t *testing.T, r result) eximDoc {
	t.Helper()
	var d eximDoc
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
		t.Fatalf("json: %v (exit %d, stderr %q): %s", err, r.code, r.stderr, r.stdout)
	}
	return d
}

func untrusted(d eximDoc) string {
	if d.UntrustedLines == nil {
		return "missing"
	}
	return fmt.Sprint(*d.UntrustedLines)
}

// journalEntry is one Exim entry of the journal, with the fields journald
// recorded itself.
type journalEntry struct {
	Message string `json:"MESSAGE"`
	Ident   string `json:"SYSLOG_IDENTIFIER"`
	Comm    string `json:"_COMM"`
	Exe     string `json:"_EXE"`
	UID     string `json:"_UID"`
}

// TestEximJournal runs the Exim scenario with the real Exim logging every
// line both to its main log and, through syslog (log_file_path = syslog :
// DIR/%slog, syslog_processname left at its default exim), to a private
// systemd-journald. exim-spam-check with its unchanged command line (no
// -l), run in the journal's namespace with an empty /var/log (no Exim main
// log at any compiled-in path), reads the local journal and reports the
// same keys with the same counts as the run on the main log. A line forged
// with logger as nobody (tag exim) and one from nobody's copy of logger
// named exim4 are not counted: they are untrusted_lines. It also logs the
// _COMM, _EXE and _UID journald recorded for Exim's arrivals.
func TestEximJournal(t *testing.T) {
	skipShort(t)
	t.Parallel()
	j := journaltest.Start(t)
	e := mtatest.StartExim(t, mtatest.EximOptions{Users: eximUsers, LocalUsers: eximLocalUsers, Hosts: hosts, SyslogSocket: j.Socket})
	plan := eximPlan()
	runEximPlan(t, e, plan)
	// Local submissions as PHP's mail() makes them: sendmail -t, through
	// the sendmail link to Exim's binary (its process is named sendmail),
	// and through the link exim.
	for i, link := range []string{"sendmail", "sendmail", "sendmail", "exim", "exim"} {
		prog := filepath.Join(filepath.Dir(mtatest.EximBinary), link)
		if target, err := filepath.EvalSymlinks(prog); err != nil || filepath.Base(target) != filepath.Base(mtatest.EximBinary) {
			t.Fatalf("%s is not a link to Exim's binary: %v", prog, err)
		}
		msg := mtatest.LocalMessage("blogger@"+mtatest.Domain, "bob@"+mtatest.Domain, "local", fmt.Sprintf("sm-%02d@e2e.test", i+1))
		if err := e.SubmitLocalWith(context.Background(), "blogger", prog, msg); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, eximSend{localUser: "blogger", accept: true, localKey: "blogger"})
	}
	accepted := waitEximDone(t, e, plan)
	entries := func() []journalEntry {
		j.Sync(t)
		out, err := exec.Command("journalctl", "--directory="+j.Dir, "-q", "-o", "json", "--output-fields=MESSAGE,SYSLOG_IDENTIFIER,_COMM,_EXE,_UID").Output()
		if err != nil {
			t.Fatal(err)
		}
		var es []journalEntry
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			var e journalEntry
			if err := json.Unmarshal([]byte(l), &e); err != nil {
				t.Fatalf("journalctl -o json: %v: %s", err, l)
			}
			es = append(es, e)
		}
		return es
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		n := 0
		for _, en := range entries() {
			if strings.HasSuffix(en.Message, " Completed") {
				n++
			}
		}
		if n >= accepted {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("journal has %d Completed lines, want %d", n, accepted)
		}
		time.Sleep(200 * time.Millisecond)
	}
	e.Stop()
	mainlog := readFile(t, e.MainLog)

	// What journald recorded for Exim's arrivals: by local user
	// (U=NAME P=local) or SMTP, the set of (SYSLOG_IDENTIFIER, _COMM,
	// _EXE, _UID).
	seen := map[string]map[string]int{}
	for _, en := range entries() {
		if !strings.Contains(en.Message, " <= ") {
			continue
		}
		kind := "smtp"
		if i := strings.Index(en.Message, " U="); i >= 0 && strings.Contains(en.Message, " P=local ") {
			kind = "local " + strings.Fields(en.Message[i+3:])[0]
		}
		if seen[kind] == nil {
			seen[kind] = map[string]int{}
		}
		seen[kind]["SYSLOG_IDENTIFIER="+en.Ident+" _COMM="+en.Comm+" _EXE="+en.Exe+" _UID="+en.UID]++
	}
	other := map[string]int{}
	// lost are the arrivals journald recorded after their Exim process
	// had gone (no _COMM or no _EXE: it exits right after logging, and
	// under load journald reads /proc too late). Nothing shows who wrote
	// them, so the checker cannot trust them; seen under -race with the
	// whole test suite running.
	lost := map[string]bool{}
	for _, en := range entries() {
		if !strings.Contains(en.Message, " <= ") {
			other["_COMM="+en.Comm+" _UID="+en.UID]++
		} else if en.Comm == "" || en.Exe == "" {
			lost[en.Message] = true
		}
	}
	t.Logf("journal fields of Exim's other lines: %v", other)
	kinds := make([]string, 0, len(seen))
	for k := range seen {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		t.Logf("journal fields of Exim's arrivals (%s): %v", k, seen[k])
	}
	if got := strings.Count(mainlog, " <= "); got != accepted {
		t.Fatalf("main log has %d arrivals, want %d", got, accepted)
	}

	bin := checker(t, "exim-spam-check")
	now := "--now=" + nowArg(time.Now().Add(2*time.Second))
	args := []string{"-p", "1hour", "-m", "5", "--auth", now}
	// The checker's host has Exim's account, with the uid the Exim
	// instance ran as.
	passwd := filepath.Join(filepath.Dir(journaltest.CopyProgram(t, "true", "x")), "passwd")
	if err := os.WriteFile(passwd, []byte(readFile(t, "/etc/passwd")+fmt.Sprintf("Debian-exim:x:%d:%d::/nonexistent:/usr/sbin/nologin\n", e.UID, e.GID)), 0o644); err != nil {
		t.Fatal(err)
	}
	runLocal := func(args ...string) result {
		t.Helper()
		// In the journal's namespace (its journal is the local one),
		// with an empty /var/log: no main log at any default path.
		script := `mount -t tmpfs none /var/log && mount --bind "$0" /etc/passwd && exec "$@"`
		argv := append(j.CommandPrefix(), "unshare", "--mount", "sh", "-c", script, passwd, bin)
		return run(t, argv[0], append(argv[1:], args...)...)
	}
	fromFile := parseEximDoc(t, run(t, bin, append(args, "-l", e.MainLog, "--format=json")...))
	want := []eximGroup{
		{"users", "blogger", 7}, {"users", "root", 1}, {"users", "webshop", 7},
	}
	if diff := cmp.Diff(want, fromFile.Groups[:min(3, len(fromFile.Groups))]); diff != "" {
		t.Errorf("main log run, local users (-want +got):\n%s", diff)
	}
	if len(fromFile.Groups) < 10 {
		t.Fatalf("main log run: too few groups: %v", fromFile.Groups)
	}
	// What the journal can show: the main log without the lost
	// arrivals (an Exim syslog message is its main log line without the
	// timestamp).
	var kept strings.Builder
	removed := 0
	for _, line := range strings.SplitAfter(mainlog, "\n") {
		if _, msg, ok := strings.Cut(line, " "); ok {
			if _, msg, ok = strings.Cut(msg, " "); ok && lost[strings.TrimSuffix(msg, "\n")] {
				removed++
				continue
			}
		}
		kept.WriteString(line)
	}
	if removed != len(lost) {
		t.Fatalf("%d lost arrivals, %d of them found in the main log", len(lost), removed)
	}
	keptLog := filepath.Join(t.TempDir(), "mainlog-kept")
	if err := os.WriteFile(keptLog, []byte(kept.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if len(lost) > 0 {
		t.Logf("%d arrivals reached journald after their process was gone: compared without them", len(lost))
		fromFile = parseEximDoc(t, run(t, bin, append(args, "-l", keptLog, "--format=json")...))
	}
	journalRun := func() eximDoc {
		t.Helper()
		r := runLocal(append(args, "--format=json")...)
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("journal run: exit %d, stderr %q", r.code, r.stderr)
		}
		return parseEximDoc(t, r)
	}
	fromJournal := journalRun()
	if diff := cmp.Diff(fromFile.Groups, fromJournal.Groups); diff != "" {
		t.Errorf("journal run differs from the main log run (-file +journal):\n%s", diff)
	}
	if fromJournal.UntrustedLines == nil || *fromJournal.UntrustedLines != int64(len(lost)) || !cmp.Equal(fromJournal.Logs, []string{"journal"}) {
		t.Errorf("journal run: logs %q, untrusted_lines %s, want [journal] and %d", fromJournal.Logs, untrusted(fromJournal), len(lost))
	}
	// The text reports name the same keys; the first lines differ only
	// in the journal's syslog prefix.
	text := runLocal(args...)
	fileText := run(t, bin, append(args, "-l", keptLog)...)
	if strings.Count(text.stdout, "\n") != strings.Count(fileText.stdout, "\n") || !strings.Contains(text.stdout, " exim[") {
		t.Errorf("text reports differ:\nfile:\n%s\njournal:\n%s", fileText.stdout, text.stdout)
	}

	// Forgeries: an arrival line for mallory, once through logger as
	// nobody with Exim's tag, once through nobody's own copy of logger
	// named exim4 (its _COMM is Exim's, its _EXE nobody's file).
	forged := time.Now().Format("2006-01-02 15:04:05") + " 1tZzZz-000001-AB <= mallory@e2e.test U=mallory P=local S=310 id=forged@e2e.test"
	j.Log(t, "nobody", "", "exim", forged)
	userCopy := journaltest.CopyProgram(t, "logger", "exim4")
	if err := exec.Command("chown", "nobody", userCopy).Run(); err != nil {
		t.Fatal(err)
	}
	j.Log(t, "nobody", userCopy, "exim", strings.Replace(forged, "1tZzZz", "1tZzZy", 1))
	// A symlink named exim4 to root's logger: the kernel names the
	// process after the path it executed (_COMM exim4), while _EXE is
	// the link's target, root's logger.
	link := filepath.Join(filepath.Dir(journaltest.CopyProgram(t, "true", "x")), "exim4")
	logger, err := exec.LookPath("logger")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(logger, link); err != nil {
		t.Fatal(err)
	}
	j.Log(t, "nobody", link, "exim", strings.Replace(forged, "1tZzZz", "1tZzZx", 1))
	for _, en := range entries() {
		if strings.Contains(en.Message, "mallory") {
			t.Logf("forged entry: SYSLOG_IDENTIFIER=%s _COMM=%s _EXE=%s _UID=%s", en.Ident, en.Comm, en.Exe, en.UID)
		}
	}
	after := journalRun()
	if diff := cmp.Diff(fromFile.Groups, after.Groups); diff != "" {
		t.Errorf("forged lines changed the journal run (-file +journal):\n%s", diff)
	}
	if after.UntrustedLines == nil || *after.UntrustedLines != int64(len(lost))+3 {
		t.Errorf("untrusted_lines %s, want %d", untrusted(after), len(lost)+3)
	}
}
