package tally

import (
	"math/bits"
	"math/rand/v2"
)

// Set is a set of uint64 values below 1<<33 (a uint32 and a flag) that keeps its first member
// inline and its others, from the second on, in a hash table of a
// SetPool: a set of one member (a user seen from one address) allocates
// nothing, and the zero Set is empty. 12 bytes, aligned to 4, so that
// three of them pack into 36 bytes of a per-key record.
type Set struct {
	lo, hi uint32 // the first member + 1; 0: empty
	more   uint32 // 1 + the index of the overflow table in the pool; 0: none
}

// Len is the number of members.
func (s *Set) Len(p *SetPool) int64 {
	switch {
	case s.lo == 0 && s.hi == 0:
		return 0
	case s.more == 0:
		return 1
	}
	return 1 + p.tables[s.more-1].len()
}

// Add adds x (below 1<<33) and reports whether it was new. Every Add and
// Len of a set must be given the same pool.
func (s *Set) Add(p *SetPool, x uint64) bool {
	first := uint64(s.hi)<<32 | uint64(s.lo)
	switch {
	case first == 0:
		s.lo, s.hi = uint32(x+1), uint32((x+1)>>32)
		return true
	case x+1 == first:
		return false
	case s.more == 0:
		p.tables = append(p.tables, hashSet{})
		s.more = uint32(len(p.tables))
	}
	return p.tables[s.more-1].add(x, p.mul)
}

// SetPool holds the overflow tables of many Sets.
type SetPool struct {
	tables []hashSet
	mul    uint64
}

// NewSetPool returns an empty pool.
func NewSetPool() *SetPool {
	// The multiplier of the multiply-shift hash: random and odd, so that
	// no fixed set of values (chosen by a client) collides in every run.
	return &SetPool{mul: rand.Uint64() | 1}
}

// hashSet is a set of values below 1<<33: those below 1<<32 in lo, the
// others less 1<<32 in hi, so that every slot is 4 bytes.
type hashSet struct{ lo, hi set32 }

func (s *hashSet) add(x, mul uint64) bool {
	if x < 1<<32 {
		return s.lo.add(uint32(x), mul)
	}
	return s.hi.add(uint32(x-1<<32), mul)
}

func (s *hashSet) len() int64 { return s.lo.len() + s.hi.len() }

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

func (s *set32) add(x uint32, mul uint64) bool {
	if x == 0 {
		isNew := !s.hasZero
		s.hasZero = true
		return isNew
	}
	if len(s.slots) > 0 {
		i, found := s.find(x, mul)
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
			i, _ := s.find(y, mul)
			s.slots[i] = y
		}
	}
	i, _ := s.find(x, mul)
	s.slots[i] = x
	s.n++
	return true
}

// find returns x's slot, or the empty slot where x belongs.
func (s *set32) find(x uint32, mul uint64) (int, bool) {
	mask := len(s.slots) - 1
	i := int((uint64(x) * mul) >> (64 - bits.TrailingZeros(uint(len(s.slots)))))
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
