package php

import (
	"bytes"
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var writeSeeds = flag.Bool("write-seeds", false, "add missing fuzz seed files under testdata/fuzz (existing files are never rewritten)")

// The properties below restate the SPEC §8 rules independently of the
// parsers' code.

// mailLogTail matches what follows the key in the text after the first
// "mail() on [": the eval suffixes StripEval removed, then ":LINE]: To:".
var mailLogTail = regexp.MustCompile(`^(?:\([0-9]+\) : (?:eval\(\)'d code|runtime-created function|regexp code|assert code))*:[0-9]+\]: To:`)

// FuzzParseMailLog checks, for any bytes: no panic; when a key is
// returned, it is non-empty and is the start of the text
// that follows the first "mail() on [" of the line (so it is a substring of
// the line), followed there by zero or more "(N) : DESCRIPTION" eval
// suffixes and ":LINE]: To:", where that "]: To:" is the first one after
// "mail() on ["; StripEval leaves the key as it is (every suffix was
// removed). When no key is returned, the line has no "mail() on [" or the
// text after it has no "]: To:" preceded by ":digits" at its first
// occurrence.
func FuzzParseMailLog(f *testing.F) {
	for _, tc := range mailLogCases {
		f.Add([]byte(tc.line))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		key, ok := ParseMailLog(line)
		i := bytes.Index(line, MailLogMarker)
		if !ok {
			if key != nil {
				t.Fatalf("ParseMailLog(%q) = %q, false: want a nil key", line, key)
			}
			if i >= 0 {
				rest := line[i+len(MailLogMarker):]
				if end := bytes.Index(rest, toField); end >= 0 {
					c := bytes.LastIndexByte(rest[:end], ':')
					if c > 0 && allDigits(rest[c+1:end]) {
						t.Fatalf("ParseMailLog(%q) not counted, but its bracket %q has a FILE and :LINE", line, rest[:end])
					}
				}
			}
			return
		}
		if len(key) == 0 {
			t.Fatalf("ParseMailLog(%q) = %q: empty", line, key)
		}
		if i < 0 {
			t.Fatalf("ParseMailLog(%q) = %q without %q in the line", line, key, MailLogMarker)
		}
		rest := line[i+len(MailLogMarker):]
		if !bytes.HasPrefix(rest, key) {
			t.Fatalf("ParseMailLog(%q) = %q: not the start of %q", line, key, rest)
		}
		tail := mailLogTail.Find(rest[len(key):])
		if tail == nil {
			t.Fatalf("ParseMailLog(%q) = %q: followed by %q, not eval suffixes and :LINE]: To:", line, key, rest[len(key):])
		}
		if first := bytes.Index(rest, toField); first != len(key)+len(tail)-len(toField) {
			t.Fatalf("ParseMailLog(%q) = %q: the bracket does not end at the first ]: To: (offset %d)", line, key, first)
		}
		if s := StripEval(key); !bytes.Equal(s, key) {
			t.Fatalf("ParseMailLog(%q) = %q: StripEval would still shorten it to %q", line, key, s)
		}
	})
}

// FuzzParseLegacy checks, for any bytes: no panic; a key is returned
// exactly when the line has "sendmail-php url=", then ", filename=", then
// a non-empty text without '\n' up to the next ", uid="; that text is the
// key (so the key is a substring of the line and never holds ", uid=" or
// '\n'); LegacyUID finds a uid for exactly those lines, the text after
// that ", uid=" up to the next ','.
func FuzzParseLegacy(f *testing.F) {
	for _, tc := range legacyCases {
		f.Add([]byte(tc.line))
	}
	for _, tc := range legacyUIDCases {
		f.Add([]byte(tc.line))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		key, ok := ParseLegacy(line)
		var want []byte
		if _, after, found := bytes.Cut(line, LegacyMarker); found {
			if _, after, found = bytes.Cut(after, filenameField); found {
				if v, _, found := bytes.Cut(after, uidField); found && len(v) > 0 && bytes.IndexByte(v, '\n') < 0 {
					want = v
				}
			}
		}
		if ok != (want != nil) || !bytes.Equal(key, want) {
			t.Fatalf("ParseLegacy(%q) = %q, %v; want %q", line, key, ok, want)
		}
		if ok && (bytes.Contains(key, uidField) || bytes.IndexByte(key, '\n') >= 0 || !bytes.Contains(line, key)) {
			t.Fatalf("ParseLegacy(%q) = %q: holds , uid= or a newline, or is not in the line", line, key)
		}
		// LegacyUID finds a uid exactly for the lines ParseLegacy
		// accepts: what follows the key's ", uid=" up to a ','.
		uid, uidOK := LegacyUID(line)
		if uidOK != ok {
			t.Fatalf("LegacyUID(%q) ok = %v, ParseLegacy ok = %v", line, uidOK, ok)
		}
		if ok {
			_, after, _ := bytes.Cut(line[bytes.Index(line, LegacyMarker):], filenameField)
			want, _, _ := bytes.Cut(after[len(key)+len(uidField):], []byte(","))
			if !bytes.Equal(uid, want) {
				t.Fatalf("LegacyUID(%q) = %q, want %q", line, uid, want)
			}
		}
	})
}

// TestFuzzSeeds checks that the seed corpora under testdata/fuzz hold every
// line of the real mail.log samples and every table case, so that
// `go test` runs the fuzz properties on all of them. With -write-seeds it
// adds the missing seed files first.
func TestFuzzSeeds(t *testing.T) {
	var corpus [][]byte
	files, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.log"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files: %v", err)
	}
	for _, name := range files {
		corpus = append(corpus, readLines(t, name)...)
	}
	var mail, legacy [][]byte
	mail = append(mail, corpus...)
	for _, tc := range mailLogCases {
		mail = append(mail, []byte(tc.line))
	}
	for _, tc := range legacyCases {
		legacy = append(legacy, []byte(tc.line))
	}
	for fuzz, want := range map[string][][]byte{"FuzzParseMailLog": mail, "FuzzParseLegacy": legacy} {
		dir := filepath.Join("testdata", "fuzz", fuzz)
		if *writeSeeds {
			writeSeedFiles(t, dir, want)
		}
		have := readSeeds(t, dir)
		for _, line := range want {
			if !have[string(line)] {
				t.Errorf("%s: no seed for %q (go test -run TestFuzzSeeds -write-seeds adds it)", dir, line)
			}
		}
	}
}

// writeSeedFiles adds a seed file for each line, named after its hash,
// unless one exists.
func writeSeedFiles(t *testing.T, dir string, lines [][]byte) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, line := range lines {
		name := filepath.Join(dir, fmt.Sprintf("seed-%x", sha256.Sum256(line))[:len("seed-")+16])
		if _, err := os.Stat(name); err == nil {
			continue
		}
		data := "go test fuzz v1\n[]byte(" + strconv.Quote(string(line)) + ")\n"
		if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// readSeeds returns the inputs of the seed files in dir.
func readSeeds(t *testing.T, dir string) map[string]bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	seeds := map[string]bool{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		if len(lines) != 2 || lines[0] != "go test fuzz v1" ||
			!strings.HasPrefix(lines[1], "[]byte(") || !strings.HasSuffix(lines[1], ")") {
			t.Fatalf("%s: not a one-[]byte seed file: %q", e.Name(), data)
		}
		s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		seeds[s] = true
	}
	return seeds
}
