package logread

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRotation(t *testing.T) {
	since := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	const (
		oldLines  = "2026-01-02T09:00:00Z old-1\n2026-01-02T09:59:00Z old-2\n2026-01-02T10:00:30Z old-3\n"
		afterFile = "2026-01-02T10:01:00Z cur-1\n2026-01-02T10:02:00Z cur-2\n"
	)
	old := []string{"2026-01-02T09:00:00Z old-1", "2026-01-02T09:59:00Z old-2", "2026-01-02T10:00:30Z old-3"}
	cur := []string{"2026-01-02T10:01:00Z cur-1", "2026-01-02T10:02:00Z cur-2"}
	// The file as a list of lines, so that wants read as concatenations.
	cat := func(parts ...[]string) []string {
		var out []string
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}

	tests := []struct {
		name     string
		files    map[string]string // name in the temp dir -> content; "DIR" makes a directory
		noRotate bool
		noSince  bool
		slack    time.Duration
		want     []string
		wantErr  string
		// opened is what Source.Opened was given, names in the temp dir.
		opened []string
	}{
		{
			name:   "FILE starts after the window start: FILE.1 first",
			files:  map[string]string{"log": afterFile, "log.1": oldLines},
			want:   cat(old, cur),
			opened: []string{"log.1", "log"},
		},
		{
			name:   "no FILE.1: FILE.1.gz first",
			files:  map[string]string{"log": afterFile, "log.1.gz": "GZ" + oldLines},
			want:   cat(old, cur),
			opened: []string{"log.1.gz", "log"},
		},
		{
			name:   "FILE.1 preferred to FILE.1.gz",
			files:  map[string]string{"log": afterFile, "log.1": oldLines, "log.1.gz": "GZ2026-01-02T10:00:40Z from-gz\n"},
			want:   cat(old, cur),
			opened: []string{"log.1", "log"},
		},
		{
			name:   "FILE starts before the window: FILE.1 not read",
			files:  map[string]string{"log": "2026-01-02T09:59:59Z early\n" + afterFile, "log.1": oldLines},
			want:   cat([]string{"2026-01-02T09:59:59Z early"}, cur),
			opened: []string{"log"},
		},
		{
			name:   "FILE starts exactly at the window start: FILE.1 not read",
			files:  map[string]string{"log": "2026-01-02T10:00:00Z edge\n", "log.1": oldLines},
			want:   []string{"2026-01-02T10:00:00Z edge"},
			opened: []string{"log"},
		},
		{
			name:   "within Slack of the window start: FILE.1 read",
			files:  map[string]string{"log": "2026-01-02T09:59:59Z early\n", "log.1": oldLines},
			slack:  5 * time.Second,
			want:   cat(old, []string{"2026-01-02T09:59:59Z early"}),
			opened: []string{"log.1", "log"},
		},
		{
			name:   "untimestamped lines before FILE's first timestamp",
			files:  map[string]string{"log": "no time\n\n" + afterFile, "log.1": oldLines},
			want:   cat(old, []string{"no time", ""}, cur),
			opened: []string{"log.1", "log"},
		},
		{
			name:   "missing FILE.1 is fine",
			files:  map[string]string{"log": afterFile},
			want:   cur,
			opened: []string{"log"},
		},
		{
			name:   "FILE without any timestamp: FILE.1 read",
			files:  map[string]string{"log": "no time\n", "log.1": oldLines},
			want:   cat(old, []string{"no time"}),
			opened: []string{"log.1", "log"},
		},
		{
			name:   "empty FILE (just rotated): FILE.1 read",
			files:  map[string]string{"log": "", "log.1": oldLines},
			want:   old,
			opened: []string{"log.1", "log"},
		},
		{
			name:    "missing FILE: FILE.1 read, FILE's error reported",
			files:   map[string]string{"log.1": oldLines},
			want:    old,
			wantErr: "open LOG: no such file or directory",
			opened:  []string{"log.1"},
		},
		{
			name:    "FILE.1 needed but unreadable: error",
			files:   map[string]string{"log": afterFile, "log.1": "DIR"},
			want:    cur,
			wantErr: "read LOG.1: is a directory",
			opened:  []string{"log"},
		},
		{
			name:   "FILE.1 not needed and unreadable: no error",
			files:  map[string]string{"log": "2026-01-02T09:00:00Z early\n", "log.1": "DIR"},
			want:   []string{"2026-01-02T09:00:00Z early"},
			opened: []string{"log"},
		},
		{
			name:    "FILE a directory: error, FILE.1 not read",
			files:   map[string]string{"log": "DIR", "log.1": oldLines},
			wantErr: "read LOG: is a directory",
			opened:  nil,
		},
		{
			name:     "rotation off",
			files:    map[string]string{"log": afterFile, "log.1": oldLines},
			noRotate: true,
			want:     cur,
			opened:   []string{"log"},
		},
		{
			name:    "no window: rotation not read",
			files:   map[string]string{"log": afterFile, "log.1": oldLines},
			noSince: true,
			want:    cur,
			opened:  []string{"log"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tc.files {
				path := filepath.Join(dir, name)
				switch {
				case content == "DIR":
					if err := os.Mkdir(path, 0o755); err != nil {
						t.Fatal(err)
					}
				case strings.HasPrefix(content, "GZ"):
					writeFile(t, path, gzipped(t, content[2:]))
				default:
					writeFile(t, path, []byte(content))
				}
			}
			log := filepath.Join(dir, "log")
			src := Source{
				Paths:   []string{log},
				Since:   since,
				TimeOf:  isoTimeOf,
				Rotated: !tc.noRotate,
				Slack:   tc.slack,
			}
			if tc.noSince {
				src.Since = time.Time{}
			}
			var opened []string
			src.Opened = func(name string) { opened = append(opened, strings.TrimPrefix(name, dir+"/")) }
			// The files are smaller than the search gap, so they are read
			// whole and what is delivered shows what was read. No block
			// allowance: the first timestamp alone decides (the block rule
			// is TestRotationBlock's).
			got, err := collect(src, noBlock(defaultTuning))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Scan mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.opened, opened); diff != "" {
				t.Errorf("Opened mismatch (-want +got):\n%s", diff)
			}
			wantErr := strings.ReplaceAll(tc.wantErr, "LOG", log)
			if (err == nil) != (wantErr == "") || err != nil && err.Error() != wantErr {
				t.Errorf("Scan error = %v, want %q", err, wantErr)
			}
		})
	}
}

// TestRotationFirstTimestampFarIn puts FILE's first timestamp after more
// untimestamped text than a probe reads, so the decision needs the
// streaming fallback.
func TestRotationFirstTimestampFarIn(t *testing.T) {
	since := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	filler := strings.Repeat("no timestamp on this line\n", 4000) // > 64 KiB
	for _, tc := range []struct {
		name     string
		first    string
		wantPrev bool
	}{
		{name: "first timestamp after Since", first: "2026-01-02T10:00:01Z late\n", wantPrev: true},
		{name: "first timestamp before Since", first: "2026-01-02T09:00:00Z early\n", wantPrev: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			log := filepath.Join(dir, "log")
			writeFile(t, log, []byte(filler+tc.first))
			writeFile(t, log+".1", []byte("2026-01-02T09:59:00Z old\n"))
			got, err := collect(Source{Paths: []string{log}, Since: since, TimeOf: isoTimeOf, Rotated: true, Marker: []byte("Z ")}, noBlock(defaultTuning))
			if err != nil {
				t.Fatal(err)
			}
			want := []string{strings.TrimSuffix(tc.first, "\n")}
			if tc.wantPrev {
				want = append([]string{"2026-01-02T09:59:00Z old"}, want...)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Scan mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func noBlock(tu tuning) tuning {
	tu.block = 0
	return tu
}

// TestRotationBlock: FILE's first timestamp before the window proves that
// FILE.1 holds no line of the window only together with a second one, at
// least a block later, also before the window; the first one may be in an
// out-of-order block (a backlog flushed into the new file right after the
// rotation) while FILE.1's last lines are in the window.
func TestRotationBlock(t *testing.T) {
	since := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	const prev = "2026-01-02T09:00:00Z prev-old\n2026-01-02T10:05:00Z prev-in-window\n"
	backlog := strings.Repeat("2026-01-02T04:00:00Z backlog\n", 10) // 300 bytes stamped 6 h before
	filler := strings.Repeat("untimed filler line\n", 50)           // 1000 bytes
	oldFill := strings.Repeat("2026-01-02T09:35:00Z fill\n", 60)    // 1560 bytes
	tu := tinyTuning
	tu.block = 1000
	for _, tc := range []struct {
		name     string
		cur      string
		wantPrev bool
	}{
		{"backlog first, then the window", backlog + "2026-01-02T10:06:00Z cur\n", true},
		{"old first line, nothing a block later", "2026-01-02T09:30:00Z a\n" + filler, true},
		{"old first line, a newer one a block later", "2026-01-02T09:30:00Z a\n" + filler + "2026-01-02T10:06:00Z cur\n", true},
		{"two old lines a block apart", "2026-01-02T09:30:00Z a\n" + oldFill + "2026-01-02T10:06:00Z cur\n", false},
		{"backlog, then old lines a block apart", backlog + oldFill + "2026-01-02T10:06:00Z cur\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			log := filepath.Join(dir, "log")
			writeFile(t, log, []byte(tc.cur))
			writeFile(t, log+".1", []byte(prev))
			got, err := collect(Source{Paths: []string{log}, Since: since, TimeOf: isoTimeOf, Rotated: true, Marker: []byte("prev-in-window")}, tu)
			if err != nil {
				t.Fatal(err)
			}
			if gotPrev := len(got) > 0; gotPrev != tc.wantPrev {
				t.Errorf("FILE.1 read: %v, want %v", gotPrev, tc.wantPrev)
			}
		})
	}
}

// TestStillPrevious checks the detector behind openWithPrevious's retry: a
// rotation between opening FILE.1 and FILE must show, or the run would
// miss the file that was just rotated.
func TestStillPrevious(t *testing.T) {
	tests := []struct {
		name   string
		before []string // files present when the previous rotation is opened
		change func(log string) error
		want   bool
	}{
		{name: "no rotation, unchanged", change: func(string) error { return nil }, want: true},
		{name: "FILE.1 unchanged", before: []string{"log", "log.1"}, change: func(string) error { return nil }, want: true},
		{name: "FILE.1.gz unchanged", before: []string{"log", "log.1.gz"}, change: func(string) error { return nil }, want: true},
		{name: "first rotation appears", before: []string{"log"},
			change: func(log string) error { return os.Rename(log, log+".1") }, want: false},
		{name: "FILE.1 replaced by rename", before: []string{"log", "log.1"},
			change: func(log string) error {
				if err := os.Rename(log+".1", log+".2"); err != nil {
					return err
				}
				return os.Rename(log, log+".1")
			}, want: false},
		{name: "FILE.1 appears beside FILE.1.gz", before: []string{"log", "log.1.gz"},
			change: func(log string) error { return os.Rename(log, log+".1") }, want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			log := filepath.Join(dir, "log")
			for _, name := range tc.before {
				writeFile(t, filepath.Join(dir, name), []byte(name+"\n"))
			}
			prev, prevName, _ := openPrevious(log)
			if prev != nil {
				defer prev.Close()
			}
			if err := tc.change(log); err != nil {
				t.Fatal(err)
			}
			if got := stillPrevious(log, prev, prevName); got != tc.want {
				t.Errorf("stillPrevious after %q = %v, want %v", tc.name, got, tc.want)
			}
		})
	}
}
