package readprop

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spam-gear/spamcheck/pkg/exim"
	"github.com/spam-gear/spamcheck/pkg/internal/readtune"
	"github.com/spam-gear/spamcheck/pkg/php"
	"github.com/spam-gear/spamcheck/pkg/postfix"
)

// The short run (go test) takes a few seconds; make fuzz runs the long one:
// go test ./pkg/internal/readprop -readprop.logs=10000 (or READPROP_LOGS).
var (
	nLogs = flag.Int("readprop.logs", envInt("READPROP_LOGS", 40), "random logs per checker")
	seed  = flag.Uint64("readprop.seed", 1, "random seed (the run is deterministic for a seed)")
)

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// A checker under test: its entry point, the line it writes for one event,
// and the arguments of a random window.
type checker struct {
	name string
	main func(args []string, stdin io.Reader, stdout, stderr io.Writer) int
	// line appends a line the checker counts for key, stamped t.
	line func(b []byte, rng *rand.Rand, t time.Time, key int) []byte
	args func(rng *rand.Rand) []string
}

func syslogStamp(b []byte, t time.Time) []byte { return t.AppendFormat(b, time.Stamp) }

func isoStamp(b []byte, t time.Time) []byte {
	return t.AppendFormat(b, "2006-01-02T15:04:05.000000Z07:00")
}

func periodArg(rng *rand.Rand) string {
	return []string{"1min", "10minutes", "1hour", "3hours", "1day", "2days"}[rng.IntN(6)]
}

var checkers = []checker{
	{
		name: "postfix",
		main: postfix.Main,
		line: func(b []byte, rng *rand.Rand, t time.Time, key int) []byte {
			if rng.IntN(2) == 0 {
				b = syslogStamp(b, t)
			} else {
				b = isoStamp(b, t)
			}
			host := "unknown"
			if rng.IntN(2) == 0 {
				host = fmt.Sprintf("h%d-%d.example.net", rng.IntN(9), rng.IntN(9))
			}
			return fmt.Appendf(b, " mx1 postfix/smtpd[%d]: %010X: client=%s[198.51.100.%d], sasl_method=PLAIN, sasl_username=user%d",
				100+rng.IntN(900), rng.Uint64()&0xFFFFFFFFFF, host, rng.IntN(8), key)
		},
		args: func(rng *rand.Rand) []string {
			return []string{"-p", periodArg(rng), "-m", strconv.Itoa(1 + rng.IntN(3))}
		},
	},
	{
		name: "exim -p",
		main: exim.Main,
		line: eximLine,
		args: func(rng *rand.Rand) []string { return []string{"-p", periodArg(rng), "-m", strconv.Itoa(rng.IntN(3))} },
	},
	{
		name: "exim SECONDS",
		main: exim.Main,
		line: eximLine,
		args: func(rng *rand.Rand) []string {
			return []string{strconv.Itoa([]int{60, 600, 3600, 7200, 86400}[rng.IntN(5)]), strconv.Itoa(rng.IntN(3))}
		},
	},
	{
		name: "php-legacy",
		main: php.LegacyMain,
		line: func(b []byte, rng *rand.Rand, t time.Time, key int) []byte {
			b = syslogStamp(b, t)
			return fmt.Appendf(b, " web1 www-data: sendmail-php url=www.example.com/c.php, client=192.0.2.7, filename=/var/www/s%d.php, uid=33, user=www-data, args=", key)
		},
		args: func(rng *rand.Rand) []string {
			return []string{strconv.Itoa([]int{1, 10, 60, 600, 1440}[rng.IntN(5)]), strconv.Itoa(1 + rng.IntN(3))}
		},
	},
	{
		name: "php -p",
		main: php.Main,
		line: func(b []byte, rng *rand.Rand, t time.Time, key int) []byte {
			b = append(b, '[')
			b = t.AppendFormat(b, "02-Jan-2006 15:04:05")
			return fmt.Appendf(b, " UTC] mail() on [/srv/s%d.php:%d]: To: victim%d@example.org -- Headers: From: x@example.com", key, 1+rng.IntN(90), rng.IntN(9))
		},
		args: func(rng *rand.Rand) []string { return []string{"-p", periodArg(rng), strconv.Itoa(1 + rng.IntN(3))} },
	},
}

func eximLine(b []byte, rng *rand.Rand, t time.Time, key int) []byte {
	b = t.AppendFormat(b, "2006-01-02 15:04:05")
	id := fmt.Sprintf("1x%04X-%06X-%02X", rng.IntN(1<<16), rng.IntN(1<<24), rng.IntN(256))
	if rng.IntN(2) == 0 {
		return fmt.Appendf(b, " %s <= user%d@example.org U=user%d P=local S=%d", id, key, key, 500+rng.IntN(5000))
	}
	return fmt.Appendf(b, " %s <= info@edge.example H=mail.edge.example (helo%d.example) [198.51.100.%d] P=esmtps S=%d", id, key, rng.IntN(8), 500+rng.IntN(5000))
}

// garbage returns a line a checker does not count: no timestamp, a broken
// one, or the right shape with bytes that break it, often with the marker.
func garbage(b []byte, rng *rand.Rand, c checker, t time.Time) []byte {
	switch rng.IntN(6) {
	case 0:
		return append(b, "sasl_username=x <= mail() on [/a.php:1]: To: sendmail-php filename=/b.php, uid=1"...)
	case 1: // a checker's line with its timestamp mangled
		l := c.line(nil, rng, t, 0)
		l[rng.IntN(min(len(l), 12))] = "X\x00"[rng.IntN(2)] // never a valid stamp
		return append(b, l...)
	case 2:
		return b // an empty line
	case 3: // NUL bytes, invalid UTF-8, a CR inside
		return append(b, "\x00\xff\xfe junk\r in the middle \x00"...)
	case 4: // a line too long to probe, sometimes longer than the line cap
		return append(b, bytes.Repeat([]byte("L"), 300+rng.IntN(6000))...)
	default:
		return isoStamp(b, t) // a timestamp and nothing else
	}
}

// genLog writes the lines of a random log, oldest first, and returns them
// with their line ends. The log is in time order, lines a little out of
// order (at most a minute, under the checkers' 5-minute slack), except for
// one block of at most block bytes stamped older by any amount, as SPEC
// §1 allows; lines up to 23 h after now (clocks running ahead) are at the
// end. now is chosen so that the window start falls anywhere in the log.
func genLog(rng *rand.Rand, c checker, block int) (lines [][]byte, now time.Time) {
	var n int
	switch r := rng.IntN(100); {
	case r < 60:
		n = 1 + rng.IntN(300)
	case r < 97:
		n = 300 + rng.IntN(5000)
	default:
		n = 20000 + rng.IntN(50000) // several MiB
	}
	span := time.Duration(1+rng.Int64N(int64(72*time.Hour))) + time.Minute
	end := time.Date(2026, 11, 27, 18, 0, 0, 0, time.UTC).Add(time.Duration(rng.Int64N(int64(48 * time.Hour))))
	start := end.Add(-span)
	if rng.IntN(4) == 0 {
		now = end.Add(time.Duration(rng.Int64N(int64(2 * time.Hour))))
	} else {
		now = end.Add(-time.Duration(rng.Int64N(int64(min(span, 23*time.Hour)))))
	}
	keys := 1 + rng.IntN(6)
	garbageRate := []float64{0, 0.02, 0.3}[rng.IntN(3)]
	eol := []string{"\n", "\r\n", "mixed"}[rng.IntN(3)]

	blockAt, blockLeft, shift := -1, 0, time.Duration(0)
	if rng.IntN(3) > 0 {
		blockAt, blockLeft = rng.IntN(n), 1+rng.IntN(block)
		shift = []time.Duration{time.Second, 4 * time.Minute, 10 * time.Minute, 3 * time.Hour, 20 * 24 * time.Hour}[rng.IntN(5)]
		shift = time.Duration(rng.Int64N(int64(shift))) + time.Second
	}
	jitter := []time.Duration{0, time.Second, time.Minute}[rng.IntN(3)]
	for i := range n {
		t := start.Add(time.Duration(int64(span) / int64(n) * int64(i)))
		if jitter > 0 {
			t = t.Add(time.Duration(rng.Int64N(int64(jitter))))
		}
		inBlock := blockAt >= 0 && i >= blockAt && blockLeft > 0
		if inBlock {
			t = t.Add(-shift)
		}
		var l []byte
		if rng.Float64() < garbageRate {
			l = garbage(nil, rng, c, t)
		} else {
			l = c.line(nil, rng, t, rng.IntN(keys))
		}
		switch {
		case eol == "mixed" && rng.IntN(2) == 0, eol == "\r\n":
			l = append(l, "\r\n"...)
		default:
			l = append(l, '\n')
		}
		if inBlock {
			if blockLeft -= len(l); blockLeft < 0 {
				// Past the block's size: this line is not in it.
				blockAt = -1
				i-- // regenerate this line unshifted
				continue
			}
		}
		lines = append(lines, l)
	}
	return lines, now
}

// tuned shrinks logread's sizes so that logs of a few KiB exercise the
// window search, its probes and its block allowance, and lines of a few
// KiB the line cap.
func tuned(rng *rand.Rand) readtune.Sizes {
	block := []int64{512, 4 << 10, 64 << 10}[rng.IntN(3)]
	return readtune.Sizes{
		BufSize:    []int{64, 4096, 1 << 16}[rng.IntN(3)],
		ProbeStep:  32,
		ProbeLimit: 512,
		SearchGap:  []int64{64, 1024}[rng.IntN(2)],
		Block:      block,
		MaxLine:    4096,
	}
}

type outcome struct {
	code   int
	stdout string
}

func runTool(c checker, args []string, stdin io.Reader) outcome {
	var stdout, stderr bytes.Buffer
	code := c.main(args, stdin, &stdout, &stderr)
	return outcome{code, stdout.String()}
}

func TestReaderProperty(t *testing.T) {
	saved := time.Local
	time.Local = time.UTC // syslog stamps are local; no DST in the model
	defer func() { time.Local = saved }()
	dir := t.TempDir()
	for ci, c := range checkers {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(*seed, uint64(ci)))
			reported := 0
			for i := range *nLogs {
				sizes := tuned(rng)
				lines, now := genLog(rng, c, int(sizes.Block))
				// Rotation: FILE.1 (or FILE.1.gz) holds the lines before a
				// random cut, FILE the rest; the last line of FILE may lack
				// its '\n'.
				cut := 0
				if len(lines) > 1 && rng.IntN(3) > 0 {
					cut = rng.IntN(len(lines))
				}
				prev, cur := bytes.Join(lines[:cut], nil), bytes.Join(lines[cut:], nil)
				if rng.IntN(4) == 0 {
					cur = bytes.TrimSuffix(bytes.TrimSuffix(cur, []byte("\n")), []byte("\r"))
				}
				log := filepath.Join(dir, fmt.Sprintf("%d-%d.log", ci, i))
				gz := rng.IntN(2) == 0
				writeLog(t, log, prev, cur, gz)
				args := append(c.args(rng), "--now", now.Format(time.RFC3339Nano))

				// The two runs read in opposite modes (one reads ahead in a
				// second goroutine, from the start or after a hand-over,
				// one serially), so the comparison also holds the two
				// readers to the same lines.
				sizes.Serial = rng.IntN(2) == 0
				sizes.Handover = []int64{0, 1 << 10, 1 << 20}[rng.IntN(3)]
				restore := readtune.Set(sizes)
				seek := runTool(c, append([]string{"-l", log}, args...), nil)
				restore()
				streamSizes := sizes
				streamSizes.Serial = !sizes.Serial
				restore = readtune.Set(streamSizes)
				stream := runTool(c, append([]string{"-l", "-"}, args...), bytes.NewReader(append(prev, cur...)))
				restore()
				if seek != stream {
					keep := filepath.Join(os.TempDir(), fmt.Sprintf("readprop-%s-%d", strings.ReplaceAll(c.name, " ", "_"), i))
					writeLog(t, keep, prev, cur, gz)
					t.Fatalf("log %d (%d lines, cut %d, gz %v, sizes %+v), args %q: the seeking run and the stdin run differ\nseek:  exit %d\n%s\nstdin: exit %d\n%s\nlog kept as %s",
						i, len(lines), cut, gz, sizes, args, seek.code, seek.stdout, stream.code, stream.stdout, keep)
				}
				if seek.code != 0 {
					t.Fatalf("log %d: exit %d", i, seek.code)
				}
				if seek.stdout != "" {
					reported++
				}
				os.Remove(log)
				os.Remove(log + ".1")
				os.Remove(log + ".1.gz")
			}
			// Guard against a generator whose windows never hold anything.
			if *nLogs >= 20 && reported*5 < *nLogs {
				t.Errorf("only %d of %d logs reported anything: the comparison is mostly of empty reports", reported, *nLogs)
			}
			t.Logf("%d logs, %d with a report", *nLogs, reported)
		})
	}
}

// writeLog writes FILE and, when prev is not empty, FILE.1 or FILE.1.gz.
func writeLog(t *testing.T, path string, prev, cur []byte, gz bool) {
	t.Helper()
	if err := os.WriteFile(path, cur, 0o644); err != nil {
		t.Fatal(err)
	}
	if len(prev) == 0 {
		return
	}
	if !gz {
		if err := os.WriteFile(path+".1", prev, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(prev)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".1.gz", b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
