#!/usr/bin/env bash
# exim-spam-check on the sample Exim main log, evaluated at NOW (the instant
# the sample ends): the old positional syntax, the -p/-m syntax, and --auth.
#
# Usage: scripts/demo-exim.sh BINDIR NOW      (make demo calls it)
set -euo pipefail

if [ "$#" -ne 2 ]; then
	echo "usage: $0 BINDIR NOW" >&2
	exit 2
fi
bindir=$(cd "$1" && pwd)
now=$2
cd "$(dirname "$0")/.."
log=examples/exim-mainlog

demo() {
	echo ">> exim-spam-check $* -l $log"
	TZ=UTC "$bindir/exim-spam-check" "$@" -l "$log" --now "$now"
}

demo 3600 60
echo
demo -p 1hour -m 90
echo
demo --auth
