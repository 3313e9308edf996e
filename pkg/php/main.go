package php

import (
	"io"
	"time"

	"github.com/spam-gear/spamcheck/pkg/cli"
	"github.com/spam-gear/spamcheck/pkg/period"
	"github.com/spam-gear/spamcheck/pkg/threshold"
)

// Names of the binaries, kept from the old tools.
const (
	Name       = "php-spam-check"
	LegacyName = "php-legacy-spam-check"
)

// Logs read when no -l is given.
const (
	DefaultLog       = "/var/log/phpmail.log"
	DefaultLegacyLog = "/var/log/mail.log"
)

// Options is a parsed php-spam-check command line.
type Options struct {
	cli.Common
	// Period restricts counting to dated lines in the window; only when
	// PeriodSet (-p given). Without it the whole log counts.
	Period    period.Period
	PeriodSet bool
	Max       int64 // MAX_DAILY_MAILS
}

// LegacyOptions is a parsed php-legacy-spam-check command line.
type LegacyOptions struct {
	cli.Common
	Minutes int64 // MINUTES as given; the window is LegacyWindow(Minutes)
	Max     int64 // MAX_MAILS
	// Journal is --journal/--journal-dir; Journal.Use when the journal is
	// read instead of Logs.
	Journal cli.Journal
}

// Main runs php-spam-check with the process's arguments (without the
// program name) and returns the exit status.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o, code, stop := parseArgs(args, stdout, stderr, time.Now(), nil)
	if stop {
		return code
	}
	return Run(o, stdin, stdout, stderr)
}

// LegacyMain runs php-legacy-spam-check with the process's arguments
// (without the program name) and returns the exit status.
func LegacyMain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o, code, stop := parseLegacyArgs(args, stdout, stderr, time.Now(), nil)
	if stop {
		return code
	}
	return RunLegacy(o, stdin, stdout, stderr)
}

// parseArgs parses php-spam-check's command line; loc nil means time.Local.
func parseArgs(args []string, stdout, stderr io.Writer, now time.Time, loc *time.Location) (*Options, int, bool) {
	o := &Options{Max: 500}
	o.Loc = loc
	app := cli.New(Name, "Print the PHP scripts that sent at least MAX_DAILY_MAILS mails according to PHP's mail.log (the whole log, which is rotated daily, or the last PERIOD with -p), one path per line.", stdout, stderr)
	cli.AddManual(app, &manual, stdout, stderr)
	cli.AddCommon(app, &o.Common, DefaultLog, now)
	app.Flag("period", `Count only dated lines of the last PERIOD, such as "1day" or "6hours" (date(1)-like units), reading the previous rotation when needed; default: every line of the log.`).
		Short('p').PlaceHolder("PERIOD").IsSetByUser(&o.PeriodSet).SetValue(period.NewValue(&o.Period, "1day"))
	app.Arg("MAX_DAILY_MAILS", "Report scripts with at least this many mails (decimal digits; default 500).").
		Default("500").SetValue(threshold.CountValue{N: &o.Max})
	if code, stop := cli.Parse(app, args, stderr); stop {
		return nil, code, true
	}
	if len(o.Logs) == 0 {
		o.Logs = []string{DefaultLog}
	}
	return o, cli.ExitOK, false
}

// parseLegacyArgs parses php-legacy-spam-check's command line; loc nil
// means time.Local.
func parseLegacyArgs(args []string, stdout, stderr io.Writer, now time.Time, loc *time.Location) (*LegacyOptions, int, bool) {
	o := &LegacyOptions{Minutes: 10, Max: 10}
	o.Loc = loc
	app := cli.New(LegacyName, "Print the PHP scripts that sent at least MAX_MAILS mails through the phpsendmail wrapper in the last MINUTES×1.2 minutes (so that runs every MINUTES overlap), one path per line.", stdout, stderr)
	cli.AddManual(app, &legacyManual, stdout, stderr)
	cli.AddCommon(app, &o.Common, DefaultLegacyLog, now)
	cli.AddJournal(app, &o.Journal)
	app.Arg("MINUTES", "Look back MINUTES×1.2 minutes, truncated to whole minutes (decimal digits; default 10).").
		Default("10").SetValue(threshold.CountValue{N: &o.Minutes})
	app.Arg("MAX_MAILS", "Report scripts with at least this many mails (decimal digits; default 10).").
		Default("10").SetValue(threshold.CountValue{N: &o.Max})
	if code, stop := cli.Parse(app, args, stderr); stop {
		return nil, code, true
	}
	logs, err := o.Journal.Resolve(o.Logs, []string{defaultLegacyLog})
	if err != nil {
		cli.UsageError(stderr, LegacyName, err)
		return nil, cli.ExitUsage, true
	}
	o.Logs = logs
	return o, cli.ExitOK, false
}
