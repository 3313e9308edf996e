package tally

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// TestTableModel adds random keys, inside and outside their lines, empty,
// long and colliding in their first bytes, and checks every id, key and
// first line against a map.
func TestTableModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tab := NewTable[int]()
	type want struct {
		id   uint32
		line string
	}
	model := map[string]want{}
	var order []string
	for i := range 50000 {
		var key string
		switch r := rng.IntN(1000); {
		case r < 400 && len(order) > 0:
			key = order[rng.IntN(len(order))]
		case r < 410:
			key = ""
		case r < 412:
			key = strings.Repeat("k", rng.IntN(300<<10)) // beyond the chunk limit sometimes
		default:
			key = fmt.Sprintf("user%d", rng.IntN(40000))
		}
		line := []byte(fmt.Sprintf("line %d of %s, end\r", i, key))
		k := []byte(key)
		if rng.IntN(2) == 0 { // the key as a part of the line, as the parsers give it
			j := bytes.Index(line, []byte(" of ")) + 4
			k = line[j : j+len(key)]
		}
		id, _, isNew := tab.Add(k, line)
		w, seen := model[key]
		if isNew == seen {
			t.Fatalf("Add(%.20q) new=%v, seen before=%v", key, isNew, seen)
		}
		if seen && id != w.id {
			t.Fatalf("Add(%.20q) = %d, first given %d", key, id, w.id)
		}
		if !seen {
			if int(id) != len(order) {
				t.Fatalf("Add(%.20q) = id %d, want %d", key, id, len(order))
			}
			model[key] = want{id, string(line)}
			order = append(order, key)
		}
		line[0] = 'X' // the caller reuses its buffer
	}
	if tab.Len() != len(model) {
		t.Fatalf("Len = %d, want %d", tab.Len(), len(model))
	}
	for key, w := range model {
		id, ok := tab.Find([]byte(key))
		if !ok || id != w.id {
			t.Fatalf("Find(%.20q) = %d %v, want %d", key, id, ok, w.id)
		}
		if got := tab.Key(id); got != key {
			t.Fatalf("Key(%d) = %.20q, want %.20q", id, got, key)
		}
		if got := tab.Line(id); got != w.line {
			t.Fatalf("Line(%d) = %.40q, want %.40q", id, got, w.line)
		}
	}
	if _, ok := tab.Find([]byte("absent")); ok {
		t.Fatal("Find(absent) found it")
	}
}

// TestHashSetModel compares HashSets with maps, on values that collide
// often (small ranges, 0, both halves) and sets that grow many times.
func TestHashSetModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	sets := make([]HashSet, 300)
	models := make([]map[uint64]bool, len(sets))
	for i := range models {
		models[i] = map[uint64]bool{}
	}
	for range 300000 {
		i := rng.IntN(len(sets))
		x := uint64(rng.IntN(i*i/20+2)) + 1<<32*rng.Uint64N(2)
		if i == 299 {
			x = rng.Uint64N(1 << 33)
		}
		before := sets[i].Len()
		sets[i].Peek(x)
		if sets[i].Len() != before {
			t.Fatalf("set %d: Peek(%d) changed Len", i, x)
		}
		got := sets[i].Add(x)
		if got == models[i][x] {
			t.Fatalf("set %d: Add(%d) = %v, member before: %v", i, x, got, models[i][x])
		}
		models[i][x] = true
		if sets[i].Len() != int64(len(models[i])) {
			t.Fatalf("set %d: Len %d, want %d", i, sets[i].Len(), len(models[i]))
		}
	}
}

func TestPages(t *testing.T) {
	var p Pages[int]
	for i := range 3*pageSize + 7 {
		if got := p.Append(i * 3); got != uint32(i) {
			t.Fatalf("Append #%d returned %d", i, got)
		}
	}
	for i := range p.Len() {
		if got := *p.At(uint32(i)); got != i*3 {
			t.Fatalf("At(%d) = %d, want %d", i, got, i*3)
		}
	}
}

// TestOneOffKeyCost is the SPEC §1 budget: a key seen once, with a
// 130-byte first line that holds it, costs at most ~200 bytes in all (the
// line itself, 129 bytes without its newline, included).
func TestOneOffKeyCost(t *testing.T) {
	const n = 200000
	before := heapInUse()
	tab := NewTable[struct{}]()
	line := make([]byte, 129)
	for i := range n {
		copy(line, fmt.Sprintf("Nov 27 17:30:00 mx1 postfix/smtpd[1000]: A00000: client=unknown[10.0.0.0], sasl_method=PLAIN, sasl_username=u%07d@xxxxxxxe.net", i))
		tab.Add(line[len(line)-21:], line)
	}
	perKey := float64(heapInUse()-before) / n
	runtime.KeepAlive(tab)
	t.Logf("%.1f bytes a key", perKey)
	if perKey > 129+48 {
		t.Errorf("a one-off key costs %.1f bytes, want <= %d", perKey, 129+48)
	}
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

func TestAddAllocatesNothingForAKnownKey(t *testing.T) {
	tab := NewTable[int]()
	line := []byte("a line with key in it")
	tab.Add(line[12:15], line)
	if n := testing.AllocsPerRun(100, func() { tab.Add(line[12:15], line) }); n != 0 {
		t.Errorf("Add of a known key: %v allocations", n)
	}
	var s HashSet
	s.Add(7)
	if n := testing.AllocsPerRun(100, func() { s.Add(7) }); n != 0 {
		t.Errorf("HashSet.Add of a member: %v allocations", n)
	}
}

func TestLimitMemory(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	debug.SetMemoryLimit(math.MaxInt64)
	t.Setenv("GOMEMLIMIT", "1GiB")
	os.Unsetenv("GOMEMLIMIT") // t.Setenv restores it afterwards
	LimitMemory()
	if got := debug.SetMemoryLimit(-1); got != MemoryLimit {
		t.Errorf("without GOMEMLIMIT: limit %d, want %d", got, MemoryLimit)
	}
	debug.SetMemoryLimit(math.MaxInt64)
	t.Setenv("GOMEMLIMIT", "off")
	LimitMemory()
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("with GOMEMLIMIT=off: limit %d, want none", got)
	}
}
