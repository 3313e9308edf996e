package postfix

import (
	"github.com/spam-gear/spamcheck/pkg/cli"
)

// manual is the man page text beyond --help (cli.Manual; `postfix-spam-check
// --help-man`).
var manual = cli.Manual{
	Summary: "report (and optionally disable) Postfix SASL users with too many connections",
	Description: `Meant to run from cron: it prints nothing when no user reaches the threshold (cron then sends no mail), and its report is what the old shell tool of the same name printed, byte for byte, so existing crontab lines and whatever reads the report keep working.

With ` + "`-d`" + ` it also locks the accounts that look driven by a botnet (seen from many networks and many unresolvable addresses), mails root about each, and with ` + "`--state`" + ` never does so twice for the same user within the period.`,
	Lines: `Only the line Postfix's SMTP server writes when it accepts a message from a SASL-authenticated client counts, one line per connection:

    Nov 27 17:00:32 mx1 postfix/submission/smtpd[19165]: 3A1F0021: client=dsl-89-1-2-3.example.net[89.1.2.3]:51234, sasl_method=PLAIN, sasl_username=jdoe@example.com

The syslog tag is ` + "`smtpd[PID]`" + ` or ends in ` + "`/smtpd[PID]`" + ` (` + "`postfix/smtpd`, `postfix/submission/smtpd`" + `); the message is a queue id, then ` + "`client=HOST[IP]`" + `, then comma-separated fields of which one is ` + "`sasl_username=USER`" + `. USER runs to the next ` + "`, `" + ` or the end of the line. Text a client chooses (a Message-ID, a MAIL FROM, the name of a failed login) never counts, wherever it says ` + "`sasl_username=`" + `.

Per user in the window: the connections (lines), the distinct client addresses (IPs), the distinct addresses whose name did not resolve (HOST ` + "`unknown`" + `: unknowns), the distinct "networks" (HOST with everything up to its last digit and the character after it removed, as the old ` + "`sed 's/.*[0-9].//'`" + ` did: ` + "`89-1-2-3.dyn.example.net`" + ` is ` + "`dyn.example.net`" + `) and the connections from ` + "`-w`" + `'s webmail servers. A user is reported when the connections reach the threshold (` + "`>=`" + `).`,
	DefaultLogs:  []string{DefaultLog},
	Journal:      true,
	JournalTrust: "`_COMM` is `smtpd` and, when this host has Postfix's `mail_owner` account (`postconf -h mail_owner`, `postfix` by default), `_UID` is that account's uid.",
	FlagNotes: map[string]string{
		"period": cli.PeriodNote,
		"now":    cli.NowNote,
		"dissable-account": `Locking, in this order for each such user: standard output gets a line ` + "`LOCAL`" + ` (or ` + "`NIS`" + `), then whatever the lock command prints (Debian's ` + "`passwd -l`" + ` prints ` + "`passwd: password expiry information changed.`" + `), then the report line with ` + "`[DISABLED]`" + ` appended; root is mailed that line through ` + "`sendmail root@DOMAIN`" + ` (DOMAIN from ` + "`hostname -d`" + `) with the subject ` + "`SPAMMER DETECTED AT HOST [USER name DISABLED]`" + `. A local account is locked with ` + "`passwd -l USER`" + `.

User names come from the log, which strangers and local users write: a name is acted on only when it matches ` + "`^[A-Za-z0-9_][A-Za-z0-9_.@+-]{0,63}$`" + ` (otherwise it is reported without ` + "`[DISABLED]`" + `, with a warning), and is passed as one argument, never through a local shell. ` + "`root`" + `, every account of {/etc/passwd} with a uid below ` + "`UID_MIN`" + ` of {/etc/login.defs} (1000 by default) and the ` + "`--protect`" + ` names are never disabled: standard error says ` + "`USER: [NOT DISABLED: protected account]`" + `. When {/etc/passwd} cannot be read nobody is disabled.`,
		"niss":            "The remote command is `ssh -o BatchMode=yes -o ConnectTimeout=30 root@MASTER_SERVER` running `sed` on `/var/yp/ypfiles/shadow` and `make -C /var/yp/`, with standard input from `/dev/null`; every `.` of the name is escaped in the `sed` pattern, so exactly one account's line changes. The value is optional: it is taken from the next argument only when that does not start with `-`.",
		"webmail":         "Addresses are compared parsed (`2001:db8::1` is `2001:0db8::1`); a list holding anything but IPv4 or IPv6 addresses is a usage error.",
		"dry-run":         "The report, the labels and `[DISABLED]` are printed as if the users had been locked; `passwd`, `ssh`, `sendmail` and the `--disable-command` never run and `--state` is not written.",
		"disable-command": "For virtual users (SQL, LDAP, Dovecot): CMD is split on blanks, never given to a shell, and run with the user name as its last argument; its output passes through; no `LOCAL`/`NIS` line is printed. A non-zero exit status is a failed lock. The repository's {scripts/disable/} has examples (`postfix-sasl-reject`, `dovecot-sql-disable`).",
		"state":           "The user is recorded as pending before the lock and confirmed after it, each time by writing a temporary file and renaming it, so a run killed in between locks again next time rather than claim a lock that may not have happened; a repeat keeps `[DISABLED]` on its line but gets no label. FILE is opened without following a symbolic link and must be a regular file owned by the running user that neither group nor others can write, at most 4 MiB; otherwise, or when it is corrupt, nobody is disabled until it is repaired or removed (exit status 1). A missing directory is created with mode 0700.",
		"max-disable":     "The users past the limit are reported without `[DISABLED]`, and standard error names each as `USER: [NOT DISABLED: limit N reached]`. A failed lock does not use up the limit.",
	},
	Output: `Nothing when no user reaches the threshold. Otherwise a header, an empty line, and one line per reported user, in ` + "`sort -n`" + ` order of the names:

    During the last 1 hour the following senders have made at least 90 SMTP connections.

    125 (6 nets/49 unknowns/125 IPs/0 webmail) -- Nov 27 17:00:32 mx1 postfix/submission/smtpd[19165]: 3A1F0021: client=unknown[203.0.113.7], sasl_method=PLAIN, sasl_username=jdoe@example.com

The header shows PERIOD as typed and ` + "`-m`" + `'s value; each line gives the counts and the user's first line in the window, verbatim. With ` + "`-d`" + `, a locked user's line ends in ` + "`[DISABLED]`" + ` and is preceded by the ` + "`LOCAL`/`NIS`" + ` label and the lock command's output (see ` + "`-d`" + `).`,
	OverridesOld: "postfix-spam-scan",
	OverrideKeys: "SASL user names",
	Exit:         "With `-d`: a lock that failed (no mail, no `[DISABLED]`), a mail to root that failed (the `[DISABLED]` stays: the account is locked), {/etc/passwd} unreadable, a `--state` file that is unusable or cannot be written (nobody is then disabled). The other users are still reported and acted on.",
	Environment:  ": `PATH`\n`passwd`, `ssh`, `sendmail`, `hostname`, `journalctl` and `postconf` are found on it.",
	Files: `: {/var/log/mail.log}
The default log (Debian's rsyslog; facility mail).

: {/var/lib/spamcheck/}
Where ` + "`make install`" + ` creates the ` + "`--state`" + ` directory (mode 0700) that the example crontab uses.

: {/etc/passwd}, {/etc/login.defs}
Which accounts are system accounts (uid below ` + "`UID_MIN`" + `), never disabled.`,
	Examples: `Report the users with at least 90 connections in the last hour:

    postfix-spam-check -p 1hour -m 90

From cron, lock botnet-driven accounts, at most 5 a run and never twice in the same period, and mail the report:

    */20 * * * *  postfix-spam-check -p 1hour -m 90 -d 5,5 -w 192.0.2.10,10.0.0.21 --state /var/lib/spamcheck/postfix.state --max-disable 5 | emergency-mail 3000

Virtual users, with no system account: reject them in Postfix instead of ` + "`passwd -l`" + `:

    */20 * * * *  postfix-spam-check -d 5,5 --disable-command '/usr/local/lib/spamcheck/postfix-sasl-reject --map /etc/postfix/sasl_access'

See what would be locked, without locking, on yesterday's log as of a given time:

    postfix-spam-check -d 5,5 --dry-run -l /var/log/mail.log.1 --now '2026-11-27 18:00:00'

A collector's journal (systemd-journal-remote):

    postfix-spam-check -p 1hour -m 90 -d 5,5 --journal-dir=/var/log/journal/remote --disable-command=/usr/local/sbin/disable-mail-user`,
	SeeAlso: []string{"exim-spam-check(1)", "php-spam-check(1)", "php-legacy-spam-check(1)", "journalctl(1)", "passwd(1)", "postconf(5)"},
}
