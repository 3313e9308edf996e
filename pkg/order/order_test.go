package order

import (
	"bytes"
	"github.com/spam-gear/spamcheck/pkg/testenv"
	"math/big"
	"math/rand/v2"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBytes(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{name: "empty", in: []string{}, want: []string{}},
		{name: "upper before lower", in: []string{"b", "a", "B", "A"}, want: []string{"A", "B", "a", "b"}},
		{name: "prefix first", in: []string{"ab", "a", ""}, want: []string{"", "a", "ab"}},
		{name: "digits are not numbers", in: []string{"10", "9", "100"}, want: []string{"10", "100", "9"}},
		{name: "punctuation by byte", in: []string{"/var/www/b.php", "/var/www/a-b.php", "/var/www/a.php", "/var/www/a_b.php"},
			want: []string{"/var/www/a-b.php", "/var/www/a.php", "/var/www/a_b.php", "/var/www/b.php"}},
		{name: "high bytes last, not by locale", in: []string{"é", "z", "e"}, want: []string{"e", "z", "é"}},
		{name: "duplicates kept", in: []string{"x", "x"}, want: []string{"x", "x"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := slices.Clone(tc.in)
			Bytes(got)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Bytes(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestNumericLess(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want bool
	}{
		{name: "smaller number", a: "9", b: "10", want: true},
		{name: "larger number", a: "10", b: "9", want: false},
		{name: "equal strings", a: "5x", b: "5x", want: false},
		{name: "non-numeric is zero, below one", a: "abc", b: "1", want: true},
		{name: "non-numeric is zero, above negative", a: "abc", b: "-1", want: false},
		{name: "zero ties with text in byte order", a: "0", b: "abc", want: true},
		{name: "text tie reversed", a: "abc", b: "0", want: false},
		{name: "empty is zero", a: "", b: "0", want: true},
		{name: "negative first", a: "-3x", b: "0x", want: true},
		{name: "more negative first", a: "-10", b: "-9", want: true},
		{name: "plus sign is not a number", a: "+5y", b: "1", want: true},
		{name: "plus sign ties with zero by bytes", a: "+5y", b: "0", want: true},
		{name: "leading blanks skipped", a: "  10", b: "9", want: false},
		{name: "tab skipped", a: "\t2", b: "10", want: true},
		{name: "blank ties by bytes", a: " 5", b: "5", want: true},
		{name: "leading zeros", a: "007", b: "10", want: true},
		{name: "leading zeros tie by bytes", a: "007", b: "7", want: true},
		{name: "fraction", a: "1.5", b: "1.6", want: true},
		{name: "fraction below integer", a: "1.9", b: "2", want: true},
		{name: "trailing zeros equal, bytes decide", a: "1.50", b: "1.5", want: false},
		{name: "trailing zeros equal, bytes decide reversed", a: "1.5", b: "1.50", want: true},
		{name: "fraction digits compared as fraction", a: "0.6", b: "0.51", want: false},
		{name: "bare fraction", a: ".5", b: "1", want: true},
		{name: "bare fraction above zero", a: "0", b: ".5", want: true},
		{name: "negative bare fraction", a: "-.5", b: "0", want: true},
		{name: "minus zero equals zero, bytes decide", a: "0", b: "-0", want: false},
		{name: "minus alone is zero", a: "-", b: "0", want: true},
		{name: "minus zero fraction is zero", a: "-0.0", b: "0", want: true},
		{name: "negative fractions", a: "-1.5", b: "-1.25", want: true},
		{name: "second dot ends the number", a: "1.5.9", b: "1.51", want: true},
		{name: "dot then letter", a: "5.x", b: "5", want: false},
		{name: "huge numbers", a: "99999999999999999999", b: "100000000000000000000", want: true},
		{name: "huge negative numbers", a: "-100000000000000000000", b: "-99999999999999999999", want: true},
		{name: "huge versus small", a: "18446744073709551617", b: "18446744073709551616", want: false},
		{name: "long fraction", a: "0.000000000000000000001", b: "0.0000000000000000000011", want: true},
		{name: "number ends at letter", a: "12abc", b: "2xyz", want: false},
		{name: "thousands separator not understood", a: "1,000", b: "2", want: true},
		{name: "NUL ends the number", a: "1\x009", b: "2", want: true},
		{name: "CR is not a blank", a: "\r5", b: "1", want: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, NumericLess(tc.a, tc.b)); diff != "" {
				t.Errorf("NumericLess(%q, %q) (-want +got):\n%s", tc.a, tc.b, diff)
			}
		})
	}
}

func TestNumeric(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{name: "empty", in: nil, want: nil},
		{
			name: "postfix users",
			in:   []string{"john", "2fast", "10users", "-1x", "admin", "9lives", "0", ""},
			want: []string{"-1x", "", "0", "admin", "john", "2fast", "9lives", "10users"},
		},
		{
			name: "zero-valued in byte order",
			in:   []string{"b", "+5y", "a", "-0", "0", "00", " 0", ".0"},
			want: []string{" 0", "+5y", "-0", ".0", "0", "00", "a", "b"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := slices.Clone(tc.in)
			Numeric(got)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Numeric(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

// trickyKeys returns hand-picked keys plus random ones over an alphabet that
// exercises signs, blanks, dots, zeros and letters.
func trickyKeys() []string {
	keys := []string{
		"", "0", "-0", "00", "-00", "0.", "-0.", ".0", "-.0", ".", "-.", "-", "--1", "-+1", "+1", "+5y",
		"1", "01", "1.0", "1.00", "1.", "1.5", "1.50", "1.05", "1.5.5", ".5", "-.5", "0.5", "-0.5",
		"9", "10", "-9", "-10", "-1.5", "-1.25", "-1.250", "  3", "\t3", " \t-3", "3 ", "3x", "3\x00",
		"\r3", "\v3", "\f3", "\x003", "1,000", "1e3", "0x10", "abc", "ABC", "a", "é", "\xff", "5\xff",
		"99999999999999999999", "100000000000000000000", "-99999999999999999999", "-100000000000000000000",
		"18446744073709551615", "18446744073709551616", "9223372036854775807", "9223372036854775808",
		"0.000000000000000000001", "0.0000000000000000000010", "-0.000000000000000000001",
		"john", "john.doe", "2fast", "10users", "-3x", "0x",
	}
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "0000111999--..+  \taZ\x00é"
	for range 2000 {
		b := make([]byte, r.IntN(8))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		keys = append(keys, string(b))
	}
	const numeric = "0123456789.-"
	for range 1000 {
		b := make([]byte, r.IntN(25))
		for i := range b {
			b[i] = numeric[r.IntN(len(numeric))]
		}
		keys = append(keys, string(b))
	}
	return keys
}

func gnuSort(t *testing.T, keys []string, args ...string) []string {
	t.Helper()
	path, err := exec.LookPath("sort")
	if err != nil {
		testenv.Missing(t, "no sort(1) here (coreutils): %v", err)
	}
	cmd := exec.Command(path, args...)
	cmd.Env = []string{"LC_ALL=C"}
	cmd.Stdin = strings.NewReader(strings.Join(keys, "\n") + "\n")
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("sort %v: %v", args, err)
	}
	got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(got) != len(keys) {
		t.Fatalf("sort %v returned %d lines for %d keys", args, len(got), len(keys))
	}
	return got
}

// TestNumericMatchesGNUSort checks the comparator against the real
// `LC_ALL=C sort -n`, whose order the old postfix tool printed.
func TestNumericMatchesGNUSort(t *testing.T) {
	keys := trickyKeys()
	want := gnuSort(t, keys, "-n")
	got := slices.Clone(keys)
	Numeric(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Numeric differs from LC_ALL=C sort -n (-sort +Numeric):\n%s", diff)
	}
}

func TestBytesMatchesGNUSort(t *testing.T) {
	keys := trickyKeys()
	want := gnuSort(t, keys)
	got := slices.Clone(keys)
	Bytes(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Bytes differs from LC_ALL=C sort (-sort +Bytes):\n%s", diff)
	}
}

// ratPrefix is an independent reading of a key's leading number, through
// math/big, for the fuzz oracle.
func ratPrefix(s string) *big.Rat {
	s = strings.TrimLeft(s, " \t\n")
	end := 0
	if end < len(s) && s[end] == '-' {
		end++
	}
	digits := func() {
		for end < len(s) && s[end] >= '0' && s[end] <= '9' {
			end++
		}
	}
	digits()
	if end < len(s) && s[end] == '.' {
		end++
		digits()
	}
	text := strings.TrimPrefix(s[:end], "-")
	text = strings.TrimSuffix(text, ".")
	if text == "" || text == "." {
		return new(big.Rat)
	}
	if text[0] == '.' {
		text = "0" + text
	}
	r, ok := new(big.Rat).SetString(text)
	if !ok {
		panic("bad oracle input " + text)
	}
	if strings.HasPrefix(s, "-") {
		r.Neg(r)
	}
	return r
}

func FuzzNumericLess(f *testing.F) {
	pairs := [][2]string{{"9", "10"}, {"-3x", "0x"}, {"+5y", "0"}, {"1.50", "1.5"}, {"-0", "0"},
		{"99999999999999999999", "100000000000000000000"}, {" \t-.5", "-0.50"}, {"abc", ""}, {"1.5.9", "1.51"}}
	for _, p := range pairs {
		f.Add(p[0], p[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ab, ba := NumericLess(a, b), NumericLess(b, a)
		if ab && ba {
			t.Fatalf("both %q < %q and %q < %q", a, b, b, a)
		}
		if !ab && !ba && a != b {
			t.Fatalf("%q and %q are different but neither sorts first", a, b)
		}
		if c, d := Compare(a, b), Compare(b, a); c != -d {
			t.Fatalf("Compare(%q, %q) = %d but Compare(%q, %q) = %d", a, b, c, b, a, d)
		}
		want := ratPrefix(a).Cmp(ratPrefix(b))
		if want == 0 {
			want = strings.Compare(a, b)
		}
		if got := Compare(a, b); got != want {
			t.Fatalf("Compare(%q, %q) = %d, big.Rat oracle says %d", a, b, got, want)
		}
	})
}

func BenchmarkNumericLess(b *testing.B) {
	b.ReportAllocs()
	pairs := [][2]string{{"john", "mary"}, {"10users", "9lives"}, {"1.50", "1.5"}, {"-3x", "0x"}}
	for b.Loop() {
		for _, p := range pairs {
			NumericLess(p[0], p[1])
		}
	}
}
