#!/usr/bin/env bash
# Benchmarks the four checkers on large generated logs (SPEC §1 "Reading
# logs", issues "Big logs", "Every checker at grep speed…" and "Nothing a
# stranger writes…"). Prints, measured in the same run, for each checker:
#   * the 1-hour window on the big log (30 days) vs on a 20 MB log of the
#     same traffic (so the same window holds the same lines: the ratio shows
#     what the file's size adds),
#   * the full read vs LC_ALL=C grep -F -c MARKER on the big log,
#   * peak RSS (/usr/bin/time -v) of both,
#   * start-up on an empty log vs /bin/true and a Go hello-world built the
#     same way;
# then the hostile inputs: a million distinct postfix users (one 130-byte
# line each), a 256 MiB file without a newline, -l /dev/zero for 10 s.
#
# Timings are medians of BENCH_RUNS runs, the runs of the things compared
# taken alternately (the machine is shared: figures are noisy), page cache
# warm. Logs are generated once into BENCH_DIR (never into git) and reused.
#
# Environment:
#   BENCH_DIR      where logs and binaries go (default /var/tmp/spamcheck-bench)
#   BENCH_SIZE     big log size in bytes (default 2000000000)
#   BENCH_QUICK=1  a quick check of the script: 200 MB logs, 3 runs, 3 s of /dev/zero
#   BENCH_RUNS     runs per timing (default 5)
#   BENCH_USERS    distinct users of the hostile postfix log (default 1000000)
#   BENCH_ZERO_SECS how long -l /dev/zero runs (default 10)
#   BENCH_BIN      take the checkers from this directory instead of building
#                  them (to compare two builds on the same logs)
set -euo pipefail
[ -f go.mod ] && [ -d cmd/postfix-spam-check ] || { echo "bench.sh: run from the repository root" >&2; exit 2; }

quick=${BENCH_QUICK:-0}
dir=${BENCH_DIR:-/var/tmp/spamcheck-bench}
if [ "$quick" = 1 ]; then
  big_size=${BENCH_SIZE:-200000000}; runs=${BENCH_RUNS:-3}; zero_secs=${BENCH_ZERO_SECS:-3}
else
  big_size=${BENCH_SIZE:-2000000000}; runs=${BENCH_RUNS:-5}; zero_secs=${BENCH_ZERO_SECS:-10}
fi
users=${BENCH_USERS:-1000000}
small_size=20000000
span_h=720
now='2026-11-27 18:00:00'
export TZ=UTC LC_ALL=C
mkdir -p "$dir"

checkers="postfix-spam-check exim-spam-check php-spam-check php-legacy-spam-check"
bin=${BENCH_BIN:-$dir/bin}
# Checkers and hello-world are built as `make build` builds (static,
# trimmed, stripped) and then copied into place with install(1), as
# install.sh does: the file the linker wrote starts about 1 ms slower than a
# copy of the same bytes, which would distort the start-up columns.
build_like_make() { # OUT PKG
  CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$1.tmp" "$2" && install -m 755 "$1.tmp" "$1" && rm -f "$1.tmp"
}
if [ -z "${BENCH_BIN:-}" ]; then
  mkdir -p "$bin"
  for c in $checkers; do build_like_make "$bin/$c" "./cmd/$c"; done
fi
go build -o "$dir/genlog" ./scripts/genlog
mkdir -p "$dir/hello"
printf 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n' > "$dir/hello/main.go"
build_like_make "$dir/hello/hello" "$dir/hello/main.go"

# gen FORMAT: the big and the small log of FORMAT; the small one has the
# big one's traffic per hour, so it covers a shorter span.
small_span=$(awk -v b="$big_size" -v s="$small_size" -v h="$span_h" 'BEGIN { printf "%ds", s / b * h * 3600 }')
gen() {
  local f=$1 big="$dir/$1-$big_size.log" small="$dir/$1-small-$big_size.log"
  [ -s "$big" ] || { echo ">> generating $big ($big_size bytes over $span_h hours)" >&2;
    "$dir/genlog" -format "$f" -size "$big_size" -span "${span_h}h" -o "$big"; }
  [ -s "$small" ] || "$dir/genlog" -format "$f" -size "$small_size" -span "$small_span" -o "$small"
}
for f in postfix exim php php-legacy; do gen "$f"; done
hostile="$dir/users-$users.log"
[ -s "$hostile" ] || "$dir/genlog" -users "$users" -o "$hostile"
nonl="$dir/no-newline-256MiB.log"
[ -s "$nonl" ] || head -c 268435456 /dev/zero | tr '\0' 'x' > "$nonl"
: > "$dir/empty.log"

# once CMD…: wall-clock seconds of one run, output to a file, not
# /dev/null: GNU grep stops at the first match when its output is /dev/null.
once() {
  local t0 t1
  t0=$(date +%s%N); "$@" >"$dir/out" 2>"$dir/err" || true; t1=$(date +%s%N)
  echo $(( t1 - t0 ))
}
median() { sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.6f", m / 1e9 }'; }
# pair A B: runs "${A[@]}" and "${B[@]}" alternately $runs times; sets
# med_a and med_b to their median seconds.
pair() {
  local -n _a=$1 _b=$2
  local i ta="" tb=""
  for i in $(seq "$runs"); do
    ta+="$(once "${_a[@]}")"$'\n'
    tb+="$(once "${_b[@]}")"$'\n'
  done
  med_a=$(printf '%s' "$ta" | median); med_b=$(printf '%s' "$tb" | median)
}
# startup CMD…: median over $runs batches of the milliseconds one run takes
# (a batch is 200 runs).
startup_batch() {
  local t0 t1
  t0=$(date +%s%N); for _ in $(seq 200); do "$@" >/dev/null 2>&1 || true; done; t1=$(date +%s%N)
  echo $(( (t1 - t0) / 200 ))
}
rss_kb() { /usr/bin/time -v "$@" 2>&1 >"$dir/out" | awk -F': ' '/Maximum resident set size/ { print $2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
ms() { awk -v s="$1" 'BEGIN { printf "%.1f", s * 1000 }'; }

printf 'machine: %s cores, %s; %s\n' "$(nproc)" "$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)" "$(go version | cut -d' ' -f3-)"
printf 'big logs: %s bytes over %s h; small logs: %s bytes of the same traffic; medians of %s alternate runs, warm cache\n\n' \
  "$big_size" "$span_h" "$small_size" "$runs"

# The checkers' command lines: window (the last hour) and full read.
window_args() {
  case $1 in
    postfix-spam-check) echo "-p 1hour" ;;
    exim-spam-check) echo "-p 1hour -m 60" ;;
    php-spam-check) echo "-p 1hour 500" ;;
    php-legacy-spam-check) echo "50 10" ;;   # 50 minutes x 1.2 = the last hour
  esac
}
full_args() {
  case $1 in
    postfix-spam-check) echo "-p 1year" ;;
    exim-spam-check) echo "-p 1year -m 60" ;;
    php-spam-check) echo "500" ;;
    php-legacy-spam-check) echo "1000000 10" ;;
  esac
}
marker() {
  case $1 in
    postfix-spam-check) echo "sasl_username=" ;;
    exim-spam-check) echo " <= " ;;
    php-spam-check) echo "mail() on [" ;;
    php-legacy-spam-check) echo "sendmail-php url=" ;;
  esac
}
format() { case $1 in postfix-spam-check) echo postfix ;; exim-spam-check) echo exim ;; php-spam-check) echo php ;; *) echo php-legacy ;; esac; }

printf '%-22s %10s %10s %6s | %9s %9s %6s | %9s %9s | %8s %8s %8s %6s %6s\n' \
  checker win-big win-small ratio full grep ratio rss-full rss-win start true hello /true /hello
printf '%-22s %10s %10s %6s | %9s %9s %6s | %9s %9s | %8s %8s %8s %6s %6s\n' \
  "" s s "<=2" s s "" KiB KiB ms ms ms "" ""
for c in $checkers; do
  f=$(format "$c"); big="$dir/$f-$big_size.log"; small="$dir/$f-small-$big_size.log"
  read -ra w <<<"$(window_args "$c")"; read -ra full <<<"$(full_args "$c")"
  cat "$big" > /dev/null   # warm the cache
  a=("$bin/$c" "${w[@]}" -l "$big" --now "$now"); b=("$bin/$c" "${w[@]}" -l "$small" --now "$now")
  pair a b; win_big=$med_a; win_small=$med_b
  a=("$bin/$c" "${full[@]}" -l "$big" --now "$now"); b=(grep -F -c "$(marker "$c")" "$big")
  pair a b; full_t=$med_a; grep_t=$med_b
  rss_full=$(rss_kb "$bin/$c" "${full[@]}" -l "$big" --now "$now")
  rss_win=$(rss_kb "$bin/$c" "${w[@]}" -l "$big" --now "$now")
  st="" tr="" he=""
  for _ in $(seq "$runs"); do
    st+="$(startup_batch "$bin/$c" "${w[@]}" -l "$dir/empty.log" --now "$now")"$'\n'
    tr+="$(startup_batch /bin/true)"$'\n'
    he+="$(startup_batch "$dir/hello/hello")"$'\n'
  done
  st=$(printf '%s' "$st" | median); tr=$(printf '%s' "$tr" | median); he=$(printf '%s' "$he" | median)
  printf '%-22s %10s %10s %6s | %9s %9s %6s | %9s %9s | %8s %8s %8s %6s %6s\n' "$c" \
    "$win_big" "$win_small" "$(ratio "$win_big" "$win_small")" \
    "$full_t" "$grep_t" "$(ratio "$full_t" "$grep_t")" "$rss_full" "$rss_win" \
    "$(ms "$st")" "$(ms "$tr")" "$(ms "$he")" "$(ratio "$st" "$tr")" "$(ratio "$st" "$he")"
done
echo "(full: postfix -p 1year, exim -p 1year -m 60, php-spam-check 500, php-legacy 1000000 10;"
echo " grep: LC_ALL=C grep -F -c MARKER on the same log; start: each checker on an empty log)"

echo
echo "hostile inputs (SPEC §1: peak RSS <= 256 MB for 1M keys, <= 128 MB whatever the line length):"
# Run under a 4 GiB address-space limit: a build that buffers a line whole
# must fail here, not take the shared machine's memory.
lim=(bash -c 'ulimit -v $((4 << 20)); exec "$@"' _)
t0=$(date +%s%N)
kb=$(rss_kb "${lim[@]}" "$bin/postfix-spam-check" -p 1hour -l "$hostile" --now "$now")
t1=$(date +%s%N)
printf '  %s distinct postfix users, one 130-byte line each (%s bytes): peak RSS %s KiB (%.0f bytes of RSS a user), %.2f s\n' \
  "$users" "$(stat -c %s "$hostile")" "$kb" "$(awk -v k="$kb" -v u="$users" 'BEGIN { print k * 1024 / u }')" \
  "$(awk -v ns=$(( t1 - t0 )) 'BEGIN { print ns / 1e9 }')"
for c in $checkers; do
  read -ra full <<<"$(full_args "$c")"
  set +e
  /usr/bin/time -v -o "$dir/time" "${lim[@]}" "$bin/$c" "${full[@]}" -l "$nonl" --now "$now" >"$dir/out" 2>"$dir/err"
  status=$?
  set -e
  kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$dir/time")
  printf '  256 MiB without a newline, %s: exit %s, peak RSS %s KiB, stderr (%s lines): %s\n' "$c" "$status" "$kb" \
    "$(wc -l < "$dir/err")" "$(head -c 160 "$dir/err" | head -1)"
done
# -l /dev/zero: RSS sampled every 0.2 s (VmHWM is the kernel's peak) until
# zero_secs have passed or the run ended by itself.
"${lim[@]}" "$bin/postfix-spam-check" -p 1year -l /dev/zero --now "$now" >"$dir/out" 2>"$dir/err" &
pid=$!
hwm=0 rss=0 t0=$(date +%s%N)
while [ $(( $(date +%s%N) - t0 )) -lt $(( zero_secs * 1000000000 )) ] && kill -0 "$pid" 2>/dev/null; do
  st=$(cat "/proc/$pid/status" 2>/dev/null || true)
  h=$(awk '/^VmHWM/ { print $2 }' <<<"$st"); r=$(awk '/^VmRSS/ { print $2 }' <<<"$st")
  if [ -n "$h" ]; then hwm=$h; fi
  if [ -n "$r" ]; then rss=$r; fi
  sleep 0.2
done
secs=$(awk -v ns=$(( $(date +%s%N) - t0 )) 'BEGIN { printf "%.1f", ns / 1e9 }')
if kill -0 "$pid" 2>/dev/null; then
  kill "$pid"; wait "$pid" 2>/dev/null || true
  printf '  postfix-spam-check -l /dev/zero, stopped after %s s: RSS %s KiB, peak %s KiB, stderr: %s\n' "$secs" "$rss" "$hwm" "$(head -c 160 "$dir/err" | head -1)"
else
  set +e; wait "$pid"; status=$?; set -e
  printf '  postfix-spam-check -l /dev/zero ended by itself after %s s (4 GiB address-space limit): exit %s, last RSS seen %s KiB, peak %s KiB, stderr: %s\n' \
    "$secs" "$status" "$rss" "$hwm" "$(head -c 160 "$dir/err" | head -1)"
fi
