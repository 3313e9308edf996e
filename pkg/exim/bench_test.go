package exim

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
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
		if err != nil || c.Len(Users) == 0 {
			b.Fatalf("Scan: %v, %d users", err, c.Len(Users))
		}
	}
}

// BenchmarkCounterAdd counts SMTP arrivals with HELOs from 500 senders
// ("few") or a new IP-literal HELO on every line ("single", the scanners'
// one-off keys). heap-B/key is the live heap per key afterwards.
func BenchmarkCounterAdd(b *testing.B) {
	for _, bc := range []struct {
		name string
		keys int
	}{{"few", 500}, {"single", 1 << 30}} {
		b.Run(bc.name, func(b *testing.B) {
			const lines = 1 << 17
			lineOf := func(i int) []byte {
				helo := fmt.Sprintf("mx.sender%d.example", i%bc.keys)
				if bc.keys > lines {
					helo = fmt.Sprintf("[10.%d.%d.%d]", i>>16&255, i>>8&255, i&255)
				}
				return fmt.Appendf(nil, "2026-11-27 17:%02d:%02d 1xWyQt-00000000%04X-IPnx <= someone@sender.example H=(%s) [192.0.2.%d]:%d P=esmtps X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no S=%d id=%d@sender.example",
					i/60%60, i%60, i&0xFFFF, helo, i%250, 1024+i%60000, 1000+i%9000, i)
			}
			ins := make([]Arrival, lines)
			raw := make([][]byte, lines)
			for i := range ins {
				raw[i] = lineOf(i)
				a, ok := ParseLine(raw[i], len("2026-11-27 17:00:00"))
				if !ok || a.SMTPKey() == nil {
					b.Fatalf("ParseLine(%q) found no SMTP key", raw[i])
				}
				ins[i] = a
			}
			b.ReportAllocs()
			var c *Counter
			i := 0
			for b.Loop() {
				if i%lines == 0 {
					c = NewCounter(false)
				}
				c.Add(raw[i%lines], &ins[i%lines])
				i++
			}
			b.StopTimer()
			keys := min(i, lines, bc.keys)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&after)
			runtime.KeepAlive(c)
			c = nil
			runtime.GC()
			runtime.ReadMemStats(&before)
			b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(keys), "heap-B/key")
		})
	}
}
