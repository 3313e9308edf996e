package action

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSafeUser(t *testing.T) {
	tests := map[string]bool{
		"jdoe":                    true,
		"j.doe@example.com":       true,
		"user+tag@example.com":    true,
		"_svc":                    true,
		"1024":                    true,
		"a-b":                     true,
		"-rf":                     false,
		"a;reboot":                false,
		"$(id)":                   false,
		"x y":                     false,
		"":                        false,
		".hidden":                 false,
		"a/b":                     false,
		"a'b":                     false,
		"a\nb":                    false,
		strings.Repeat("a", 64):   true,
		strings.Repeat("a", 65):   false,
		strings.Repeat("a", 200):  false,
		"héllo":                   false,
		"user:x":                  false,
		"back`tick`":              false,
		"semi;colon@example.com":  false,
		"trailing-dash-":          true,
		"at@the@end":              true,
		"pipe|x":                  false,
		"amp&x":                   false,
		"star*":                   false,
		"question?":               false,
		"bracket[1]":              false,
		"brace{x}":                false,
		"tilde~":                  false,
		"percent%":                false,
		"equals=":                 false,
		"comma,x":                 false,
		"tab\tx":                  false,
		"nul\x00x":                false,
		"quote\"x":                false,
		"backslash\\x":            false,
		"exclamation!":            false,
		"hash#x":                  false,
		"caret^x":                 false,
		"dollar$x":                false,
		"paren(x)":                false,
		"angle<x>":                false,
		"Upper_Case.Name@EXAMPLE": true,
		"@example.com":            false,
		"+tag":                    false,
		"a":                       true,
		"_":                       true,
		"9":                       true,
		"a.":                      true,
		"a\xff":                   false,
		"\xffa":                   false,
		"a\n":                     false,
		"j.doe":                   true,
	}
	for user, want := range tests {
		if got := SafeUser(user); got != want {
			t.Errorf("SafeUser(%q) = %v, want %v", user, got, want)
		}
	}
}

// safeUserRE is SPEC §2's definition; SafeUser must agree with it (and
// refuse a leading '-', which the first character class already excludes).
var safeUserRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.@+-]{0,63}$`)

func FuzzSafeUser(f *testing.F) {
	for _, s := range []string{"jdoe", "j.doe@example.com", "-rf", "", ".x", strings.Repeat("a", 64), strings.Repeat("a", 65),
		"a\n", "a\nb", "héllo", "a+b-c.d@e_f", "\x00", "a b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, user string) {
		want := safeUserRE.MatchString(user) && !strings.HasPrefix(user, "-")
		if got := SafeUser(user); got != want {
			t.Fatalf("SafeUser(%q) = %v, the SPEC regexp says %v", user, got, want)
		}
	})
}

func TestNISCommand(t *testing.T) {
	got := NISCommand("nis.example.com", "jdoe")
	want := []string{"ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=30", "root@nis.example.com",
		"sed -i 's/^jdoe:/jdoe:*/' /var/yp/ypfiles/shadow && make -C /var/yp/"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("NISCommand mismatch (-want +got):\n%s", diff)
	}
	got = NISCommand("nis", "j.doe@ex.org")
	if want := `sed -i 's/^j\.doe@ex\.org:/j.doe@ex.org:*/' /var/yp/ypfiles/shadow && make -C /var/yp/`; got[len(got)-1] != want {
		t.Errorf("remote command %q, want %q", got[len(got)-1], want)
	}
}

// TestNISCommandLocksExactlyOneAccount runs the remote command NISCommand
// builds with the real sh and sed on a shadow map (its path rewritten to a
// temporary file, make replaced by true): locking a dotted name changes that
// account's line and no other.
func TestNISCommandLocksExactlyOneAccount(t *testing.T) {
	for _, tool := range []string{"sh", "sed"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found: %v", tool, err)
		}
	}
	const shadow = "j.doe:$6$a:19000:0:99999:7:::\n" +
		"jxdoe:$6$b:19000:0:99999:7:::\n" +
		"root:$6$c:19000:0:99999:7:::\n" +
		"robt:$6$d:19000:0:99999:7:::\n" +
		"r..t:$6$e:19000:0:99999:7:::\n"
	tests := []struct{ user, want string }{
		{"j.doe", strings.Replace(shadow, "j.doe:", "j.doe:*", 1)},
		{"r..t", strings.Replace(shadow, "r..t:", "r..t:*", 1)},
		{"jxdoe", strings.Replace(shadow, "jxdoe:", "jxdoe:*", 1)},
		{"j", shadow},
	}
	for _, tc := range tests {
		t.Run(tc.user, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "shadow")
			if err := os.WriteFile(path, []byte(shadow), 0o600); err != nil {
				t.Fatal(err)
			}
			argv := NISCommand("nis", tc.user)
			remote := argv[len(argv)-1]
			local := strings.Replace(strings.Replace(remote, "/var/yp/ypfiles/shadow", path, 1), "make -C /var/yp/", "true", 1)
			if local == remote {
				t.Fatalf("remote command %q does not name the map", remote)
			}
			if out, err := exec.Command("sh", "-c", local).CombinedOutput(); err != nil {
				t.Fatalf("sh -c %q: %v\n%s", local, err, out)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, string(got)); diff != "" {
				t.Errorf("locking %s changed the map wrongly (-want +got):\n%s", tc.user, diff)
			}
		})
	}
}

func TestMailMessage(t *testing.T) {
	got := MailMessage("mx1.example.com", "jdoe", "root@example.com", "120 (3 nets/2 unknowns/5 IPs/0 webmail) -- LINE")
	want := "Subject: SPAMMER DETECTED AT mx1.example.com [USER jdoe DISABLED]\nTo: root@example.com\n\n120 (3 nets/2 unknowns/5 IPs/0 webmail) -- LINE\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("MailMessage mismatch (-want +got):\n%s", diff)
	}
}
