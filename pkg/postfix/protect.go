package postfix

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// The system files that say which accounts are protected. They are
// variables so that tests (and a build with -ldflags -X) can point
// elsewhere; nothing in the environment changes them.
var (
	PasswdFile    = "/etc/passwd"
	LoginDefsFile = "/etc/login.defs"
)

// defaultUIDMin is the first uid of an ordinary user when login.defs does not
// set UID_MIN (shadow's default; Debian's and RHEL's login.defs say 1000).
const defaultUIDMin = 1000

// maxSystemFile caps what is read of passwd and login.defs: a bigger file is
// an error, not a reason to fill the memory.
const maxSystemFile = 64 << 20

// protection decides which users are never disabled (SPEC §2): root, every
// local account whose uid is below UID_MIN, and the --protect names. Names
// compare case-insensitively (ASCII), because a --disable-command may look
// them up in a case-insensitive table (SQL collations, Postfix maps), where
// ROOT is root. The system files are read once, on the first question.
type protection struct {
	passwd, loginDefs string
	extra             []string

	loaded bool
	system map[string]bool // lower-cased names of the accounts below UID_MIN
	err    error           // passwd or login.defs could not be read: protect everyone
}

func newProtection(o *Options) *protection {
	return &protection{passwd: o.PasswdFile, loginDefs: o.LoginDefs, extra: o.Protect}
}

// protected reports whether user must never be disabled. When the system
// files cannot be read it returns the error: then nobody may be disabled
// (we cannot tell a system account from a customer's), except that the
// answer for root and the --protect names is still known.
func (p *protection) protected(user string) (bool, error) {
	if strings.EqualFold(user, "root") {
		return true, nil
	}
	for _, name := range p.extra {
		if strings.EqualFold(user, name) {
			return true, nil
		}
	}
	if !p.loaded {
		p.loaded = true
		p.system, p.err = loadSystemAccounts(p.passwd, p.loginDefs)
	}
	if p.err != nil {
		return false, p.err
	}
	return p.system[strings.ToLower(user)], nil
}

// loadSystemAccounts returns the lower-cased names of passwd's accounts
// whose uid is below login.defs' UID_MIN.
func loadSystemAccounts(passwd, loginDefs string) (map[string]bool, error) {
	uidMin := uint64(defaultUIDMin)
	defs, err := readCapped(loginDefs)
	switch {
	case err == nil:
		if uidMin, err = parseUIDMin(defs); err != nil {
			return nil, fmt.Errorf("%s: %w", loginDefs, err)
		}
	case !errors.Is(err, fs.ErrNotExist): // a missing login.defs means the default
		return nil, err
	}
	data, err := readCapped(passwd)
	if err != nil {
		return nil, err
	}
	return systemAccounts(data, uidMin), nil
}

// systemAccounts returns the lower-cased names of the passwd lines whose
// uid is below uidMin. A line whose uid is not a number protects its name
// too (when in doubt, do not lock). NIS compat entries ("+", "-name") are
// not accounts of this file and are skipped.
func systemAccounts(passwd []byte, uidMin uint64) map[string]bool {
	system := map[string]bool{}
	for line := range bytes.Lines(passwd) {
		name, rest, ok := bytes.Cut(bytes.TrimRight(line, "\r\n"), []byte(":"))
		if !ok || len(name) == 0 || name[0] == '+' || name[0] == '-' {
			continue
		}
		_, rest, _ = bytes.Cut(rest, []byte(":")) // the password field
		uidText, _, _ := bytes.Cut(rest, []byte(":"))
		if uid, err := strconv.ParseUint(string(uidText), 10, 32); err != nil || uid < uidMin {
			system[strings.ToLower(string(name))] = true
		}
	}
	return system
}

// parseUIDMin returns login.defs' UID_MIN: the last "UID_MIN N" line
// (blanks between; "#" comments ignored), or the default when there is
// none. A value that is not a decimal number is an error: a typo must not
// silently lower the bound.
func parseUIDMin(defs []byte) (uint64, error) {
	uidMin := uint64(defaultUIDMin)
	var bad error
	for line := range bytes.Lines(defs) {
		fields := bytes.Fields(line)
		if len(fields) == 0 || string(fields[0]) != "UID_MIN" {
			continue
		}
		if len(fields) < 2 {
			bad = errors.New("UID_MIN without a value")
			continue
		}
		v, err := strconv.ParseUint(string(fields[1]), 10, 32)
		if err != nil {
			bad = fmt.Errorf("UID_MIN %q is not a number", fields[1])
			continue
		}
		uidMin, bad = v, nil
	}
	return uidMin, bad
}

// readCapped reads the file at path whole, up to maxSystemFile.
func readCapped(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSystemFile+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(data) > maxSystemFile {
		return nil, fmt.Errorf("%s: larger than %d MiB", path, maxSystemFile>>20)
	}
	return data, nil
}
