package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/spam-gear/spamcheck/pkg/phpsendmail"
)

// TestMain makes the test binary double as phpsendmail: testscript puts a
// copy named phpsendmail first in the scripts' $PATH. That copy reads the
// configuration file $WORK/phpsendmail.conf (the real binary's file is
// compiled in; only this test binary looks at $WORK).
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"phpsendmail": func() {
		work := os.Getenv("WORK")
		if work == "" { // never fall back to the host's real sendmail
			fmt.Fprintln(os.Stderr, "phpsendmail test binary: $WORK is not set")
			os.Exit(70)
		}
		phpsendmail.ConfigPath = filepath.Join(work, "phpsendmail.conf")
		main()
	}})
}

// writeFakeSendmail copies the recording fake sendmail shared with
// package phpsendmail's tests into dir and returns its path.
func writeFakeSendmail(dir string) (string, error) {
	b, err := os.ReadFile("../../pkg/phpsendmail/testdata/fake-sendmail")
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, "fake-sendmail")
	return p, os.WriteFile(p, b, 0o755)
}

// effectiveUser is the name phpsendmail should log for this process.
func effectiveUser() string {
	id := strconv.Itoa(os.Geteuid())
	if u, err := user.LookupId(id); err == nil {
		return u.Username
	}
	return id
}

func TestScripts(t *testing.T) {
	if os.Geteuid() != 0 {
		const msg = "needs root: phpsendmail only trusts a configuration file owned by root (run go test as root)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + "; CI=true requires it")
		}
		t.Skip(msg)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       os.Getenv("UPDATE_SCRIPTS") == "1",
		Setup:               setupScript,
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"syslog":    cmdSyslog,
			"mkrandom":  cmdMkrandom,
			"cmphash":   cmdCmphash,
			"stalesock": cmdStalesock,
			"setconf":   cmdSetconf,
		},
	})
}

// setupScript gives every script a fake sendmail and a syslog socket of
// its own, named in its $WORK/phpsendmail.conf, so that no script can
// reach the real ones.
func setupScript(env *testscript.Env) error {
	sm, err := writeFakeSendmail(env.WorkDir)
	if err != nil {
		return err
	}
	sock := filepath.Join(env.WorkDir, "log.sock")
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		return err
	}
	env.Defer(func() { c.Close() })
	env.Values["syslog"] = c
	conf := map[string]string{"sendmail": sm, "syslog_socket": sock}
	env.Values["conf"] = conf
	if err := writeConf(env.WorkDir, conf); err != nil {
		return err
	}
	env.Setenv("REAL_UID", strconv.Itoa(os.Getuid()))
	env.Setenv("EFFECTIVE_USER", effectiveUser())
	return nil
}

var recordRE = regexp.MustCompile(`^<(\d+)>[A-Z][a-z]{2} [ 1-3]\d \d\d:\d\d:\d\d ([^ \[]+)\[(\d+)\]: (.*)$`)

// cmdSyslog prints every record received so far on the script's socket,
// one per line, as "<PRI>TIMESTAMP TAG[PID]: MSG" after checking that the
// timestamp and pid have the right shape. Records are queued by the time
// the sender returns (unix sockets deliver synchronously), so a short read
// deadline finds them all.
func cmdSyslog(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: syslog")
	}
	c := ts.Value("syslog").(*net.UnixConn)
	buf := make([]byte, 1<<16)
	for {
		ts.Check(c.SetReadDeadline(time.Now().Add(100 * time.Millisecond)))
		n, err := c.Read(buf)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return
		}
		ts.Check(err)
		m := recordRE.FindSubmatch(buf[:n])
		if m == nil {
			ts.Fatalf("record %q is not <PRI>Mmm dd hh:mm:ss TAG[PID]: MSG", buf[:n])
		}
		fmt.Fprintf(ts.Stdout(), "<%s>TIMESTAMP %s[PID]: %s\n", m[1], m[2], m[4])
	}
}

// cmdMkrandom writes SIZE reproducible pseudo-random bytes (all 256 byte
// values, so NULs and lone CRs too) to FILE.
func cmdMkrandom(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: mkrandom FILE SIZE")
	}
	size, err := strconv.Atoi(args[1])
	ts.Check(err)
	f, err := os.Create(ts.MkAbs(args[0]))
	ts.Check(err)
	_, err = io.CopyN(f, rand.NewChaCha8([32]byte{'p', 'h', 'p'}), int64(size))
	ts.Check(err)
	ts.Check(f.Close())
}

// cmdCmphash compares two files by SHA-256 (cmp would try to diff 50 MiB).
func cmdCmphash(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: cmphash FILE1 FILE2")
	}
	var sums [2]string
	for i, name := range args {
		f, err := os.Open(ts.MkAbs(name))
		ts.Check(err)
		h := sha256.New()
		n, err := io.Copy(h, f)
		f.Close()
		ts.Check(err)
		sums[i] = hex.EncodeToString(h.Sum(nil))
		ts.Logf("%s: %d bytes, sha256 %s", name, n, sums[i])
	}
	if (sums[0] == sums[1]) == neg {
		ts.Fatalf("%s and %s: hashes equal = %v", args[0], args[1], sums[0] == sums[1])
	}
}

// writeConf writes dir/phpsendmail.conf from conf.
func writeConf(dir string, conf map[string]string) error {
	text := "# phpsendmail test configuration\n"
	for _, k := range []string{"sendmail", "syslog_socket"} {
		text += k + " = " + conf[k] + "\n"
	}
	p := filepath.Join(dir, "phpsendmail.conf")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		return err
	}
	return os.Chmod(p, 0o644)
}

// cmdSetconf sets one setting of $WORK/phpsendmail.conf, keeping the
// other.
func cmdSetconf(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 || (args[0] != "sendmail" && args[0] != "syslog_socket") {
		ts.Fatalf("usage: setconf sendmail|syslog_socket PATH")
	}
	conf := ts.Value("conf").(map[string]string)
	conf[args[0]] = args[1]
	ts.Check(writeConf(ts.Getenv("WORK"), conf))
}

// cmdStalesock leaves a datagram socket file nobody listens on, as a
// stopped syslog daemon does.
func cmdStalesock(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: stalesock PATH")
	}
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: ts.MkAbs(args[0]), Net: "unixgram"})
	ts.Check(err)
	ts.Check(c.Close())
}
