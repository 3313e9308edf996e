package tally

import (
	"math/bits"
	"math/rand/v2"
)

// hashMul is the multiplier of the sets' multiply-shift hash: random and
// odd, so that no fixed set of values (chosen by a client) collides in
// every run.
var hashMul = rand.Uint64() | 1

// HashSet is a set of uint64 values below 1<<33 (a uint32 and a flag: a
// client IPv4 address, or the id of an interned text): those below 1<<32
// in lo, the others less 1<<32 in hi, so that every slot is 4 bytes. The
// zero HashSet is empty and allocates nothing until the first Add.
//
// A per-key record that keeps the first member of each of its sets inline
// and a HashSet only for the others allocates nothing for the keys seen
// once (see postfix.Counter).
type HashSet struct{ lo, hi set32 }

// Add adds x and reports whether it was new. x must be below 1<<33.
func (s *HashSet) Add(x uint64) bool {
	if x < 1<<32 {
		return s.lo.add(uint32(x))
	}
	return s.hi.add(uint32(x - 1<<32))
}

// Peek reads the slot where Add(x) starts probing and returns its
// contents, changing nothing: peeking at the values of several adds
// before making them lets their cache misses overlap instead of coming
// one after the other.
func (s *HashSet) Peek(x uint64) uint32 {
	t := &s.lo
	if x >= 1<<32 {
		t, x = &s.hi, x-1<<32
	}
	if len(t.slots) == 0 {
		return 0
	}
	return t.slots[t.home(uint32(x))]
}

// Len is the number of members.
func (s *HashSet) Len() int64 { return s.lo.len() + s.hi.len() }

// set32 is a set of uint32 values: open addressing with linear probing in
// a power-of-two table kept at most 3/4 full, 4 bytes a slot (5-11 bytes a
// value; a map[uint32]struct{} takes ~20). 0 marks an empty slot, so the
// value 0 is kept in hasZero.
type set32 struct {
	slots   []uint32
	n       uint32 // values in slots
	hasZero bool
}

func (s *set32) len() int64 {
	if s.hasZero {
		return int64(s.n) + 1
	}
	return int64(s.n)
}

func (s *set32) add(x uint32) bool {
	if x == 0 {
		isNew := !s.hasZero
		s.hasZero = true
		return isNew
	}
	if len(s.slots) > 0 {
		i, found := s.find(x)
		if found {
			return false
		}
		if 4*(int(s.n)+1) <= 3*len(s.slots) {
			s.slots[i] = x
			s.n++
			return true
		}
	}
	old := s.slots
	s.slots = make([]uint32, max(4, 2*len(old)))
	for _, y := range old {
		if y != 0 {
			i, _ := s.find(y)
			s.slots[i] = y
		}
	}
	i, _ := s.find(x)
	s.slots[i] = x
	s.n++
	return true
}

// home is the slot where x's probe starts; s.slots must not be empty.
func (s *set32) home(x uint32) int {
	return int((uint64(x) * hashMul) >> (64 - bits.TrailingZeros(uint(len(s.slots)))))
}

// find returns x's slot, or the empty slot where x belongs.
func (s *set32) find(x uint32) (int, bool) {
	mask := len(s.slots) - 1
	i := s.home(x)
	for {
		switch s.slots[i] {
		case x:
			return i, true
		case 0:
			return i, false
		}
		i = (i + 1) & mask
	}
}
