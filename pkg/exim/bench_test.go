package exim

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/spam-gear/spamcheck/pkg/timestamp"
)

// benchLines are the arrival lines of the sample log and the corpus, with
// their timestamp lengths: what ParseLine sees in a scan.
func benchLines(b *testing.B) (lines [][]byte, stamps []int, size int64) {
	b.Helper()
	p := timestamp.NewParser(time.Date(2026, 11, 27, 18, 0, 0, 0, time.UTC), time.UTC)
	for _, name := range []string{"../../examples/exim-mainlog", "testdata/corpus-mainlog.log", "testdata/corpus-testsuite.log"} {
		data, err := os.ReadFile(name)
		if err != nil {
			b.Fatal(err)
		}
		for _, line := range bytes.Split(data, []byte("\n")) {
			if !bytes.Contains(line, Marker) {
				continue
			}
			_, n, _ := p.Parse(line)
			lines, stamps, size = append(lines, line), append(stamps, n), size+int64(len(line))
		}
	}
	return lines, stamps, size
}

// BenchmarkParseLine parses every arrival line of the samples once per
// iteration; MB/s is over those lines.
func BenchmarkParseLine(b *testing.B) { benchParse(b, ParseLine) }

// BenchmarkOldParseLine is BenchmarkParseLine for the parser ParseLine
// replaced (oracle_test.go), so that one run measures both.
func BenchmarkOldParseLine(b *testing.B) { benchParse(b, oldParseLine) }

func benchParse(b *testing.B, parse func([]byte, int) (Arrival, bool)) {
	lines, stamps, size := benchLines(b)
	b.ReportAllocs()
	b.SetBytes(size)
	for b.Loop() {
		for i, line := range lines {
			a, ok := parse(line, stamps[i])
			if !ok || a.LocalKey() == nil && a.SMTPKey() == nil && a.AuthKey() == nil && a.Sender == nil {
				b.Fatalf("ParseLine(%q) found nothing", line)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(lines)), "ns/line")
}

// BenchmarkScan is the whole pass over the sample log: reading, the window,
// the timestamps, the parser and the counts.
func BenchmarkScan(b *testing.B) {
	const log = "../../examples/exim-mainlog"
	fi, err := os.Stat(log)
	if err != nil {
		b.Fatal(err)
	}
	o := &Options{Positional: true, Seconds: 3600, Max: 60, Auth: true}
	o.Now, o.NowSet, o.Loc = time.Date(2026, 11, 27, 18, 0, 0, 0, time.UTC), true, time.UTC
	w := o.Window()
	b.ReportAllocs()
	b.SetBytes(fi.Size())
	for b.Loop() {
		c, err := Scan(o, []string{log}, nil, w)
		if err != nil || len(c.Sorted(Users)) == 0 {
			b.Fatalf("Scan: %v, %d users", err, len(c.Sorted(Users)))
		}
	}
}
