package textesc

import (
	"bytes"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

var cases = []struct {
	name, in, want string
}{
	{"plain path", "/home/u/public_html/index.php", "/home/u/public_html/index.php"},
	{"empty", "", ""},
	{"newline", "/tmp/a\nmail() on [/home/victim/x.php", `/tmp/a\012mail() on [/home/victim/x.php`},
	{"CR LF", "a\r\nb", `a\015\012b`},
	{"ESC sequence", "/x/\x1b]0;owned\x07/y.php", `/x/\033]0;owned\007/y.php`},
	{"NUL and DEL", "a\x00b\x7fc", `a\000b\177c`},
	{"tab", "a\tb", `a\011b`},
	{"blanks, quotes and backslashes are kept", `C:\inetpub\my site\"o'x".php`, `C:\inetpub\my site\"o'x".php`},
	{"UTF-8 letters kept", "/home/josé/публичный/контакт.php", "/home/josé/публичный/контакт.php"},
	{"UTF-8 C1 control (CSI)", "a\u009b31mb", `a\302\23331mb`},
	{"UTF-8 NEL", "a\u0085b", `a\302\205b`},
	{"line separator", "a\u2028b\u2029c", `a\342\200\250b\342\200\251c`},
	{"lone C1 byte", "a\x9b31mb", `a\23331mb`},
	{"Latin-1 letter kept", "caf\xe9.php", "caf\xe9.php"},
	{"truncated UTF-8 then C1 byte", "a\xe2\x80b", "a\xe2\\200b"},
	{"lead byte at the end", "a\xc3", "a\xc3"},
	{"highest code point kept", "a\U0010FFFF", "a\U0010FFFF"},
}

func TestAppend(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := string(Append([]byte("prefix:"), []byte(tc.in)))
			if diff := cmp.Diff("prefix:"+tc.want, got); diff != "" {
				t.Errorf("Append(%q) mismatch (-want +got):\n%s", tc.in, diff)
			}
			if got := String(tc.in); got != tc.want {
				t.Errorf("String(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if got, want := Needs([]byte(tc.in)), tc.in != tc.want; got != want {
				t.Errorf("Needs(%q) = %v, want %v", tc.in, got, want)
			}
		})
	}
}

func TestAllBytes(t *testing.T) {
	for c := 0; c < 256; c++ {
		got := String(string([]byte{byte(c)}))
		unsafe := c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f)
		if unsafe != (len(got) == 4 && got[0] == '\\') {
			t.Errorf("byte %#x printed as %q", c, got)
		}
	}
}

func TestNoAllocation(t *testing.T) {
	in := []byte("/home/u/public_html/a\x1b.php")
	buf := make([]byte, 0, 64)
	if n := testing.AllocsPerRun(100, func() {
		Needs(in)
		Append(buf[:0], in)
	}); n != 0 {
		t.Errorf("%v allocations per run, want 0", n)
	}
}

// FuzzAppend checks, for any bytes: the output holds no C0 control, no
// DEL, no C1 control and no U+2028/U+2029, whatever the input; text that
// needs no escape is returned unchanged; and every output byte that is not
// part of an escape is the input byte at that place (reading \ooo back as
// one byte gives the input).
func FuzzAppend(f *testing.F) {
	for _, tc := range cases {
		f.Add([]byte(tc.in))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out := Append(nil, in)
		if !Needs(in) && !bytes.Equal(out, in) {
			t.Fatalf("Append(%q) = %q without an unsafe byte", in, out)
		}
		for i := 0; i < len(out); {
			r, n := utf8.DecodeRune(out[i:])
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == '\u2028' || r == '\u2029' ||
				(r == utf8.RuneError && n == 1 && out[i] <= 0x9f) {
				t.Fatalf("Append(%q) = %q: unsafe %q at %d", in, out, out[i:i+n], i)
			}
			i += n
		}
		if back := unescape(out); !bytes.Equal(back, in) && !bytes.Contains(in, []byte{'\\'}) {
			t.Fatalf("Append(%q) = %q, read back as %q", in, out, back)
		}
	})
}

// unescape reads \ooo back as one byte.
func unescape(s []byte) []byte {
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]) {
			b = append(b, (s[i+1]-'0')<<6|(s[i+2]-'0')<<3|(s[i+3]-'0'))
			i += 3
			continue
		}
		b = append(b, s[i])
	}
	return b
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }
