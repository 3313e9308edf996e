package threshold

import (
	"errors"
	"fmt"
	"github.com/spam-gear/spamcheck/pkg/testenv"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

func TestParseCount(t *testing.T) {
	syntax := func(s string) string { return fmt.Sprintf("invalid number %q: expected decimal digits 0-9", s) }
	tooLarge := func(s string) string {
		return fmt.Sprintf("invalid number %q: too large (at most 9223372036854775807)", s)
	}
	tests := []struct {
		name    string
		in      string
		want    int64
		wantErr string
		is      error
	}{
		{name: "zero", in: "0", want: 0},
		{name: "plain", in: "90", want: 90},
		{name: "leading zero is decimal", in: "010", want: 10},
		{name: "09 is valid", in: "09", want: 9},
		{name: "many zeros", in: "0000000000000000000000000000060", want: 60},
		{name: "max int64", in: "9223372036854775807", want: 9223372036854775807},
		{name: "max int64 plus one", in: "9223372036854775808", wantErr: tooLarge("9223372036854775808"), is: ErrRange},
		{name: "far too large", in: "99999999999999999999999", wantErr: tooLarge("99999999999999999999999"), is: ErrRange},
		{name: "overflow then letter is syntax", in: "99999999999999999999x", wantErr: syntax("99999999999999999999x"), is: ErrSyntax},
		{name: "empty", in: "", wantErr: syntax(""), is: ErrSyntax},
		{name: "negative", in: "-1", wantErr: syntax("-1"), is: ErrSyntax},
		{name: "plus", in: "+1", wantErr: syntax("+1"), is: ErrSyntax},
		{name: "exponent", in: "1e3", wantErr: syntax("1e3"), is: ErrSyntax},
		{name: "hex", in: "0x10", wantErr: syntax("0x10"), is: ErrSyntax},
		{name: "leading blank", in: " 1", wantErr: syntax(" 1"), is: ErrSyntax},
		{name: "trailing blank", in: "1 ", wantErr: syntax("1 "), is: ErrSyntax},
		{name: "trailing newline", in: "1\n", wantErr: syntax("1\n"), is: ErrSyntax},
		{name: "word", in: "abc", wantErr: syntax("abc"), is: ErrSyntax},
		{name: "fraction", in: "1.0", wantErr: syntax("1.0"), is: ErrSyntax},
		{name: "underscore", in: "1_000", wantErr: syntax("1_000"), is: ErrSyntax},
		{name: "non-ASCII digit", in: "١", wantErr: syntax("١"), is: ErrSyntax},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseCount(tc.in)
			if tc.wantErr != "" {
				if err == nil {
					t.Fatalf("ParseCount(%q) = %d, want error", tc.in, got)
				}
				if diff := cmp.Diff(tc.wantErr, err.Error()); diff != "" {
					t.Errorf("ParseCount(%q) error (-want +got):\n%s", tc.in, diff)
				}
				if !errors.Is(err, tc.is) {
					t.Errorf("ParseCount(%q) error %v is not %v", tc.in, err, tc.is)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseCount(%q): %v", tc.in, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseCount(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestLimit(t *testing.T) {
	o := Overrides{"john": 500, "zero": 0}
	tests := []struct {
		name string
		o    Overrides
		key  string
		want int64
	}{
		{name: "override", o: o, key: "john", want: 500},
		{name: "zero override is kept", o: o, key: "zero", want: 0},
		{name: "no override", o: o, key: "mary", want: 90},
		{name: "case matters", o: o, key: "John", want: 90},
		{name: "nil overrides", o: nil, key: "john", want: 90},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.o.Limit(tc.key, 90)); diff != "" {
				t.Errorf("Limit(%q, 90) (-want +got):\n%s", tc.key, diff)
			}
		})
	}
}

func TestReached(t *testing.T) {
	tests := []struct {
		name         string
		count, limit int64
		strict       bool
		want         bool
	}{
		{name: "below", count: 89, limit: 90, want: false},
		{name: "equal", count: 90, limit: 90, want: true},
		{name: "above", count: 91, limit: 90, want: true},
		{name: "strict below", count: 59, limit: 60, strict: true, want: false},
		{name: "strict equal", count: 60, limit: 60, strict: true, want: false},
		{name: "strict above", count: 61, limit: 60, strict: true, want: true},
		{name: "zero limit", count: 0, limit: 0, want: true},
		{name: "strict zero limit", count: 0, limit: 0, strict: true, want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Reached(tc.count, tc.limit, tc.strict)); diff != "" {
				t.Errorf("Reached(%d, %d, %v) (-want +got):\n%s", tc.count, tc.limit, tc.strict, diff)
			}
		})
	}
}

func TestParse(t *testing.T) {
	long := strings.Repeat("k", 1<<20)
	tests := []struct {
		name     string
		in       string
		want     Overrides
		wantWarn string
	}{
		{name: "empty file", in: "", want: Overrides{}},
		{name: "one line", in: "john 500\n", want: Overrides{"john": 500}},
		{name: "no final newline", in: "john 500", want: Overrides{"john": 500}},
		{name: "tabs and several blanks", in: "john\t \t500\n  mary   7  \n", want: Overrides{"john": 500, "mary": 7}},
		{name: "CRLF", in: "john 500\r\nmary 7\r\n", want: Overrides{"john": 500, "mary": 7}},
		{name: "empty and blank lines", in: "\n \t\n\r\njohn 5\n\n", want: Overrides{"john": 5}},
		{name: "comments", in: "# user limit\n   # indented comment\n#john 1\njohn 5\n", want: Overrides{"john": 5}},
		{name: "comment with two fields", in: "# 5\n", want: Overrides{}},
		{name: "later line wins", in: "john 5\nmary 1\njohn 7\n", want: Overrides{"john": 7, "mary": 1}},
		{name: "decimal not octal", in: "john 010\nmary 09\n", want: Overrides{"john": 10, "mary": 9}},
		{name: "key with punctuation", in: "john.doe@example.com 3\nmail-ed1-f68.google.com 4\n", want: Overrides{"john.doe@example.com": 3, "mail-ed1-f68.google.com": 4}},
		{name: "key starting with # after a blank field is not possible", in: "a#b 3\n", want: Overrides{"a#b": 3}},
		{name: "byte order mark dropped", in: "\ufeffjohn 5\n", want: Overrides{"john": 5}},
		{name: "byte order mark only at the start", in: "x 1\n\ufeffjohn 5\n", want: Overrides{"x": 1, "\ufeffjohn": 5}},
		{name: "very long line", in: long + " 3\n", want: Overrides{long: 3}},
		{name: "very long line without newline", in: "x 1\n" + long + " 3", want: Overrides{"x": 1, long: 3}},
		{
			name:     "one field",
			in:       "john 5\nmary\n",
			want:     Overrides{"john": 5},
			wantWarn: "f:2: expected KEY THRESHOLD, found 1 fields in \"mary\"\n",
		},
		{
			name:     "three fields",
			in:       "john 5 # note\n",
			want:     Overrides{},
			wantWarn: "f:1: expected KEY THRESHOLD, found 4 fields in \"john 5 # note\"\n",
		},
		{
			name:     "not a number",
			in:       "john abc\n",
			want:     Overrides{},
			wantWarn: "f:1: invalid threshold \"abc\" for key \"john\": expected decimal digits 0-9\n",
		},
		{
			name:     "negative",
			in:       "john -1\n",
			want:     Overrides{},
			wantWarn: "f:1: invalid threshold \"-1\" for key \"john\": expected decimal digits 0-9\n",
		},
		{
			name:     "too large",
			in:       "john 9223372036854775808\n",
			want:     Overrides{},
			wantWarn: "f:1: invalid threshold \"9223372036854775808\" for key \"john\": too large (at most 9223372036854775807)\n",
		},
		{
			name:     "bad line does not drop an earlier good one",
			in:       "john 5\njohn x\n",
			want:     Overrides{"john": 5},
			wantWarn: "f:2: invalid threshold \"x\" for key \"john\": expected decimal digits 0-9\n",
		},
		{
			name:     "CR in the middle is not a blank",
			in:       "john\r5\n",
			want:     Overrides{},
			wantWarn: "f:1: expected KEY THRESHOLD, found 1 fields in \"john\\r5\"\n",
		},
		{
			name:     "line numbers count comments and empty lines",
			in:       "# c\n\njohn 5\nbad\r\n",
			want:     Overrides{"john": 5},
			wantWarn: "f:4: expected KEY THRESHOLD, found 1 fields in \"bad\"\n",
		},
		{
			name:     "long bad line is shortened in the warning",
			in:       long + "\n",
			want:     Overrides{},
			wantWarn: "f:1: expected KEY THRESHOLD, found 1 fields in \"" + long[:80] + "\"…\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var warn strings.Builder
			got, err := Parse(strings.NewReader(tc.in), "f", &warn)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Parse (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantWarn, warn.String()); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseNilWarn(t *testing.T) {
	got, err := Parse(strings.NewReader("bad\njohn 5\n"), "f", nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Overrides{"john": 5}, got); diff != "" {
		t.Errorf("Parse (-want +got):\n%s", diff)
	}
}

func TestParseReadError(t *testing.T) {
	r := io.MultiReader(strings.NewReader("john 5\n"), iotest.ErrReader(errors.New("disk on fire")))
	got, err := Parse(r, "f", io.Discard)
	if err == nil {
		t.Fatalf("Parse = %v, want error", got)
	}
	if diff := cmp.Diff("overrides file f: disk on fire", err.Error()); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
}

// tree builds root/bin/tool (the real executable), root/deep/link/tool (a
// symlink to it, so its unresolved ../conf is root/deep/conf), and the
// listed files relative to root.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"bin", "deep/link", "etc"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "bin", "tool"), nil, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "bin", "tool"), filepath.Join(root, "deep", "link", "tool")); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		p := filepath.Join(root, name)
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestLoad(t *testing.T) {
	const (
		conf = "conf/postfix-spam-scan.overrides"
		etc  = "etc/postfix-spam-check.overrides"
	)
	tests := []struct {
		name     string
		files    map[string]string
		flag     string // relative to the tree's root when not empty
		exe      string // relative to root; "" for no executable path
		noEtc    bool
		want     Overrides
		wantPath string // relative to root
		wantErr  string // with ROOT for the tree's root
		wantWarn string
	}{
		{name: "nothing anywhere", exe: "bin/tool", want: Overrides{}},
		{name: "conf beside the executable", files: map[string]string{conf: "john 5\n"}, exe: "bin/tool", want: Overrides{"john": 5}, wantPath: "bin/../conf/postfix-spam-scan.overrides"},
		{name: "executable symlink is resolved", files: map[string]string{conf: "john 5\n", "deep/" + conf: "decoy 1\n"}, exe: "deep/link/tool", want: Overrides{"john": 5}, wantPath: "bin/../conf/postfix-spam-scan.overrides"},
		{name: "etc when conf is missing", files: map[string]string{etc: "mary 7\n"}, exe: "bin/tool", want: Overrides{"mary": 7}, wantPath: etc},
		{name: "first existing is used alone", files: map[string]string{conf: "john 5\n", etc: "mary 7\njohn 9\n"}, exe: "bin/tool", want: Overrides{"john": 5}, wantPath: "bin/../conf/postfix-spam-scan.overrides"},
		{name: "empty conf still wins", files: map[string]string{conf: "", etc: "mary 7\n"}, exe: "bin/tool", want: Overrides{}, wantPath: "bin/../conf/postfix-spam-scan.overrides"},
		{name: "no executable path skips conf", files: map[string]string{conf: "john 5\n", etc: "mary 7\n"}, want: Overrides{"mary": 7}, wantPath: etc},
		{name: "no etc dir", files: map[string]string{etc: "mary 7\n"}, exe: "bin/tool", noEtc: true, want: Overrides{}},
		{name: "conf dir is a file: not there", files: map[string]string{"conf": "x", etc: "mary 7\n"}, exe: "bin/tool", want: Overrides{"mary": 7}, wantPath: etc},
		{name: "flag wins over defaults", files: map[string]string{"mine": "bob 3\n", conf: "john 5\n", etc: "mary 7\n"}, flag: "mine", exe: "bin/tool", want: Overrides{"bob": 3}, wantPath: "mine"},
		{name: "flag file missing is an error", files: map[string]string{conf: "john 5\n"}, flag: "typo", exe: "bin/tool", wantErr: "overrides file: open ROOT/typo: no such file or directory"},
		{name: "flag names a directory", files: map[string]string{"d/": ""}, flag: "d", exe: "bin/tool", wantErr: "overrides file: read ROOT/d: is a directory"},
		{name: "default that is a directory is an error", files: map[string]string{conf + "/": "", etc: "mary 7\n"}, exe: "bin/tool", wantErr: "overrides file: read ROOT/conf/postfix-spam-scan.overrides: is a directory"},
		{name: "warnings name the file used", files: map[string]string{etc: "mary 7\nbad\n"}, exe: "bin/tool", want: Overrides{"mary": 7}, wantPath: etc, wantWarn: "ROOT/" + etc + ":2: expected KEY THRESHOLD, found 1 fields in \"bad\"\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := tree(t, tc.files)
			loc := Locations{EtcDir: filepath.Join(root, "etc")}
			if tc.exe != "" {
				loc.Exe = filepath.Join(root, tc.exe)
			}
			if tc.noEtc {
				loc.EtcDir = ""
			}
			flag := ""
			if tc.flag != "" {
				flag = filepath.Join(root, tc.flag)
			}
			var warn strings.Builder
			got, path, err := Load(flag, loc, "postfix-spam-scan", "postfix-spam-check", &warn)
			if tc.wantErr != "" {
				if err == nil {
					t.Fatalf("Load = %v, %q; want error", got, path)
				}
				if diff := cmp.Diff(strings.ReplaceAll(tc.wantErr, "ROOT", root), err.Error()); diff != "" {
					t.Errorf("error (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("overrides (-want +got):\n%s", diff)
			}
			wantPath := ""
			if tc.wantPath != "" {
				wantPath = filepath.Join(root, tc.wantPath)
			}
			if diff := cmp.Diff(wantPath, path); diff != "" {
				t.Errorf("path (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(strings.ReplaceAll(tc.wantWarn, "ROOT", root), warn.String()); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDefaultLocations(t *testing.T) {
	got := DefaultLocations()
	exe, err := os.Executable()
	if err != nil {
		testenv.Missing(t, "no executable path here: %v", err)
	}
	want := Locations{Exe: exe, EtcDir: "/etc/spam-gear"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DefaultLocations (-want +got):\n%s", diff)
	}
	resolved, err := filepath.EvalSymlinks(exe)
	if err != nil {
		t.Fatal(err)
	}
	wantPaths := []string{
		filepath.Join(filepath.Dir(resolved), "..", "conf", "exim-spam-scan.overrides"),
		"/etc/spam-gear/exim-spam-check.overrides",
	}
	if diff := cmp.Diff(wantPaths, got.Paths("exim-spam-scan", "exim-spam-check")); diff != "" {
		t.Errorf("Paths (-want +got):\n%s", diff)
	}
}

func FuzzOverrides(f *testing.F) {
	for _, s := range []string{"john 5\n", "# c\n\njohn 5\nmary x\n", "a b c\n", "john\t010\r\n", " \t\n", "k 9223372036854775808", "k\r 1\n", "k 1\x00\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var warn strings.Builder
		o, err := Parse(strings.NewReader(s), "f", &warn)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Count(s, "\n")
		if !strings.HasSuffix(s, "\n") {
			lines++
		}
		if len(o) > lines {
			t.Errorf("%d keys from %d lines", len(o), lines)
		}
		for k, v := range o {
			if k == "" || strings.ContainsAny(k, " \t\n") {
				t.Errorf("bad key %q", k)
			}
			if k[0] == '#' {
				t.Errorf("key %q from a comment", k)
			}
			if v < 0 {
				t.Errorf("key %q: negative threshold %d", k, v)
			}
		}
		if w := warn.String(); w != "" && !strings.HasPrefix(w, "f:") {
			t.Errorf("warning %q does not start with the file name", w)
		}
		if strings.Count(warn.String(), "\n") > lines {
			t.Errorf("more warning lines than input lines: %q", warn.String())
		}
	})
}

func TestCountValue(t *testing.T) {
	var n int64
	var text string
	v := CountValue{N: &n, Text: &text}
	if err := v.Set("010"); err != nil || n != 10 || text != "010" || v.String() != "010" {
		t.Errorf(`Set("010"): n=%d text=%q String=%q err=%v; want 10, "010", "010", nil`, n, text, v.String(), err)
	}
	if err := v.Set("abc"); err == nil || n != 10 || text != "010" {
		t.Errorf(`Set("abc") = %v, n=%d text=%q; want an error and the old value kept`, err, n, text)
	}
	plain := CountValue{N: &n}
	if err := plain.Set("007"); err != nil || plain.String() != "7" {
		t.Errorf(`without Text, Set("007") then String() = %q, %v; want "7"`, plain.String(), err)
	}
}
