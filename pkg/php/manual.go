package php

import (
	"github.com/spam-gear/spamcheck/pkg/cli"
)

// scriptsOutput is the OUTPUT text both PHP checkers share.
const scriptsOutput = `Each reported script's path, one per line, in byte order, and nothing else: the output is meant to be piped into a file scanner. Nothing when no script reaches the threshold. A control byte in a path (newline, CR, ESC, DEL, C1, U+2028/9) is printed as ` + "`\\ooo`" + ` (three octal digits, as ` + "`ls -b`" + ` does), so one output line is always one script and no terminal escape reaches the cron mail; UTF-8 names print as they are:

    /home/alice/public_html/contact.php
    /home/evil/a\012mail() on [/home/victim/index.php`

// manual is php-spam-check's man page text beyond --help (cli.Manual;
// `php-spam-check --help-man`).
var manual = cli.Manual{
	Summary:     "report PHP scripts that sent too many mails according to PHP's mail.log",
	Description: `Meant to run from cron, usually together with ` + "`php-legacy-spam-check`" + ` and a file scanner. The log is PHP's own (the ` + "`mail.log`" + ` setting of php.ini), which is rotated daily, so by default the whole file is counted: MAX_DAILY_MAILS is a daily limit. ` + "`-p`" + ` restricts the count to the last PERIOD.`,
	Lines: `The lines PHP writes for every ` + "`mail()`" + ` call, keyed by FILE:

    mail() on [/home/alice/public_html/contact.php:12]: To: bob@example.com -- Headers: From: alice@example.com
    [27-Nov-2026 18:35:55 Europe/Madrid] mail() on [/home/alice/public_html/contact.php:12]: To: bob@example.com -- Headers: ...

undated (PHP before 5.5), with PHP's date prefix, or inside a syslog line (` + "`mail.log = syslog`" + `). Code compiled from a string is charged to its outer file: ` + "`/x.php(12) : eval()'d code`" + ` counts for ` + "`/x.php`" + ` (also ` + "`runtime-created function`, `regexp code`, `assert code`" + `, nested). A record starts only where ` + "`mail() on [`" + ` begins a line's message (at the start of the line, after PHP's date or after a syslog prefix); a line starting with a blank or a tab continues the previous record (a folded ` + "`To:`" + `), and while a record has no ` + "`]: To:`" + ` yet, its path held a newline and the next line continues it. So a directory or a recipient whose name holds a newline cannot make an innocent script appear. An empty file name is not counted. A script is reported when its count reaches MAX_DAILY_MAILS (` + "`>=`" + `). Without ` + "`-p`" + ` every record counts, dated or not; with ` + "`-p`" + ` only dated lines in the window.`,
	DefaultLogs: []string{DefaultLog},
	Rotation:    "With `-p`, when the window reaches back before the first line of a named plain file, the previous rotation {FILE}`.1` (or {FILE}`.1.gz`) is read first; without `-p` only FILE is read, and `--now` has no effect.",
	FlagNotes: map[string]string{
		"period": cli.PeriodNote,
		"now":    cli.NowNote,
	},
	Output: scriptsOutput,
	Files: `: {/var/log/phpmail.log}
The default log: point PHP's ` + "`mail.log`" + ` setting there (` + "`mail.log = /var/log/phpmail.log`" + ` in php.ini) and rotate it daily.`,
	Examples: `From cron, both PHP checks feeding a file scanner:

    */10 * * * *  { php-legacy-spam-check 10 10 && php-spam-check 500; } | full-scan -q --notify-user

The scripts that sent at least 100 mails in the last 6 hours, reading yesterday's rotation when needed:

    php-spam-check -p 6hours 100`,
	SeeAlso: []string{"php-legacy-spam-check(1)", "phpsendmail(1)", "postfix-spam-check(1)"},
}

// legacyManual is php-legacy-spam-check's man page text beyond --help.
var legacyManual = cli.Manual{
	Summary:     "report PHP scripts that sent too many mails through phpsendmail",
	Description: `For PHP without the ` + "`mail.log`" + ` setting (before 5.3), where ` + "`phpsendmail`" + ` is PHP's ` + "`sendmail_path`" + ` and logs every ` + "`mail()`" + ` call to syslog. Meant to run from cron every MINUTES minutes: the window is MINUTES×1.2 minutes, truncated to whole minutes (10 gives 12), so that consecutive runs overlap and no burst falls between two.`,
	Lines: `The syslog lines ` + "`phpsendmail(1)`" + ` writes (facility mail, tag the PHP user), keyed by FILE:

    Nov 27 18:35:55 web1 alice[4242]: sendmail-php url=www.example.com/contact.php, client=203.0.113.7, filename=/home/alice/public_html/contact.php, uid=1001, user=alice, args=

The line must contain ` + "`sendmail-php url=`" + `; FILE lies between the first ` + "`, filename=`" + ` after it and the next ` + "`, uid=`" + `, found by name, not by position, so RFC 3339 timestamps and blanks in values do not matter. In FILE, ` + "`%2C`" + ` is read as ` + "`,`" + ` and ` + "`%25`" + ` as ` + "`%`" + ` (phpsendmail writes them so, so that a script name holding ` + "`, uid=0`" + ` cannot end the field early). An empty FILE is not counted. A script is reported when its count reaches MAX_MAILS (` + "`>=`" + `).`,
	DefaultLogs:  []string{DefaultLegacyLog},
	Journal:      true,
	JournalTrust: "`_COMM` is `phpsendmail` and, for the local journal, `_EXE` is a file only root can have put there (owned by root, writable by nobody else, one link, in directories only root may write to), since `_COMM` is just the executable's file name and a local user could run a copy of `logger` named `phpsendmail`. With `--journal-dir` (another machine's files) `_EXE` is not checked. phpsendmail execs sendmail right after logging, so journald may record sendmail's name for its entry: `_COMM` may also be the name of the sendmail phpsendmail runs. In both cases the entry's `uid=N` must be its `_UID`, which no client can choose.",
	FlagNotes: map[string]string{
		"now": cli.NowNote,
	},
	Output: scriptsOutput,
	Exit:   "Note for `php-legacy-spam-check && php-spam-check` in cron: when {/var/log/mail.log} cannot be read (and no journal is used) the status is 1 and `&&` skips the second check, where the old tool exited 0; use `;` when the legacy log may be missing.",
	Files: `: {/var/log/mail.log}
The default log (Debian's rsyslog writes facility mail there; {/var/log/maillog} on RHEL: name it with ` + "`-l`" + `).

: {/etc/spamcheck/phpsendmail.conf}
phpsendmail's configuration: which sendmail it runs and which syslog socket it logs to (see ` + "`phpsendmail(1)`" + `).`,
	Examples: `From cron, both PHP checks feeding a file scanner:

    */10 * * * *  { php-legacy-spam-check 10 10 && php-spam-check 500; } | full-scan -q --notify-user

Check that phpsendmail logs: after a page that calls ` + "`mail()`" + `, the script is listed by

    php-legacy-spam-check 10 1`,
	SeeAlso: []string{"phpsendmail(1)", "php-spam-check(1)", "journalctl(1)"},
}
