package tally

import (
	"math"
	"runtime/debug"
)

// MemoryLimit is the soft limit LimitMemory gives the Go runtime. A scan
// of a real log keeps far less (25-35 MB peak on 2 GB); a log of a million
// one-off keys keeps ~220 MiB that must stay, and without a limit the
// garbage collector lets the heap grow to twice what is live before it
// collects what the report makes and drops (1M users: 330 MB peak RSS,
// 250 MB with the limit).
const MemoryLimit = 128 << 20

// LimitMemory sets MemoryLimit as the runtime's soft memory limit, unless
// the GOMEMLIMIT environment variable set one. Above the limit the
// runtime collects more often (at most half of the CPU time, so a heap
// that must be larger still works); below it nothing changes.
func LimitMemory() {
	if debug.SetMemoryLimit(-1) == math.MaxInt64 {
		debug.SetMemoryLimit(MemoryLimit)
	}
}
