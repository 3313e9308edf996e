package phpsendmail

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// ConfigPath is the configuration file phpsendmail reads. It is a variable
// only so that tests can build the binary with another one:
//
//	go build -ldflags "-X github.com/spam-gear/spamcheck/pkg/phpsendmail.ConfigPath=/tmp/t/phpsendmail.conf"
//
// Nothing at run time changes it: no option, no environment variable.
var ConfigPath = "/etc/spamcheck/phpsendmail.conf"

// maxConfig bounds how much of the configuration file is read.
const maxConfig = 64 << 10

// Config holds the two settings of phpsendmail.conf; an empty field means
// the default (SendmailPath, SocketPath).
type Config struct {
	Sendmail     string // sendmail = PATH
	SyslogSocket string // syslog_socket = PATH
}

// LoadConfig reads the configuration file at path. A missing file is the
// default configuration, silently. A file that root does not own, that
// someone else could change (group or other write permission on it or on
// its directory), that is not a regular file (a symbolic link included),
// or that cannot be read, is ignored as a whole with one warning on stderr:
// PHP scripts run as users who must not be able to choose the program
// phpsendmail executes or the socket it logs to. Within a trusted file, a
// line that is not "sendmail = PATH" or "syslog_socket = PATH" with an
// absolute PATH is skipped with a warning naming its number (a relative
// path would be resolved against the PHP script's directory).
func LoadConfig(path string, stderr io.Writer) Config {
	data, err := readTrusted(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Config{}
	}
	if err != nil {
		fmt.Fprintf(stderr, "phpsendmail: warning: ignoring %s: %v; using the defaults\n", sanitize(path, MaxValue), err)
		return Config{}
	}
	var c Config
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, maxConfig+1)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		var field *string
		switch key {
		case "sendmail":
			field = &c.Sendmail
		case "syslog_socket":
			field = &c.SyslogSocket
		}
		switch {
		case !ok || field == nil:
			fmt.Fprintf(stderr, "phpsendmail: warning: %s:%d: not \"sendmail = PATH\" or \"syslog_socket = PATH\"; line ignored\n", sanitize(path, MaxValue), n)
		case !filepath.IsAbs(value):
			fmt.Fprintf(stderr, "phpsendmail: warning: %s:%d: %s must be an absolute path; line ignored\n", sanitize(path, MaxValue), n, key)
		default:
			*field = value
		}
	}
	return c
}

// readTrusted returns the contents of path if it is a regular file owned
// by root, writable by nobody else, in a directory owned by root and
// writable by nobody else. The checks are made on the opened file, so a
// rename between check and read cannot swap it; the last component is not
// followed if it is a symbolic link.
func readTrusted(path string) ([]byte, error) {
	// O_NONBLOCK: opening a FIFO must not wait for a writer.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if errors.Is(err, syscall.ELOOP) {
		return nil, errors.New("is a symbolic link")
	}
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, bareError(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, bareError(err)
	}
	if !fi.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	if err := trustedOwner(fi, "it"); err != nil {
		return nil, err
	}
	di, err := os.Stat(filepath.Dir(path))
	if err != nil {
		return nil, bareError(err)
	}
	if err := trustedOwner(di, "its directory"); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, maxConfig+1))
	if err != nil {
		return nil, bareError(err)
	}
	if len(data) > maxConfig {
		return nil, fmt.Errorf("longer than %d bytes", maxConfig)
	}
	return data, nil
}

// trustedOwner checks that fi is owned by root and not writable by group
// or others.
func trustedOwner(fi fs.FileInfo, what string) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Errorf("cannot tell who owns %s", what)
	}
	if st.Uid != 0 {
		return fmt.Errorf("%s is owned by uid %d, not root", what, st.Uid)
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("%s is writable by group or others (mode %04o)", what, fi.Mode().Perm())
	}
	return nil
}

// SocketPath returns the syslog socket: the configured one, else
// DefaultSocket.
func SocketPath(c Config) string {
	if c.SyslogSocket != "" {
		return c.SyslogSocket
	}
	return DefaultSocket
}

// SendmailPath returns the program to execute: the configured one, else
// the first of /usr/lib/sendmail and /usr/sbin/sendmail that exists (the
// latter if neither does).
func SendmailPath(c Config, exists func(string) bool) string {
	if c.Sendmail != "" {
		return c.Sendmail
	}
	for _, p := range sendmailCandidates[:len(sendmailCandidates)-1] {
		if exists(p) {
			return p
		}
	}
	return sendmailCandidates[len(sendmailCandidates)-1]
}
