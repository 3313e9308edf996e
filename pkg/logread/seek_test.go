package logread

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// genLog describes a generated log for the window-seek tests.
type genLog struct {
	lines    int
	step     time.Duration // mean spacing of timestamps
	slack    time.Duration // disorder: a line is at most this much older than any line before it
	untimed  float64       // probability that a run of untimestamped lines starts
	huge     float64       // probability of a huge line
	hugeSize int
	crlf     bool
	noFinal  bool // no '\n' after the last line
	// block > 0 makes one run of lines, of up to block bytes from a
	// random line on, older than the lines around it by up to shift (a
	// backlog flushed late, a clock stepped back).
	block int
	shift time.Duration
}

func smallBlock(tu tuning, block int64) tuning {
	tu.block = block
	return tu
}

var genStart = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// generate writes the log. Timestamps are base + jitter with jitter in
// [0, slack), so a later line is never more than slack older than an
// earlier one, the disorder Scan is told to tolerate. Every line carries a
// unique id so that duplicates and losses show.
func (g genLog) generate(rng *rand.Rand) (data []byte, times []time.Time) {
	var b []byte
	eol := "\n"
	if g.crlf {
		eol = "\r\n"
	}
	base := genStart
	blockAt, blockLeft, shift := -1, g.block, time.Duration(0)
	if g.block > 0 && g.lines > 0 {
		blockAt, blockLeft = rng.IntN(g.lines), rng.IntN(g.block+1)
		shift = time.Duration(rng.Int64N(int64(g.shift) + 1))
	}
	for id := 0; id < g.lines; id++ {
		if g.step > 0 {
			base = base.Add(time.Duration(rng.Int64N(int64(2 * g.step))))
		}
		payload := strings.Repeat("p", rng.IntN(30))
		if rng.Float64() < g.huge {
			payload = strings.Repeat("H", g.hugeSize+rng.IntN(g.hugeSize))
		}
		if rng.Float64() < g.untimed {
			// A run of lines without a timestamp, as after a restart
			// banner or a multi-line dump.
			for range 1 + rng.IntN(8) {
				if id == g.lines {
					break
				}
				b = fmt.Appendf(b, "untimed id=%d %s%s", id, payload, eol)
				id++
			}
			if id == g.lines {
				break
			}
		}
		t := base
		if g.slack > 0 {
			t = t.Add(time.Duration(rng.Int64N(int64(g.slack))))
		}
		n := len(b)
		if blockAt >= 0 && id >= blockAt && blockLeft > 0 {
			t = t.Add(-shift)
		}
		times = append(times, t)
		b = t.AppendFormat(b, time.RFC3339Nano)
		b = fmt.Appendf(b, " id=%d %s%s", id, payload, eol)
		if blockAt >= 0 && id >= blockAt && blockLeft > 0 {
			if blockLeft -= len(b) - n; blockLeft < 0 {
				// The line does not fit in the block: not shifted.
				times[len(times)-1] = t.Add(shift)
				b = t.Add(shift).AppendFormat(b[:n], time.RFC3339Nano)
				b = fmt.Appendf(b, " id=%d %s%s", id, payload, eol)
			}
		}
	}
	if g.noFinal {
		b = bytes.TrimSuffix(b, []byte(eol))
	}
	return b, times
}

// inWindow is what a checker does with the lines Scan delivers: keep those
// with a timestamp after since.
func inWindow(lines []string, since time.Time) []string {
	var out []string
	for _, l := range lines {
		if t, ok := isoTimeOf([]byte(l)); ok && t.After(since) {
			out = append(out, l)
		}
	}
	return out
}

// fullScan is what the plain full-scan path delivers for a file, with the
// timestamp of each line (zero when it has none), parsed once for all the
// windows tried on it.
type fullScan struct {
	lines []string
	times []time.Time
}

// checkSeek compares the seek path with the full-scan path on one file
// and window start. The seek path must deliver a contiguous tail of what
// the full scan delivers (so the same order and nothing twice), and the
// lines it skipped must all be outside the window: then both give a
// checker the same in-window lines. It returns how many lines it skipped.
func checkSeek(t *testing.T, path string, since time.Time, slack time.Duration, tu tuning, full fullScan) (skipped int) {
	t.Helper()
	src := Source{Paths: []string{path}, Since: since, TimeOf: isoTimeOf, Slack: slack}
	got, err := collect(src, tu)
	if err != nil {
		t.Fatal(err)
	}
	skipped = len(full.lines) - len(got)
	if skipped < 0 || !slices.Equal(got, full.lines[skipped:]) {
		t.Fatalf("since %v: seek path delivered %d lines that are not a tail of the %d the full scan delivers", since, len(got), len(full.lines))
	}
	for i, tm := range full.times[:skipped] {
		if tm.After(since) {
			t.Fatalf("since %v (slack %v): seek skipped in-window line %d of %d: %.60q", since, slack, i, skipped, full.lines[i])
		}
	}
	return skipped
}

// TestWindowSeekMatchesFullScan is the property test of the window search:
// on many generated logs and window starts, seeking loses no in-window
// line.
func TestWindowSeekMatchesFullScan(t *testing.T) {
	type config struct {
		name  string
		gen   genLog
		tu    tuning
		count int // logs generated
	}
	configs := []config{
		{name: "empty", gen: genLog{lines: 0}, tu: tinyTuning, count: 1},
		{name: "one line", gen: genLog{lines: 1, step: time.Second}, tu: tinyTuning, count: 3},
		{name: "one line without newline", gen: genLog{lines: 1, step: time.Second, noFinal: true}, tu: tinyTuning, count: 3},
		{name: "ordered", gen: genLog{lines: 300, step: time.Second}, tu: tinyTuning, count: 40},
		{name: "many equal times", gen: genLog{lines: 300}, tu: tinyTuning, count: 5},
		{name: "out of order within slack", gen: genLog{lines: 300, step: time.Second, slack: 30 * time.Second}, tu: tinyTuning, count: 60},
		{name: "disorder wider than spacing", gen: genLog{lines: 300, step: time.Second, slack: 5 * time.Minute}, tu: tinyTuning, count: 60},
		{name: "untimed runs", gen: genLog{lines: 300, step: time.Second, slack: 10 * time.Second, untimed: 0.2}, tu: tinyTuning, count: 60},
		{name: "mostly untimed", gen: genLog{lines: 300, step: time.Second, untimed: 0.9}, tu: tinyTuning, count: 20},
		{name: "huge lines near probes", gen: genLog{lines: 300, step: time.Second, slack: 10 * time.Second, untimed: 0.1, huge: 0.1, hugeSize: 200}, tu: tinyTuning, count: 60},
		{name: "CRLF", gen: genLog{lines: 200, step: time.Second, slack: 3 * time.Second, crlf: true, noFinal: true}, tu: tinyTuning, count: 20},
		{name: "default sizes with huge lines", gen: genLog{lines: 30000, step: time.Second, slack: time.Minute, untimed: 0.01, huge: 0.0003, hugeSize: 300 << 10}, tu: smallBlock(defaultTuning, 64<<10), count: 4},
		// One block of lines older than the lines around it, by up to a
		// few hours, a few lines or up to the tuning's block in size.
		{name: "old block", gen: genLog{lines: 300, step: time.Second, slack: 10 * time.Second, block: 1200, shift: 3 * time.Hour}, tu: smallBlock(tinyTuning, 1200), count: 200},
		{name: "old block, small shift", gen: genLog{lines: 300, step: time.Second, slack: 10 * time.Second, block: 1200, shift: 2 * time.Minute}, tu: smallBlock(tinyTuning, 1200), count: 100},
		{name: "old block, untimed and huge lines", gen: genLog{lines: 300, step: time.Second, slack: 10 * time.Second, untimed: 0.1, huge: 0.05, hugeSize: 200, block: 1200, shift: time.Hour}, tu: smallBlock(tinyTuning, 1200), count: 100},
		{name: "old block, larger allowance", gen: genLog{lines: 300, step: time.Second, slack: 10 * time.Second, block: 800, shift: 3 * time.Hour}, tu: smallBlock(tinyTuning, 3000), count: 100},
		{name: "old block, default sizes", gen: genLog{lines: 60000, step: time.Second, slack: time.Minute, block: 64 << 10, shift: 24 * time.Hour}, tu: smallBlock(defaultTuning, 64<<10), count: 3},
	}
	for _, c := range configs {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(len(c.name)), 11))
			dir := t.TempDir()
			seeks, tries := 0, 0 // scans that did not start at offset 0, all scans
			for i := range c.count {
				data, times := c.gen.generate(rng)
				path := filepath.Join(dir, fmt.Sprintf("log%d", i))
				writeFile(t, path, data)
				// The seek is the same in both read modes; reading ahead
				// with buffers of a few bytes is a goroutine hand-over
				// every few bytes, slow under -race (26 s for this test
				// read serially, 185 s read ahead), so only one log in
				// four is read ahead, and one seek in eight of it
				// (TestLines, FuzzScanCap and the reader property test
				// hold the two modes to the same lines).
				tu := c.tu
				tu.serial = i%4 != 0
				lines, err := collect(Source{Paths: []string{path}}, tu)
				if err != nil {
					t.Fatal(err)
				}
				if want := naiveLines(data, nil); !slices.Equal(want, lines) {
					t.Fatalf("full scan mismatch (-want +got):\n%s", cmp.Diff(want, lines))
				}
				full := fullScan{lines: lines, times: make([]time.Time, len(lines))}
				for i, l := range lines {
					if tm, ok := isoTimeOf([]byte(l)); ok {
						full.times[i] = tm
					}
				}
				sinces := []time.Time{genStart.Add(-time.Hour), genStart.Add(time.Duration(c.gen.lines) * 3 * (c.gen.step + time.Second))}
				for range 12 {
					if len(times) > 0 {
						tm := times[rng.IntN(len(times))]
						sinces = append(sinces, tm, tm.Add(-time.Nanosecond), tm.Add(-c.gen.slack))
					}
				}
				for j, since := range sinces {
					tu := c.tu
					tu.serial = i%4 != 0 || j%8 != 0
					if checkSeek(t, path, since, c.gen.slack, tu, full) > 0 {
						seeks++
					}
					tries++
				}
			}
			// Guard against a search that always answers 0, which would
			// pass the checks above without seeking at all.
			if c.gen.lines >= 100 && seeks*5 < tries {
				t.Errorf("only %d of %d scans skipped any line: the seek path is barely exercised", seeks, tries)
			}
		})
	}
}

// TestWindowSeekCost checks that a short window at the end of a long log is
// found with a few probes and read without the part before it.
func TestWindowSeekCost(t *testing.T) {
	end := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	data := postfixLog(16<<20, end, 30*24*time.Hour, isoStamp)
	path := tempPath(t, "mail.log")
	writeFile(t, path, data)
	since := end.Add(-time.Hour)
	calls := 0
	timeOf := func(line []byte) (time.Time, bool) {
		calls++
		return isoTimeOf(line)
	}
	var read int
	var got []string
	err := Scan(Source{Paths: []string{path}, Since: since, TimeOf: timeOf, Slack: 5 * time.Minute}, func(line []byte) {
		read += len(line) + 1
		got = append(got, string(line))
	})
	if err != nil {
		t.Fatal(err)
	}
	var windowBytes int
	want := inWindow(naiveLines(data, nil), since)
	for _, l := range want {
		windowBytes += len(l) + 1
	}
	if diff := cmp.Diff(want, inWindow(got, since)); diff != "" {
		t.Fatalf("in-window lines mismatch (-want +got):\n%s", diff)
	}
	// The window plus Slack is about 1/600 of the file; allow the search
	// gap and a probe on top.
	slackBytes := len(data) / (30 * 24 * 12)
	// And the block the search allows for before its answer (8 MiB).
	if limit := windowBytes + slackBytes + 2*int(defaultTuning.searchGap) + 2*defaultTuning.probeLimit + int(defaultTuning.block); read > limit {
		t.Errorf("read %d bytes of a %d-byte log for a window of %d bytes, want at most %d", read, len(data), windowBytes, limit)
	}
	if calls > 40 {
		t.Errorf("the window search parsed %d timestamps, want at most 40 (a binary search over %d bytes)", calls, len(data))
	}
}

// TestWindowSeekBacklog is issue 13's case at the real sizes: an 8 MiB
// block of lines stamped 6 h earlier (a relay's backlog) is written half
// an hour before the end of a 20 MB log; a 1-hour window must find every
// line of the window, those before the block included. Trusting one probe
// in the block lost them.
func TestWindowSeekBacklog(t *testing.T) {
	end := time.Date(2026, 11, 27, 18, 0, 0, 0, time.UTC)
	var b []byte
	line := func(t time.Time, what string, i int) {
		b = t.AppendFormat(b, time.RFC3339)
		b = fmt.Appendf(b, " mx1 postfix/smtpd[1]: %s %d sasl_username=u%d padding padding padding padding\n", what, i, i%7)
	}
	const span, lines = 10 * time.Hour, 200000 // ~20 MB, one line every 180 ms
	blockAt := lines - lines/20                // 30 minutes before the end
	for i := range lines {
		tm := end.Add(-span + time.Duration(i)*(span/lines))
		if i == blockAt {
			for j, start := 0, len(b); len(b)-start < 8<<20-200; j++ {
				line(tm.Add(-6*time.Hour), "backlog", j)
			}
		}
		line(tm, "live", i)
	}
	path := tempPath(t, "mail.log")
	writeFile(t, path, b)
	since := end.Add(-time.Hour)
	got, err := collect(Source{Paths: []string{path}, Since: since, TimeOf: isoTimeOf, Slack: DefaultSlack, Marker: []byte("sasl_username=")}, defaultTuning)
	if err != nil {
		t.Fatal(err)
	}
	want := inWindow(naiveLines(b, []byte("sasl_username=")), since)
	if g := inWindow(got, since); len(g) != len(want) {
		t.Fatalf("seek found %d in-window lines, a full read %d", len(g), len(want))
	}
}
