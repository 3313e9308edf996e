// Package textesc prints bytes that strangers wrote (a script path from a
// log, a user name) so that one printed line stays one line and no
// terminal control sequence reaches the reader's terminal or the cron mail.
//
// An unsafe byte is written as a backslash and three octal digits, as
// `ls -b` does: a newline is \012, ESC \033, DEL \177. Unsafe are:
//
//   - C0 controls 0x00-0x1F and DEL 0x7F;
//   - C1 controls: U+0080-U+009F in UTF-8 (every byte of the sequence), and
//     the bytes 0x80-0x9F where they are not part of a valid UTF-8
//     sequence, since an ISO 8859 terminal reads 0x9B as CSI;
//   - U+2028 and U+2029, which some viewers show as line breaks.
//
// Everything else is kept byte for byte: printable ASCII, valid UTF-8 (a
// path named in Cyrillic or with accents prints as itself, so a file
// scanner reading the output finds the file), and the other bytes that are
// not valid UTF-8 (0xA0-0xFF: printable letters in ISO 8859 names, shown
// as U+FFFD by a UTF-8 terminal, never a control). A backslash is kept as
// well, so that text without unsafe bytes prints exactly as it did before
// (Windows paths); the price is that a name holding a literal backslash
// and three octal digits prints like an escaped one.
package textesc

import "unicode/utf8"

// Needs reports whether s holds an unsafe byte, i.e. whether Append would
// write anything but s itself. It costs one pass over s and no allocation.
func Needs(s []byte) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return true
			}
			i++
			continue
		}
		n, unsafe := multibyte(s[i:])
		if unsafe {
			return true
		}
		i += n
	}
	return false
}

// Append appends s to dst with every unsafe byte written as \ooo and
// returns the extended buffer.
func Append(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				dst = octal(dst, c)
			} else {
				dst = append(dst, c)
			}
			i++
			continue
		}
		n, unsafe := multibyte(s[i:])
		for _, b := range s[i : i+n] {
			if unsafe {
				dst = octal(dst, b)
			} else {
				dst = append(dst, b)
			}
		}
		i += n
	}
	return dst
}

// String returns s with every unsafe byte written as \ooo; s itself when
// it has none.
func String(s string) string {
	if !Needs([]byte(s)) {
		return s
	}
	return string(Append(make([]byte, 0, len(s)+16), []byte(s)))
}

// multibyte looks at the non-ASCII byte that starts s: it returns the
// length of its UTF-8 sequence (1 when it is not valid UTF-8) and whether
// those bytes are unsafe.
func multibyte(s []byte) (n int, unsafe bool) {
	r, n := utf8.DecodeRune(s)
	if r == utf8.RuneError && n == 1 {
		return 1, s[0] <= 0x9f // a lone C1 byte
	}
	return n, r <= 0x9f || r == '\u2028' || r == '\u2029'
}

// octal appends c as a backslash and three octal digits.
func octal(dst []byte, c byte) []byte {
	return append(dst, '\\', '0'+c>>6, '0'+(c>>3)&7, '0'+c&7)
}
