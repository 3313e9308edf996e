package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"syscall"

	"github.com/alecthomas/kingpin/v2"

	"github.com/spam-gear/spamcheck/pkg/journal"
)

// Journal holds the journal input flags of the checkers that read syslog
// lines (postfix-spam-check, php-legacy-spam-check, exim-spam-check).
type Journal struct {
	Local bool   // --journal
	Dir   string // --journal-dir
	// Command is the journalctl program and its first arguments; nil is
	// journalctl from PATH (tests run it in a namespace).
	Command []string
	// Use is set by Resolve: the journal is read instead of files.
	Use bool
}

// AddJournal registers --journal and --journal-dir on app.
func AddJournal(app *kingpin.Application, j *Journal) {
	app.Flag("journal", "Read the local systemd journal (through journalctl) instead of a log file; the default when no -l is given and the default log does not exist.").
		BoolVar(&j.Local)
	app.Flag("journal-dir", "Read the journal files in DIR (journalctl --directory), e.g. a collector's /var/log/journal/remote.").
		PlaceHolder("DIR").StringVar(&j.Dir)
}

// Resolve decides whether the journal is read (and sets Use): --journal or
// --journal-dir (not with -l: a usage error), or no -l and none of
// defaults exists while journalctl is installed (Debian 12 and later
// without rsyslog). When journalctl is not installed, the missing default
// log stays the error. It returns what the run reads, for messages and
// the JSON "logs": the journal's name, else the -l files, else the first
// default.
func (j *Journal) Resolve(logs []string, defaults []string) ([]string, error) {
	switch {
	case j.Local && j.Dir != "":
		return nil, fmt.Errorf("--journal and --journal-dir=%q: give one (--journal-dir reads DIR instead of the local journal)", j.Dir)
	case (j.Local || j.Dir != "") && len(logs) > 0:
		return nil, fmt.Errorf("-l/--log %q cannot be combined with --journal or --journal-dir: read either files or the journal", logs[0])
	case len(logs) > 0:
		return logs, nil
	}
	j.Use = j.Local || j.Dir != "" || j.defaultsMissing(defaults)
	if j.Use {
		src := j.Source()
		return []string{src.Name()}, nil
	}
	return defaults[:min(1, len(defaults))], nil
}

func (j *Journal) defaultsMissing(defaults []string) bool {
	for _, p := range defaults {
		if _, err := os.Stat(p); err == nil || !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			return false
		}
	}
	prog := "journalctl"
	if len(j.Command) > 0 {
		prog = j.Command[0]
	}
	_, err := exec.LookPath(prog)
	return err == nil
}

// Source returns the journal source for these flags.
func (j *Journal) Source() journal.Source {
	return journal.Source{Dir: j.Dir, Command: j.Command}
}
