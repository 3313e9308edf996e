package logread

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

func gzipped(t testing.TB, data string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(data)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestInputs(t *testing.T) {
	dir := t.TempDir()
	path := func(name string) string { return filepath.Join(dir, name) }
	writeFile(t, path("plain"), []byte("p1 mk\np2\r\np3 mk"))
	writeFile(t, path("empty"), nil)
	writeFile(t, path("log.gz"), gzipped(t, "g1 mk\r\ng2\ng3 mk\n"))
	// Two gzip members, as `cat a.gz b.gz` or some rotators produce.
	writeFile(t, path("multi.gz"), append(gzipped(t, "m1 mk\n"), gzipped(t, "m2 mk\n")...))
	writeFile(t, path("bad.gz"), []byte("not gzip at all\n"))
	for _, d := range []string{"dir", "dir.gz"} {
		if err := os.Mkdir(path(d), 0o755); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name    string
		paths   []string
		stdin   string
		marker  string
		want    []string
		wantErr []string // substrings, one per joined error, in order
	}{
		{name: "plain file", paths: []string{path("plain")}, want: []string{"p1 mk", "p2\r", "p3 mk"}},
		{name: "plain file with marker", paths: []string{path("plain")}, marker: "mk", want: []string{"p1 mk", "p3 mk"}},
		{name: "empty file", paths: []string{path("empty")}, want: nil},
		{name: "no paths reads nothing", paths: nil, stdin: "s1\n", want: nil},
		{name: "gzip", paths: []string{path("log.gz")}, marker: "mk", want: []string{"g1 mk\r", "g3 mk"}},
		{name: "gzip with two members", paths: []string{path("multi.gz")}, want: []string{"m1 mk", "m2 mk"}},
		{name: "stdin", paths: []string{"-"}, stdin: "s1\ns2 mk\n", marker: "mk", want: []string{"s2 mk"}},
		{name: "in the order given", paths: []string{path("log.gz"), "-", path("plain")}, stdin: "s1 mk\n", marker: "mk",
			want: []string{"g1 mk\r", "g3 mk", "s1 mk", "p1 mk", "p3 mk"}},
		{name: "missing file: error names it, the others are read",
			paths: []string{path("missing"), path("plain"), path("missing.gz")}, marker: "mk",
			want:    []string{"p1 mk", "p3 mk"},
			wantErr: []string{"open " + path("missing") + ": no such file or directory", "open " + path("missing.gz") + ": no such file or directory"}},
		{name: "directory", paths: []string{path("dir"), path("plain")}, marker: "mk",
			want: []string{"p1 mk", "p3 mk"}, wantErr: []string{path("dir") + ": is a directory"}},
		{name: "directory named .gz", paths: []string{path("dir.gz")}, wantErr: []string{path("dir.gz") + ": is a directory"}},
		{name: "not gzip", paths: []string{path("bad.gz"), path("plain")}, marker: "mk",
			want: []string{"p1 mk", "p3 mk"}, wantErr: []string{path("bad.gz") + ": gzip: invalid header"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := Source{Paths: tc.paths, Stdin: strings.NewReader(tc.stdin), Marker: []byte(tc.marker)}
			got, err := collect(src, defaultTuning)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Scan(%q) lines mismatch (-want +got):\n%s", tc.paths, diff)
			}
			var msgs []string
			if err != nil {
				msgs = strings.Split(err.Error(), "\n")
			}
			if len(msgs) != len(tc.wantErr) {
				t.Fatalf("Scan(%q) error = %v, want %d errors containing %q", tc.paths, err, len(tc.wantErr), tc.wantErr)
			}
			for i, want := range tc.wantErr {
				if !strings.Contains(msgs[i], want) {
					t.Errorf("Scan(%q) error %d = %q, want it to contain %q", tc.paths, i, msgs[i], want)
				}
			}
		})
	}
}

func TestErrorsArePathErrors(t *testing.T) {
	missing := tempPath(t, "missing")
	err := Scan(Source{Paths: []string{missing}}, func([]byte) {})
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Path != missing || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Scan(missing) error = %#v, want a *fs.PathError for %s wrapping fs.ErrNotExist", err, missing)
	}
	dir := t.TempDir()
	err = Scan(Source{Paths: []string{dir}}, func([]byte) {})
	if !errors.As(err, &pe) || pe.Path != dir || !errors.Is(err, syscall.EISDIR) {
		t.Errorf("Scan(dir) error = %#v, want a *fs.PathError for %s wrapping EISDIR", err, dir)
	}
}

func TestReadErrorOfStdin(t *testing.T) {
	boom := errors.New("boom")
	var got []string
	stdin := io.MultiReader(strings.NewReader("a\nb\npartial"), iotest.ErrReader(boom))
	err := Scan(Source{Paths: []string{"-"}, Stdin: stdin}, func(l []byte) {
		got = append(got, string(l))
	})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "standard input") {
		t.Errorf("Scan(failing stdin) error = %v, want boom naming standard input", err)
	}
	// The lines read before the error are delivered; the unterminated
	// text before a failure is not a line (the input did not end there).
	if diff := cmp.Diff([]string{"a", "b"}, got); diff != "" {
		t.Errorf("Scan(failing stdin) lines mismatch (-want +got):\n%s", diff)
	}
}

// TestOpened checks the names Source.Opened gets for every kind of input
// without a window: only what was read, in order, "-" for standard input.
func TestOpened(t *testing.T) {
	dir := t.TempDir()
	path := func(name string) string { return filepath.Join(dir, name) }
	writeFile(t, path("plain"), []byte("p1\n"))
	writeFile(t, path("log.gz"), gzipped(t, "g1\n"))
	writeFile(t, path("bad.gz"), []byte("not gzip at all\n"))
	if err := os.Mkdir(path("dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		paths []string
		want  []string
	}{
		{name: "nothing", paths: nil, want: nil},
		{name: "in order given", paths: []string{"log.gz", "-", "plain"}, want: []string{"log.gz", "-", "plain"}},
		{name: "a file twice is read twice", paths: []string{"plain", "plain"}, want: []string{"plain", "plain"}},
		{name: "missing, directory and bad gzip are not read", paths: []string{"missing", "dir", "bad.gz", "missing.gz", "plain"}, want: []string{"plain"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var paths []string
			for _, p := range tc.paths {
				if p != "-" {
					p = path(p)
				}
				paths = append(paths, p)
			}
			var got []string
			src := Source{Paths: paths, Stdin: strings.NewReader("s1\n"), Opened: func(name string) {
				got = append(got, strings.TrimPrefix(name, dir+"/"))
			}}
			_, _ = collect(src, tinyTuning)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Opened mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
