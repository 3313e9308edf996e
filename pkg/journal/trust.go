package journal

import (
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strings"
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
	// UID, when not empty, is the only accepted _UID.
	UID string
}

// Trusted reports whether e passes the rule. An entry without _COMM (the
// sender was gone before journald looked it up) is not trusted.
func (tr *Trust) Trusted(e *Entry) bool {
	if !e.HasComm || !slices.Contains(tr.Comms, string(e.Comm)) {
		return false
	}
	return tr.UID == "" || e.HasUID && string(e.UID) == tr.UID
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

// PHPSendmailTrust is the rule for the phpsendmail wrapper.
func PHPSendmailTrust() Trust { return Trust{Comms: []string{"phpsendmail"}} }

// EximTrust is the rule for Exim: Debian's binary is exim4, others' exim.
func EximTrust() Trust { return Trust{Comms: []string{"exim4", "exim"}} }
