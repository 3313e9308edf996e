#!/usr/bin/env bash
# Benchmarks postfix-spam-check on a large generated log (SPEC §1 "Reading
# logs", issue "Big logs"). Prints, measured in the same run:
#   * the 1-hour window on the big log (30 days) vs on a 20 MB log of the
#     same traffic (so the same window holds the same lines: the ratio shows
#     what the file's size adds),
#   * the full scan (-p 1year) vs LC_ALL=C grep -F -c sasl_username=,
#   * peak RSS (/usr/bin/time -v).
# The logs are generated once into $BENCH_DIR and reused.
set -euo pipefail
[ -f go.mod ] && [ -d cmd/postfix-spam-check ] || { echo "bench.sh: run from the repository root" >&2; exit 2; }

dir=${BENCH_DIR:-/var/tmp/spamcheck-bench}
big_size=${BENCH_SIZE:-2000000000}
runs=${BENCH_RUNS:-5}
now='2026-11-27 18:00:00'
mkdir -p "$dir"
go build -o "$dir/postfix-spam-check" ./cmd/postfix-spam-check
go build -o "$dir/genlog" ./scripts/genlog
span_h=720
[ -s "$dir/big.log" ] || { echo ">> generating $big_size bytes over $span_h hours"; "$dir/genlog" -size "$big_size" -span "${span_h}h" -o "$dir/big.log"; }
# The small log has the big one's traffic per hour: it covers a shorter span.
small_span=$(awk -v b="$big_size" -v h="$span_h" 'BEGIN { printf "%ds", 20000000 / b * h * 3600 }')
[ -s "$dir/small.log" ] || "$dir/genlog" -size 20000000 -span "$small_span" -o "$dir/small.log"
export TZ=UTC LC_ALL=C

# best_of CMD…: the fastest of $runs runs, in seconds (warm page cache).
# Output goes to a file, not /dev/null: GNU grep stops at the first match
# when it sees its output is /dev/null.
best_of() {
  local best="" t0 t1 s
  for _ in $(seq "$runs"); do
    t0=$(date +%s%N); "$@" >"$dir/out"; t1=$(date +%s%N)
    s=$(( t1 - t0 ))
    if [ -z "$best" ] || [ "$s" -lt "$best" ]; then best=$s; fi
  done
  awk -v ns="$best" 'BEGIN { printf "%.4f", ns / 1e9 }'
}
rss_kb() { /usr/bin/time -v "$@" 2>&1 >"$dir/out" | awk -F': ' '/Maximum resident set size/ { print $2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

tool="$dir/postfix-spam-check"
cat "$dir/big.log" > /dev/null   # warm the cache once
win_big=$(best_of "$tool" -p 1hour -l "$dir/big.log" --now "$now")
win_small=$(best_of "$tool" -p 1hour -l "$dir/small.log" --now "$now")
full=$(best_of "$tool" -p 1year -l "$dir/big.log" --now "$now")
grep_t=$(best_of grep -F -c sasl_username= "$dir/big.log")
rss_full=$(rss_kb "$tool" -p 1year -l "$dir/big.log" --now "$now")
rss_win=$(rss_kb "$tool" -p 1hour -l "$dir/big.log" --now "$now")

printf 'machine: %s cores, %s\n' "$(nproc)" "$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
printf 'big log: %s bytes; small log: %s bytes; best of %s runs, warm cache\n' \
  "$(stat -c %s "$dir/big.log")" "$(stat -c %s "$dir/small.log")" "$runs"
printf '1-hour window: big %ss, small %ss, ratio %s (target <= 2)\n' "$win_big" "$win_small" "$(ratio "$win_big" "$win_small")"
printf 'full scan -p 1year: %ss; grep -F -c: %ss; ratio %s (target <= 1.5)\n' "$full" "$grep_t" "$(ratio "$full" "$grep_t")"
printf 'peak RSS: full scan %s KiB, 1-hour window %s KiB (target <= 32768)\n' "$rss_full" "$rss_win"
