#!/usr/bin/env bash
# demo-php.sh BINDIR NOW: runs php-spam-check and php-legacy-spam-check on
# the sample logs under examples/, as of NOW (the instant the samples end).
# The Makefile's demo target calls it from the repository root.
set -euo pipefail

if [[ $# -ne 2 ]]; then
	echo "usage: $0 BINDIR NOW" >&2
	exit 2
fi
if [[ ! -f go.mod || ! -f examples/phpmail.log ]]; then
	echo "$0: run from the repository root" >&2
	exit 2
fi
bin=$1
now=$2
export TZ=UTC

# The samples are small, so the demo uses 20 mails instead of 500.
echo ">> php-spam-check 20 -l examples/phpmail.log (the whole log, dated or not; eval'd code counts for its file)"
"$bin/php-spam-check" 20 -l examples/phpmail.log
echo
echo ">> php-spam-check -p 1day 20 -l examples/phpmail.log --now '$now' (dated lines of the last day only)"
"$bin/php-spam-check" -p 1day 20 -l examples/phpmail.log --now "$now"
echo
echo ">> php-legacy-spam-check 10 10 -l examples/php-legacy-mail.log --now '$now' (the last 12 minutes)"
"$bin/php-legacy-spam-check" 10 10 -l examples/php-legacy-mail.log --now "$now"
echo
echo ">> php-legacy-spam-check 10 10 && php-spam-check 20 (the cron chain; both print bare paths)"
"$bin/php-legacy-spam-check" 10 10 -l examples/php-legacy-mail.log --now "$now" &&
	"$bin/php-spam-check" 20 -l examples/phpmail.log
echo
echo ">> php-spam-check 20 --format=json -l examples/phpmail.log"
"$bin/php-spam-check" 20 --format=json -l examples/phpmail.log --now "$now"
