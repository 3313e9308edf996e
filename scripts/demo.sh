#!/usr/bin/env bash
# demo.sh BINDIR NOW: every checker on the sample logs under examples/, as
# of NOW (the instant the samples end). `make demo` calls it from the
# repository root.
#
# Every command is printed exactly as it runs, on a line of its own after a
# "#" comment saying what it shows, so that any of them pasted into a shell
# from the repository root prints what the demo printed. TZ=UTC and --now
# are part of the command: the samples are stamped 2026-11-27 in UTC, and a
# run at today's clock would find their last hour empty.
#
# Last, phpsendmail logs one mail (examples/contact-form.eml) and
# php-legacy-spam-check reads it back, with files the demo writes into
# BINDIR/demo (see below); without user namespaces, a user other than root
# gets one line on stderr saying why that part is skipped. Standard error
# carries only such notes, so stdout is exactly the commands and what they
# print.
set -euo pipefail

if [[ $# -ne 2 ]]; then
	echo "usage: $0 BINDIR NOW" >&2
	exit 2
fi
if [[ ! -f go.mod || ! -f examples/mail.log ]]; then
	echo "$0: run from the repository root" >&2
	exit 2
fi
bin=$1
now=$2

# show COMMENT ARGV...: print the comment and the command line (shell-quoted,
# so it pastes back as the same argv), then run it with TZ=UTC.
show() {
	local comment=$1 line
	shift
	line=$(quote "$@")
	printf '\n# %s\n%s\n' "$comment" "TZ=UTC $line"
	TZ=UTC "$@"
}

# show_from FILE COMMENT ARGV...: show, with standard input from FILE.
show_from() {
	local file=$1 comment=$2 line
	shift 2
	line=$(quote "$@")
	printf '\n# %s\n%s\n' "$comment" "TZ=UTC $line < $(quote "$file")"
	TZ=UTC "$@" <"$file"
}

# quote ARGV...: the words joined by blanks, each quoted only when it needs
# it (single quotes read better than printf %q's backslashes).
quote() {
	local out="" w
	for w in "$@"; do
		if [[ $w =~ ^[A-Za-z0-9_./,:=@+-]+$ ]]; then
			out+="$w "
		else
			out+="'${w//\'/\'\\\'\'}' "
		fi
	done
	printf '%s' "${out% }"
}

show "postfix: SASL users with at least 90 connections in the last hour" \
	"$bin/postfix-spam-check" -p 1hour -m 90 -w 192.0.2.10 -l examples/mail.log --now "$now"
show "postfix -d 5,5 --dry-run: what would be locked and mailed (nothing is run)" \
	"$bin/postfix-spam-check" -p 1hour -m 90 -d 5,5 --dry-run -w 192.0.2.10 -l examples/mail.log --now "$now"

show "exim: the old positional form (3600 seconds, more than 60 mails)" \
	"$bin/exim-spam-check" 3600 60 -l examples/exim-mainlog --now "$now"
show "exim: the -p/-m form" \
	"$bin/exim-spam-check" -p 1hour -m 90 -l examples/exim-mainlog --now "$now"
show "exim --auth: also authenticated senders (stolen passwords)" \
	"$bin/exim-spam-check" --auth -l examples/exim-mainlog --now "$now"

# The samples are small, so the demo uses 20 mails instead of 500.
show "php-spam-check: scripts with at least 20 mails in PHP's mail.log (the whole log; eval'd code counts for its file)" \
	"$bin/php-spam-check" 20 -l examples/phpmail.log
show "php-spam-check -p 1day: dated records of the last day only" \
	"$bin/php-spam-check" -p 1day 20 -l examples/phpmail.log --now "$now"
show "php-legacy-spam-check: phpsendmail's syslog lines of the last 12 minutes" \
	"$bin/php-legacy-spam-check" 10 10 -l examples/php-legacy-mail.log --now "$now"
show "the JSON document (every script counted, reported or not)" \
	"$bin/php-spam-check" 20 --format=json -l examples/phpmail.log --now "$now"

# phpsendmail takes its sendmail and syslog socket only from a root-owned
# phpsendmail.conf (SPEC §6). The demo builds a phpsendmail whose
# ConfigPath is $bin/demo/phpsendmail.conf, next to a sendmail stand-in
# that sends nothing and demosyslog, a stand-in for rsyslogd that writes
# $bin/demo/mail.log. A user who is not root runs it in a user namespace
# where they are root (unshare --user --map-root-user), so their own files
# are root-owned there; the root-owned rule itself is unchanged.
demo=$bin/demo
if unshare --user --map-root-user true 2>/dev/null; then
	ns=(unshare --user --map-root-user)
elif [[ $(id -u) == 0 ]]; then
	ns=()
else
	echo "demo: phpsendmail skipped: it trusts only a root-owned config, and unshare --user --map-root-user (unprivileged user namespaces) is unavailable here" >&2
	exit 0
fi
mkdir -p "$demo"
chmod 0755 "$demo"
abs=$(cd "$demo" && pwd)
go build -trimpath -o "$demo/phpsendmail" \
	-ldflags "-X github.com/spam-gear/spamcheck/pkg/phpsendmail.ConfigPath=$abs/phpsendmail.conf" ./cmd/phpsendmail
go build -trimpath -o "$demo/demosyslog" ./scripts/demosyslog
rm -f "$demo/sendmail" "$demo/phpsendmail.conf"
printf '#!/bin/sh\n# The demo'"'"'s sendmail: reads the message, sends nothing.\necho "sendmail $*: $(wc -l) lines read, nothing sent (demo)"\n' >"$demo/sendmail"
printf 'sendmail = %s/sendmail\nsyslog_socket = %s/log\n' "$abs" "$abs" >"$demo/phpsendmail.conf"
chmod 0755 "$demo/sendmail"
chmod 0644 "$demo/phpsendmail.conf"
: >"$demo/mail.log"

show_from examples/contact-form.eml "phpsendmail: one mail() call, logged to $demo/mail.log by a demo syslog, then handed to a demo sendmail" \
	"$demo/demosyslog" -o "$demo/mail.log" "$demo/log" -- "${ns[@]}" \
	env SCRIPT_FILENAME=/var/www/shop/contact.php HTTP_HOST=shop.example REQUEST_URI=/contact.php REMOTE_ADDR=198.51.100.7 \
	"$demo/phpsendmail" -f contact@shop.example
show "php-legacy-spam-check reads it back: scripts with at least 1 mail in the last 12 minutes" \
	"$bin/php-legacy-spam-check" 10 1 -l "$demo/mail.log" --now "$(date -u '+%Y-%m-%d %H:%M:%S')"
