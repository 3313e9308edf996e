#!/usr/bin/env bash
# Install the five spamcheck binaries (and optionally their man pages),
# keeping a copy of whatever old tool they replace.
#
# Usage:
#   scripts/install.sh [--man] [--dry-run]      install (run from the repo root)
#   scripts/install.sh --restore [--man] [--dry-run]
#   scripts/install.sh --help
#
# Environment:
#   BINDIR   where the built binaries are (default bin/; `make build` puts
#            them there). Without BINDIR the script must be run from the
#            repository root, so that it never installs some other bin/.
#   PREFIX   installation prefix (default /usr/local): binaries go to
#            $PREFIX/bin, mode 755.
#   DESTDIR  staging root for packagers: every path written is
#            $DESTDIR$PREFIX/...
#   STATEDIR directory for postfix-spam-check --state files (default
#            /var/lib/spamcheck, not under PREFIX), created mode 0700; the
#            README's crontab keeps its state file there.
#   MANDIR   man page root (default $PREFIX/share/man); pages go to
#            $MANDIR/man1 (a MANDIR that already ends in /man1 is used as it
#            is). Setting MANDIR implies --man.
#
# Install, for each of postfix-spam-check, exim-spam-check, php-spam-check,
# php-legacy-spam-check and phpsendmail:
#   * destination missing                  -> installed
#   * destination is one of our binaries   -> replaced (or "unchanged" when
#                                             byte-identical)
#   * destination is anything else (the old bash script, another program,
#     a symlink)                           -> copied first to
#     $PREFIX/bin/.spamcheck-backup/NAME, then replaced. An existing backup
#     is never overwritten: when it differs from the file to back up, that
#     tool is left alone and the script exits 1 so the operator can look.
# "One of our binaries" is decided WITHOUT running the file: it is not a
# script (its first two bytes are not "#!") and it contains this module's
# path, github.com/spam-gear/spamcheck, which the Go linker records in every
# binary built from this repository. Running an unknown file with --version
# is not safe: the old scripts ignored unknown arguments and would have
# scanned (and possibly locked accounts), and phpsendmail has no options at
# all (it would hand --version to sendmail).
# Files are copied to a temporary name beside the destination and renamed
# over it, so a cron job never runs a half-written binary.
#
# Also installed: scripts/php/put_environment_variables.php and
# phpsendmail.ini into $PREFIX/share/phpsendmail/ (mode 644), the paths
# phpsendmail.ini and phpsendmail(1) name; and the state directory.
#
# --man: man pages into $MANDIR/man1: the four checkers' pages are generated
# by the installed binary itself, `BINARY --help-man`, from the same kingpin
# flags and help strings --help prints plus the sections of its
# pkg/cli.Manual (so a page always matches its binary); phpsendmail, which
# has no options, gets the static page scripts/man/phpsendmail.1.
#
# --restore: for every tool with a backup, move the backup back over our
# binary (removing ours) and remove that tool's man page when install.sh
# put it there (its first line says so; with --man, whatever page is
# there). The PHP files and the state directory stay. Tools
# without a backup keep our binary. A destination that is neither ours nor
# the backup's content is left alone (exit 1). --restore needs no built
# binaries and may be run from anywhere.
#
# --dry-run: print the same lines prefixed "[dry-run] " and change nothing.
# The script is idempotent: running it again prints "unchanged" lines.
# Every action prints one line on standard output; errors go to stderr.
set -euo pipefail
export LC_ALL=C

readonly TOOLS=(postfix-spam-check exim-spam-check php-spam-check php-legacy-spam-check phpsendmail)
readonly MARKER=github.com/spam-gear/spamcheck
readonly BACKUP_DIRNAME=.spamcheck-backup
# First line of every man page install.sh writes, so --restore knows its own.
readonly MAN_STAMP='.\" installed by spamcheck scripts/install.sh'
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

die() {
	echo "install.sh: $*" >&2
	exit 1
}

restore=no man=no dry=no
while [ $# -gt 0 ]; do
	case $1 in
	--restore) restore=yes ;;
	--man) man=yes ;;
	--dry-run|-n) dry=yes ;;
	-h|--help) usage; exit 0 ;;
	*) echo "install.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
	esac
	shift
done

PREFIX=${PREFIX:-/usr/local}
DESTDIR=${DESTDIR:-}
if [ -n "${MANDIR:-}" ]; then
	man=yes
else
	MANDIR=$PREFIX/share/man
fi
case $MANDIR in
*/man1|*/man1/) man1=${MANDIR%/} ;;
*) man1=${MANDIR%/}/man1 ;;
esac
STATEDIR=${STATEDIR:-/var/lib/spamcheck}
bin_dest=$DESTDIR$PREFIX/bin
php_dest=$DESTDIR$PREFIX/share/phpsendmail
state_dest=$DESTDIR$STATEDIR
man_dest=$DESTDIR$man1
backup_dir=$bin_dest/$BACKUP_DIRNAME

# do PRINTED-LINE -- COMMAND...: print the line, run the command unless
# --dry-run.
do_() {
	local line=$1
	shift 2
	if [ "$dry" = yes ]; then
		echo "[dry-run] $line"
	else
		"$@"
		echo "$line"
	fi
}

say() {
	if [ "$dry" = yes ]; then echo "[dry-run] $*"; else echo "$*"; fi
}

# is_ours FILE: a regular file (not a symlink), not a script, carrying the
# module path. Never runs FILE.
is_ours() {
	[ -f "$1" ] && [ ! -L "$1" ] || return 1
	# od: a NUL among the first bytes must not upset the comparison.
	[ "$(head -c 2 -- "$1" | od -An -c | tr -d ' ')" != '#!' ] || return 1
	grep -qaF -- "$MARKER" "$1"
}

# same A B: both exist with identical bytes (a symlink compared as a link).
same() {
	if [ -L "$1" ] || [ -L "$2" ]; then
		[ -L "$1" ] && [ -L "$2" ] && [ "$(readlink -- "$1")" = "$(readlink -- "$2")" ]
	else
		cmp -s -- "$1" "$2"
	fi
}

# shellcheck disable=SC2317 # run through do_
# put SRC DEST MODE: copy SRC to a temporary file beside DEST, then rename.
put() {
	local tmp
	tmp=$(mktemp "$(dirname -- "$2")/.${2##*/}.XXXXXX")
	if ! install -m "$3" -- "$1" "$tmp"; then
		rm -f -- "$tmp"
		return 1
	fi
	mv -f -- "$tmp" "$2"
}

# shellcheck disable=SC2317 # run through do_
# backup DEST: copy DEST (a symlink stays a symlink) into the backup dir,
# never over an existing backup.
backup() {
	local tmp
	mkdir -p -- "$backup_dir"
	tmp=$(mktemp -u "$backup_dir/.${1##*/}.XXXXXX")
	cp -P -p -- "$1" "$tmp"
	# mv -n: a backup that appeared meanwhile is kept.
	mv -n -- "$tmp" "$backup_dir/${1##*/}"
	if [ -e "$tmp" ] || [ -L "$tmp" ]; then
		rm -f -- "$tmp"
		die "backup $backup_dir/${1##*/} appeared while installing; not touching it"
	fi
}

# genman TOOL OUT: the checker's own man page.
genman() {
	"$BINDIR/$1" --help-man >"$2" || die "$BINDIR/$1 --help-man failed"
	head -n 1 -- "$2" | grep -q '^\.TH ' ||
		die "$BINDIR/$1 --help-man did not print a man page"
}

status=0

# ---------------------------------------------------------------- restore
if [ "$restore" = yes ]; then
	restored=0
	for t in "${TOOLS[@]}"; do
		b=$backup_dir/$t d=$bin_dest/$t
		if [ ! -e "$b" ] && [ ! -L "$b" ]; then
			continue
		fi
		if [ -e "$d" ] && ! is_ours "$d" && ! same "$b" "$d"; then
			echo "install.sh: $d is neither our binary nor the backup $b; leaving both alone" >&2
			status=1
			continue
		fi
		do_ "restore $b -> $d" -- mv -f -- "$b" "$d"
		restored=$((restored + 1))
		if [ -f "$man_dest/$t.1" ] && { [ "$man" = yes ] || head -n 1 -- "$man_dest/$t.1" | grep -qxF "$MAN_STAMP"; }; then
			do_ "remove $man_dest/$t.1" -- rm -f -- "$man_dest/$t.1"
		fi
	done
	if [ -d "$backup_dir" ] && [ "$dry" = no ] && rmdir -- "$backup_dir" 2>/dev/null; then
		echo "remove $backup_dir"
	fi
	[ "$restored" -gt 0 ] || say "nothing to restore (no backups in $backup_dir)"
	exit "$status"
fi

# ---------------------------------------------------------------- install
if [ -z "${BINDIR:-}" ]; then
	if [ ! -f go.mod ] || ! grep -qx "module $MARKER" go.mod || [ ! -d cmd/postfix-spam-check ]; then
		die "run from the spamcheck repository root (make install), or set BINDIR to the directory holding the built binaries"
	fi
	BINDIR=bin
fi
for t in "${TOOLS[@]}"; do
	if [ ! -f "$BINDIR/$t" ] || [ ! -x "$BINDIR/$t" ]; then
		die "$BINDIR/$t: missing or not executable (run make build first)"
	fi
	is_ours "$BINDIR/$t" || die "$BINDIR/$t is not a spamcheck binary"
done
static_page=$script_dir/man/phpsendmail.1
if [ "$man" = yes ] && [ ! -f "$static_page" ]; then
	die "$static_page: missing"
fi

if [ ! -d "$bin_dest" ]; then
	do_ "mkdir $bin_dest" -- mkdir -p -- "$bin_dest"
fi
for t in "${TOOLS[@]}"; do
	src=$BINDIR/$t d=$bin_dest/$t b=$backup_dir/$t
	if [ -d "$d" ] && [ ! -L "$d" ]; then
		echo "install.sh: $d is a directory; skipping $t" >&2
		status=1
		continue
	fi
	if [ -e "$d" ] || [ -L "$d" ]; then
		if is_ours "$d"; then
			if cmp -s -- "$src" "$d" && [ "$(stat -c %a -- "$d")" = 755 ]; then
				say "unchanged $d"
				continue
			fi
		elif [ -e "$b" ] || [ -L "$b" ]; then
			if ! same "$d" "$b"; then
				echo "install.sh: $d is not ours and differs from the existing backup $b; not replacing it (move one of them away)" >&2
				status=1
				continue
			fi
			say "backup $b already holds $d"
		else
			do_ "backup $d -> $b" -- backup "$d"
		fi
	fi
	do_ "install $src -> $d" -- put "$src" "$d" 755
done

if [ ! -d "$php_dest" ]; then
	do_ "mkdir $php_dest" -- mkdir -p -- "$php_dest"
fi
for f in put_environment_variables.php phpsendmail.ini; do
	src=$script_dir/php/$f d=$php_dest/$f
	if [ -f "$d" ] && cmp -s -- "$src" "$d"; then
		say "unchanged $d"
	else
		do_ "install $src -> $d" -- put "$src" "$d" 644
	fi
done
# The --state directory: root's alone (a state file another user can write
# would let that user decide who is locked).
if [ ! -d "$state_dest" ]; then
	do_ "mkdir $state_dest (mode 700)" -- install -d -m 700 -- "$state_dest"
fi

if [ "$man" = yes ]; then
	if [ ! -d "$man_dest" ]; then
		do_ "mkdir $man_dest" -- mkdir -p -- "$man_dest"
	fi
	tmpdir=$(mktemp -d)
	trap 'rm -rf -- "$tmpdir"' EXIT
	for t in "${TOOLS[@]}"; do
		if [ "$t" = phpsendmail ]; then
			page=$static_page
		else
			page=$tmpdir/$t.1
			genman "$t" "$page"
		fi
		stamped=$tmpdir/$t.stamped.1
		{ echo "$MAN_STAMP"; cat -- "$page"; } >"$stamped"
		page=$stamped
		d=$man_dest/$t.1
		if [ -f "$d" ] && cmp -s -- "$page" "$d"; then
			say "unchanged $d"
			continue
		fi
		do_ "man $d" -- put "$page" "$d" 644
	done
fi
exit "$status"
