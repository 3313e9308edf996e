package mtatest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// EximOptions configures StartExim.
type EximOptions struct {
	// Users may authenticate with AUTH PLAIN or LOGIN (plaintext
	// authenticators named "plain" and "login", server_set_id = the login,
	// so arrivals carry A=plain:NAME or A=login:NAME).
	Users []User
	// LocalUsers are accounts that exist only inside the instance's
	// namespace, for local submissions (U=NAME P=local).
	LocalUsers []string
	// Hosts is what the test DNS says about client addresses.
	Hosts []Host
	// SyslogSocket, when set, is the socket Exim's syslog lines go to
	// (/dev/log in its namespace), such as a test journald's: Exim then
	// logs every line both to syslog and to its log files
	// (log_file_path = syslog : DIR/%slog), so a test can compare the two.
	SyslogSocket string
}

// Exim is a running private Exim daemon.
type Exim struct {
	Dir  string // private directory of the instance
	Addr string // SMTP listener, 127.0.0.1:PORT
	// Log files (log_file_path = Dir/log/%slog).
	MainLog, RejectLog, PanicLog string
	// UID and GID are those of the Exim user Debian-exim, who exists
	// only in the instance's namespace.
	UID, GID int

	bin    string
	uids   map[string][2]int // local user → uid, gid
	daemon *daemon
	dns    *dnsServer
	once   sync.Once
}

// StartExim starts a private Exim daemon (see the package comment) and
// stops it when t ends. It skips t when something is missing (NeedExim).
//
// The configuration is installed as /etc/exim4/exim4.conf inside the
// instance's namespace, the path compiled into Debian's binary, so that no
// -C is needed: local submissions by unprivileged users then work the way
// they do on a real server (a -C configuration would make Exim drop its
// privileges). The Exim user Debian-exim and the local users exist only in
// the namespace's /etc/passwd.
func StartExim(t testing.TB, opts EximOptions) *Exim {
	t.Helper()
	NeedExim(t)
	dir := testDir(t, "mtatest-exim-")
	e := &Exim{Dir: dir, bin: eximBinary(), uids: map[string][2]int{}}
	t.Cleanup(e.Stop)
	if err := e.start(opts); err != nil {
		e.Stop()
		t.Fatalf("mtatest: exim: %v", err)
	}
	return e
}

func (e *Exim) start(opts EximOptions) error {
	uids, gids, err := freeIDs(1 + len(opts.LocalUsers))
	if err != nil {
		return err
	}
	eximUID, eximGID := uids[0], gids[0]
	e.UID, e.GID = eximUID, eximGID
	passwd := []string{fmt.Sprintf("Debian-exim:x:%d:%d:Exim (mtatest):/nonexistent:/usr/sbin/nologin", eximUID, eximGID)}
	group := []string{fmt.Sprintf("Debian-exim:x:%d:", eximGID)}
	for i, u := range opts.LocalUsers {
		if u == "" || strings.ContainsAny(u, ":\n") {
			return fmt.Errorf("bad local user name %q", u)
		}
		passwd = append(passwd, fmt.Sprintf("%s:x:%d:%d:mtatest:/nonexistent:/usr/sbin/nologin", u, uids[i+1], gids[i+1]))
		group = append(group, fmt.Sprintf("%s:x:%d:", u, gids[i+1]))
		e.uids[u] = [2]int{uids[i+1], gids[i+1]}
	}

	spool := filepath.Join(e.Dir, "spool")
	logDir := filepath.Join(e.Dir, "log")
	for _, d := range []string{spool, logDir} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return err
		}
		if err := os.Chown(d, eximUID, eximGID); err != nil {
			return err
		}
	}
	e.MainLog = filepath.Join(logDir, "mainlog")
	e.RejectLog = filepath.Join(logDir, "rejectlog")
	e.PanicLog = filepath.Join(logDir, "paniclog")

	var auth strings.Builder
	for _, u := range opts.Users {
		// lsearch: a quoted key, then the data: the rest of the line.
		if strings.ContainsAny(u.Name+u.Password, "\n\"\\") || strings.TrimSpace(u.Password) != u.Password {
			return fmt.Errorf("user %q: name or password unsuitable for an lsearch file", u.Name)
		}
		fmt.Fprintf(&auth, "%q: %s\n", u.Name, u.Password)
	}
	authFile := filepath.Join(e.Dir, "auth-users")
	if err := os.WriteFile(authFile, []byte(auth.String()), 0o644); err != nil {
		return err
	}

	if e.dns, err = startDNS(opts.Hosts); err != nil {
		return err
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	e.Addr = fmt.Sprintf("127.0.0.1:%d", port)

	tz := ""
	if v := os.Getenv("TZ"); v != "" && !strings.ContainsAny(v, "\n:") {
		tz = "timezone = " + v + "\n"
	}
	devLog, syslogPath := filepath.Join(e.Dir, "no-syslog.sock"), ""
	if opts.SyslogSocket != "" {
		devLog, syslogPath = opts.SyslogSocket, "syslog : "
	}
	conf := fmt.Sprintf(`# mtatest: private Exim instance
primary_hostname = %[1]s
qualify_domain = %[2]s
exim_path = %[3]s
spool_directory = %[4]s
log_file_path = %[10]s%[5]s/%%slog
pid_file_path = %[6]s/exim.pid
local_interfaces = <; 127.0.0.1
daemon_smtp_ports = %[7]d
disable_ipv6 = true
%[9]strusted_users = root
# Exim >= 4.95 refuses MAIL before HELO by default; allow it, so that
# arrivals without any HELO (H=[ip], H=name [ip]) can be produced.
hosts_require_helo =
host_lookup = *
rfc1413_hosts =
rfc1413_query_timeout = 0s
tls_advertise_hosts =
keep_environment =
domainlist local_domains = %[2]s : %[1]s : localhost
acl_smtp_rcpt = acl_check_rcpt

begin acl

acl_check_rcpt:
  accept authenticated = *
  accept domains = +local_domains
  deny   message = relay not permitted

begin routers

# Everything goes nowhere.
discard:
  driver = redirect
  data = :blackhole:

begin transports

begin authenticators

plain:
  driver = plaintext
  public_name = PLAIN
  server_prompts = :
  server_condition = ${if eq{$auth3}{${lookup{$auth2}lsearch{%[8]s}{$value}fail}}}
  server_set_id = $auth2

login:
  driver = plaintext
  public_name = LOGIN
  server_prompts = Username:: : Password::
  server_condition = ${if eq{$auth2}{${lookup{$auth1}lsearch{%[8]s}{$value}fail}}}
  server_set_id = $auth1
`, Hostname, Domain, e.bin, spool, logDir, e.Dir, port, authFile, tz, syslogPath)

	etc, err := etcFiles(e.dns.ip, passwd, group)
	if err != nil {
		return err
	}
	etc["exim4/exim4.conf"] = fileSpec{data: []byte(conf), mode: 0o644}
	ns := &namespace{dir: filepath.Join(e.Dir, "namespace"), etc: etc, devLog: devLog}
	// -bdf: listening daemon in the foreground; no -q: no queue runner
	// (deliveries are immediate).
	cmd := ns.daemonCommand(e.bin, "-bdf")
	if e.daemon, err = startDaemon("exim daemon", cmd, filepath.Join(e.Dir, "daemon.out")); err != nil {
		return err
	}
	if err := waitListen(e.Addr, e.daemon.done, 30*time.Second); err != nil {
		return fmt.Errorf("%v\ndaemon: %s\npaniclog: %s\nmainlog:\n%s", err, readTail(filepath.Join(e.Dir, "daemon.out"), 20),
			readTail(e.PanicLog, 10), readTail(e.MainLog, 20))
	}
	return nil
}

// SubmitLocal submits msg (headers first) as a local message with
// `exim4 -odi -t`, run by the local user (one of EximOptions.LocalUsers, or
// "root"), so that Exim logs U=USER P=local. Delivery is immediate.
func (e *Exim) SubmitLocal(ctx context.Context, localUser, msg string) error {
	return e.SubmitLocalWith(ctx, localUser, e.bin, msg)
}

// SubmitLocalWith is SubmitLocal through the program prog, such as the
// sendmail link to Exim's binary (Debian's /usr/sbin/sendmail), which
// PHP's mail() runs: the process is then named after the link.
func (e *Exim) SubmitLocalWith(ctx context.Context, localUser, prog, msg string) error {
	args := []string{prog, "-odi", "-t"}
	if localUser != "root" {
		id, ok := e.uids[localUser]
		if !ok {
			return fmt.Errorf("exim: %q is not one of the instance's local users", localUser)
		}
		args = append([]string{"setpriv", "--reuid", strconv.Itoa(id[0]), "--regid", strconv.Itoa(id[1]), "--clear-groups", "--"}, args...)
	}
	cmd := enter(ctx, e.daemon.pid(), args[0], args[1:]...)
	cmd.Stdin = strings.NewReader(msg)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("exim local submission as %s: %v: %s", localUser, err, out)
	}
	return nil
}

// Stop stops the daemon and the DNS. It is safe to call more than once.
func (e *Exim) Stop() {
	e.once.Do(func() {
		if e.daemon != nil {
			// (The daemon stays in the shell's process group, which
			// stop kills if it must.)
			e.daemon.stop(10 * time.Second)
		}
		if e.dns != nil {
			e.dns.close()
		}
	})
}
