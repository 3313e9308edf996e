package tally

import (
	"os"
	"runtime/debug"
)

// MemoryLimit is the soft limit LimitMemory gives the Go runtime. A scan
// of a real log keeps far less (25-35 MB peak RSS on 2 GB); a log of a
// million one-off keys keeps ~195 MiB that must stay, and without a limit
// the garbage collector lets the heap grow to twice what was live at the
// previous collection before it collects what the report makes and drops
// (1M users: 288 MB peak RSS, 219-221 MB with the limit).
const MemoryLimit = 192 << 20

// LimitMemory sets MemoryLimit as the runtime's soft memory limit, unless
// the GOMEMLIMIT environment variable sets one (GOMEMLIMIT=off: none).
// Above the limit the runtime collects more often (at most about half of
// the CPU time, so a heap that must be larger still works); below it
// nothing changes. It is process-wide: the checkers' Run calls it, not
// Scan, so that benchmarks of Scan and of the counters are not run under it.
func LimitMemory() {
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(MemoryLimit)
	}
}
