// Command genlog writes large, realistic mail logs for the benchmarks
// (scripts/bench.sh), evenly spread over SPAN ending at END.
// Deterministic for a given seed.
//
//	-format postfix     a Postfix mail.log (syslog)
//	-format exim        an Exim mainlog
//	-format php         PHP's mail.log, dated and undated records
//	-format php-legacy  phpsendmail lines in a Postfix mail.log
//
// With -users N (postfix) it writes instead the hostile log of SPEC §1: N
// connection lines of N distinct SASL users, 130 bytes each, all in the
// last half hour before END.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"time"
)

func main() {
	format := flag.String("format", "postfix", "postfix, exim, php or php-legacy")
	size := flag.Int64("size", 20<<20, "approximate size in bytes")
	span := flag.Duration("span", 30*24*time.Hour, "time covered, ending at -end")
	end := flag.String("end", "2026-11-27T18:00:00Z", "time of the last line (RFC 3339)")
	seed := flag.Uint64("seed", 1, "random seed")
	users := flag.Int("users", 0, "postfix: write N one-line distinct users instead of traffic")
	oneOff := flag.Float64("oneoff", 0.0125, "exim: share of arrivals from one-off IP-literal HELOs")
	scripts := flag.Int("scripts", 3000, "php, php-legacy: distinct scripts")
	out := flag.String("o", "-", "output file")
	flag.Parse()
	endTime, err := time.Parse(time.RFC3339, *end)
	if err != nil {
		fail(2, err)
	}
	rng := rand.New(rand.NewPCG(*seed, *seed^0x9e3779b97f4a7c15))
	var gen func(w *bufio.Writer) error
	switch *format {
	case "postfix":
		gen = func(w *bufio.Writer) error { return postfixLog(w, rng, *size, *span, endTime.UTC()) }
		if *users > 0 {
			gen = func(w *bufio.Writer) error { return distinctUsers(w, *users, endTime.UTC()) }
		}
	case "exim":
		gen = (&eximGen{rng: rng, oneOff: *oneOff}).writer(*size, *span, endTime.UTC())
	case "php", "php-legacy":
		gen = (&phpGen{rng: rng, scripts: *scripts, legacy: *format == "php-legacy"}).writer(*size, *span, endTime.UTC())
	default:
		fail(2, fmt.Errorf("-format %q: want postfix, exim, php or php-legacy", *format))
	}
	f := os.Stdout
	if *out != "-" {
		if f, err = os.Create(*out); err != nil {
			fail(1, err)
		}
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := gen(w); err != nil {
		fail(1, err)
	}
	if err := w.Flush(); err != nil {
		fail(1, err)
	}
	if err := f.Close(); err != nil {
		fail(1, err)
	}
}

func fail(status int, err error) {
	fmt.Fprintln(os.Stderr, "genlog:", err)
	os.Exit(status)
}
