// Package order sorts report keys the way the old tools did with
// `LC_ALL=C sort` and `LC_ALL=C sort -n`, so reports stay byte-identical
// (SPEC §1 "Grouping, thresholds, ordering", §8 postfix "Order").
package order

import (
	"slices"
	"strings"
)

// Bytes sorts keys in byte order, as `LC_ALL=C sort` does (exim, php).
func Bytes(keys []string) {
	slices.Sort(keys)
}

// Numeric sorts keys as `LC_ALL=C sort -n` does (postfix): by the value of
// the number each key starts with, keys without one counting as 0, ties in
// byte order.
func Numeric(keys []string) {
	slices.SortFunc(keys, Compare)
}

// NumericLess reports whether a sorts before b in `LC_ALL=C sort -n` order.
func NumericLess(a, b string) bool {
	return Compare(a, b) < 0
}

// Compare returns -1, 0 or +1 as a sorts before, equal to or after b in
// `LC_ALL=C sort -n` order: numeric value first, then byte order of the
// whole key (GNU sort's last-resort comparison of the whole line).
func Compare(a, b string) int {
	if c := compareNum(number(a), number(b)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// num is the leading number of a key as GNU sort -n reads it, normalised so
// that equal values have equal fields: no leading zeros in int, no trailing
// zeros in frac, and zero never negative.
type num struct {
	neg       bool
	int, frac string
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// number reads the leading number of s: blanks (space, tab; GNU sort also
// skips newline, which a key never holds), an optional '-', digits, and an
// optional '.' with digits; either digit run may be empty ("-.5", "5.").
// Anything else ends it, so "+5" and "abc" are 0. No locale: no thousands
// separators, '.' is the decimal point.
func number(s string) num {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n') {
		i++
	}
	var n num
	if i < len(s) && s[i] == '-' {
		n.neg = true
		i++
	}
	for i < len(s) && s[i] == '0' {
		i++
	}
	j := i
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	n.int = s[i:j]
	if j < len(s) && s[j] == '.' {
		k := j + 1
		for k < len(s) && isDigit(s[k]) {
			k++
		}
		n.frac = strings.TrimRight(s[j+1:k], "0")
	}
	if n.int == "" && n.frac == "" {
		n.neg = false // -0 is 0
	}
	return n
}

// compareNum compares the values exactly, digit strings of any length
// included, without converting to a machine number.
func compareNum(a, b num) int {
	if a.neg != b.neg {
		if a.neg {
			return -1
		}
		return 1
	}
	c := compareAbs(a, b)
	if a.neg {
		return -c
	}
	return c
}

func compareAbs(a, b num) int {
	if len(a.int) != len(b.int) {
		if len(a.int) < len(b.int) {
			return -1
		}
		return 1
	}
	if c := strings.Compare(a.int, b.int); c != 0 {
		return c
	}
	// Without trailing zeros, byte order of the fraction digits is their
	// numeric order ("5" < "51" < "6").
	return strings.Compare(a.frac, b.frac)
}
