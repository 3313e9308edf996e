package postfix

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPreprocessArgs(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"bare -n at the end", []string{"-d", "5,5", "-n"}, []string{"-d", "5,5", "--niss=localhost"}},
		{"-n with server", []string{"-n", "nis.example", "-m", "9"}, []string{"--niss=nis.example", "-m", "9"}},
		{"-n before an option", []string{"-n", "-m", "9"}, []string{"--niss=localhost", "-m", "9"}},
		{"--nis spelling", []string{"--nis", "master"}, []string{"--niss=master"}},
		{"--nis=value", []string{"--nis=master"}, []string{"--niss=master"}},
		{"-nVALUE", []string{"-nmaster"}, []string{"--niss=master"}},
		{"value of -w is not -n", []string{"-w", "-n"}, []string{"-w", "-n"}},
		{"after --", []string{"--", "-n", "x"}, []string{"--", "-n", "x"}},
		{"empty server kept for the usage error", []string{"-n", ""}, []string{"--niss="}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, preprocessArgs(tc.in)); diff != "" {
				t.Errorf("preprocessArgs(%q) mismatch (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

// FuzzPreprocessArgs: the rewrite never grows the argument list, leaves no
// bare NIS spelling for kingpin (which cannot take an optional value), and
// is idempotent. Arguments are NUL-separated in the fuzz input.
func FuzzPreprocessArgs(f *testing.F) {
	for _, seed := range []string{"-n", "-n\x00host", "-d\x005,5\x00-n\x00-m\x009", "--nis=x", "-w\x00-n", "--\x00-n", "-nfoo\x00-p\x001hour"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, joined string) {
		in := strings.Split(joined, "\x00")
		out := preprocessArgs(in)
		if len(out) > len(in) {
			t.Fatalf("preprocessArgs(%q) = %q grew", in, out)
		}
		for i, a := range out {
			if a == "--" {
				break
			}
			if (a == "-n" || a == "--niss" || a == "--nis") && (i == 0 || !valueFlags[out[i-1]]) {
				t.Fatalf("preprocessArgs(%q) = %q left %q for kingpin", in, out, a)
			}
		}
		if again := preprocessArgs(out); !cmp.Equal(again, out) {
			t.Fatalf("preprocessArgs not idempotent: %q -> %q -> %q", in, out, again)
		}
	})
}
