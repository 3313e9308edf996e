// Package threshold holds the report thresholds of the checkers: the
// command-line numbers, the per-key overrides files (SPEC §1 "Grouping,
// thresholds, ordering", §8 "Overrides") and the comparison that decides
// whether a key is reported.
package threshold

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// ErrSyntax and ErrRange are wrapped by ParseCount's errors so callers can
// tell "not a number" from "too large" without matching text.
var (
	ErrSyntax = errors.New("not a decimal number")
	ErrRange  = errors.New("number too large")
)

// countError keeps ParseCount's message free of the sentinel's wording.
type countError struct {
	msg string
	err error
}

func (e *countError) Error() string { return e.msg }
func (e *countError) Unwrap() error { return e.err }

// ParseCount parses a command-line or overrides number. Only decimal digits
// are accepted: the old tools let bash read "010" as octal and "abc" as 0
// (SPEC §7 item 11), so signs, blanks, exponents and the empty string are
// errors, and "010" is ten. The value must fit an int64.
func ParseCount(s string) (int64, error) {
	n, err := parseCount(s)
	if err != nil {
		return 0, &countError{msg: fmt.Sprintf("invalid number %q: %s", s, reason(err)), err: err}
	}
	return n, nil
}

func reason(err error) string {
	if err == ErrRange {
		return fmt.Sprintf("too large (at most %d)", int64(math.MaxInt64))
	}
	return "expected decimal digits 0-9"
}

func parseCount[T string | []byte](s T) (int64, error) {
	if len(s) == 0 {
		return 0, ErrSyntax
	}
	var n int64
	overflow := false
	for i := range len(s) {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, ErrSyntax
		}
		d := int64(c - '0')
		if n > (math.MaxInt64-d)/10 {
			overflow = true // keep scanning: a later non-digit is the better message
		} else {
			n = n*10 + d
		}
	}
	if overflow {
		return 0, ErrRange
	}
	return n, nil
}

// Overrides maps a key (user, HELO name, …) to its own threshold.
type Overrides map[string]int64

// Limit returns the threshold for key: its override if there is one, else
// def (the command-line threshold).
func (o Overrides) Limit(key string, def int64) int64 {
	if n, ok := o[key]; ok {
		return n
	}
	return def
}

// Reached reports whether count reaches limit. The old tools differ and
// each keeps its rule (SPEC §1): postfix and the php tools report at
// count >= limit, exim (strict) only at count > limit.
func Reached(count, limit int64, strict bool) bool {
	if strict {
		return count > limit
	}
	return count >= limit
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// Parse reads an overrides file: one "KEY THRESHOLD" per line, separated
// by blanks (spaces, tabs). Empty and blank lines, and lines whose first
// non-blank byte is '#', are ignored; '#' elsewhere is not a comment. A
// trailing CR is dropped so files edited on Windows work. A malformed line
// (not exactly two fields, or a threshold that ParseCount rejects) is
// reported on warn as "NAME:LINE: reason" and skipped rather than failing
// the scan, as SPEC §1 asks; a later line for the same key wins. Keys are
// compared byte for byte, as the tools key their counts. A UTF-8 byte order
// mark at the start is dropped (Windows editors add one, and it would
// otherwise become part of the first key). Lines may be of any length. A
// nil warn discards warnings. The error is only for failures to read r.
func Parse(r io.Reader, name string, warn io.Writer) (Overrides, error) {
	if warn == nil {
		warn = io.Discard
	}
	o := Overrides{}
	br := bufio.NewReader(r)
	if bom, err := br.Peek(3); err == nil && string(bom) == "\ufeff" {
		_, _ = br.Discard(3)
	}
	var long []byte // a line longer than br's buffer, assembled
	for lineno := 1; ; lineno++ {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			long = append(long[:0], line...)
			for err == bufio.ErrBufferFull {
				line, err = br.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if err != nil && err != io.EOF {
			var pe *fs.PathError
			if errors.As(err, &pe) { // already names the file
				return nil, fmt.Errorf("overrides file: %w", err)
			}
			return nil, fmt.Errorf("overrides file %s: %w", name, err)
		}
		if len(line) == 0 && err == io.EOF {
			return o, nil
		}
		parseLine(o, line, name, lineno, warn)
		if err == io.EOF {
			return o, nil
		}
	}
}

func parseLine(o Overrides, line []byte, name string, lineno int, warn io.Writer) {
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	var fields [3][]byte
	nf := 0
	for i := 0; i < len(line); {
		for i < len(line) && isBlank(line[i]) {
			i++
		}
		j := i
		for j < len(line) && !isBlank(line[j]) {
			j++
		}
		if j > i {
			if nf < len(fields) {
				fields[nf] = line[i:j]
			}
			nf++
		}
		i = j
	}
	switch {
	case nf == 0 || fields[0][0] == '#':
		return
	case nf != 2:
		fmt.Fprintf(warn, "%s:%d: expected KEY THRESHOLD, found %d fields in %s\n", name, lineno, nf, quote(line))
		return
	}
	n, err := parseCount(fields[1])
	if err != nil {
		fmt.Fprintf(warn, "%s:%d: invalid threshold %s for key %s: %s\n", name, lineno, quote(fields[1]), quote(fields[0]), reason(err))
		return
	}
	o[string(fields[0])] = n
}

// quote renders text from the file for a warning: quoted, so blanks and
// control bytes show, and shortened so one bad line is one warning line.
func quote(b []byte) string {
	const max = 80
	if len(b) > max {
		return fmt.Sprintf("%q…", b[:max])
	}
	return fmt.Sprintf("%q", b)
}

// DefaultEtcDir is where packaged installs keep their overrides files.
const DefaultEtcDir = "/etc/spam-gear"

// Locations says where Load looks for an overrides file when none is named
// on the command line. It exists so tests can point Load elsewhere.
type Locations struct {
	// Exe is the path of the running executable; Load resolves symlinks
	// and looks in Exe's directory/../conf/<oldName>.overrides. Empty
	// skips that location.
	Exe string
	// EtcDir holds <tool>.overrides; empty skips that location.
	EtcDir string
}

// DefaultLocations returns the locations SPEC §1 names for the running
// program. When the executable's path cannot be found the conf/ location is
// skipped.
func DefaultLocations() Locations {
	exe, err := os.Executable()
	if err != nil {
		exe = ""
	}
	return Locations{Exe: exe, EtcDir: DefaultEtcDir}
}

// Paths returns the default overrides paths in lookup order. oldName is the
// old tool's name used for the conf/ file ("postfix-spam-scan",
// "exim-spam-scan"); tool is this program's name ("postfix-spam-check").
func (l Locations) Paths(oldName, tool string) []string {
	var paths []string
	if l.Exe != "" {
		exe := l.Exe
		if resolved, err := filepath.EvalSymlinks(exe); err == nil {
			exe = resolved
		}
		paths = append(paths, filepath.Join(filepath.Dir(exe), "..", "conf", oldName+".overrides"))
	}
	if l.EtcDir != "" {
		paths = append(paths, filepath.Join(l.EtcDir, tool+".overrides"))
	}
	return paths
}

// Load reads the overrides file and returns it with the path used ("" when
// none was found). flagPath, from --overrides, is used alone when not
// empty, and any failure to open or read it is an error: the caller reports
// it as a usage error (exit 2) so a typo never silently drops the overrides.
// Otherwise the first of loc.Paths(oldName, tool) that exists is used
// alone; missing ones are skipped. An existing default file that cannot be
// read is also an error (best reported as a runtime error, exit 1), because
// scanning without the thresholds the administrator set could disable the
// wrong accounts. Malformed lines are warnings on warn (see Parse).
func Load(flagPath string, loc Locations, oldName, tool string, warn io.Writer) (Overrides, string, error) {
	if flagPath != "" {
		o, err := loadFile(flagPath, warn)
		if err != nil {
			return nil, "", err
		}
		return o, flagPath, nil
	}
	for _, p := range loc.Paths(oldName, tool) {
		o, err := loadFile(p, warn)
		if err != nil {
			if notExist(err) {
				continue
			}
			return nil, "", err
		}
		return o, p, nil
	}
	return Overrides{}, "", nil
}

func loadFile(path string, warn io.Writer) (Overrides, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("overrides file: %w", err)
	}
	defer f.Close()
	return Parse(f, path, warn)
}

// notExist is true when the file is not there, also when a directory on its
// path is a plain file.
func notExist(err error) bool {
	return errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// CountValue is a kingpin value for a command-line number: decimal digits
// only, so a typo is a usage error at parse time instead of a threshold of
// 0 (SPEC §7 item 11). Text, when set, keeps the number as typed, because
// report headers show `-m 010` as 010.
type CountValue struct {
	N    *int64
	Text *string
}

// Set implements kingpin.Value.
func (v CountValue) Set(s string) error {
	n, err := ParseCount(s)
	if err != nil {
		return err
	}
	*v.N = n
	if v.Text != nil {
		*v.Text = s
	}
	return nil
}

// String implements kingpin.Value.
func (v CountValue) String() string {
	if v.Text != nil {
		return *v.Text
	}
	return strconv.FormatInt(*v.N, 10)
}
