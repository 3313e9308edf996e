#!/bin/sh
# Recording stub for passwd, ssh, sendmail and hostname: those four names
# are symlinks to this file. scripts/oldtools/record.sh puts this directory
# first on PATH for the old spam-gear scripts, e2e/oldtools_test.go for our
# binaries, so that both are recorded the same way.
#
# STUB_RECORD (required) is the directory the calls are recorded in:
#   calls/NNN/argv   the call's argv, argv[0] being the bare program name,
#                    each argument followed by a NUL byte
#   calls/NNN/stdin  its standard input, byte for byte (ssh and sendmail)
#   hostname         one line per hostname call: its arguments
# NNN (001, 002, ...) numbers passwd, ssh and sendmail calls in the order
# they finish, so a program that reads its stdin is numbered after whatever
# wrote that stdin.
#
# Each stub reads its standard input only when the real program does:
# sendmail reads the message up to EOF; ssh forwards its stdin to the remote
# command (set STUB_SSH_STDIN=none to model `ssh -n`: nothing is read and no
# stdin file is written); passwd -l and hostname never read it (a stub that
# did would swallow the rest of an old script's `while read` loop).
# hostname answers fixed values: -f mx.example.org, -d example.org, else mx.
# It is recorded apart: it only answers questions, and the old tool asked
# them from both sides of a pipeline at once, so their order is not stable.
# passwd prints what Debian's passwd -l prints on stdout.
set -e
rec=${STUB_RECORD:?STUB_RECORD is not set}
name=${0##*/}

case $name in
hostname)
	printf '%s\n' "$*" >>"$rec/hostname"
	case ${1-} in
	-f) echo mx.example.org ;;
	-d) echo example.org ;;
	*) echo mx ;;
	esac
	exit 0
	;;
passwd | ssh | sendmail) ;;
*)
	echo "stub.sh: called as $name: not a stubbed program" >&2
	exit 2
	;;
esac

mkdir -p "$rec/calls"
tmp=$(mktemp -d "$rec/calls/.tmp.XXXXXX")
printf '%s\0' "$name" "$@" >"$tmp/argv"
case $name in
sendmail) cat >"$tmp/stdin" ;;
ssh) [ "${STUB_SSH_STDIN-}" = none ] || cat >"$tmp/stdin" ;;
esac

# mkdir is atomic: the first free number is this call's.
n=1
while ! mkdir "$rec/calls/$(printf %03d "$n")" 2>/dev/null; do
	n=$((n + 1))
done
dir=$rec/calls/$(printf %03d "$n")
for f in "$tmp"/*; do mv "$f" "$dir/"; done
rmdir "$tmp"

if [ "$name" = passwd ]; then
	echo 'passwd: password expiry information changed.'
fi
exit 0
