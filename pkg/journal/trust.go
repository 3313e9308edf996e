package journal

import (
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// Trust is a rule for which entries a program wrote itself: journald
// records the sending process's name (_COMM, from /proc, at most 15 bytes)
// and uid (_UID, from the socket's credentials), and no client can set
// either. An entry whose text looks like the program's but that fails the
// rule was written by someone else (logger, a local user's script) and is
// not counted.
type Trust struct {
	// Comms are the accepted _COMM values.
	Comms []string
	// ExecComms are further accepted _COMM values: those of the program
	// the writer execs right after logging. journald reads _COMM (and
	// _EXE) from /proc when it processes the record, not when it was
	// sent, so a writer that logs and then execs is often recorded under
	// the name of the program it became (phpsendmail: 4 to 6% of 2000 calls
	// against a real journald). They are held to the same rules as Comms
	// (UID, SecureExe, MessageUID).
	ExecComms []string
	// UID, when not empty, is the only accepted _UID.
	UID string
	// SecureExe, for the local journal, also requires _EXE to be a file
	// only root can have put there (see secureExe): _COMM is the name of
	// the executable file, which any user can choose by copying logger to
	// a file named phpsendmail or exim4. It does not stop a symbolic
	// link named exim4 to root's logger: _COMM is then the link's name
	// and _EXE root's logger (measured), which only a uid rule (UID,
	// LocalUIDs, MessageUID) refuses. A collector's journals name other
	// hosts' files, which cannot be checked here.
	SecureExe bool
	// MessageUID, when set, returns the uid the message says its writer
	// had (phpsendmail's "uid=N"), and whether the message says one: the
	// uid the journal records (_UID, from the socket's credentials) must
	// then be that one, or the entry is not trusted.
	MessageUID func(msg []byte) (uid []byte, ok bool)
	// LocalUIDs, when not empty, are the only accepted _UIDs on the local
	// journal (set by For): uids of accounts of this host, which a
	// collector's other hosts need not share.
	LocalUIDs []string
	local     bool            // For: the local journal
	exeOK     map[string]bool // secureExe's answers by path
}

// Trusted reports whether e passes the rule. An entry without _COMM (the
// sender was gone before journald looked it up) is not trusted.
func (tr *Trust) Trusted(e *Entry) bool {
	if !e.HasComm || !slices.Contains(tr.Comms, string(e.Comm)) && !slices.Contains(tr.ExecComms, string(e.Comm)) {
		return false
	}
	if tr.UID != "" && (!e.HasUID || string(e.UID) != tr.UID) {
		return false
	}
	if tr.local && len(tr.LocalUIDs) > 0 && (!e.HasUID || !slices.Contains(tr.LocalUIDs, string(e.UID))) {
		return false
	}
	if tr.MessageUID != nil {
		if uid, ok := tr.MessageUID(e.Message); ok && (!e.HasUID || string(uid) != string(e.UID)) {
			return false
		}
	}
	if !tr.SecureExe {
		return true
	}
	ok, seen := tr.exeOK[string(e.Exe)]
	if !seen {
		ok = secureExe(string(e.Exe))
		if tr.exeOK == nil {
			tr.exeOK = map[string]bool{}
		}
		tr.exeOK[string(e.Exe)] = ok
	}
	return ok
}

// For sets the rule's checks that depend on where the journal comes from.
// The local journal's _EXE names a file of this host, which secureExe can
// examine (SecureExe), and its _UID is a uid of this host (LocalUIDs). A
// --journal-dir (a collector's copies of other hosts' journals) names
// files and uids of other hosts: neither _EXE nor LocalUIDs is checked.
// What a collector still checks is what journald on the sending host
// recorded and no client there can set: _COMM, _UID when the rule has a
// UID (a Postfix collector with a postfix account of its own checks that
// uid) and, with MessageUID, the message's uid against _UID. So on a
// collector an entry is forgeable by any local user of a sending host who
// runs a program under the trusted name (a copy of logger, or a link to
// it, named phpsendmail or exim4; smtpd too when the collector has no
// postfix account): through phpsendmail's uid check, only with that
// user's own uid in the text.
func (tr *Trust) For(src *Source) {
	tr.SecureExe = src.Dir == ""
	tr.local = src.Dir == ""
}

// secureExe reports whether path is an absolute path to a regular file
// that root owns and nobody else may write, in directories that root owns
// and that nobody else may write to or, when they may (/tmp), are sticky,
// so that no other user can have put or replaced the file, with no other
// name (no hard link of root's logger named phpsendmail). A missing
// _EXE (the sender was gone before journald looked) is not secure.
func secureExe(path string) bool {
	if !filepath.IsAbs(path) || filepath.Clean(path) != path {
		return false
	}
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() || !rootOwned(fi) || !singleLink(fi) || fi.Mode().Perm()&0o022 != 0 {
		return false
	}
	for dir := filepath.Dir(path); ; dir = filepath.Dir(dir) {
		di, err := os.Lstat(dir)
		if err != nil || !di.IsDir() || !rootOwned(di) {
			return false
		}
		if di.Mode().Perm()&0o022 != 0 && di.Mode()&os.ModeSticky == 0 {
			return false
		}
		if dir == "/" {
			return true
		}
	}
}

func rootOwned(fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && st.Uid == 0
}

// singleLink reports whether the file has one name: a second hard link
// (made where fs.protected_hardlinks is off) could give root's logger the
// name phpsendmail in a sticky directory such as /tmp.
func singleLink(fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && st.Nlink == 1
}

// PostfixTrust is the rule for Postfix's SMTP server: _COMM smtpd, and,
// when this host has Postfix's mail_owner account (the user `postconf -h
// mail_owner` names, else "postfix"), that account's uid. A host without
// the account (a collector reading other servers' journals with
// --journal-dir) checks _COMM only.
func PostfixTrust() Trust {
	owner := "postfix"
	// postconf without a main.cf sleeps a second before it fails (Postfix's
	// msg_fatal): ask it only when there is one.
	conf := "/etc/postfix"
	if d := os.Getenv("MAIL_CONFIG"); d != "" {
		conf = d
	}
	if _, err := os.Stat(filepath.Join(conf, "main.cf")); err != nil {
	} else if out, err := exec.Command("postconf", "-h", "mail_owner").Output(); err == nil {
		if s := strings.TrimSpace(string(out)); s != "" && !strings.ContainsAny(s, " \t\n") {
			owner = s
		}
	}
	tr := Trust{Comms: []string{"smtpd"}}
	if u, err := user.Lookup(owner); err == nil {
		tr.UID = u.Uid
	}
	return tr
}

// commLen is the most bytes of a _COMM: the kernel keeps a process's
// name in TASK_COMM_LEN (16) bytes, with the terminating NUL.
const commLen = 15

// Comm returns the _COMM a process gets from executing path: the file's
// base name, cut to 15 bytes.
func Comm(path string) string {
	b := filepath.Base(path)
	return b[:min(len(b), commLen)]
}

// PHPSendmailTrust is the rule for the phpsendmail wrapper, which logs and
// then execs sendmail (the program at the path sendmail; "sendmail", the
// base name of both defaults, is accepted too). An entry is trusted when
// _COMM is phpsendmail or, because journald may read /proc only after the
// exec (see ExecComms), sendmail's name; with SecureExe (the local
// journal) _EXE must be a file only root can have put there (for the
// second case, the sendmail or, for a script, its interpreter); and the
// message's uid=N, read by messageUID, must be the entry's _UID.
//
// Accepting sendmail's name gives a forger nothing: a program that logs
// the phpsendmail text and then execs sendmail can do nothing that running
// phpsendmail itself with a forged SCRIPT_FILENAME cannot, since
// phpsendmail takes filename= from the caller's environment by design.
// What the journal adds is the uid: whoever wrote the entry, uid=N is
// the sender's real uid, which no client can choose.
func PHPSendmailTrust(sendmail string, messageUID func(msg []byte) ([]byte, bool)) Trust {
	exec := []string{"sendmail"}
	if c := Comm(sendmail); c != "sendmail" && c != "phpsendmail" && c != "." && c != "/" {
		exec = append(exec, c)
	}
	return Trust{Comms: []string{"phpsendmail"}, ExecComms: exec, MessageUID: messageUID}
}

// EximTrust is the rule for Exim. _COMM is the name of the file Exim was
// run as: Debian's binary is exim4, others' exim, and local submissions
// come through its links sendmail (PHP's mail(), cron), rmail and rsmtp
// too. On the local journal, when this host has Exim's account
// (Debian-exim, Debian's; else exim, the name Exim's own build and
// Red Hat's use), _UID must be that account's or root's: Exim receives
// every message as its own user (measured with a real exim4 logging to a
// private journald: SMTP arrivals and local submissions by root and by
// ordinary users, through exim4 and through sendmail, all carried
// Debian-exim's uid; its delivery lines carry root's or Exim's), while
// a forger's entry carries the forger's uid whatever name and file it
// runs (a symbolic link named exim4 to root's logger passes _COMM and
// _EXE).
func EximTrust() Trust { return eximTrust(user.Lookup) }

// eximAccounts are the names Exim's user has, most specific first.
var eximAccounts = []string{"Debian-exim", "exim"}

func eximTrust(lookup func(name string) (*user.User, error)) Trust {
	tr := Trust{Comms: []string{"exim4", "exim", "sendmail", "rmail", "rsmtp"}}
	for _, name := range eximAccounts {
		if u, err := lookup(name); err == nil {
			tr.LocalUIDs = []string{u.Uid, "0"}
			break
		}
	}
	return tr
}
