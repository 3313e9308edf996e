package php

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spam-gear/spamcheck/pkg/journal/journaltest"
)

// buildPHPSendmail builds cmd/phpsendmail into dir with its ConfigPath a
// root-owned phpsendmail.conf there that points syslog_socket at socket
// and sendmail at a stand-in that reads the message and exits.
func buildPHPSendmail(t *testing.T, dir, socket string) string {
	t.Helper()
	conf := filepath.Join(dir, "phpsendmail.conf")
	sendmail := filepath.Join(dir, "sendmail")
	if err := os.WriteFile(sendmail, []byte("#!/bin/sh\ncat >/dev/null\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(conf, []byte("syslog_socket = "+socket+"\nsendmail = "+sendmail+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "phpsendmail")
	build := exec.Command("go", "build", "-o", bin, "-ldflags", "-X github.com/spam-gear/spamcheck/pkg/phpsendmail.ConfigPath="+conf, "github.com/spam-gear/spamcheck/cmd/phpsendmail")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestLegacyJournalExecRace: phpsendmail logs and then execs sendmail, and
// journald reads _COMM and _EXE from /proc when it processes the record,
// often after the exec. N real phpsendmail calls (SPAMCHECK_EXEC_RACE_CALLS,
// default 300; SPAMCHECK_EXEC_RACE_LOAD busy processes beside them, default
// 0) against a private journald, read back through the local journal with
// no -l: every entry journald attributed to a live process
// (_COMM and _EXE set) is counted, whichever of phpsendmail and sendmail
// it saw, and only the entries whose process was already gone (no _COMM
// or no _EXE: nothing shows who wrote them) are untrusted_lines. The test
// logs how journald attributed the entries: the measurement behind
// journal.PHPSendmailTrust.
func TestLegacyJournalExecRace(t *testing.T) {
	n := envInt(t, "SPAMCHECK_EXEC_RACE_CALLS", 300)
	load := envInt(t, "SPAMCHECK_EXEC_RACE_LOAD", 0)
	j := journaltest.Start(t)
	dir := t.TempDir()
	bin := buildPHPSendmail(t, dir, j.Socket)
	var loaders []*exec.Cmd
	stopLoad := func() {
		for _, c := range loaders {
			c.Process.Kill()
			c.Wait()
		}
		loaders = nil
	}
	defer stopLoad()
	for range load {
		c := exec.Command("sh", "-c", "while :; do :; done")
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		loaders = append(loaders, c)
	}
	var wg sync.WaitGroup
	jobs := make(chan int)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				cmd := exec.Command(bin, "-fwww@example.com")
				cmd.Env = []string{fmt.Sprintf("SCRIPT_FILENAME=/var/www/%d.php", i)}
				cmd.Stdin = strings.NewReader("To: x@example.net\n\nhi\n")
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("phpsendmail: %v: %s", err, out)
				}
			}
		}()
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	stopLoad()
	j.Sync(t)

	out, err := exec.Command("journalctl", "--directory="+j.Dir, "-q", "-o", "json", "--output-fields=_COMM,_EXE", "--grep=sendmail-php url=").Output()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	entries, gone := 0, 0
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var e struct {
			Comm *string `json:"_COMM"`
			Exe  *string `json:"_EXE"`
		}
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("journalctl -o json: %v: %s", err, l)
		}
		entries++
		key := "_COMM=" + deref(e.Comm) + " _EXE=" + strings.ReplaceAll(deref(e.Exe), dir, "TESTDIR")
		seen[key]++
		if e.Comm == nil || e.Exe == nil {
			gone++
		}
	}
	t.Logf("%d calls, %d busy processes: %d entries, %d without _COMM or _EXE; %v", n, load, entries, gone, seen)
	if entries != n {
		t.Fatalf("%d entries for %d calls", entries, n)
	}

	old := defaultLegacyLog
	defaultLegacyLog = filepath.Join(dir, "missing.log")
	defer func() { defaultLegacyLog = old }()
	var stdout, stderr bytes.Buffer
	o, code, stop := parseLegacyArgs([]string{"10", "1", "--format=json"}, &stdout, &stderr, time.Now(), time.Local)
	if stop || !o.Journal.Use {
		t.Fatalf("parse: %d %s", code, stderr.String())
	}
	o.Journal.Command = append(j.CommandPrefix(), "journalctl")
	if code := RunLegacy(o, nil, &stdout, &stderr); code != 0 || stderr.Len() > 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr.String())
	}
	var doc struct {
		UntrustedLines *int64 `json:"untrusted_lines"`
		Groups         []struct{ Count int64 }
	}
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil || doc.UntrustedLines == nil {
		t.Fatalf("json: %v: %s", err, stdout.String())
	}
	if len(doc.Groups) != n-gone || *doc.UntrustedLines != int64(gone) {
		t.Errorf("%d scripts counted, %d untrusted_lines; want %d and %d (the entries without _COMM or _EXE)", len(doc.Groups), *doc.UntrustedLines, n-gone, gone)
	}
}

func deref(s *string) string {
	if s == nil {
		return "(none)"
	}
	return *s
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q: not a count", name, v)
	}
	return n
}
