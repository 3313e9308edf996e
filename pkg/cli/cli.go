// Package cli holds what the four checkers' command lines share: exit
// codes, the kingpin application set-up, and the common flags (-l/--log,
// --now, --format). Mains stay thin: they build an app, call AddCommon and
// Parse, and hand an options struct to their tool's package.
package cli

import (
	"bufio"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"time"
	// Zone names written in logs (PHP's mail.log) and TZ must resolve even
	// on a host without the tzdata package; this adds about 450 KB.
	_ "time/tzdata"

	"github.com/alecthomas/kingpin/v2"

	"github.com/spam-gear/spamcheck/pkg/report"
	"github.com/spam-gear/spamcheck/pkg/threshold"
	"github.com/spam-gear/spamcheck/pkg/timestamp"
)

// Exit statuses of every checker (SPEC §1).
const (
	ExitOK      = 0 // the scan ran, whatever it found
	ExitRuntime = 1 // a log could not be read or an action failed
	ExitUsage   = 2 // the old tools' status for bad arguments
)

// Version is the release this source tree is (bumped when a vX.Y.Z tag is
// made); the JSON document carries it. Revision is the commit it was built
// from: set at link time (-X, `git describe --always --dirty`), else the one
// Go recorded from the checkout, else "unknown".
var (
	Version  = "0.1.0"
	Revision = ""
)

// VersionString is what --version prints, in the form the Prometheus tools
// use: "NAME, version X (revision R)".
func VersionString(name string) string {
	return fmt.Sprintf("%s, version %s (revision %s)", name, Version, revision())
}

func revision() string {
	if Revision != "" {
		return Revision
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		rev, dirty := "", false
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if rev != "" && dirty {
			rev += "-dirty"
		}
		if rev != "" {
			return rev
		}
	}
	return "unknown"
}

// Format values of --format.
const (
	FormatText = "text"
	FormatJSON = "json"
)

// Common holds the flags every checker has.
type Common struct {
	Logs   []string
	Now    time.Time // the clock unless --now was given
	NowSet bool
	Format string
	Loc    *time.Location
}

// exit is how a kingpin action (help, version) stops parsing: kingpin calls
// its terminate hook and would otherwise carry on parsing. Kingpin's own
// non-zero codes are usage errors; keep marks a code of ours (--help-man
// failing) that Parse returns as it is.
type exit struct {
	code int
	keep bool
}

// New returns a kingpin application that writes help and version to
// stdout, errors to stderr, and never calls os.Exit itself.
func New(name, help string, stdout, stderr io.Writer) *kingpin.Application {
	app := kingpin.New(name, help)
	app.UsageWriter(stdout)
	app.ErrorWriter(stderr)
	app.Version(VersionString(name))
	app.HelpFlag.Short('h')
	app.Terminate(func(code int) { panic(exit{code: code}) })
	return app
}

// AddCommon registers -l/--log, --now and --format on app. defaultLog is the
// help text's description of what is read without -l.
func AddCommon(app *kingpin.Application, c *Common, defaultLog string, now time.Time) {
	if c.Loc == nil {
		c.Loc = time.Local
	}
	c.Now = now
	app.Flag("log", "Read FILE instead of "+defaultLog+" (repeatable; - is standard input; *.gz is decompressed).").
		Short('l').PlaceHolder("FILE").StringsVar(&c.Logs)
	app.Flag("now", "Evaluate the period as of TIME (2006-01-02T15:04:05, 2006-01-02 15:04:05 in local time, or RFC 3339) instead of the clock.").
		PlaceHolder("TIME").SetValue(&nowValue{c})
	app.Flag("format", "Output format: text (the old tools' report) or json.").
		Default(FormatText).EnumVar(&c.Format, FormatText, FormatJSON)
}

type nowValue struct{ c *Common }

func (v *nowValue) Set(s string) error {
	t, err := timestamp.ParseNow(s, v.c.Loc)
	if err != nil {
		return err
	}
	v.c.Now, v.c.NowSet = t, true
	return nil
}

func (v *nowValue) String() string {
	if !v.c.NowSet {
		return ""
	}
	return v.c.Now.Format(time.RFC3339Nano)
}

// Parse parses args. When stop is true the caller must return code at once:
// help or version was printed (0), or a usage error was reported on stderr
// as one line naming the tool (2).
func Parse(app *kingpin.Application, args []string, stderr io.Writer) (code int, stop bool) {
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(exit)
			if !ok {
				panic(r)
			}
			code, stop = e.code, true
			if code != ExitOK && !e.keep {
				code = ExitUsage
			}
		}
	}()
	if _, err := app.Parse(joinDashValues(app, args)); err != nil {
		UsageError(stderr, app.Name, err)
		return ExitUsage, true
	}
	return ExitOK, false
}

// UsageError prints a usage error the way every checker does.
func UsageError(stderr io.Writer, tool string, err error) {
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	fmt.Fprintf(stderr, "%s: error: %s, try --help\n", tool, msg)
}

// LoadOverrides reads the per-key thresholds for tool (SPEC §1): the file
// named by --overrides (flagPath), else the old tool's conf/ file beside
// the binary (oldName), else /etc/spam-gear/<tool>.overrides. An unreadable
// --overrides file is a usage error, so that a typo never silently drops
// the administrator's thresholds; an unreadable default file is a runtime
// error, because scanning without it could report (and lock) users it
// exempts. When stop is true the caller returns code.
func LoadOverrides(tool, flagPath, oldName string, stderr io.Writer) (ov threshold.Overrides, code int, stop bool) {
	warn := PrefixLines(stderr, tool+": ")
	ov, _, err := threshold.Load(flagPath, threshold.DefaultLocations(), oldName, tool, warn)
	switch {
	case err == nil:
		return ov, ExitOK, false
	case flagPath != "":
		UsageError(stderr, tool, err)
		return nil, ExitUsage, true
	default:
		fmt.Fprintf(stderr, "%s: %v\n", tool, err)
		return nil, ExitRuntime, true
	}
}

// PrefixLines returns a writer that starts every line written through it
// with prefix, so that warnings from packages that do not know the tool's
// name (overrides, the journal reader) carry the "TOOL: " every other
// message has.
func PrefixLines(w io.Writer, prefix string) io.Writer {
	return &prefixWriter{w: w, prefix: prefix, atStart: true}
}

type prefixWriter struct {
	w       io.Writer
	prefix  string
	atStart bool // the next byte starts a line
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	var out []byte
	for _, c := range b {
		if p.atStart {
			out = append(out, p.prefix...)
		}
		out = append(out, c)
		p.atStart = c == '\n'
	}
	if _, err := p.w.Write(out); err != nil {
		return 0, err
	}
	return len(b), nil
}

// joinDashValues rewrites `-l -` and `--log -` as `--log=-`: kingpin reads a
// lone "-" after a flag as an empty value, but "-" is how every checker
// names standard input. Likewise a value that starts with '-' and a digit
// (`--max-disable -1`, `-p -5min`): no flag is spelled so, and kingpin would
// say only "expected argument for flag", where the flag's own parser names
// the bad value and what it expects.
func joinDashValues(app *kingpin.Application, args []string) []string {
	long := map[string]string{}
	for _, f := range app.Model().Flags {
		if f.IsBoolFlag() {
			continue
		}
		long["--"+f.Name] = f.Name
		if f.Short != 0 {
			long["-"+string(f.Short)] = f.Name
		}
	}
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		if args[i] == "--" {
			return append(out, args[i:]...)
		}
		if name, ok := long[args[i]]; ok && i+1 < len(args) {
			if v := args[i+1]; v == "-" || len(v) > 1 && v[0] == '-' && '0' <= v[1] && v[1] <= '9' {
				out = append(out, "--"+name+"="+v)
			} else {
				out = append(out, args[i], args[i+1])
			}
			i++
			continue
		}
		out = append(out, args[i])
	}
	return out
}

// Errors returns the errors joined in err (errors.Join: one per input that
// could not be read), so that each gets its own stderr line and JSON entry;
// nil for nil.
func Errors(err error) []error {
	if err == nil {
		return nil
	}
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return []error{err}
	}
	var all []error
	for _, e := range j.Unwrap() {
		all = append(all, Errors(e)...)
	}
	return all
}

// Finish ends a run's output: in JSON mode (doc not nil) it writes doc,
// stamped with the version; then it flushes out. A failed write is reported
// on stderr and makes the status ExitRuntime.
func Finish(out *bufio.Writer, stderr io.Writer, tool string, doc *report.Document, status int) int {
	if doc != nil {
		doc.Version = Version
		if err := report.Write(out, doc); err != nil {
			status = ExitRuntime
		}
	}
	if err := out.Flush(); err != nil {
		fmt.Fprintf(stderr, "%s: writing the report: %v\n", tool, err)
		status = ExitRuntime
	}
	return status
}
