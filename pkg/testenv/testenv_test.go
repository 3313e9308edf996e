package testenv

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// outcome records how Missing ended a test, stopping the goroutine as
// testing.T does.
type outcome struct {
	testing.TB
	fatal, skip string
}

func (o *outcome) Helper()           {}
func (o *outcome) Fatal(args ...any) { o.fatal = fmt.Sprint(args...); runtime.Goexit() }
func (o *outcome) Skip(args ...any)  { o.skip = fmt.Sprint(args...); runtime.Goexit() }

func TestMissing(t *testing.T) {
	for _, tc := range []struct {
		ci        string
		wantFatal bool
	}{
		{"true", true},
		{"", false},
		{"1", false},
	} {
		t.Run("CI="+tc.ci, func(t *testing.T) {
			t.Setenv("CI", tc.ci)
			o := &outcome{TB: t}
			done := make(chan struct{})
			go func() {
				defer close(done)
				Missing(o, "%s not found; apt-get install %s", "php", "php-cli")
			}()
			<-done
			if got := o.fatal != ""; got != tc.wantFatal || (o.skip != "") == tc.wantFatal {
				t.Fatalf("fatal %q, skip %q; want fatal %v", o.fatal, o.skip, tc.wantFatal)
			}
			if msg := o.fatal + o.skip; !strings.HasPrefix(msg, "php not found; apt-get install php-cli") {
				t.Errorf("message %q lost the reason or the advice", msg)
			}
		})
	}
}
