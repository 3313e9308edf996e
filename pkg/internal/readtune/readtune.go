// Package readtune holds the sizes logread.Scan works with, so that tests
// elsewhere in the module (the reader property test runs whole checkers)
// can shrink them: with a block of a few KiB instead of 8 MiB, a log of a
// few KiB already exercises the window search. Nothing outside tests sets
// them; being internal, no other module can.
package readtune

import "sync/atomic"

// Sizes are logread's sizes; see logread's tuning for what each does.
type Sizes struct {
	BufSize    int   // initial read buffer
	ProbeStep  int   // first read of a window probe
	ProbeLimit int   // most a window probe reads
	SearchGap  int64 // the window search stops when its interval is this small
	// Block is the largest out-of-order block (bytes) the window search
	// and the rotation decision tolerate (SPEC §1: 8 MiB).
	Block int64
	// MaxLine is the longest line delivered; a longer one is skipped with
	// a warning (SPEC §1: 64 MiB).
	MaxLine int
	// Serial makes Scan read and scan in one goroutine, as it does anyway
	// when GOMAXPROCS is 1, instead of reading ahead in a second one.
	Serial bool
	// Handover is how many bytes of an input Scan reads serially before it
	// reads the rest ahead; 0 reads ahead from the start.
	Handover int64
}

// Default is what the programs use.
var Default = Sizes{
	BufSize:    1 << 20,
	ProbeStep:  4 << 10,
	ProbeLimit: 64 << 10,
	SearchGap:  32 << 10,
	Block:      8 << 20,
	MaxLine:    64 << 20,
	// Reading ahead costs about 3 ms (a second goroutine, the first touch
	// of its buffers, a wake-up per buffer) and gains 10-20% of
	// the reading: a 1-hour exim window of 11 MiB went from 15.5 to 18.6 ms
	// with a hand-over after 4 MiB. Inputs of up to 32 MiB are read
	// serially.
	Handover: 32 << 20,
}

var current atomic.Pointer[Sizes]

// Get returns the sizes in force.
func Get() Sizes {
	if s := current.Load(); s != nil {
		return *s
	}
	return Default
}

// Set makes s the sizes in force until the returned function restores the
// previous ones. For tests only, and not while a scan runs.
func Set(s Sizes) (restore func()) {
	prev := current.Swap(&s)
	return func() { current.Store(prev) }
}
