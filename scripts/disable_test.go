package scripts_test

import (
	"encoding/hex"
	"github.com/spam-gear/spamcheck/pkg/testenv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// unsafeUsers are names the disable scripts must refuse before running
// anything.
var unsafeUsers = []string{
	"-rf",
	"a;reboot",
	"$(id)",
	"`id`",
	"x y",
	"a\nb",
	"x'y",
	"",
	strings.Repeat("a", 65), // one over the 64 the rule allows
	strings.Repeat("a", 200),
}

func disableScript(t *testing.T, name string) string {
	t.Helper()
	return filepath.Join(repoRoot(t), "scripts", "disable", name)
}

// postmap returns the real postmap and an environment whose MAIL_CONFIG is
// a private, empty Postfix configuration (postmap reads main.cf; the
// machine's own need not exist). Without Postfix the test skips, or fails
// when CI=true.
func postmap(t *testing.T) (path string, env []string) {
	t.Helper()
	path, err := exec.LookPath("postmap")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/postmap"); serr == nil {
			path, err = "/usr/sbin/postmap", nil
		}
	}
	if err != nil {
		testenv.Missing(t, "postmap not found: install Postfix with sudo scripts/ci/install-mta.sh")
	}
	conf := t.TempDir()
	writeFile(t, filepath.Join(conf, "main.cf"), "", 0o644)
	return path, []string{"MAIL_CONFIG=" + conf}
}

// query runs `postmap -q KEY hash:MAP`: the value, or "" when absent.
func query(t *testing.T, postmapPath string, env []string, key, mapFile string) string {
	t.Helper()
	r := run(t, t.TempDir(), env, "", postmapPath, "-q", key, "hash:"+mapFile)
	switch r.code {
	case 0:
		return strings.TrimSuffix(r.stdout, "\n")
	case 1:
		return ""
	}
	t.Fatalf("postmap -q %s hash:%s: exit %d, stderr %q", key, mapFile, r.code, r.stderr)
	return ""
}

// stub writes an executable /bin/sh script NAME into dir that appends one
// line "NAME [arg1][arg2]..." to dir/calls, saves its standard input in
// dir/NAME.stdin, and then runs body.
func stub(t *testing.T, dir, name, body string) {
	t.Helper()
	script := "#!/bin/sh\n" +
		"{ printf '%s' '" + name + "'; for a in \"$@\"; do printf ' [%s]' \"$a\"; done; echo; } >> '" + dir + "/calls'\n" +
		"cat > '" + dir + "/" + name + ".stdin'\n" +
		body + "\n"
	writeFile(t, filepath.Join(dir, name), script, 0o755)
}

// calls returns the lines stubs in dir recorded (nil when none ran).
func calls(t *testing.T, dir string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "calls"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func TestPostfixSASLReject(t *testing.T) {
	pm, env := postmap(t)
	script := disableScript(t, "postfix-sasl-reject")
	mapFile := filepath.Join(t.TempDir(), "sasl_access")

	r := run(t, t.TempDir(), env, "", script, "--map", mapFile, "spammer@example.com")
	if r.code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	if got := string(readFile(t, mapFile)); got != "spammer@example.com REJECT\n" {
		t.Errorf("map = %q, want one REJECT line", got)
	}
	if got := query(t, pm, env, "spammer@example.com", mapFile); got != "REJECT" {
		t.Errorf("postmap -q spammer@example.com = %q, want REJECT", got)
	}
	if got := query(t, pm, env, "someone@example.com", mapFile); got != "" {
		t.Errorf("postmap -q someone@example.com = %q, want not found", got)
	}

	// Again, also with other letter case (Postfix folds keys) and via the
	// environment variable and --map=: still one line.
	for _, args := range [][]string{
		{"--map", mapFile, "spammer@example.com"},
		{"--map=" + mapFile, "Spammer@Example.COM"},
	} {
		r = run(t, t.TempDir(), env, "", append([]string{script}, args...)...)
		if r.code != 0 || !strings.Contains(r.stdout, "already rejected") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, r.code, r.stdout, r.stderr)
		}
	}
	r = run(t, t.TempDir(), append(env, "POSTFIX_SASL_ACCESS_MAP="+mapFile), "", script, "spammer@example.com")
	if r.code != 0 {
		t.Errorf("POSTFIX_SASL_ACCESS_MAP: exit %d, stderr %q", r.code, r.stderr)
	}
	if got := string(readFile(t, mapFile)); got != "spammer@example.com REJECT\n" {
		t.Errorf("after repeated runs map = %q, want exactly one line", got)
	}

	// A map whose last line lacks its newline, with comments: the new
	// line is a line of its own and earlier entries still work.
	mapFile2 := filepath.Join(t.TempDir(), "sasl_access")
	writeFile(t, mapFile2, "# disabled users\nold@example.com REJECT", 0o644)
	r = run(t, t.TempDir(), env, "", script, "--map", mapFile2, "new+tag@example.com")
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if got, want := string(readFile(t, mapFile2)), "# disabled users\nold@example.com REJECT\nnew+tag@example.com REJECT\n"; got != want {
		t.Errorf("map = %q, want %q", got, want)
	}
	for _, key := range []string{"old@example.com", "new+tag@example.com"} {
		if got := query(t, pm, env, key, mapFile2); got != "REJECT" {
			t.Errorf("postmap -q %s = %q, want REJECT", key, got)
		}
	}
}

// TestPostfixSASLRejectRefuses: unsafe names, a conflicting entry and bad
// options leave the map alone and never run postmap.
func TestPostfixSASLRejectRefuses(t *testing.T) {
	script := disableScript(t, "postfix-sasl-reject")
	stubs := t.TempDir()
	stub(t, stubs, "postmap", "exit 0")
	env := []string{"PATH=" + stubs + ":" + os.Getenv("PATH")}
	const content = "good@example.com REJECT\nkept@example.com OK\n"

	check := func(t *testing.T, wantCode int, wantStderr string, args ...string) {
		t.Helper()
		dir := t.TempDir()
		mapFile := filepath.Join(dir, "sasl_access")
		writeFile(t, mapFile, content, 0o644)
		os.Remove(filepath.Join(stubs, "calls"))
		argv := []string{script}
		for _, a := range args {
			argv = append(argv, strings.ReplaceAll(a, "MAP", mapFile))
		}
		r := run(t, dir, env, "", argv...)
		if r.code != wantCode || !strings.Contains(r.stderr, wantStderr) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", args, r.code, r.stderr, wantCode, wantStderr)
		}
		if got := string(readFile(t, mapFile)); got != content {
			t.Errorf("%q: map changed to %q", args, got)
		}
		if c := calls(t, stubs); c != nil {
			t.Errorf("%q: postmap ran: %q", args, c)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("%q: files appeared beside the map: %v", args, entries)
		}
	}
	for _, u := range unsafeUsers {
		check(t, 2, "unsafe user name", "--map", "MAP", u)
	}
	check(t, 1, "already has 'kept@example.com OK'", "--map", "MAP", "kept@example.com")
	check(t, 2, "bad table type", "--map", "MAP", "--type", "hash;id", "x@example.com")
	check(t, 2, "absolute path", "--map", "relative/map", "x@example.com")
	check(t, 2, "unknown argument", "--map", "MAP", "--force", "x@example.com")
	check(t, 2, "usage")

	// The stub itself works: the 64-character limit is inclusive.
	dir := t.TempDir()
	mapFile := filepath.Join(dir, "sasl_access")
	long := strings.Repeat("b", 64)
	r := run(t, dir, env, "", script, "--map", mapFile, long)
	if r.code != 0 || string(readFile(t, mapFile)) != long+" REJECT\n" {
		t.Errorf("64-character name: exit %d, stderr %q", r.code, r.stderr)
	}
	if c := calls(t, stubs); len(c) != 1 || c[0] != "postmap [hash:"+mapFile+"]" {
		t.Errorf("postmap calls = %q", c)
	}
}

// dovecotStubs writes mysql, psql and doveadm stubs; the SQL clients answer
// count (the rows found for the user) on standard output.
func dovecotStubs(t *testing.T, count string) (dir string, env []string) {
	t.Helper()
	dir = t.TempDir()
	stub(t, dir, "mysql", "echo "+count)
	stub(t, dir, "psql", "echo "+count)
	stub(t, dir, "doveadm", "exit 0")
	return dir, []string{"PATH=" + dir + ":" + os.Getenv("PATH")}
}

func TestDovecotSQLDisable(t *testing.T) {
	script := disableScript(t, "dovecot-sql-disable")
	const user = "spammer+x@example.com"

	t.Run("mysql", func(t *testing.T) {
		dir, env := dovecotStubs(t, "1")
		r := run(t, t.TempDir(), env, "", script, "--database", "mail", "--mysql-defaults", "/etc/spamcheck/my.cnf", user)
		if r.code != 0 {
			t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
		}
		want := []string{
			"mysql [--defaults-extra-file=/etc/spamcheck/my.cnf] [--batch] [--skip-column-names] [--database=mail]",
			"doveadm [auth] [cache] [flush] [" + user + "]",
			"doveadm [kick] [" + user + "]",
		}
		if got := calls(t, dir); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		sql := string(readFile(t, filepath.Join(dir, "mysql.stdin")))
		if !strings.Contains(sql, "X'"+hex.EncodeToString([]byte(user))+"'") ||
			!strings.Contains(sql, "WHERE email = ?") || !strings.Contains(sql, "EXECUTE spamcheck_disable USING @u") {
			t.Errorf("SQL does not bind the user as a hex literal parameter:\n%s", sql)
		}
		if strings.Contains(sql, user) || strings.Contains(sql, "spammer") {
			t.Errorf("the user name appears in the SQL text:\n%s", sql)
		}
	})

	t.Run("pgsql", func(t *testing.T) {
		dir, env := dovecotStubs(t, "1")
		r := run(t, t.TempDir(), env, "", script, "--backend=pgsql", "--no-kick",
			"--table", "mail.users", "--user-column", "login", "--active-column", "enabled", "--inactive-value", "false", user)
		if r.code != 0 {
			t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
		}
		want := "psql [--no-psqlrc] [--quiet] [--tuples-only] [--no-align] [-v] [ON_ERROR_STOP=1] [-v] [user=" + user + "] [--dbname=mailserver]"
		if got := calls(t, dir); len(got) != 1 || got[0] != want {
			t.Errorf("calls = %q, want only %q (--no-kick)", got, want)
		}
		sql := string(readFile(t, filepath.Join(dir, "psql.stdin")))
		if !strings.Contains(sql, "UPDATE mail.users SET enabled = 'false' WHERE login = :'user';") {
			t.Errorf("SQL:\n%s", sql)
		}
		if strings.Contains(sql, "spammer") {
			t.Errorf("the user name appears in the SQL text:\n%s", sql)
		}
	})

	t.Run("no such user", func(t *testing.T) {
		dir, env := dovecotStubs(t, "0")
		r := run(t, t.TempDir(), env, "", script, user)
		if r.code != 1 || !strings.Contains(r.stderr, "nothing disabled") {
			t.Errorf("exit %d, stderr %q; want 1 and a message", r.code, r.stderr)
		}
		if got := calls(t, dir); len(got) != 1 || !strings.HasPrefix(got[0], "mysql ") {
			t.Errorf("calls = %q, want mysql only (no kick for a user not disabled)", got)
		}
	})

	t.Run("client fails", func(t *testing.T) {
		dir, env := dovecotStubs(t, "1")
		stub(t, dir, "mysql", "echo 'ERROR 1045 (28000): Access denied' >&2; exit 1")
		r := run(t, t.TempDir(), env, "", script, user)
		if r.code != 1 || !strings.Contains(r.stderr, "mysql failed") {
			t.Errorf("exit %d, stderr %q; want 1 naming mysql", r.code, r.stderr)
		}
		if got := calls(t, dir); len(got) != 1 {
			t.Errorf("calls = %q, want mysql only", got)
		}
	})

	t.Run("kick fails", func(t *testing.T) {
		dir, env := dovecotStubs(t, "1")
		stub(t, dir, "doveadm", "exit 75")
		r := run(t, t.TempDir(), env, "", script, user)
		if r.code != 0 || !strings.Contains(r.stderr, "warning: doveadm kick") {
			t.Errorf("exit %d, stderr %q; want 0 (the account is disabled) and a warning", r.code, r.stderr)
		}
	})
}

func TestDovecotSQLDisableRefuses(t *testing.T) {
	script := disableScript(t, "dovecot-sql-disable")
	dir, env := dovecotStubs(t, "1")
	check := func(want string, args ...string) {
		t.Helper()
		os.Remove(filepath.Join(dir, "calls"))
		r := run(t, t.TempDir(), env, "", append([]string{script}, args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", args, r.code, r.stderr, want)
		}
		if c := calls(t, dir); c != nil {
			t.Errorf("%q: ran %q", args, c)
		}
	}
	for _, u := range unsafeUsers {
		check("unsafe user name", u)
		check("unsafe user name", "--backend", "pgsql", u)
	}
	check("bad --table", "--table", "users; DROP TABLE users", "x@example.com")
	check("bad --user-column", "--user-column", "email=email OR 1", "x@example.com")
	check("bad --inactive-value", "--inactive-value", "0'", "x@example.com")
	check("--backend must be", "--backend", "sqlite", "x@example.com")
	check("bad --database", "--database", "-h", "x@example.com")
	check("usage")
}

// TestPostfixSpamCheckDisableCommand runs postfix-spam-check with
// postfix-sasl-reject as its --disable-command, the real postmap, and
// recording sendmail/hostname stubs.
func TestPostfixSpamCheckDisableCommand(t *testing.T) {
	pm, env := postmap(t)
	bin := filepath.Join(binaries(t), "postfix-spam-check")
	work := t.TempDir()
	stubs := filepath.Join(work, "stubs")
	stub(t, stubs, "sendmail", "exit 0")
	writeFile(t, filepath.Join(stubs, "hostname"),
		"#!/bin/sh\ncase \"$1\" in -d) echo example.com ;; -f) echo mx1.example.com ;; esac\n", 0o755)
	env = append(env, "PATH="+stubs+":"+os.Getenv("PATH"))

	// spammer: 2 nets (unknown, dyn.example.net) and 2 unknown IPs > 1,1:
	// disabled. good: reported (3 connections) but from one known network.
	log := filepath.Join(work, "mail.log")
	writeFile(t, log, ""+
		"Nov 27 17:00:01 mx postfix/smtpd[1]: A1: client=unknown[192.0.2.1], sasl_method=PLAIN, sasl_username=spammer@example.com\n"+
		"Nov 27 17:10:00 mx postfix/smtpd[1]: A2: client=89-1-2-3.dyn.example.net[198.51.100.3], sasl_method=PLAIN, sasl_username=spammer@example.com\n"+
		"Nov 27 17:20:00 mx postfix/smtpd[1]: A3: client=unknown[192.0.2.2], sasl_method=PLAIN, sasl_username=spammer@example.com\n"+
		"Nov 27 17:21:00 mx postfix/smtpd[1]: B1: client=office.example.org[203.0.113.5], sasl_method=PLAIN, sasl_username=good@example.com\n"+
		"Nov 27 17:22:00 mx postfix/smtpd[1]: B2: client=office.example.org[203.0.113.5], sasl_method=PLAIN, sasl_username=good@example.com\n"+
		"Nov 27 17:23:00 mx postfix/smtpd[1]: B3: client=office.example.org[203.0.113.5], sasl_method=PLAIN, sasl_username=good@example.com\n",
		0o644)
	mapFile := filepath.Join(work, "sasl_access")
	args := []string{bin, "-m", "3", "-d", "1,1",
		"--disable-command", disableScript(t, "postfix-sasl-reject") + " --map " + mapFile,
		"-l", log, "--now", "2026-11-27 18:00:00"}

	r := run(t, work, env, "", args...)
	if r.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	want := "During the last 1 hour the following senders have made at least 3 SMTP connections.\n" +
		"\n" +
		"3 (1 nets/0 unknowns/1 IPs/0 webmail) -- Nov 27 17:21:00 mx postfix/smtpd[1]: B1: client=office.example.org[203.0.113.5], sasl_method=PLAIN, sasl_username=good@example.com\n" +
		"postfix-sasl-reject: added 'spammer@example.com REJECT' to " + mapFile + "\n" +
		"3 (2 nets/2 unknowns/3 IPs/0 webmail) -- Nov 27 17:00:01 mx postfix/smtpd[1]: A1: client=unknown[192.0.2.1], sasl_method=PLAIN, sasl_username=spammer@example.com [DISABLED]\n"
	if r.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, want)
	}
	if r.stderr != "" {
		t.Errorf("stderr: %q", r.stderr)
	}
	if got := string(readFile(t, mapFile)); got != "spammer@example.com REJECT\n" {
		t.Errorf("map = %q", got)
	}
	if got := query(t, pm, env, "spammer@example.com", mapFile); got != "REJECT" {
		t.Errorf("postmap -q spammer@example.com = %q, want REJECT", got)
	}
	if got := query(t, pm, env, "good@example.com", mapFile); got != "" {
		t.Errorf("postmap -q good@example.com = %q, want not found", got)
	}
	if got := calls(t, stubs); len(got) != 1 || got[0] != "sendmail [root@example.com]" {
		t.Errorf("sendmail calls = %q, want one to root@example.com", got)
	}
	mail := string(readFile(t, filepath.Join(stubs, "sendmail.stdin")))
	if !strings.Contains(mail, "Subject: SPAMMER DETECTED AT mx1.example.com [USER spammer@example.com DISABLED]\n") {
		t.Errorf("mail:\n%s", mail)
	}

	// The next cron run finds the user in the map already: still one line.
	r = run(t, work, env, "", args...)
	if r.code != 0 || !strings.Contains(r.stdout, "spammer@example.com already rejected") ||
		!strings.Contains(r.stdout, "sasl_username=spammer@example.com [DISABLED]\n") {
		t.Errorf("second run: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if got := string(readFile(t, mapFile)); got != "spammer@example.com REJECT\n" {
		t.Errorf("after the second run map = %q", got)
	}
}
