package exim

import (
	"github.com/spam-gear/spamcheck/pkg/cli"
)

// manual is the man page text beyond --help (cli.Manual; `exim-spam-check
// --help-man`).
var manual = cli.Manual{
	Summary: "report Exim local users and SMTP senders with too many messages",
	Synopsis: []string{
		"[{OPTIONS}] [{SECONDS} [{MAX_CONNECTIONS}]]",
		"[{OPTIONS}] [`-p` {PERIOD}] [`-m` {MAX_CONNECTIONS}]",
	},
	Description: `Meant to run from cron: it prints nothing when no key passes the threshold (cron then sends no mail), and its report is what the old shell tool of the same name printed, byte for byte.

In the first syntax a line exactly SECONDS old still counts (the old tool compared ` + "`now - t <= SECONDS`" + `); in the second the window is strict, as everywhere else. ` + "`-m N`" + ` alone is the second form; ` + "`-m N SECONDS`" + ` is the first with threshold N; ` + "`-p`" + ` with any positional argument, or ` + "`-m`" + ` with a positional MAX_CONNECTIONS, is a usage error. ` + "`-l`, `--now`, `--format`, `--overrides`, `--auth`" + ` and the journal flags never count as an argument for the defaults.`,
	Lines: `Arrival lines (` + "` <= `" + `) of Exim's main log, counted in groups reported in this order, each in byte order of its keys, under one shared header:

* local users, keyed by the ` + "`U=`" + ` field (a line with ` + "`U=`" + ` is local even with ` + "`H=`" + `);
* SMTP senders (lines with ` + "`H=`" + ` and ` + "`P=`" + ` and no ` + "`U=`" + `), keyed by the HELO name in parentheses inside ` + "`H=`" + ` when Exim logged one, else the host name, else the bracketed address;
* with ` + "`--auth`" + `, authenticated senders, keyed by the id in ` + "`A=authenticator:id`" + ` (stolen credentials; every line with an id counts, local or SMTP).

For example:

    2026-11-27 17:10:00 1tGb2k-0004Xy-Ab <= alice@example.com U=alice P=local S=812
    2026-11-27 17:10:02 1tGb2m-0004Y1-Cd <= news@example.org H=mail.example.org (helo.example.org) [198.51.100.4] P=esmtp A=login:news S=2210

A key is reported when its count is greater than its threshold (` + "`>`" + `, as the old tool compared). Fake-reject ` + "`(=`" + ` and reject lines are not arrivals. Exim logging through syslog (` + "`log_file_path = syslog`" + `) is understood too: ` + "`Nov 27 17:10:00 mx exim[2001]: 1tGb2k-0004Xy-Ab <= …`" + ` counts (with or without Exim's own timestamp after the tag), timed by the syslog stamp (read it with ` + "`-l /var/log/mail.log`" + ` or from the journal); lines Exim split at 870 bytes (` + "`[1/2]`" + `) do not.`,
	DefaultLogs:  DefaultLogs,
	Journal:      true,
	JournalTrust: "`_COMM` is `exim4` or `exim`, or the name of a link to Exim that receives mail (`sendmail`, `rmail`, `rsmtp`); for the local journal `_EXE` is a file only root can have put there (owned by root, writable by nobody else, one link, in directories only root may write to), since `_COMM` is just the executable's file name, and, on a host with an account `Debian-exim` (else `exim`), `_UID` is that account's uid or root's (Exim receives every message as its own user). With `--journal-dir` (another machine's files) neither `_EXE` nor `_UID` is checked.",
	FlagNotes: map[string]string{
		"period":  cli.PeriodNote,
		"now":     cli.NowNote,
		"seconds": "Decimal digits; beyond about 292 years the whole log counts. The header reads `During the last SECONDS seconds`, SECONDS in decimal (`010` is shown `10`).",
	},
	Output: `Nothing when no key passes its threshold. Otherwise a header, an empty line, and one line per reported key: its count and its first line in the window, verbatim:

    During the last 3600 seconds the following senders have made at least 60 SMTP connections.

    75 -- 2026-11-27 17:10:00 1tGb2k-0004Xy-Ab <= alice@example.com U=alice P=local S=812

In the second syntax the header shows PERIOD as typed (` + "`During the last 1 hour …`" + `). MAX_CONNECTIONS is shown as typed, never an override.`,
	OverridesOld: OldName,
	OverrideKeys: "local user names, HELO or host names and addresses of SMTP senders, and `--auth` ids share one file",
	Exit:         "No Exim main log found without `-l` (`no Exim main log found (looked for …); name one with -l`).",
	Files: `: {/var/log/exim4/mainlog}
Debian's Exim main log, the first default.

: {/var/log/exim/mainlog}, {/var/log/exim_mainlog}
The other defaults (other distributions; cPanel, RHEL), tried in this order.`,
	Examples: `The old positional form, from cron (the last hour, more than 60 messages):

    */20 * * * *  exim-spam-check 3600 60

The later form, with the stolen-password check:

    */20 * * * *  exim-spam-check -p 1hour -m 200 --auth

Exim logging to syslog, as JSON:

    exim-spam-check -p 30min -m 100 -l /var/log/mail.log --format=json`,
	SeeAlso: []string{"postfix-spam-check(1)", "php-spam-check(1)", "exim4(8)", "journalctl(1)"},
}
