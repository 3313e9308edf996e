package postfix

import (
	"bufio"
	"fmt"
	"io"
	"time"

	"github.com/spam-gear/spamcheck/pkg/action"
)

// disabler applies -d to reported users, in the old tool's order: the
// NIS/LOCAL label, the lock, the mail, then the report line with
// " [DISABLED]".
type disabler struct {
	o      *Options
	out    *bufio.Writer // the report; flushed before a command writes to the same stdout
	stderr io.Writer
	runner *action.Runner
	text   bool // print the NIS/LOCAL label (text format only)
	acted  int64
	// state is --state; nil without it. since and now bound what it remembers.
	state      *state
	since, now time.Time
	warnedBad  bool
}

// eligible reports whether -d's boundary conditions hold for u: more
// networks and more unknown addresses than allowed.
func (d *disabler) eligible(u *User) bool {
	return d.o.Disable && u.Nets > d.o.MaxNets && u.Unknowns > d.o.MaxUnknowns
}

// maybeDisable acts on u when it is eligible. It returns the suffix for the
// report line, the JSON action, and ok=false when a command failed.
func (d *disabler) maybeDisable(u *User, line string) (suffix, act string, ok bool) {
	if !d.eligible(u) {
		return "", "", true
	}
	if !action.SafeUser(u.Name) {
		fmt.Fprintf(d.stderr, "%s: warning: not disabling user %q: the name has characters that are never acted on\n", Name, u.Name)
		return "", "unsafe_user", true
	}
	if d.state != nil {
		if d.state.broken != nil {
			if !d.warnedBad {
				fmt.Fprintf(d.stderr, "%s: %v; nobody is disabled until it is repaired or removed\n", Name, d.state.broken)
				d.warnedBad = true
			}
			return "", "state_unusable", false
		}
		if d.state.actedSince(u.Name, d.since) {
			return " [DISABLED]", "already_disabled", true
		}
	}
	if d.o.MaxDisable >= 0 && d.acted >= d.o.MaxDisable {
		fmt.Fprintf(d.stderr, "%s: [NOT DISABLED: limit %d reached]\n", u.Name, d.o.MaxDisable)
		return "", "limit_reached", true
	}
	d.acted++
	if d.state != nil && !d.o.DryRun {
		// Saved before acting: if the state cannot be saved, the next run
		// would repeat the lock and the mail, so nothing is done now.
		if err := d.state.record(u.Name, d.now, d.since); err != nil {
			fmt.Fprintf(d.stderr, "%s: not disabling %s: %v\n", Name, u.Name, err)
			return "", "state_unwritable", false
		}
	}
	if d.text && len(d.o.DisableCommand) == 0 {
		if d.o.NIS != "" {
			d.out.WriteString("NIS\n")
		} else {
			d.out.WriteString("LOCAL\n")
		}
	}
	if d.o.DryRun {
		return " [DISABLED]", "dry_run", true
	}
	// The lock command writes to the same stdout: keep the order.
	d.out.Flush()
	var err error
	switch {
	case len(d.o.DisableCommand) > 0:
		err = d.runner.RunCommand(d.o.DisableCommand, u.Name)
	case d.o.NIS != "":
		err = d.runner.LockNIS(d.o.NIS, u.Name)
	default:
		err = d.runner.LockLocal(u.Name)
	}
	if err != nil {
		fmt.Fprintf(d.stderr, "%s: disabling %s failed: %v\n", Name, u.Name, err)
		if d.state != nil {
			if err := d.state.forget(u.Name); err != nil {
				fmt.Fprintf(d.stderr, "%s: %v\n", Name, err)
			}
		}
		return "", "lock_failed", false
	}
	if err := d.runner.Mail(u.Name, line); err != nil {
		fmt.Fprintf(d.stderr, "%s: mailing root about %s failed: %v\n", Name, u.Name, err)
		return " [DISABLED]", "disabled_mail_failed", false
	}
	return " [DISABLED]", "disabled", true
}
