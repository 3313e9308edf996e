package postfix

import (
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"

	"github.com/spam-gear/spamcheck/pkg/cli"
	"github.com/spam-gear/spamcheck/pkg/period"
	"github.com/spam-gear/spamcheck/pkg/threshold"
)

// Name is the binary's name, kept from the old tool.
const Name = "postfix-spam-check"

// DefaultLog is read when no -l is given.
const DefaultLog = "/var/log/mail.log"

// Options is a parsed command line.
type Options struct {
	cli.Common
	Period      period.Period
	MaxText     string // -m as typed, for the header
	Max         int64
	Disable     bool
	MaxNets     int64
	MaxUnknowns int64
	NIS         string // master server; "" when locking local accounts
	Webmail     []netip.Addr
	Overrides   threshold.Overrides
	DryRun      bool
	// DisableCommand replaces passwd/ssh when non-empty.
	DisableCommand []string
	// MaxDisable caps the users acted on in one run; negative means no cap.
	MaxDisable int64
	// State is --state: the file remembering who was acted on.
	State string
	// Protect is --protect: names never disabled, besides root and the
	// system accounts of PasswdFile (uid below LoginDefs' UID_MIN).
	Protect               []string
	PasswdFile, LoginDefs string
	// Journal is --journal/--journal-dir; Journal.Use when the journal is
	// read instead of Logs.
	Journal cli.Journal
}

// Main runs postfix-spam-check with the process's arguments (without the
// program name) and returns the exit status.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return run(args, stdin, stdout, stderr, time.Now(), time.Local)
}

// run is Main with the clock and the local time zone injected, for tests.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer, now time.Time, loc *time.Location) int {
	opts, code, stop := parseArgs(args, stdout, stderr, now, loc)
	if stop {
		return code
	}
	return Run(opts, stdin, stdout, stderr)
}

func parseArgs(args []string, stdout, stderr io.Writer, now time.Time, loc *time.Location) (*Options, int, bool) {
	o := &Options{MaxText: "90", Max: 90, MaxDisable: -1, PasswdFile: PasswdFile, LoginDefs: LoginDefsFile}
	o.Loc = loc
	app := cli.New(Name, "Report SASL-authenticated Postfix users with too many connections in the last PERIOD; optionally lock their accounts and mail root.", stdout, stderr)
	cli.AddManual(app, &manual, stdout, stderr)
	cli.AddCommon(app, &o.Common, DefaultLog, now)
	cli.AddJournal(app, &o.Journal)
	periodValue := period.NewValue(&o.Period, "1hour")
	app.Flag("period", `A period such as "1hour", "30minutes" or "1hour30minutes" (date(1)-like units).`).
		Short('p').Default("1hour").SetValue(periodValue)
	app.Flag("max-connections", "Report users with at least N connections in the period (default 90; per-user overrides may change N).").
		Short('m').PlaceHolder("N").Default("90").SetValue(threshold.CountValue{N: &o.Max, Text: &o.MaxText})
	dv := &disableValue{o: o}
	app.Flag("dissable-account", "Disable reported users seen from more than MAX_NETWORKS networks and more than MAX_UNKNOWNS unknown addresses (a single N means N,N). Also --dissable-acount and --disable-account.").
		Short('d').PlaceHolder("MAX_NETWORKS,MAX_UNKNOWNS").SetValue(dv)
	app.Flag("dissable-acount", "Old spelling of --dissable-account.").Hidden().SetValue(dv)
	app.Flag("disable-account", "Same as --dissable-account.").Hidden().SetValue(dv)
	var nisSet bool
	nis := app.Flag("niss", "Disable NIS accounts on MASTER_SERVER (over ssh) instead of local accounts; MASTER_SERVER defaults to localhost. Also --nis.").
		Short('n').PlaceHolder("MASTER_SERVER").IsSetByUser(&nisSet).String()
	app.Flag("webmail", "Webmail server addresses whose connections are counted separately.").
		Short('w').PlaceHolder("IP[,IP...]").SetValue(webmailValue{&o.Webmail})
	overrides := app.Flag("overrides", "Per-user thresholds: lines of 'USER THRESHOLD' (default: ../conf/postfix-spam-scan.overrides beside the binary, then /etc/spam-gear/postfix-spam-check.overrides).").
		PlaceHolder("FILE").String()
	app.Flag("dry-run", "Print everything as if disabling, but run no command.").BoolVar(&o.DryRun)
	disableCommand := app.Flag("disable-command", "Run CMD USER instead of passwd/ssh to disable a user (CMD is split on blanks, no shell).").
		PlaceHolder("CMD").String()
	app.Flag("state", "Remember disabled users in FILE; a user disabled within the period is not locked or mailed again.").
		PlaceHolder("FILE").StringVar(&o.State)
	app.Flag("max-disable", "Never disable more than N users in one run (those with the highest counts first).").PlaceHolder("N").
		SetValue(threshold.CountValue{N: &o.MaxDisable})
	app.Flag("protect", "Never disable these users (root and the system accounts, uid below UID_MIN, never are).").
		PlaceHolder("USER[,USER...]").SetValue(protectValue{&o.Protect})

	if code, stop := cli.Parse(app, preprocessArgs(args), stderr); stop {
		return nil, code, true
	}
	if nisSet {
		o.NIS = *nis
		if o.NIS == "" {
			cli.UsageError(stderr, Name, fmt.Errorf("empty NIS master server"))
			return nil, cli.ExitUsage, true
		}
	}
	if *disableCommand != "" {
		o.DisableCommand = strings.Fields(*disableCommand)
		if len(o.DisableCommand) == 0 {
			cli.UsageError(stderr, Name, fmt.Errorf("empty --disable-command"))
			return nil, cli.ExitUsage, true
		}
	}
	ov, code, stop := cli.LoadOverrides(Name, *overrides, "postfix-spam-scan", stderr)
	if stop {
		return nil, code, true
	}
	o.Overrides = ov
	logs, err := o.Journal.Resolve(o.Logs, []string{defaultLog})
	if err != nil {
		cli.UsageError(stderr, Name, err)
		return nil, cli.ExitUsage, true
	}
	o.Logs = logs
	return o, cli.ExitOK, false
}
