package exim

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spam-gear/spamcheck/pkg/cli"
	"github.com/spam-gear/spamcheck/pkg/period"
	"github.com/spam-gear/spamcheck/pkg/threshold"
	"github.com/spam-gear/spamcheck/pkg/window"
)

// Name is the binary's name, kept from the old tool.
const Name = "exim-spam-check"

// OldName is the old tool's name, used for its overrides file
// (../conf/exim-spam-scan.overrides beside the binary).
const OldName = "exim-spam-scan"

// DefaultLogs are the main logs read without -l: the first that exists
// (Debian, other distributions, cPanel/RHEL).
var DefaultLogs = []string{"/var/log/exim4/mainlog", "/var/log/exim/mainlog", "/var/log/exim_mainlog"}

// Defaults of the two syntaxes: `exim-spam-check [SECONDS] [MAX_CONNECTIONS]`
// and `exim-spam-check [-p PERIOD] [-m MAX_CONNECTIONS]`.
const (
	DefaultSeconds = 3600
	DefaultMax     = "60"
	DefaultPeriod  = "1hour"
	DefaultFlagMax = "90"
)

// Options is a parsed command line.
type Options struct {
	cli.Common
	// Positional is the first syntax: the window is the last Seconds
	// seconds, a line exactly Seconds old included (the old tool compared
	// now - t <= SECONDS). Otherwise the window is Period, strict.
	Positional bool
	Seconds    int64
	Period     period.Period
	MaxText    string // MAX_CONNECTIONS as typed, for the header
	Max        int64
	Auth       bool // also count authenticated ids (A=name:id)
	Overrides  threshold.Overrides
	// DefaultLogs are tried in order when no -l is given.
	DefaultLogs []string
	// Journal is --journal/--journal-dir; Journal.Use when the journal is
	// read instead of files (set by Inputs).
	Journal cli.Journal
}

// Main runs exim-spam-check with the process's arguments (without the
// program name) and returns the exit status.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return run(args, stdin, stdout, stderr, time.Now(), time.Local, DefaultLogs)
}

// run is Main with the clock, the local time zone and the default log
// candidates injected, for tests.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer, now time.Time, loc *time.Location, defaultLogs []string) int {
	opts, code, stop := parseArgs(args, stdout, stderr, now, loc)
	if stop {
		return code
	}
	opts.DefaultLogs = defaultLogs
	return Run(opts, stdin, stdout, stderr)
}

// argValue is a positional argument that remembers whether it was given, so
// that an explicit "" is a usage error rather than a missing argument.
type argValue struct {
	text string
	set  bool
}

func (v *argValue) Set(s string) error {
	v.text, v.set = s, true
	return nil
}

func (v *argValue) String() string { return v.text }

const help = `Report the local users, SMTP senders (and, with --auth, authenticated ids) that sent more than MAX_CONNECTIONS messages through Exim in the last SECONDS or PERIOD.

Two syntaxes: exim-spam-check [SECONDS] [MAX_CONNECTIONS] (defaults 3600 and 60; a line exactly SECONDS old counts), and exim-spam-check [-p PERIOD] [-m MAX_CONNECTIONS] (defaults 1hour and 90). With no argument the first applies; -m N SECONDS is the first with threshold N.`

func parseArgs(args []string, stdout, stderr io.Writer, now time.Time, loc *time.Location) (*Options, int, bool) {
	o := &Options{}
	o.Loc = loc
	app := cli.New(Name, help, stdout, stderr)
	cli.AddManual(app, &manual, stdout, stderr)
	cli.AddCommon(app, &o.Common, "the first existing of "+strings.Join(DefaultLogs, ", "), now)
	cli.AddJournal(app, &o.Journal)
	var periodSet, maxSet bool
	app.Flag("period", `A period such as "1hour", "30minutes" or "1hour30minutes" (date(1)-like units); default 1hour. Not with SECONDS.`).
		Short('p').PlaceHolder("PERIOD").IsSetByUser(&periodSet).SetValue(period.NewValue(&o.Period, DefaultPeriod))
	maxFlag := app.Flag("max-connections", "Report keys with more than N messages (default 90, or 60 with SECONDS); per-key overrides may change N. Not with a positional MAX_CONNECTIONS.").
		Short('m').PlaceHolder("N").IsSetByUser(&maxSet).String()
	overrides := app.Flag("overrides", "Per-key thresholds: lines of 'KEY THRESHOLD', KEY a user, HELO, host or id (default: ../conf/"+OldName+".overrides beside the binary, then /etc/spam-gear/"+Name+".overrides).").
		PlaceHolder("FILE").String()
	app.Flag("auth", "Also report authenticated senders, keyed by the id in A=authenticator:id.").BoolVar(&o.Auth)
	var secondsArg, maxArg argValue
	app.Arg("seconds", "The window in seconds (default 3600).").PlaceHolder("SECONDS").SetValue(&secondsArg)
	app.Arg("max-connections", "Report keys with more than this many messages (default 60).").PlaceHolder("MAX_CONNECTIONS").SetValue(&maxArg)

	if code, stop := cli.Parse(app, args, stderr); stop {
		return nil, code, true
	}
	usage := func(format string, a ...any) (*Options, int, bool) {
		cli.UsageError(stderr, Name, fmt.Errorf(format, a...))
		return nil, cli.ExitUsage, true
	}
	switch {
	case periodSet && secondsArg.set:
		return usage("-p/--period cannot be combined with SECONDS %q: use exim-spam-check [SECONDS] [MAX_CONNECTIONS] or exim-spam-check [-p PERIOD] [-m MAX_CONNECTIONS]", secondsArg.text)
	case maxSet && maxArg.set:
		return usage("-m/--max-connections %q cannot be combined with MAX_CONNECTIONS %q: give the threshold once", *maxFlag, maxArg.text)
	}

	o.Positional = secondsArg.set || !periodSet && !maxSet
	o.MaxText = DefaultFlagMax
	if o.Positional {
		o.Seconds, o.MaxText = DefaultSeconds, DefaultMax
		if secondsArg.set {
			n, err := threshold.ParseCount(secondsArg.text)
			if err != nil {
				return usage("SECONDS: %v", err)
			}
			o.Seconds = n
		}
	}
	switch {
	case maxArg.set:
		o.MaxText = maxArg.text
	case maxSet:
		o.MaxText = *maxFlag
	}
	n, err := threshold.ParseCount(o.MaxText)
	if err != nil {
		return usage("MAX_CONNECTIONS: %v", err)
	}
	o.Max = n

	if o.Journal.Local || o.Journal.Dir != "" {
		if _, err := o.Journal.Resolve(o.Logs, nil); err != nil {
			return usage("%v", err)
		}
	}
	ov, code, stop := cli.LoadOverrides(Name, *overrides, OldName, stderr)
	if stop {
		return nil, code, true
	}
	o.Overrides = ov
	return o, cli.ExitOK, false
}

// PeriodText is the window as a PERIOD: as typed in the flag form,
// "SECONDSseconds" (decimal) in the positional form.
func (o *Options) PeriodText() string {
	if o.Positional {
		return strconv.FormatInt(o.Seconds, 10) + "seconds"
	}
	return o.Period.Text
}

// maxSeconds is the largest SECONDS a time.Duration holds (about 292
// years); a longer window is the whole log.
const maxSeconds = int64(math.MaxInt64 / int64(time.Second))

// Window is the interval counted. A zero Start (SECONDS beyond maxSeconds)
// counts every line.
func (o *Options) Window() window.Window {
	var w window.Window
	switch {
	case !o.Positional:
		w.Start = o.Period.Start(o.Now)
	case o.Seconds <= maxSeconds:
		w.Start, w.Inclusive = o.Now.Add(-time.Duration(o.Seconds)*time.Second), true
	default:
		w.Inclusive = true
	}
	return w
}

// Inputs returns the logs to read: the -l files, else the first of
// DefaultLogs that exists. A candidate that cannot be examined (a
// permission error) counts as existing, so that reading it reports the
// real problem. With --journal or --journal-dir, or when no default exists
// and journalctl is installed, it sets Journal.Use and returns the
// journal's name.
func (o *Options) Inputs() ([]string, error) {
	if logs, err := o.Journal.Resolve(o.Logs, o.DefaultLogs); err != nil || o.Journal.Use {
		return logs, err
	}
	if len(o.Logs) > 0 {
		return o.Logs, nil
	}
	for _, p := range o.DefaultLogs {
		if _, err := os.Stat(p); err == nil || !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			return []string{p}, nil
		}
	}
	return nil, fmt.Errorf("no Exim main log found (looked for %s); name one with -l", strings.Join(o.DefaultLogs, ", "))
}
