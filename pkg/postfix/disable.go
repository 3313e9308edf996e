package postfix

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/spam-gear/spamcheck/pkg/action"
)

// disabler applies -d to the reported users, in the old tool's order for
// each: the NIS/LOCAL label, the lock, the mail, then the report line with
// " [DISABLED]".
type disabler struct {
	o      *Options
	out    *bufio.Writer // the report; flushed before a command writes to the same stdout
	stderr io.Writer
	runner *action.Runner
	text   bool // print the NIS/LOCAL label (text format only)
	// state is --state; nil without it. since and now bound what it remembers.
	state      *state
	since, now time.Time
	protect    *protection
	// warned* make the messages that stop all disabling appear once.
	warnedState, warnedProtect bool
}

// outcome is what -d did to one reported user.
type outcome struct {
	output []byte // the lock command's stdout, when it was captured
	note   string // stderr text for this user, printed with its report line
	suffix string // " [DISABLED]" or ""
	action string // the JSON action
	failed bool   // a runtime error: exit status 1
	// candidate: the user is to be locked (subject to --max-disable).
	candidate bool
}

// classify decides, without acting, what happens to a reported user u. The
// outcome is a candidate when u is to be locked now.
func (d *disabler) classify(u *User) outcome {
	if !d.o.Disable || u.Nets <= d.o.MaxNets || u.Unknowns <= d.o.MaxUnknowns {
		return outcome{}
	}
	if !action.SafeUser(u.Name) {
		return outcome{action: "unsafe_user",
			note: fmt.Sprintf("%s: warning: not disabling user %q: the name has characters that are never acted on\n", Name, u.Name)}
	}
	protected, err := d.protect.protected(u.Name)
	if err != nil {
		o := outcome{action: "protection_unknown", failed: true}
		if !d.warnedProtect {
			d.warnedProtect = true
			o.note = fmt.Sprintf("%s: cannot tell system accounts from others (%v); nobody is disabled\n", Name, err)
		}
		return o
	}
	if protected {
		return outcome{action: "protected", note: fmt.Sprintf("%s: [NOT DISABLED: protected account]\n", u.Name)}
	}
	if d.state != nil {
		if d.state.broken != nil {
			o := outcome{action: "state_unusable", failed: true}
			if !d.warnedState {
				d.warnedState = true
				o.note = fmt.Sprintf("%s: %v; nobody is disabled until it is repaired or removed\n", Name, d.state.broken)
			}
			return o
		}
		if d.state.actedSince(u.Name, d.since, d.now) {
			return outcome{suffix: " [DISABLED]", action: "already_disabled"}
		}
	}
	return outcome{candidate: true}
}

// limited is the outcome of a candidate past --max-disable.
func (d *disabler) limited(u *User) outcome {
	return outcome{action: "limit_reached", note: fmt.Sprintf("%s: [NOT DISABLED: limit %d reached]\n", u.Name, d.o.MaxDisable)}
}

// lockOrder returns the indexes of the candidates among outcomes in the
// order they are locked, and whether --max-disable binds. Without a binding
// limit that is report order, and each lock runs as its line is printed;
// with more candidates than the limit, the highest counts go first (ties in
// report order), so that names an attacker makes sort first cannot use up
// the limit.
func (d *disabler) lockOrder(users []*User, outcomes []outcome) ([]int, bool) {
	var order []int
	for i, o := range outcomes {
		if o.candidate {
			order = append(order, i)
		}
	}
	if d.o.MaxDisable < 0 || int64(len(order)) <= d.o.MaxDisable {
		return order, false
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(users[b].Count, users[a].Count) })
	return order, true
}

// lock locks u (or, with --dry-run, only says it would). When capture is
// nil the NIS/LOCAL label goes to the report and the command's stdout to
// the tool's, as the old tool let them; otherwise both go to capture, to be
// printed with u's line later.
func (d *disabler) lock(u *User, line string, capture *bytes.Buffer) outcome {
	var o outcome
	label := "" // the old tool announced its own two locks, not a --disable-command
	if d.text && len(d.o.DisableCommand) == 0 {
		label = "LOCAL\n"
		if d.o.NIS != "" {
			label = "NIS\n"
		}
	}
	if d.state != nil && !d.o.DryRun {
		// Pending before the lock: if the state cannot be saved, the next
		// run could not know about the lock, so nothing is done now.
		if err := d.state.pending(u.Name, d.now, d.since); err != nil {
			return outcome{action: "state_unwritable", failed: true,
				note: fmt.Sprintf("%s: not disabling %s: %v\n", Name, u.Name, err)}
		}
	}
	runner := d.runner
	if capture != nil {
		capture.WriteString(label)
		saved := runner.Stdout
		runner.Stdout = capture
		defer func() { runner.Stdout = saved }()
	} else {
		d.out.WriteString(label)
		// The lock command writes to the same stdout: keep the order.
		d.out.Flush()
	}
	if d.o.DryRun {
		o.suffix, o.action = " [DISABLED]", "dry_run"
		return o
	}
	var err error
	switch {
	case len(d.o.DisableCommand) > 0:
		err = runner.RunCommand(d.o.DisableCommand, u.Name)
	case d.o.NIS != "":
		err = runner.LockNIS(d.o.NIS, u.Name)
	default:
		err = runner.LockLocal(u.Name)
	}
	if err != nil {
		o.action, o.failed = "lock_failed", true
		o.note = fmt.Sprintf("%s: disabling %s failed: %v\n", Name, u.Name, err)
		if d.state != nil {
			if err := d.state.forget(u.Name); err != nil {
				o.note += fmt.Sprintf("%s: %v\n", Name, err)
			}
		}
		return o
	}
	o.suffix, o.action = " [DISABLED]", "disabled"
	// Root is mailed the report line exactly as it is printed, suffix
	// included, as the old tool mailed it.
	if err := runner.Mail(u.Name, line+o.suffix); err != nil {
		o.action, o.failed = "disabled_mail_failed", true
		o.note = fmt.Sprintf("%s: mailing root about %s failed: %v\n", Name, u.Name, err)
	}
	if d.state != nil {
		if err := d.state.confirm(u.Name); err != nil {
			o.failed = true
			o.note += fmt.Sprintf("%s: %v (the next run locks %s again)\n", Name, err, u.Name)
		}
	}
	return o
}
