#!/bin/bash
# record.sh: run the OLD spam-gear shell tools on the cases under
# e2e/testdata/oldtools/ and record what they did, so that
# e2e/oldtools_test.go can hold our binaries to it byte for byte.
#
# Re-record (root, Debian with bash, mawk, bc, coreutils, util-linux, faketime):
#
#   git clone https://github.com/glic3rinu/spam-gear /tmp/spam-gear
#   sudo scripts/oldtools/record.sh /tmp/spam-gear            # every case
#   sudo scripts/oldtools/record.sh /tmp/spam-gear postfix-crlf exim-flags
#   go test ./e2e -run TestOldTools
#   git diff e2e/testdata/oldtools                            # review, commit
#
# SPAMGEAR_DIR is any git repository holding spam-gear's history (a clone,
# or a mirror's .git directory): each script is taken with `git show
# REV:logs/TOOL` at the commit named in the case's `rev` file, so the
# recordings do not depend on what that checkout has checked out. Nothing
# of the scripts is copied into this repository.
#
# A case is a directory e2e/testdata/oldtools/CASE holding (inputs)
#   tool   the old script's name under logs/ (postfix-spam-check, ...)
#   rev    the spam-gear commit to take it from (40 hex digits)
#   now    the frozen instant, UTC, "YYYY-MM-DD hh:mm:ss"
#   args   the command line, one argument per line
#   log    the log the script reads (may be a symlink to another case's)
#   env    optional VAR=VALUE lines added to the stubs' environment
#          (STUB_SSH_STDIN=none: an ssh that reads nothing, like ssh -n)
#   ourlog optional, read only by the Go test (see e2e/oldtools_test.go)
# and, written here (outputs)
#   stdout    the script's standard output, byte for byte
#   status    its exit status
#   calls/    every passwd, ssh and sendmail call (e2e/testdata/oldtools/stubs/stub.sh)
#   hostname  the distinct hostname questions asked, sorted
# Standard error is not recorded (the SPEC does not keep it); it is shown
# here when not empty.
#
# How each script is run:
# * in a private mount namespace (unshare -m) with a tmpfs over /var/log
#   holding only the case's log at the fixed path the script reads:
#   /var/log/mail.log (postfix-spam-check, php-legacy-spam-check),
#   /var/log/exim4/mainlog (exim-spam-check, both revisions),
#   /var/log/phpmail.log (php-spam-check); the real /var/log is untouched;
# * under `faketime -f "NOW"`, libfaketime's frozen clock (an absolute time
#   without "@" does not advance), which GNU date -d, mawk's systime() and
#   bash's $SECONDS all see (checked before the first case of each NOW:
#   `date -d -1hour`, `date` after a real second, mawk's systime());
# * with an empty environment but PATH (the stubs first), TZ=UTC, LC_ALL=C,
#   STUB_RECORD, stdin /dev/null, from a temporary directory holding the
#   script as logs/TOOL with no conf/ beside it (no overrides file).
set -euo pipefail

usage() {
	echo "usage: $0 SPAMGEAR_DIR [CASE...]" >&2
	exit 2
}
[ $# -ge 1 ] || usage
sg=$1
shift
[ "$(id -u)" = 0 ] || { echo "$0: must run as root (unshare -m, mount)" >&2; exit 1; }
for c in faketime unshare mount git bc mawk; do
	command -v "$c" >/dev/null || { echo "$0: $c is not installed" >&2; exit 1; }
done
git -C "$sg" rev-parse --git-dir >/dev/null 2>&1 || { echo "$0: $sg is not a git repository" >&2; exit 1; }

root=$(cd "$(dirname "$0")/../.." && pwd)
cases=$root/e2e/testdata/oldtools
stubs=$cases/stubs
work=$(mktemp -d /tmp/spamcheck-oldtools.XXXXXX)
trap 'rm -rf "$work"' EXIT

if [ $# -eq 0 ]; then
	set --
	for d in "$cases"/*/; do
		d=${d%/}
		[ -f "$d/tool" ] && set -- "$@" "${d##*/}"
	done
fi

logpath() {
	case $1 in
	postfix-spam-check | php-legacy-spam-check) echo /var/log/mail.log ;;
	exim-spam-check) echo /var/log/exim4/mainlog ;;
	php-spam-check) echo /var/log/phpmail.log ;;
	*) echo "$0: unknown tool $1" >&2; return 1 ;;
	esac
}

# clockcheck NOW: the frozen clock is what the scripts will see: GNU date
# (now and `date -d -1hour`), after a real second has passed, and mawk's
# systime().
checked=
clockcheck() {
	case " $checked " in *" $1 "*) return 0 ;; esac
	local want got
	want="$(TZ=UTC date -d "$1 UTC -1hour" '+%Y-%m-%d %H:%M:%S')|$1|$1"
	got=$(env -i TZ=UTC LC_ALL=C PATH=/usr/bin:/bin faketime -f "$1" /bin/bash -c '
		a=$(date -d -1hour "+%Y-%m-%d %H:%M:%S"); sleep 1.1
		b=$(date "+%Y-%m-%d %H:%M:%S")
		c=$(mawk "BEGIN { print strftime(\"%Y-%m-%d %H:%M:%S\", systime()) }")
		echo "$a|$b|$c"')
	if [ "$got" != "$want" ]; then
		echo "$0: faketime does not freeze the clock at $1: got $got, want $want" >&2
		exit 1
	fi
	checked="$checked $1"
}

for name in "$@"; do
	c=$cases/$name
	tool=$(<"$c/tool")
	rev=$(<"$c/rev")
	now=$(<"$c/now")
	mapfile -t args <"$c/args"
	extra=()
	[ -f "$c/env" ] && mapfile -t extra <"$c/env"
	target=$(logpath "$tool")
	clockcheck "$now"

	script=$work/$rev/logs/$tool
	if [ ! -f "$script" ]; then
		mkdir -p "${script%/*}"
		git -C "$sg" show "$rev:logs/$tool" >"$script"
	fi

	rec=$work/rec/$name
	mkdir -p "$rec"
	status=0
	(cd "$work" && env -i PATH="$stubs:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
		TZ=UTC LC_ALL=C STUB_RECORD="$rec" "${extra[@]}" \
		unshare --mount --propagation private -- /bin/bash -c '
			set -e
			mount -t tmpfs -o mode=0755,size=64m spamcheck-oldtools /var/log
			mkdir -p "${2%/*}"
			cat "$1" >"$2"
			now=$3 script=$4
			shift 4
			exec faketime -f "$now" /bin/bash "$script" "$@"
		' record "$c/log" "$target" "$now" "$script" "${args[@]}" \
		</dev/null >"$rec/stdout" 2>"$rec/stderr") || status=$?

	rm -rf "$c/stdout" "$c/status" "$c/calls" "$c/hostname"
	cp "$rec/stdout" "$c/stdout"
	echo "$status" >"$c/status"
	ncalls=0
	if [ -d "$rec/calls" ]; then
		cp -r "$rec/calls" "$c/calls"
		ncalls=$(find "$c/calls" -mindepth 1 -maxdepth 1 | wc -l)
	fi
	if [ -f "$rec/hostname" ]; then
		LC_ALL=C sort -u "$rec/hostname" >"$c/hostname"
	fi
	echo "$name: $tool@${rev:0:7} ${args[*]}: status $status, $(wc -l <"$c/stdout") stdout lines, $ncalls calls"
	if [ -s "$rec/stderr" ]; then
		echo "  stderr (not recorded):" >&2
		sed 's/^/    /' "$rec/stderr" >&2
	fi
done

# What the recordings were made with.
{
	echo "Recorded by scripts/oldtools/record.sh; re-record as its header says."
	echo
	for rev in $(cat "$cases"/*/rev | sort -u); do
		echo "spam-gear $rev ($(git -C "$sg" log -1 --format=%cs "$rev")):"
		for t in $(grep -lx "$rev" "$cases"/*/rev | xargs -n1 dirname | xargs -I{} cat {}/tool | sort -u); do
			echo "  logs/$t blob $(git -C "$sg" rev-parse "$rev:logs/$t")"
		done
	done
	echo
	echo "$(bash --version | head -n1)"
	echo "$(mawk -W version 2>&1 | head -n1) (/usr/bin/awk -> $(readlink -f "$(command -v awk)"))"
	echo "$(date --version | head -n1)"
	echo "$(grep --version | head -n1)"
	echo "$(sed --version | head -n1)"
	echo "$(bc --version | head -n1)"
	echo "libfaketime $(dpkg-query -W -f='${Version}' libfaketime 2>/dev/null || echo '?')"
} >"$cases/RECORDED.txt"
