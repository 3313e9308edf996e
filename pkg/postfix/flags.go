package postfix

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/spam-gear/spamcheck/pkg/threshold"
)

// disableValue is -d MAX_NETWORKS,MAX_UNKNOWNS; a single number N means N,N.
// Its three spellings share it, so giving two of them is caught here.
type disableValue struct {
	o   *Options
	set bool
}

func (v *disableValue) Set(s string) error {
	if v.set {
		return fmt.Errorf("account disabling given twice (-d, --dissable-account, --dissable-acount, --disable-account are one option)")
	}
	parts := strings.Split(s, ",")
	if len(parts) > 2 {
		return fmt.Errorf("invalid MAX_NETWORKS,MAX_UNKNOWNS %q: expected two numbers separated by a comma, or one", s)
	}
	nets, err := threshold.ParseCount(parts[0])
	if err != nil {
		return fmt.Errorf("invalid MAX_NETWORKS in %q: %w", s, err)
	}
	unknowns := nets
	if len(parts) == 2 {
		if unknowns, err = threshold.ParseCount(parts[1]); err != nil {
			return fmt.Errorf("invalid MAX_UNKNOWNS in %q: %w", s, err)
		}
	}
	v.set = true
	v.o.Disable, v.o.MaxNets, v.o.MaxUnknowns = true, nets, unknowns
	return nil
}

func (v *disableValue) String() string {
	if !v.o.Disable {
		return ""
	}
	return fmt.Sprintf("%d,%d", v.o.MaxNets, v.o.MaxUnknowns)
}

// webmailValue is -w IP[,IP…].
type webmailValue struct{ addrs *[]netip.Addr }

func (v webmailValue) Set(s string) error {
	for _, part := range strings.Split(s, ",") {
		a, err := netip.ParseAddr(part)
		if err != nil || a.Zone() != "" {
			return fmt.Errorf("invalid webmail address %q in %q: expected IPv4 or IPv6 addresses separated by commas", part, s)
		}
		*v.addrs = append(*v.addrs, a.Unmap())
	}
	return nil
}

func (v webmailValue) String() string {
	s := make([]string, len(*v.addrs))
	for i, a := range *v.addrs {
		s[i] = a.String()
	}
	return strings.Join(s, ",")
}

// protectValue is --protect USER[,USER…].
type protectValue struct{ names *[]string }

func (v protectValue) Set(s string) error {
	for _, name := range strings.Split(s, ",") {
		if name == "" {
			return fmt.Errorf("invalid --protect %q: expected user names separated by commas", s)
		}
		*v.names = append(*v.names, name)
	}
	return nil
}

func (v protectValue) String() string { return strings.Join(*v.names, ",") }

// valueFlags are the options that take their value from the next argument;
// preprocessArgs must not read those values as options.
var valueFlags = map[string]bool{
	"-p": true, "--period": true, "-m": true, "--max-connections": true,
	"-d": true, "--dissable-account": true, "--dissable-acount": true, "--disable-account": true,
	"-w": true, "--webmail": true, "-l": true, "--log": true, "--now": true, "--format": true,
	"--overrides": true, "--disable-command": true, "--state": true, "--max-disable": true,
	"--protect": true, "--journal-dir": true,
}

// preprocessArgs gives -n/--niss/--nis the old tool's optional value, which
// kingpin cannot express: the next argument is the NIS master when it
// exists and does not start with '-', else the master is localhost.
// Every spelling becomes --niss=VALUE.
func preprocessArgs(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return append(out, args[i:]...)
		case valueFlags[a]:
			out = append(out, a)
			if i+1 < len(args) {
				i++
				out = append(out, args[i])
			}
		case a == "-n" || a == "--niss" || a == "--nis":
			master := "localhost"
			if i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				i++
				master = args[i]
			}
			out = append(out, "--niss="+master)
		case strings.HasPrefix(a, "--nis="):
			out = append(out, "--niss="+strings.TrimPrefix(a, "--nis="))
		case strings.HasPrefix(a, "-n") && !strings.HasPrefix(a, "--"):
			out = append(out, "--niss="+strings.TrimPrefix(a, "-n"))
		default:
			out = append(out, a)
		}
	}
	return out
}
