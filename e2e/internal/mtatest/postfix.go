package mtatest

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// PostfixOptions configures StartPostfix.
type PostfixOptions struct {
	// Users may authenticate (Cyrus SASL, sasldb, PLAIN and LOGIN without
	// TLS). A name without "@" is stored in the realm Hostname and logged
	// bare (sasl_username=alice); "carol@e2e.test" is stored in realm
	// e2e.test and logged whole.
	Users []User
	// Hosts is what the test DNS says about client addresses.
	Hosts []Host
	// Maillog makes Postfix log through postlogd to MaillogFile
	// (maillog_file) instead of syslog; no rsyslogd is started then.
	Maillog bool
	// SyslogSocket, when set, is the socket Postfix logs to (/dev/log in
	// its namespace), such as a test journald's; no rsyslogd is started
	// and LogFiles is empty.
	SyslogSocket string
}

// Postfix is a running private Postfix instance.
type Postfix struct {
	Dir       string // private directory of the instance
	ConfigDir string // its config_directory (main.cf, master.cf, sasl/)

	// SMTP is the address of the plain smtpd service (syslog tag
	// postfix/smtpd); Submission that of the second one, logged as
	// postfix/submission/smtpd. Both offer AUTH PLAIN and LOGIN.
	SMTP, Submission string

	// Log files: SyslogFile and RFC3339File (written by rsyslogd) unless
	// Maillog was set, MaillogFile (written by postlogd) if it was.
	SyslogFile, RFC3339File, MaillogFile string

	master *daemon
	syslog *rsyslogd
	dns    *dnsServer
	once   sync.Once
}

// LogFiles returns the log files the instance writes.
func (p *Postfix) LogFiles() []string {
	switch {
	case p.MaillogFile != "":
		return []string{p.MaillogFile}
	case p.SyslogFile == "":
		return nil // SyslogSocket: the test reads its own syslog daemon
	}
	return []string{p.SyslogFile, p.RFC3339File}
}

// StartPostfix starts a private Postfix (see the package comment) and stops
// it when t ends. It skips t when something is missing (NeedPostfix).
func StartPostfix(t testing.TB, opts PostfixOptions) *Postfix {
	t.Helper()
	NeedPostfix(t)
	dir := testDir(t, "mtatest-postfix-")
	p := &Postfix{Dir: dir, ConfigDir: filepath.Join(dir, "config")}
	t.Cleanup(p.Stop)
	if err := p.start(opts); err != nil {
		p.Stop()
		t.Fatalf("mtatest: postfix: %v", err)
	}
	return p
}

func (p *Postfix) start(opts PostfixOptions) error {
	pfUser, err := user.Lookup("postfix")
	if err != nil {
		return err
	}
	uid, _ := strconv.Atoi(pfUser.Uid)
	gid, _ := strconv.Atoi(pfUser.Gid)

	queue := filepath.Join(p.Dir, "queue")
	data := filepath.Join(p.Dir, "data")
	logDir := filepath.Join(p.Dir, "log")
	sasl := filepath.Join(p.ConfigDir, "sasl")
	for _, d := range []string{queue, data, logDir, sasl} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	if err := os.Chown(data, uid, gid); err != nil {
		return err
	}
	if err := makeQueue(queue, uid); err != nil {
		return err
	}

	// Name service first: smtpd looks every client up.
	if p.dns, err = startDNS(opts.Hosts); err != nil {
		return err
	}

	// SASL: Debian's Postfix reads $config_directory/sasl/smtpd.conf;
	// upstream's reads cyrus_sasl_config_path. Both are set to sasl/.
	sasldb := filepath.Join(sasl, "sasldb2")
	smtpdConf := fmt.Sprintf("pwcheck_method: auxprop\nauxprop_plugin: sasldb\nmech_list: PLAIN LOGIN\nsasldb_path: %s\n", sasldb)
	if err := os.WriteFile(filepath.Join(sasl, "smtpd.conf"), []byte(smtpdConf), 0o644); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, u := range opts.Users {
		name, realm := u.Name, Hostname
		if i := strings.LastIndexByte(u.Name, '@'); i >= 0 {
			name, realm = u.Name[:i], u.Name[i+1:]
		}
		cmd := execCommand(ctx, "/usr/sbin/saslpasswd2", "-p", "-c", "-f", sasldb, "-u", realm, name)
		cmd.Stdin = strings.NewReader(u.Password)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("saslpasswd2 %s: %v: %s", u.Name, err, out)
		}
	}
	if len(opts.Users) > 0 {
		// root:postfix 0640, as postfix check wants it.
		if err := os.Chown(sasldb, 0, gid); err != nil {
			return err
		}
		if err := os.Chmod(sasldb, 0o640); err != nil {
			return err
		}
	}

	smtpPort, err := freePort()
	if err != nil {
		return err
	}
	subPort, err := freePort()
	if err != nil {
		return err
	}
	p.SMTP = fmt.Sprintf("127.0.0.1:%d", smtpPort)
	p.Submission = fmt.Sprintf("127.0.0.1:%d", subPort)

	mainCf := fmt.Sprintf(`# mtatest: private Postfix instance
compatibility_level = 3.6
queue_directory = %[1]s
data_directory = %[2]s
mail_owner = postfix
setgid_group = postdrop
myhostname = %[3]s
mydomain = %[4]s
myorigin = $mydomain
mydestination = $mydomain, $myhostname, localhost
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
# Everything is accepted for the local domain and thrown away.
alias_maps =
alias_database =
local_recipient_maps =
local_transport = discard:local
virtual_transport = discard:virtual
relay_transport = discard:relay
default_transport = discard:remote
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
# SASL without TLS, for the tests only.
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
cyrus_sasl_config_path = %[5]s
smtpd_sasl_security_options = noanonymous
smtpd_tls_security_level = none
smtpd_tls_auth_only = no
smtpd_error_sleep_time = 0
biff = no
`, queue, data, Hostname, Domain, sasl)
	if opts.Maillog {
		p.MaillogFile = filepath.Join(logDir, "postfix.log")
		mainCf += fmt.Sprintf("maillog_file = %s\nmaillog_file_prefixes = %s\n", p.MaillogFile, p.Dir)
	}
	masterCf := fmt.Sprintf(`# mtatest: private Postfix instance; nothing chrooted
%[1]s inet n - n - - smtpd
%[2]s inet n - n - - smtpd
  -o syslog_name=postfix/submission
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
proxywrite unix - - n - 1 proxymap
smtp      unix  - - n - - smtp
relay     unix  - - n - - smtp
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
`, p.SMTP, p.Submission)
	if err := os.WriteFile(filepath.Join(p.ConfigDir, "main.cf"), []byte(mainCf), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(p.ConfigDir, "master.cf"), []byte(masterCf), 0o644); err != nil {
		return err
	}

	devLog := filepath.Join(p.Dir, "no-syslog.sock")
	if opts.SyslogSocket != "" {
		devLog = opts.SyslogSocket
	} else if !opts.Maillog {
		if p.syslog, err = startRsyslog(p.Dir); err != nil {
			return err
		}
		p.SyslogFile, p.RFC3339File = p.syslog.Traditional, p.syslog.RFC3339
		devLog = p.syslog.Socket
	}

	etc, err := etcFiles(p.dns.ip, nil, nil)
	if err != nil {
		return err
	}
	ns := &namespace{dir: filepath.Join(p.Dir, "namespace"), etc: etc, devLog: devLog}
	// The master runs in the foreground (no -w: it does not fork), as the
	// leader of a new session. "postfix start" is not used: its checks
	// (post-install) take seconds; makeQueue did what they would.
	cmd := ns.daemonCommand(filepath.Join(PostfixDaemonDir, "master"), "-c", p.ConfigDir)
	if p.master, err = startDaemon("postfix master", cmd, filepath.Join(p.Dir, "master.out")); err != nil {
		return err
	}
	for _, addr := range []string{p.SMTP, p.Submission} {
		if err := waitListen(addr, p.master.done, 60*time.Second); err != nil {
			return fmt.Errorf("%v\nmaster: %s\nlog:\n%s", err, readTail(filepath.Join(p.Dir, "master.out"), 20), readTail(append(p.LogFiles(), "")[0], 20))
		}
	}
	return nil
}

// makeQueue creates the queue directory tree as "postfix check" would
// (post-install create-missing), owners and modes as on Debian.
func makeQueue(queue string, postfixUID int) error {
	postdrop, err := user.LookupGroup("postdrop")
	if err != nil {
		return err
	}
	postdropGID, _ := strconv.Atoi(postdrop.Gid)
	for _, d := range []struct {
		name     string
		uid, gid int
		mode     os.FileMode
	}{
		{"active", postfixUID, 0, 0o700}, {"bounce", postfixUID, 0, 0o700}, {"corrupt", postfixUID, 0, 0o700},
		{"defer", postfixUID, 0, 0o700}, {"deferred", postfixUID, 0, 0o700}, {"flush", postfixUID, 0, 0o700},
		{"hold", postfixUID, 0, 0o700}, {"incoming", postfixUID, 0, 0o700}, {"private", postfixUID, 0, 0o700},
		{"saved", postfixUID, 0, 0o700}, {"trace", postfixUID, 0, 0o700},
		{"maildrop", postfixUID, postdropGID, 0o730}, {"public", postfixUID, postdropGID, 0o710},
		{"pid", 0, 0, 0o755},
	} {
		p := filepath.Join(queue, d.name)
		if err := os.Mkdir(p, d.mode); err != nil {
			return err
		}
		if err := os.Chown(p, d.uid, d.gid); err != nil {
			return err
		}
		if err := os.Chmod(p, d.mode); err != nil {
			return err
		}
	}
	return nil
}

// Sendmail submits a message locally with Postfix's sendmail -t -i as root
// (logged by pickup as uid=0). msg is the whole message, headers first.
func (p *Postfix) Sendmail(ctx context.Context, msg string) error {
	cmd := enter(ctx, p.master.pid(), "/usr/sbin/sendmail", "-C", p.ConfigDir, "-t", "-i")
	cmd.Stdin = strings.NewReader(msg)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("postfix sendmail: %v: %s", err, out)
	}
	return nil
}

// Stop stops the master (which stops its children; the last lines it logs
// are in the files afterwards), then rsyslogd and the DNS. It is safe to
// call more than once.
func (p *Postfix) Stop() {
	p.once.Do(func() {
		if p.master != nil {
			p.master.stop(15 * time.Second)
			// The master leads a session of its own, outside the
			// shell's process group: make sure it is gone.
			killSurvivor(filepath.Join(p.Dir, "queue", "pid", "master.pid"), p.ConfigDir)
		}
		if p.syslog != nil {
			// Let rsyslogd write what the master logged on its way out.
			time.Sleep(200 * time.Millisecond)
			p.syslog.stop()
		}
		if p.dns != nil {
			p.dns.close()
		}
	})
}

// PostlogAs runs Postfix's postlog(1) in the instance's namespace as the
// account uid:gid (supplementary groups cleared), logging msg with tag:
// what a local user can do to the instance's log. The error carries
// postlog's own output.
func (p *Postfix) PostlogAs(ctx context.Context, uid, gid int, tag, msg string) error {
	cmd := enter(ctx, p.master.pid(), "setpriv", "--reuid", strconv.Itoa(uid), "--regid", strconv.Itoa(gid), "--clear-groups", "--",
		"/usr/sbin/postlog", "-c", p.ConfigDir, "-t", tag, msg)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("postlog as uid %d: %v: %s", uid, err, out)
	}
	return nil
}
